"""The Realtime event models (issue 28): every event the spec's groups name parses into its class
through the two unions and writes back the same JSON; unknown event types are kept; the nine
conversation item kinds parse as themselves; the models load only when used."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

import openapi_client
from openapi_client import models as M
from openapi_client._runtime import ComposedModel

from conftest import ROOT, SPEC, every_field, json_schema, mypy_strict

SCHEMAS = SPEC["components"]["schemas"]
GROUPS: Dict[str, List[str]] = SPEC["x-events"]["groups"]
CLIENT_EVENTS = GROUPS["realtime-client-events"]
SERVER_EVENTS = GROUPS["realtime-server-events"]


def union_for(name: str) -> Any:
    return M.RealtimeClientEvent if name in CLIENT_EVENTS else M.RealtimeServerEvent


def event_type(name: str) -> str:
    (value,) = SCHEMAS[name]["properties"]["type"]["enum"]
    return value


def own_example(name: str) -> Any:
    example = (SCHEMAS[name].get("x-oaiMeta") or {}).get("example")
    return json.loads(example) if example else None


def assert_parses_as_itself(name: str, data: Dict[str, Any]) -> None:
    union = union_for(name)
    text = json.dumps(data)
    event = union.from_json(text).actual_instance
    assert type(event) is getattr(M, name), (name, type(event))
    assert event.type == data["type"]
    assert json.loads(event.to_json()) == data                       # byte-equivalent JSON, key order aside
    assert json.loads(union.from_dict(data).to_json()) == data
    assert json.loads(getattr(M, name).from_json(text).to_json()) == data


def test_the_groups_and_unions_are_all_there():
    assert (len(CLIENT_EVENTS), len(SERVER_EVENTS)) == (11, 44)
    assert len(M.RealtimeClientEvent.members) == 11 and len(M.RealtimeServerEvent.members) == 46
    members = {name for name, _ in M.RealtimeServerEvent.members} | {name for name, _ in M.RealtimeClientEvent.members}
    assert set(CLIENT_EVENTS) | set(SERVER_EVENTS) <= members


@pytest.mark.parametrize("name", CLIENT_EVENTS + SERVER_EVENTS)
def test_each_events_own_example_parses_into_its_class_and_round_trips(name):
    example = own_example(name)
    if example is None:   # none at this revision: a value generated from the schema stands in
        example = next_value(name)
    assert_parses_as_itself(name, example)


def next_value(name: str) -> Dict[str, Any]:
    found: List[Dict[str, Any]] = []

    @settings(max_examples=1, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(from_schema(json_schema(name)))
    def take(value: Dict[str, Any]) -> None:
        found.append(value)

    take()
    return found[0]


@pytest.mark.parametrize("name", CLIENT_EVENTS + SERVER_EVENTS)
def test_values_generated_from_each_event_schema_parse_into_its_class_and_round_trip(name):
    @settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(from_schema(every_field(json_schema(name))))
    def round_trip(value: Dict[str, Any]) -> None:
        assert_parses_as_itself(name, json.loads(json.dumps(value)))

    round_trip()


# ------------------------------------------------------------------ unknown event types are kept

def test_a_server_event_of_an_unknown_type_is_kept_whole():
    raw = {"type": "response.output_video.delta", "event_id": "event_9", "delta": "AAAA", "frame": {"n": [1, None]}}
    event = M.RealtimeServerEvent.from_json(json.dumps(raw)).actual_instance
    assert isinstance(event, openapi_client.UnknownEvent) and not isinstance(event, dict)
    assert event.type == "response.output_video.delta" and event.event_id == "event_9"
    assert event.to_dict() == raw and json.loads(event.to_json()) == raw
    assert event.additional_properties == {"delta": "AAAA", "frame": {"n": [1, None]}}
    assert M.RealtimeServerEvent.from_dict(raw).to_dict() == raw


def test_a_known_event_in_a_shape_its_model_refuses_is_kept_too():
    raw = {"type": "response.output_text.delta", "event_id": "event_1", "delta": {"text": "a newer shape"}}
    event = M.RealtimeServerEvent.from_json(json.dumps(raw)).actual_instance
    assert isinstance(event, openapi_client.UnknownEvent) and event.to_dict() == raw


def test_a_server_event_keeps_fields_newer_than_the_spec():
    raw = {"type": "response.output_text.delta", "event_id": "e", "response_id": "r", "item_id": "i",
           "output_index": 0, "content_index": 0, "delta": "Hi", "logprobs": [{"token": "Hi"}]}
    event = M.RealtimeServerEvent.from_json(json.dumps(raw)).actual_instance
    assert isinstance(event, M.RealtimeServerEventResponseTextDelta) and event.delta == "Hi"
    assert event.to_dict() == raw


def test_a_client_event_a_caller_builds_is_checked_before_anything_is_sent():
    with pytest.raises(ValueError, match="RealtimeClientEvent takes type"):
        M.RealtimeClientEvent({"type": "session.updte", "session": {}})
    with pytest.raises(ValueError, match="did you mean 'session'"):
        M.RealtimeClientEventSessionUpdate(type="session.update", sesion={"type": "realtime"})
    with pytest.raises(ValueError, match="type must be one of 'response.create'"):
        M.RealtimeClientEventResponseCreate(type="response.cancel")
    built = M.RealtimeClientEvent({"type": "response.cancel", "response_id": "resp_1"})
    assert isinstance(built.actual_instance, M.RealtimeClientEventResponseCancel)


def test_event_unions_do_not_hold_a_bare_dict_for_any_known_type():
    for name in CLIENT_EVENTS + SERVER_EVENTS:
        parsed = union_for(name).from_json(json.dumps(own_example(name))).actual_instance
        assert not isinstance(parsed, (dict, openapi_client.UnknownEvent)), name


# ------------------------------------------------------------------ conversation items: nine kinds

ITEMS: Dict[str, Dict[str, Any]] = {
    "RealtimeConversationItemMessageSystem": {
        "id": "item_1", "object": "realtime.item", "type": "message", "status": "completed", "role": "system",
        "content": [{"type": "input_text", "text": "Be brief."}]},
    "RealtimeConversationItemMessageUser": {
        "id": "item_2", "type": "message", "status": "completed", "role": "user",
        "content": [{"type": "input_text", "text": "hi"}, {"type": "input_audio", "audio": "AAAA", "transcript": "hi"}]},
    "RealtimeConversationItemMessageAssistant": {
        "id": "item_3", "type": "message", "status": "completed", "role": "assistant",
        "content": [{"type": "output_text", "text": "Hello!"}, {"type": "output_audio", "transcript": "Hello!"}]},
    "RealtimeConversationItemFunctionCall": {
        "id": "item_4", "type": "function_call", "status": "completed", "call_id": "call_1", "name": "weather",
        "arguments": "{\"city\": \"Lyon\"}"},
    "RealtimeConversationItemFunctionCallOutput": {
        "id": "item_5", "type": "function_call_output", "call_id": "call_1", "output": "{\"sky\": \"clear\"}"},
    "RealtimeMCPApprovalResponse": {
        "type": "mcp_approval_response", "id": "item_6", "approval_request_id": "apr_1", "approve": True},
    "RealtimeMCPListTools": {
        "type": "mcp_list_tools", "id": "item_7", "server_label": "docs",
        "tools": [{"name": "search", "input_schema": {"type": "object"}}]},
    "RealtimeMCPToolCall": {
        "type": "mcp_call", "id": "item_8", "server_label": "docs", "name": "search", "arguments": "{}",
        "output": "found"},
    "RealtimeMCPApprovalRequest": {
        "type": "mcp_approval_request", "id": "item_9", "server_label": "docs", "name": "search", "arguments": "{}"},
}


def test_the_nine_item_kinds_are_the_unions_members():
    def leaves(union: Any) -> List[str]:
        return [leaf for name, member in union.members for leaf in (
            leaves(member) if isinstance(member, type) and issubclass(member, ComposedModel) else [name])]

    assert sorted(leaves(M.RealtimeConversationItem)) == sorted(ITEMS)


@pytest.mark.parametrize("kind", sorted(ITEMS))
def test_each_item_kind_parses_as_itself_alone_and_inside_events(kind):
    item = ITEMS[kind]
    alone = M.RealtimeConversationItem.from_json(json.dumps(item)).actual_instance
    assert type(alone) is getattr(M, kind) and alone.to_dict() == item
    assert type(M.RealtimeConversationItem(item).actual_instance) is getattr(M, kind)   # as a caller builds it
    added = {"type": "conversation.item.added", "event_id": "event_1", "previous_item_id": None, "item": item}
    done = {"type": "response.output_item.done", "event_id": "event_2", "response_id": "resp_1",
            "output_index": 0, "item": item}
    for data, event_class in ((added, M.RealtimeServerEventConversationItemAdded),
                              (done, M.RealtimeServerEventResponseOutputItemDone)):
        event = M.RealtimeServerEvent.from_json(json.dumps(data)).actual_instance
        assert type(event) is event_class and type(event.item) is getattr(M, kind)
        assert json.loads(event.to_json()) == data


def test_an_assistant_message_is_never_read_as_a_system_one():
    item = ITEMS["RealtimeConversationItemMessageAssistant"]
    create = M.RealtimeClientEvent.from_dict({"type": "conversation.item.create", "item": item}).actual_instance
    assert isinstance(create.item, M.RealtimeConversationItemMessageAssistant)
    assert create.item.content[0].text == "Hello!"
    with pytest.raises(ValueError):   # a role no message has: refused when a caller builds it
        M.RealtimeConversationItem({"type": "message", "role": "narrator", "content": []})


def test_response_create_takes_references_to_earlier_items():
    data = {"type": "response.create", "response": {"input": [
        {"type": "item_reference", "id": "item_12345"}, ITEMS["RealtimeConversationItemMessageUser"]]}}
    event = M.RealtimeClientEvent.from_dict(data).actual_instance
    reference, message = event.response.input
    assert isinstance(reference, M.RealtimeConversationItemReference) and reference.id == "item_12345"
    assert isinstance(message, M.RealtimeConversationItemMessageUser)
    assert event.to_dict() == data


# ------------------------------------------------------------------ typing and import cost

def test_an_app_that_builds_and_matches_on_events_passes_mypy_strict():
    result = mypy_strict(ROOT / "test" / "data" / "typing" / "events_app.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_the_package_does_not_load_the_event_models():
    script = ("import sys, openapi_client\n"
              "loaded = lambda: sorted(m for m in sys.modules if 'realtime_server_event' in m or 'realtime_client_event' in m)\n"
              "assert loaded() == [], loaded()\n"
              "openapi_client.RealtimeCreateClientSecretRequest\n"
              "assert loaded() == [], loaded()\n"
              "openapi_client.RealtimeServerEvent.from_json('{\"type\": \"x\"}')\n"
              "assert 'openapi_client.models.realtime_server_event' in loaded()\n")
    result = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_events_page_lists_every_event_with_its_type_and_model_page():
    page = (ROOT / "docs" / "Events.md").read_text()
    for name in CLIENT_EVENTS + SERVER_EVENTS:
        row = f"| `{event_type(name)}` | [{name}]({name}.md) |"
        assert row in page, name
        assert (ROOT / "docs" / f"{name}.md").exists()
    client, server = page.split("## Server events")
    assert all(f"[{name}]" in client for name in CLIENT_EVENTS)
    assert not any(f"[{name}]" in client for name in SERVER_EVENTS)
