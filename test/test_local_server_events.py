"""The local server speaks the Realtime event protocol (issue 30): driven through the SDK's events
connection, sync and async, and by openai-python's realtime.connect, over real sockets."""
from __future__ import annotations

import asyncio
import json
import threading
from typing import Any, Dict, List

import pytest

import openapi_client
from local_server import LocalRealtimeServer
from openapi_client import realtime
from openapi_client.aio import realtime as aio_realtime

from conftest import CONTRACT

KEY = "sk-local-events"
USER_HELLO = {"type": "conversation.item.create",
              "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Lyon in May"}]}}
WEATHER_TOOL = {"type": "function", "name": "weather", "description": "The weather in a city.",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}


@pytest.fixture
def srv():
    with LocalRealtimeServer(api_key=KEY, contract=CONTRACT) as server:
        yield server


def configuration(server: LocalRealtimeServer, key: str = KEY) -> openapi_client.Configuration:
    return openapi_client.Configuration(host=server.base_url, access_token=key)


def until(conn: Any, last: str) -> List[Any]:
    """Events up to and including the first of type `last`."""
    events = []
    while True:
        events.append(conn.recv())
        if events[-1].type == last:
            return events


def types(events: List[Any]) -> List[str]:
    return [event.type for event in events]


def accepted_call(server: LocalRealtimeServer, session: Dict[str, Any] = None) -> str:
    call_id = server.ring()
    api = openapi_client.RealtimeApi(openapi_client.ApiClient(configuration(server)))
    api.accept_realtime_call(call_id, openapi_client.RealtimeSessionCreateRequestGA.from_dict(
        session or {"type": "realtime", "instructions": "Be brief."}))
    return call_id


# ------------------------------------------------------------------ the sequences, sync

def test_session_created_then_updated_with_the_merged_session(srv):
    with realtime.connect(model="gpt-realtime", configuration=configuration(srv)) as conn:
        created = conn.recv()
        assert isinstance(created, openapi_client.RealtimeServerEventSessionCreated)
        assert created.session.model == "gpt-realtime" and created.session.output_modalities == ["audio"]
        conn.send({"type": "session.update", "session": {"type": "realtime", "instructions": "Speak French."}})
        updated = conn.recv()
    assert isinstance(updated, openapi_client.RealtimeServerEventSessionUpdated)
    assert updated.session.instructions == "Speak French." and updated.session.output_modalities == ["audio"]
    assert updated.session.audio.output.voice == "alloy"   # merged over what was there


def test_a_text_response_streams_deltas_that_spell_the_last_user_text(srv):
    with realtime.connect(model="gpt-realtime", configuration=configuration(srv)) as conn:
        conn.recv()
        conn.send({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}})
        conn.recv()
        conn.send(USER_HELLO)
        added, done = conn.recv(), conn.recv()
        assert (added.type, done.type) == ("conversation.item.added", "conversation.item.done")
        assert isinstance(added.item, openapi_client.RealtimeConversationItemMessageUser)
        conn.send({"type": "response.create"})
        events = until(conn, "response.done")
    assert types(events) == ["response.created", "response.output_item.added", "response.content_part.added",
                             "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
                             "response.content_part.done", "response.output_item.done", "response.done"]
    text = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert "Lyon in May" in text and events[-1].response.output[0].content[0].text == text
    assert events[-1].response.status == "completed"


def test_an_audio_response_by_default_carries_transcript_and_audio_deltas(srv):
    with realtime.connect(model="gpt-realtime", configuration=configuration(srv)) as conn:
        conn.recv()
        conn.send(USER_HELLO)
        conn.recv(), conn.recv()
        conn.send({"type": "response.create"})
        events = until(conn, "response.done")
    kinds = types(events)
    assert kinds.count("response.output_audio_transcript.delta") >= 2 and kinds.count("response.output_audio.delta") >= 2
    assert "response.output_audio.done" in kinds and "response.output_audio_transcript.done" in kinds
    audio = [event for event in events if event.type == "response.output_audio.delta"]
    assert all(event.delta for event in audio)


