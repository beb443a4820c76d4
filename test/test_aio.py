"""The asyncio client (openapi_client.aio) over real HTTP on 127.0.0.1: the same behaviour as the sync
client (retries, typed errors, timeouts, SDP, empty bodies, redaction), concurrency without blocking
the event loop, cancellation, and a sync import that never loads the async transport."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import openapi_client
from openapi_client import aio, exceptions
from local_server import LocalRealtimeServer
from conftest import CONTRACT, EXAMPLE_RESPONSE, ROOT, TEST_KEY, Reply, free_port

REQUEST = openapi_client.RealtimeSessionCreateRequest()
OFFER = (ROOT / "examples" / "offer.sdp").read_text()
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def configuration(base_url, **settings):
    settings.setdefault("access_token", TEST_KEY)
    settings.setdefault("retry_backoff_factor", 0.01)
    settings.setdefault("retry_backoff_jitter", 0.0)
    return openapi_client.Configuration(host=base_url, **settings)


def run(base_url, calls, **settings):
    """asyncio.run of `calls(api)` with a client that is closed afterwards."""
    async def main():
        async with aio.ApiClient(configuration(base_url, **settings)) as api_client:
            return await calls(aio.RealtimeApi(api_client))
    return asyncio.run(main())


class SlowServer(ThreadingHTTPServer):
    """Answers every request after `delay` seconds, counting how many were in flight at once."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, delay: float) -> None:
        self.delay, self.in_flight, self.most_in_flight, self.lock = delay, 0, 0, threading.Lock()
        body = json.dumps(EXAMPLE_RESPONSE).encode()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.lock:
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                time.sleep(server.delay)
                with server.lock:
                    server.in_flight -= 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d/v1" % self.server_address[1]


def test_50_calls_overlap_on_the_server_and_the_event_loop_stays_responsive():
    slow = SlowServer(delay=2.0)   # a client that blocks the loop stalls it for the server's 2 s
    gaps = []

    async def calls(api):
        async def ticker():
            last = time.monotonic()
            while True:
                await asyncio.sleep(0.01)
                now = time.monotonic()
                gaps.append(now - last)
                last = now
        await api.create_realtime_session(REQUEST)   # the first call builds its validators: not the burst's cost
        tick = asyncio.ensure_future(ticker())
        sessions = await asyncio.gather(*[api.create_realtime_session(REQUEST) for _ in range(50)])
        tick.cancel()
        return sessions

    try:
        sessions = run(slow.base_url, calls)
    finally:
        slow.shutdown()
        slow.server_close()
    assert len(sessions) == 50 and all(s.client_secret.value == "ek_abc123" for s in sessions)
    assert slow.most_in_flight >= 40   # the calls overlapped: none waited for another
    # the loop kept ticking while the server held every call; starting 50 calls costs CPU, more under CI load
    assert max(gaps) < 1.0


def test_every_operation_against_the_local_server():
    with LocalRealtimeServer(contract=CONTRACT) as server:
        async def calls(api):
            secret = await api.create_realtime_client_secret(
                openapi_client.RealtimeCreateClientSecretRequest.from_dict({"session": {"type": "realtime"}}))
            translation = await api.create_realtime_translation_client_secret(
                openapi_client.RealtimeTranslationClientSecretCreateRequest.from_dict(
                    {"session": {"model": "gpt-realtime-translate"}}))
            beta = await api.create_realtime_session(REQUEST)
            transcription = await api.create_realtime_transcription_session(
                openapi_client.RealtimeTranscriptionSessionCreateRequest())
            async with aio.ApiClient(configuration(server.base_url, access_token=secret.value)) as browser:
                answer = await aio.RealtimeApi(browser).create_realtime_call_with_http_info(
                    OFFER, _content_type="application/sdp")
            multipart = await api.create_realtime_call(
                OFFER, session=openapi_client.RealtimeSessionCreateRequestGA(type="realtime"))
            call_id = answer.headers["location"].rsplit("/", 1)[1]
            ringing = server.ring()
            control = [await api.accept_realtime_call(ringing, openapi_client.RealtimeSessionCreateRequestGA(type="realtime")),
                       await api.refer_realtime_call(ringing, openapi_client.RealtimeCallReferRequest(target_uri="tel:+1")),
                       await api.reject_realtime_call(ringing),
                       await api.hangup_realtime_call(call_id)]
            return secret, translation, beta, transcription, answer, multipart, control

        secret, translation, beta, transcription, answer, multipart, control = run(server.base_url, calls)
    assert secret.value.startswith("ek_") and translation.value.startswith("ek_")
    assert beta.client_secret.value.startswith("ek_") and transcription.client_secret.value.startswith("ek_")
    assert answer.status_code == 201 and answer.data.startswith("v=0") and multipart.startswith("v=0")
    assert control == [None, None, None, None] and len(server.calls) == 1   # the multipart call is still open


