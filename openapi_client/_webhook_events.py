# coding: utf-8
"""Generated from openapi.yaml's `x-webhooks`: {event `type`: model name in openapi_client.models}."""

from typing import TYPE_CHECKING, Dict, Union

if TYPE_CHECKING:
    from openapi_client.models.webhook_realtime_call_incoming import WebhookRealtimeCallIncoming
    from openapi_client.webhooks import UnknownWebhookEvent

WEBHOOK_EVENT_MODELS: Dict[str, str] = {
    "realtime.call.incoming": "WebhookRealtimeCallIncoming",
}

# What openapi_client.webhooks.unwrap returns: a known event's model, or the event as it came.
WebhookEvent = Union[
    "WebhookRealtimeCallIncoming",
    "UnknownWebhookEvent",
]