def test_the_function_call_round_trip(srv):
    with realtime.connect(model="gpt-realtime", configuration=configuration(srv)) as conn:
        conn.recv()
        conn.send({"type": "session.update", "session": {"type": "realtime", "tools": [WEATHER_TOOL],
                                                         "output_modalities": ["text"]}})
        conn.recv()
        conn.send(USER_HELLO)
        conn.recv(), conn.recv()
        conn.send({"type": "response.create", "response": {"tool_choice": {"type": "function", "name": "weather"}}})
        events = until(conn, "response.done")
        assert "response.function_call_arguments.delta" in types(events)
        call = next(e for e in events if e.type == "response.function_call_arguments.done")
        assert call.name == "weather" and json.loads(call.arguments) and call.call_id
        conn.send({"type": "conversation.item.create",
                   "item": {"type": "function_call_output", "call_id": call.call_id, "output": "{\"sky\": \"clear\"}"}})
        conn.recv(), conn.recv()
        conn.send({"type": "response.create"})
        answer = until(conn, "response.done")[-1]
    assert "clear" in answer.response.output[0].content[0].text


def test_audio_appended_then_committed(srv):
    with realtime.connect(model="gpt-realtime", configuration=configuration(srv)) as conn:
        conn.recv()
        conn.send({"type": "input_audio_buffer.append", "audio": "AAAAAAAA"})
        conn.send({"type": "input_audio_buffer.commit"})
        committed = conn.recv()
    assert isinstance(committed, openapi_client.RealtimeServerEventInputAudioBufferCommitted) and committed.item_id


def test_cancel_mid_stream_ends_the_response_cancelled_with_no_further_deltas(srv):
    srv.delta_pause = 60   # the first delta waits for the cancel (cancelling ends the wait): no race with the clock
    with realtime.connect(model="gpt-realtime", configuration=configuration(srv)) as conn:
        conn.recv()
        conn.send({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}})
        conn.recv()
        conn.send(USER_HELLO)
        conn.recv(), conn.recv()
        conn.send({"type": "response.create"})
        assert types(until(conn, "response.content_part.added"))[-1] == "response.content_part.added"
        conn.send({"type": "response.cancel"})
        rest = until(conn, "response.done")
    assert "response.output_text.delta" not in types(rest)
    assert rest[-1].response.status == "cancelled"


def test_an_invalid_event_gets_an_error_naming_it_and_the_connection_stays_open(srv):
    with realtime.connect(model="gpt-realtime", configuration=configuration(srv)) as conn:
        conn.recv()
        raw = conn._websocket   # past the SDK's own check, as another client could send it
        raw.send(json.dumps({"type": "response.create", "event_id": "evt_bad", "response": {"tool_choice": 7}}))
        raw.send(json.dumps({"type": "no.such.event", "event_id": "evt_unknown"}))
        raw.send("not json")
        first, second, third = conn.recv(), conn.recv(), conn.recv()
        conn.send({"type": "input_audio_buffer.clear"})
        cleared = conn.recv()
    assert isinstance(first, openapi_client.RealtimeServerEventError) and first.error.event_id == "evt_bad"
    assert second.error.event_id == "evt_unknown" and "no.such.event" in second.error.message
    assert third.type == "error" and cleared.type == "input_audio_buffer.cleared"


# ------------------------------------------------------------------ calls: who may join, and the hangup

def test_the_sideband_joins_an_accepted_call_and_a_hangup_closes_it_with_1000(srv):
    call_id = accepted_call(srv, {"type": "realtime", "instructions": "Be brief.", "output_modalities": ["text"]})
    conn = realtime.connect(call_id=call_id, configuration=configuration(srv))
    created = conn.recv()
    assert created.session.instructions == "Be brief." and created.session.output_modalities == ["text"]
    openapi_client.RealtimeApi(openapi_client.ApiClient(configuration(srv))).hangup_realtime_call(call_id)
    assert list(conn) == []   # a normal close ends the iteration
    with pytest.raises(realtime.RealtimeConnectionClosed) as closed:
        conn.recv()
    assert closed.value.code == 1000


@pytest.mark.parametrize("case", ["unknown", "rung, not accepted", "ended"])
def test_a_call_that_is_not_open_is_refused_with_404(srv, case):
    if case == "unknown":
        call_id = "rtc_" + "0" * 32
    elif case == "rung, not accepted":
        call_id = srv.ring()
    else:
        call_id = accepted_call(srv)
        openapi_client.RealtimeApi(openapi_client.ApiClient(configuration(srv))).hangup_realtime_call(call_id)
    with pytest.raises(openapi_client.NotFoundException, match="not found"):
        realtime.connect(call_id=call_id, configuration=configuration(srv))