def test_retries_are_counted_and_spent_retries_raise_typed(server):
    server.script(Reply(status=503, body={"error": {"message": "busy"}}), Reply(status=503, body={"error": {"message": "busy"}}),
                  Reply(body=EXAMPLE_RESPONSE))
    session = run(server.base_url, lambda api: api.create_realtime_session(REQUEST), retries=2)
    assert session.client_secret.value == "ek_abc123" and len(server.requests) == 3
    server.requests.clear()
    server.script(Reply(status=503, body={"error": {"message": "busy", "type": "server_error"}}))
    with pytest.raises(exceptions.ServiceException) as caught:
        run(server.base_url, lambda api: api.create_realtime_session(REQUEST), retries=2)
    assert len(server.requests) == 3 and caught.value.error.message == "busy"


def test_retry_after_is_honoured_and_a_malformed_one_falls_back(server):
    server.script(Reply(status=429, headers={"Retry-After": "1"}, body={"error": {"message": "slow"}}),
                  Reply(status=429, headers={"Retry-After": "soon"}, body={"error": {"message": "slow"}}),
                  Reply(body=EXAMPLE_RESPONSE))
    started = time.monotonic()
    run(server.base_url, lambda api: api.create_realtime_session(REQUEST), retries=2)
    assert 1.0 <= time.monotonic() - started < 3.0 and len(server.requests) == 3


@pytest.mark.parametrize("status, error_class", [(401, exceptions.UnauthorizedException),
                                                 (429, exceptions.TooManyRequestsException)])
def test_typed_status_errors_carry_the_openai_error(server, status, error_class):
    server.script(Reply(status=status, headers={"x-request-id": "req_9"},
                        body={"error": {"message": "nope", "type": "invalid_request_error", "param": None, "code": "c"}}))
    with pytest.raises(error_class) as caught:
        run(server.base_url, lambda api: api.create_realtime_session(REQUEST), retries=0)
    assert caught.value.error.code == "c" and caught.value.request_id == "req_9"
    assert isinstance(caught.value.data, openapi_client.ErrorResponse) and caught.value.data.error.code == "c"


def test_a_hung_server_times_out_with_the_attempts_counted(server):
    server.script(Reply(body=EXAMPLE_RESPONSE, delay=5))
    started = time.monotonic()
    with pytest.raises(exceptions.ApiTimeoutError) as caught:
        run(server.base_url, lambda api: api.create_realtime_session(REQUEST), retries=1, timeout=0.5)
    assert time.monotonic() - started < 3.0 and caught.value.attempts == 2 and len(server.requests) == 2


def test_a_trickling_body_is_cut_at_the_total_deadline(server):
    server.script(Reply(body=EXAMPLE_RESPONSE, trickle=0.1, contract=False))
    started = time.monotonic()
    with pytest.raises(exceptions.ApiTimeoutError):
        run(server.base_url, lambda api: api.create_realtime_session(REQUEST), retries=0, timeout=0.8)
    assert time.monotonic() - started < 3.0


