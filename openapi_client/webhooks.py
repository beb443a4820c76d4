"""OpenAI's webhooks, checked and typed: ``verify_signature`` proves a delivery came from OpenAI,
``unwrap`` does that and returns the event's model.

OpenAI signs webhooks the Standard Webhooks way, and these functions follow openai-python's rules
(``client.webhooks.verify_signature`` / ``unwrap``):

- headers ``webhook-id``, ``webhook-timestamp`` (unix seconds) and ``webhook-signature``, a
  space-separated list of entries, looked up case-insensitively; entries other than ``v1,<base64>``
  are ignored, and a header without any ``v1,`` entry is malformed;
- the signature is HMAC-SHA256 over ``"{id}.{timestamp}.{body}"``, keyed by the base64-decoded
  secret after its ``whsec_`` prefix (or the secret's own bytes when it has none);
- any matching ``v1`` signature is accepted, compared in constant time;
- a timestamp more than ``tolerance`` seconds in the past or in the future is refused (replays).

Every refusal is an :class:`~openapi_client.exceptions.InvalidWebhookSignatureError` (a
``ValueError``); no message shows the secret or the signature expected. The standard library's
``hmac`` does the work: the ``standardwebhooks`` package has a fixed 5-minute window, no clock to
inject and no raw-bytes secret, so it signs in the tests and the local server instead.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import time
from typing import Any, Dict, Mapping, Optional, Union

from pydantic import BaseModel, ConfigDict, ValidationError

from openapi_client._webhook_events import WEBHOOK_EVENT_MODELS, WebhookEvent
from openapi_client.exceptions import ApiValueError, InvalidWebhookSignatureError

__all__ = ["SECRET_ENV", "DEFAULT_TOLERANCE", "UnknownWebhookEvent", "WebhookEvent", "unwrap", "verify_signature"]

SECRET_ENV = "OPENAI_WEBHOOK_SECRET"
DEFAULT_TOLERANCE = 300   # seconds, openai-python's default
SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1,"

Payload = Union[bytes, str]


class UnknownWebhookEvent(BaseModel):
    """An event whose ``type`` this SDK has no model for (the API adds event types): every field it
    came with is kept, typed where all events agree, reachable through ``to_dict()``."""

    model_config = ConfigDict(extra="allow", frozen=True)

    type: str
    id: Optional[str] = None
    object: Optional[str] = None
    created_at: Optional[int] = None
    data: Optional[Dict[str, Any]] = None

    def to_dict(self) -> Dict[str, Any]:
        """The event as it was delivered (every field, unknown ones included)."""
        return self.model_dump(mode="json", exclude_unset=True)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


def verify_signature(payload: Payload, headers: Mapping[str, str], *, secret: Optional[str] = None,
                     tolerance: int = DEFAULT_TOLERANCE, now: Optional[float] = None) -> None:
    """Raise InvalidWebhookSignatureError unless ``payload`` is signed by ``secret`` (default: the
    OPENAI_WEBHOOK_SECRET environment variable) within ``tolerance`` seconds of ``now`` (default: the
    system clock; tests pass a frozen one)."""
    key = _signing_key(secret)
    webhook_id, timestamp, signatures = _signature_headers(headers)
    _check_timestamp(timestamp, tolerance, time.time() if now is None else now)
    body = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    signed = b"%s.%s.%s" % (webhook_id.encode("utf-8"), timestamp.encode("ascii"), body)
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    # compare_digest on bytes: constant time, and a non-ASCII candidate cannot raise
    if not any(hmac.compare_digest(expected, candidate.encode("utf-8", "surrogateescape")) for candidate in signatures):
        raise InvalidWebhookSignatureError("the webhook signature does not match: wrong secret, or a changed body")


def unwrap(payload: Payload, headers: Mapping[str, str], *, secret: Optional[str] = None,
           tolerance: int = DEFAULT_TOLERANCE, now: Optional[float] = None) -> WebhookEvent:
    """Verify the delivery (``verify_signature``), then return its event: the model generated for its
    ``type`` (``WebhookRealtimeCallIncoming`` for ``realtime.call.incoming``), or an
    UnknownWebhookEvent that keeps every field of a type this SDK does not know."""
    verify_signature(payload, headers, secret=secret, tolerance=tolerance, now=now)
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError):
        raise ApiValueError("the webhook payload is signed but is not JSON") from None
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise ApiValueError("the webhook payload is signed but is not an event object with a string `type`")
    model_name = WEBHOOK_EVENT_MODELS.get(event["type"])
    try:
        if model_name is None:
            return UnknownWebhookEvent.model_validate(event)
        import openapi_client.models as models   # loaded on first use: importing this module stays light
        model: Any = getattr(models, model_name)
        return model.from_dict(event)  # type: ignore[no-any-return]
    except ValidationError as problem:
        raise ApiValueError("the webhook event %r does not match its schema: %s" % (
            event["type"], "; ".join("%s: %s" % (".".join(map(str, e["loc"])), e["msg"]) for e in problem.errors()))) from None


def _signing_key(secret: Optional[str]) -> bytes:
    secret = os.environ.get(SECRET_ENV) if secret is None else secret
    if not secret:
        raise ApiValueError("no webhook secret: pass secret=... or set %s" % SECRET_ENV)
    if not secret.startswith(SECRET_PREFIX):
        return secret.encode("utf-8")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ApiValueError("the webhook secret is not valid base64 after its %s prefix" % SECRET_PREFIX) from None
    if not key:
        raise ApiValueError("the webhook secret is empty after its %s prefix" % SECRET_PREFIX)
    return key


def _signature_headers(headers: Mapping[str, str]) -> "tuple[str, str, list[str]]":
    lowered = {str(name).lower(): value for name, value in headers.items()}
    found = {}
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        value = lowered.get(name)
        if not isinstance(value, str) or not value.strip():
            raise InvalidWebhookSignatureError("the %s header is missing" % name)
        found[name] = value.strip()
    signatures = [entry[len(SIGNATURE_VERSION):] for entry in found["webhook-signature"].split()
                  if entry.startswith(SIGNATURE_VERSION)]
    if not signatures:
        raise InvalidWebhookSignatureError("the webhook-signature header has no v1 signature")
    return found["webhook-id"], found["webhook-timestamp"], signatures


def _check_timestamp(timestamp: str, tolerance: int, now: float) -> None:
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise InvalidWebhookSignatureError("the webhook-timestamp header is not unix seconds")
    age = int(now) - int(timestamp)
    if age > tolerance:
        raise InvalidWebhookSignatureError("the webhook timestamp is too old (%d s, tolerance %d s)" % (age, tolerance))
    if -age > tolerance:
        raise InvalidWebhookSignatureError("the webhook timestamp is too new (%d s ahead, tolerance %d s)" % (-age, tolerance))
