"""The Realtime events connection (issue 29), sync and async, over real WebSockets on 127.0.0.1
against a websockets server in the test that records the handshake and what it received, and
plays scripted events."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import ssl
import subprocess
import sys
import threading
from http import HTTPStatus
from typing import Any, Callable, Dict, List, Optional

import pytest
import trustme
from websockets.sync.server import serve

import openapi_client
from openapi_client import realtime
from openapi_client.aio import realtime as aio_realtime
from openapi_client.models import (RealtimeServerEventError, RealtimeServerEventResponseAudioDelta,
                                   RealtimeServerEventResponseTextDelta)

from conftest import ROOT

KEY = "sk-test-" + "k" * 40
TEXT_DELTA = {"type": "response.output_text.delta", "event_id": "event_1", "response_id": "resp_1", "item_id": "item_1",
              "output_index": 0, "content_index": 0, "delta": "Hello"}
ERROR = {"type": "error", "event_id": "event_2",
         "error": {"type": "invalid_request_error", "code": "unknown_parameter", "message": "Unknown parameter: 'x'.",
                   "param": "x", "event_id": "client_1"}}
UNKNOWN = {"type": "response.output_video.delta", "event_id": "event_3", "frame": 7}
RESPONSE_CREATE = {"type": "response.create"}
SERVER_LOGGER = "test.eventserver"   # the test server's own log (it shows the headers it received)


class EventServer:
    """Runs `handler(websocket, server)` per connection; records each handshake and each message received."""

    def __init__(self, handler: Callable[[Any, "EventServer"], None], refuse: Optional[HTTPStatus] = None,
                 tls: Optional[ssl.SSLContext] = None) -> None:
        self.handler, self.refuse, self.tls = handler, refuse, tls
        self.handshakes: List[Dict[str, Any]] = []
        self.received: List[Dict[str, Any]] = []
        self.done = threading.Event()

    def _process_request(self, connection: Any, request: Any) -> Any:
        self.handshakes.append({"path": request.path, "headers": {k.lower(): v for k, v in request.headers.raw_items()}})
        if self.refuse is not None:
            body = json.dumps({"error": {"message": "refused by the test server", "type": "invalid_request_error",
                                         "code": None, "param": None}})
            response = connection.respond(self.refuse, body)
            response.headers["Content-Type"] = "application/json"
            response.headers["x-request-id"] = "req_ws_1"
            return response
        return None

    def _handle(self, websocket: Any) -> None:
        try:
            self.handler(websocket, self)
        finally:
            self.done.set()

    def receive(self, websocket: Any) -> Dict[str, Any]:
        message = json.loads(websocket.recv())
        self.received.append(message)
        return message

    def __enter__(self) -> "EventServer":
        self.server = serve(self._handle, "127.0.0.1", 0, process_request=self._process_request, max_size=None,
                            logger=logging.getLogger(SERVER_LOGGER), ssl=self.tls)
        self.port = self.server.socket.getsockname()[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.thread.join(10)

    def configuration(self, **settings: Any) -> openapi_client.Configuration:
        scheme = "https" if self.tls else "http"
        return openapi_client.Configuration(host="%s://127.0.0.1:%d/v1" % (scheme, self.port), access_token=KEY, **settings)


def echo_then_close(events: List[Dict[str, Any]], close_code: int = 1000) -> Callable[[Any, EventServer], None]:
    """Waits for one client event, sends `events`, then closes with `close_code`."""
    def handler(websocket: Any, server: EventServer) -> None:
        server.receive(websocket)
        for event in events:
            websocket.send(json.dumps(event))
        websocket.close(close_code, "bye" if close_code != 1000 else "")
    return handler


# ------------------------------------------------------------------ the handshake

def test_sync_the_url_query_and_headers_sent():
    with EventServer(echo_then_close([])) as server:
        client = openapi_client.ApiClient(server.configuration())
        client.set_default_header("X-Team", "voice")
        with realtime.connect(model="gpt-realtime", api_client=client) as conn:
            conn.send(RESPONSE_CREATE)
            assert list(conn) == []
        with realtime.connect(call_id="rtc_123", configuration=server.configuration()) as conn:
            conn.send(RESPONSE_CREATE)
            assert list(conn) == []
    first, second = server.handshakes
    assert first["path"] == "/v1/realtime?model=gpt-realtime" and second["path"] == "/v1/realtime?call_id=rtc_123"
    assert first["headers"]["authorization"] == "Bearer " + KEY
    assert first["headers"]["user-agent"] == client.user_agent and first["headers"]["x-team"] == "voice"
    assert server.received == [RESPONSE_CREATE, RESPONSE_CREATE]


def test_the_environment_defaults_and_an_ek_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "ek_" + "e" * 30)
    with EventServer(echo_then_close([])) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:%d/v1" % server.port)
        with realtime.connect(model="gpt-realtime") as conn:
            conn.send(RESPONSE_CREATE)
            assert list(conn) == []
    assert server.handshakes[0]["headers"]["authorization"] == "Bearer ek_" + "e" * 30


@pytest.mark.parametrize("arguments", [{}, {"model": "m", "call_id": "rtc_1"}, {"call_id": ""}])
def test_exactly_one_of_model_and_call_id(arguments):
    with pytest.raises(openapi_client.ApiValueError, match="model|call_id"):
        realtime.connect(configuration=openapi_client.Configuration(access_token=KEY), **arguments)


@pytest.mark.parametrize("status, error", [(HTTPStatus.UNAUTHORIZED, openapi_client.UnauthorizedException),
                                           (HTTPStatus.NOT_FOUND, openapi_client.NotFoundException),
                                           (HTTPStatus.TOO_MANY_REQUESTS, openapi_client.TooManyRequestsException)])
def test_a_refused_handshake_raises_the_rest_error_of_its_status(status, error):
    with EventServer(echo_then_close([]), refuse=status) as server:
        with pytest.raises(error) as raised:
            realtime.connect(call_id="rtc_gone", configuration=server.configuration())
        with pytest.raises(error):
            asyncio.run(aio_realtime.connect(call_id="rtc_gone", configuration=server.configuration()).__aenter__())
    assert raised.value.status == status and "refused by the test server" in str(raised.value)
    assert raised.value.request_id == "req_ws_1" and KEY not in str(raised.value)


def test_nothing_listening_is_a_connection_error():
    with EventServer(echo_then_close([])) as server:
        configuration = server.configuration()
    with pytest.raises(openapi_client.ApiConnectionError, match="cannot open the Realtime connection"):
        realtime.connect(model="gpt-realtime", configuration=configuration)

    async def attempt() -> None:
        async with aio_realtime.connect(model="gpt-realtime", configuration=configuration):
            pass

    with pytest.raises(openapi_client.ApiConnectionError):
        asyncio.run(attempt())


# ------------------------------------------------------------------ events

def test_sync_typed_events_an_error_event_returned_and_an_unknown_type_kept():
    audio = {"type": "response.output_audio.delta", "event_id": "event_4", "response_id": "resp_1", "item_id": "item_1",
             "output_index": 0, "content_index": 0, "delta": "A" * (3 * 1024 * 1024)}   # past websockets' 1 MiB default
    with EventServer(echo_then_close([TEXT_DELTA, ERROR, UNKNOWN, audio])) as server:
        with realtime.connect(call_id="rtc_1", configuration=server.configuration()) as conn:
            conn.send(openapi_client.RealtimeClientEventResponseCreate(type="response.create"))
            text, error, unknown, big = list(conn)
    assert isinstance(text, RealtimeServerEventResponseTextDelta) and text.delta == "Hello"
    assert isinstance(error, RealtimeServerEventError) and error.error.code == "unknown_parameter"
    assert isinstance(unknown, openapi_client.UnknownEvent) and unknown.to_dict() == UNKNOWN
    assert isinstance(big, RealtimeServerEventResponseAudioDelta) and len(big.delta) == 3 * 1024 * 1024


def test_sync_a_bad_client_event_is_refused_before_sending_and_the_connection_stays_usable():
    with EventServer(echo_then_close([TEXT_DELTA])) as server:
        with realtime.connect(call_id="rtc_1", configuration=server.configuration()) as conn:
            with pytest.raises(ValueError, match="session.updte"):
                conn.send({"type": "session.updte", "session": {}})
            with pytest.raises(ValueError, match="did you mean 'response_id'"):
                conn.send({"type": "response.cancel", "respons_id": "resp_1"})
            with pytest.raises(ValueError):
                conn.send({"type": "input_audio_buffer.append", "audio": 42})
            conn.send(RESPONSE_CREATE)
            assert [event.type for event in conn] == ["response.output_text.delta"]
    assert server.received == [RESPONSE_CREATE]   # the refused ones never left


def test_sync_an_abnormal_close_raises_and_close_is_idempotent():
    with EventServer(echo_then_close([TEXT_DELTA], close_code=1011)) as server:
        conn = realtime.connect(call_id="rtc_1", configuration=server.configuration())
        conn.send(RESPONSE_CREATE)
        seen: List[Any] = []
        with pytest.raises(openapi_client.ApiConnectionError) as raised:
            for event in conn:
                seen.append(event)
        conn.close()
        conn.close()
    assert [event.type for event in seen] == ["response.output_text.delta"]
    assert raised.value.code == 1011 and raised.value.reason == "bye"
    assert "rtc_1" in repr(conn) and KEY not in repr(conn)


def test_a_message_that_is_not_an_event_is_a_connection_error():
    def handler(websocket: Any, server: EventServer) -> None:
        websocket.send("not json")
        websocket.recv()

    with EventServer(handler) as server:
        with realtime.connect(call_id="rtc_1", configuration=server.configuration()) as conn:
            with pytest.raises(openapi_client.ApiConnectionError, match="not a Realtime event"):
                conn.recv()


# ------------------------------------------------------------------ async

def test_async_flows_match_the_sync_ones():
    with EventServer(echo_then_close([TEXT_DELTA, ERROR, UNKNOWN])) as server:
        async def session() -> List[Any]:
            async with aio_realtime.connect(model="gpt-realtime", configuration=server.configuration()) as conn:
                with pytest.raises(ValueError):
                    await conn.send({"type": "session.updte"})
                await conn.send(RESPONSE_CREATE)
                events = [event async for event in conn]
                await conn.close()
                await conn.close()
                return events

        text, error, unknown = asyncio.run(session())
    assert isinstance(text, RealtimeServerEventResponseTextDelta) and isinstance(error, RealtimeServerEventError)
    assert unknown.to_dict() == UNKNOWN
    assert server.handshakes[0]["path"] == "/v1/realtime?model=gpt-realtime"
    assert server.handshakes[0]["headers"]["authorization"] == "Bearer " + KEY
    assert server.received == [RESPONSE_CREATE]


def test_async_an_abnormal_close_raises():
    with EventServer(echo_then_close([], close_code=1011)) as server:
        async def session() -> None:
            async with aio_realtime.connect(call_id="rtc_1", configuration=server.configuration()) as conn:
                await conn.send(RESPONSE_CREATE)
                async for _ in conn:
                    pass

        with pytest.raises(openapi_client.ApiConnectionError, match="1011"):
            asyncio.run(session())


def test_async_a_cancelled_recv_loses_no_event_and_the_loop_keeps_running():
    release = threading.Event()

    def handler(websocket: Any, server: EventServer) -> None:
        server.receive(websocket)
        release.wait(30)            # until the client has cancelled one recv and seen the loop tick
        websocket.send(json.dumps(TEXT_DELTA))
        websocket.close()

    with EventServer(handler) as server:
        async def session() -> Any:
            async with aio_realtime.connect(call_id="rtc_1", configuration=server.configuration()) as conn:
                await conn.send(RESPONSE_CREATE)
                waiting = asyncio.ensure_future(conn.recv())
                ticked = asyncio.Event()

                async def ticker() -> None:
                    await asyncio.sleep(0)
                    ticked.set()

                asyncio.ensure_future(ticker())
                await asyncio.wait_for(ticked.wait(), 30)   # the loop ran while recv waited
                assert not waiting.done()
                waiting.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await waiting
                release.set()
                return await asyncio.wait_for(conn.recv(), 30)

        event = asyncio.run(session())
    assert isinstance(event, RealtimeServerEventResponseTextDelta) and event.delta == "Hello"


# ------------------------------------------------------------------ secrets, extras

def test_no_key_in_any_log_with_every_logger_at_debug(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("websockets", "websockets.client", "openapi_client"):
        caplog.set_level(logging.DEBUG, logger=name)
    with EventServer(echo_then_close([TEXT_DELTA])) as server:
        with realtime.connect(model="gpt-realtime", configuration=server.configuration()) as conn:
            conn.send(RESPONSE_CREATE)
            list(conn)

        async def session() -> None:
            async with aio_realtime.connect(model="gpt-realtime", configuration=server.configuration()) as conn:
                await conn.send(RESPONSE_CREATE)
                [event async for event in conn]

        asyncio.run(session())
    with EventServer(echo_then_close([]), refuse=HTTPStatus.UNAUTHORIZED) as server:
        with pytest.raises(openapi_client.UnauthorizedException):
            realtime.connect(model="gpt-realtime", configuration=server.configuration())
    client_side = "\n".join(record.getMessage() for record in caplog.records if record.name != SERVER_LOGGER)
    assert "> GET /v1/realtime?model=gpt-realtime" in client_side   # the handshake was logged
    assert "> Authorization: Bearer [redacted]" in client_side
    assert KEY not in client_side


def test_without_the_extra_connect_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "websockets.sync.client", None)
    with pytest.raises(ImportError, match=r"\[realtime\]"):
        realtime.connect(model="gpt-realtime", configuration=openapi_client.Configuration(access_token=KEY))


def test_importing_the_package_never_loads_the_websocket_library():
    script = ("import sys, openapi_client, openapi_client.realtime\n"
              "assert not [m for m in sys.modules if m.startswith('websockets')], 'websockets loaded'\n")
    result = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_https_becomes_wss_with_the_configurations_tls_settings(tmp_path):
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # TLS 1.2: a client that refuses the certificate does so inside the handshake, not in an alert
    # after it that races the server's read of the HTTP request (one CI run waited out the open timeout)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    authority.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    with EventServer(echo_then_close([TEXT_DELTA]), tls=context) as server:
        with pytest.raises(openapi_client.ApiConnectionError, match="wss://127.0.0.1"):   # a CA nobody trusts
            realtime.connect(call_id="rtc_1", configuration=server.configuration())
        trusted = server.configuration(ssl_ca_cert=str(ca_file), timeout=(30, 30))   # a loaded machine is slow, not wrong
        with realtime.connect(call_id="rtc_1", configuration=trusted) as conn:
            conn.send(RESPONSE_CREATE)
            assert [event.type for event in conn] == ["response.output_text.delta"]
    assert server.received == [RESPONSE_CREATE]


class ConnectProxy:
    """An HTTP CONNECT proxy on 127.0.0.1 that records each tunnel's target and relays its bytes."""

    def __init__(self) -> None:
        self.targets: List[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        target = head.split(b" ")[1].decode()
        self.targets.append(target)
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()


def test_the_configurations_proxy_carries_the_connection_unless_no_proxy_names_the_host():
    proxy = ConnectProxy()
    try:
        with EventServer(echo_then_close([TEXT_DELTA])) as server:
            through = server.configuration(proxy="http://127.0.0.1:%d" % proxy.port)
            with realtime.connect(call_id="rtc_1", configuration=through) as conn:
                conn.send(RESPONSE_CREATE)
                assert [event.type for event in conn] == ["response.output_text.delta"]
            assert proxy.targets == ["127.0.0.1:%d" % server.port]
            bypass = server.configuration(proxy="http://127.0.0.1:%d" % proxy.port, no_proxy="127.0.0.1")
            with realtime.connect(call_id="rtc_1", configuration=bypass) as conn:
                conn.send(RESPONSE_CREATE)
                assert [event.type for event in conn] == ["response.output_text.delta"]
            assert len(proxy.targets) == 1   # no_proxy: straight to the server
    finally:
        proxy.close()