def test_a_wrong_key_is_refused_with_401_and_an_ek_key_starts_its_own_session(srv):
    with pytest.raises(openapi_client.UnauthorizedException):
        realtime.connect(model="gpt-realtime", configuration=configuration(srv, "sk-wrong"))
    api = openapi_client.RealtimeApi(openapi_client.ApiClient(configuration(srv)))
    secret = api.create_realtime_client_secret(openapi_client.RealtimeCreateClientSecretRequest.from_dict(
        {"session": {"type": "realtime", "instructions": "From the key.", "output_modalities": ["text"]}}))
    with realtime.connect(model="gpt-realtime", configuration=configuration(srv, secret.value)) as conn:
        assert conn.recv().session.instructions == "From the key."
    with pytest.raises(openapi_client.UnauthorizedException):   # a client secret cannot join a call
        realtime.connect(call_id=accepted_call(srv), configuration=configuration(srv, secret.value))


def test_twenty_concurrent_sideband_connections_each_get_their_own_answers(srv):
    results: Dict[int, str] = {}

    def one(n: int) -> None:
        with realtime.connect(model="gpt-realtime", configuration=configuration(srv)) as conn:
            conn.recv()
            conn.send({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}})
            conn.recv()
            conn.send({"type": "conversation.item.create", "item": {
                "type": "message", "role": "user", "content": [{"type": "input_text", "text": "caller %d" % n}]}})
            conn.recv(), conn.recv()
            conn.send({"type": "response.create"})
            results[n] = until(conn, "response.done")[-1].response.output[0].content[0].text

    threads = [threading.Thread(target=one, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == list(range(20))
    assert all(text.endswith("caller %d" % n) for n, text in results.items())


# ------------------------------------------------------------------ async

def test_async_the_same_conversation(srv):
    async def session() -> List[Any]:
        call_id = await asyncio.to_thread(accepted_call, srv)
        async with aio_realtime.connect(call_id=call_id, configuration=configuration(srv)) as conn:
            await conn.recv()
            await conn.send({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}})
            await conn.recv()
            await conn.send(USER_HELLO)
            await conn.recv(), await conn.recv()
            await conn.send({"type": "response.create"})
            events = []
            while not events or events[-1].type != "response.done":
                events.append(await conn.recv())
            return events

    events = asyncio.run(session())
    assert "Lyon in May" in events[-1].response.output[0].content[0].text


# ------------------------------------------------------------------ a client nobody here wrote

@pytest.mark.parametrize("join", ["model", "call_id"])
def test_openai_python_realtime_connect_drives_the_local_server(srv, join):
    import openai
    client = openai.OpenAI(api_key=KEY, base_url=srv.base_url)
    target = {"model": "gpt-realtime"} if join == "model" else {"call_id": accepted_call(srv)}
    with client.realtime.connect(**target) as conn:
        assert conn.recv().type == "session.created"
        conn.session.update(session={"type": "realtime", "output_modalities": ["text"]})
        assert conn.recv().type == "session.updated"
        conn.conversation.item.create(item={"type": "message", "role": "user",
                                            "content": [{"type": "input_text", "text": "Lyon in May"}]})
        conn.response.create()
        text = ""
        for event in conn:
            if event.type == "response.output_text.delta":
                text += event.delta
            if event.type == "response.done":
                break
    assert "Lyon in May" in text


def test_an_event_the_server_builds_wrongly_is_logged_and_closes_the_socket_with_1011(srv, monkeypatch, caplog):
    import local_server.realtime as events_module
    broken = events_module.session_for
    monkeypatch.setattr(events_module, "session_for",
                        lambda model, settings: {**broken(model, settings), "output_modalities": "text"})
    with realtime.connect(model="gpt-realtime", configuration=configuration(srv)) as conn:
        with pytest.raises(realtime.RealtimeConnectionClosed) as closed:
            conn.recv()
    assert closed.value.code == 1011
    assert "invalid session.created event" in caplog.text and "output_modalities" in caplog.text