def test_a_cut_off_body_is_retried(server):
    server.script(Reply(body=EXAMPLE_RESPONSE, truncate=True, contract=False), Reply(body=EXAMPLE_RESPONSE))
    session = run(server.base_url, lambda api: api.create_realtime_session(REQUEST), retries=1)
    assert session.client_secret.value == "ek_abc123" and len(server.requests) == 2


def test_connection_refused_is_a_typed_connection_error():
    with pytest.raises(exceptions.ApiConnectionError) as caught:
        run("http://127.0.0.1:%d/v1" % free_port(), lambda api: api.create_realtime_session(REQUEST), retries=1)
    assert not isinstance(caught.value, exceptions.ApiTimeoutError) and caught.value.attempts == 2


def test_a_per_call_timeout_overrides_and_settings_changed_later_take_effect(server):
    server.script(Reply(body=EXAMPLE_RESPONSE, delay=1.0))

    async def calls(api):
        api.api_client.configuration.timeout = 0.3
        with pytest.raises(exceptions.ApiTimeoutError):
            await api.create_realtime_session(REQUEST)
        return await api.create_realtime_session(REQUEST, _request_timeout=5)

    assert run(server.base_url, calls, retries=0, timeout=30).client_secret.value == "ek_abc123"


def test_a_cancelled_call_releases_its_connection_and_the_client_stays_usable(server):
    server.script(Reply(body=EXAMPLE_RESPONSE, delay=2), Reply(body=EXAMPLE_RESPONSE))

    async def calls(api):
        hung = asyncio.ensure_future(api.create_realtime_session(REQUEST))
        await asyncio.sleep(0.3)
        hung.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hung
        connector = api.api_client.rest_client.pool_manager.connector
        assert connector._acquired == set()   # the cancelled call's connection went back
        return await api.create_realtime_session(REQUEST)

    assert run(server.base_url, calls, retries=0).client_secret.value == "ek_abc123"


def test_debug_output_is_redacted(server, caplog):
    answer = dict(EXAMPLE_RESPONSE, client_secret={"value": "ek_secret_minted_123", "expires_at": 1})
    server.script(Reply(body=answer))
    with caplog.at_level(logging.DEBUG, logger="openapi_client"):
        run(server.base_url, lambda api: api.create_realtime_session(REQUEST), debug=True)
    assert "POST" in caplog.text and TEST_KEY not in caplog.text and "ek_secret_minted_123" not in caplog.text


def test_the_user_agent_and_environment_defaults_are_the_sync_clients(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-0123")

    async def calls(api):
        return await api.create_realtime_session(REQUEST)

    async def main():
        async with aio.ApiClient(openapi_client.Configuration(host=server.base_url)) as api_client:
            return await calls(aio.RealtimeApi(api_client))
    asyncio.run(main())
    seen = server.requests[0].headers
    assert seen["Authorization"] == "Bearer sk-from-env-0123"
    assert seen["User-Agent"].startswith("openai-realtime-sessions-python/" + openapi_client.__version__)


def test_importing_the_sync_package_leaves_the_async_transport_out():
    code = ("import sys, openapi_client; openapi_client.RealtimeApi; "
            "print('aiohttp' in sys.modules, 'openapi_client.aio' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert result.stdout.split() == ["False", "False"], result.stderr


def test_without_aiohttp_the_import_error_names_the_extra():
    code = "import sys; sys.modules['aiohttp'] = None; import openapi_client.aio"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert result.returncode == 1 and "pip install 'openai-realtime-sessions[async]'" in result.stderr


def test_the_async_client_shares_configuration_models_and_exceptions():
    assert aio.Configuration is openapi_client.Configuration
    assert aio.ApiClient is not openapi_client.ApiClient and aio.RealtimeApi is not openapi_client.RealtimeApi
    import openapi_client.aio.api.realtime_api as module
    assert module.RealtimeCreateClientSecretResponse is openapi_client.RealtimeCreateClientSecretResponse
    assert asyncio.iscoroutinefunction(aio.RealtimeApi.create_realtime_client_secret)
    assert asyncio.iscoroutinefunction(aio.RealtimeApi.create_realtime_call_without_preload_content)
