"""A local stand-in for the OpenAI Realtime REST API (keys, calls, call control), checked against openapi.yaml.

Run it with ``python -m local_server --port 8080`` and point the SDK at it with
``OPENAI_BASE_URL=http://127.0.0.1:8080/v1``. Every request is validated with openapi-core
(bearer header and body) and every answer it sends is validated against the same spec first.
"""
from __future__ import annotations

from local_server.contract import SpecContract
from local_server.server import DEFAULT_MAX_BODY_BYTES, LocalRealtimeServer
from local_server.sessions import SESSION_DEFAULTS
from local_server.webhooks import Delivery, DeliveryPolicy

__all__ = ["DEFAULT_MAX_BODY_BYTES", "SESSION_DEFAULTS", "Delivery", "DeliveryPolicy", "LocalRealtimeServer", "SpecContract"]
