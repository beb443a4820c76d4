"""Builds client events and matches on server events, checked with mypy --strict (test_events.py)."""
from __future__ import annotations

from typing import List

import openapi_client
from openapi_client.models import (
    RealtimeClientEvent,
    RealtimeClientEventConversationItemCreate,
    RealtimeClientEventResponseCreate,
    RealtimeConversationItemMessageUser,
    RealtimeConversationItemMessageUserContentInner,
    RealtimeServerEvent,
    RealtimeServerEventError,
    RealtimeServerEventResponseDone,
    RealtimeServerEventResponseFunctionCallArgumentsDone,
    RealtimeServerEventResponseTextDelta,
)


def say(text: str) -> List[RealtimeClientEvent]:
    item = RealtimeConversationItemMessageUser(
        type="message", role="user",
        content=[RealtimeConversationItemMessageUserContentInner(type="input_text", text=text)])
    create = RealtimeClientEventConversationItemCreate(type="conversation.item.create", item=item)
    return [RealtimeClientEvent(actual_instance=create),
            RealtimeClientEvent(actual_instance=RealtimeClientEventResponseCreate(type="response.create"))]


def handle(raw: str, transcript: List[str]) -> str:
    event = RealtimeServerEvent.from_json(raw).actual_instance
    match event:
        case RealtimeServerEventResponseTextDelta(delta=delta):
            transcript.append(delta)
            return "delta"
        case RealtimeServerEventResponseFunctionCallArgumentsDone():
            return f"call {event.name}({event.arguments}) as {event.call_id}"
        case RealtimeServerEventResponseDone():
            status: str | None = event.response.status
            return f"done: {status}"
        case RealtimeServerEventError():
            message: str = event.error.message
            return f"error: {message}"
        case openapi_client.UnknownEvent():
            kind: str = event.type
            return f"unknown {kind}"
        case _:
            return type(event).__name__
