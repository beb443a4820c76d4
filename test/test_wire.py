"""createRealtimeSession over real HTTP on 127.0.0.1: what goes over the wire,
what comes back, and every failure a production caller meets."""
from __future__ import annotations

import gc
import io
import json
import logging
import os
import platform
import threading
import time
import types
from contextlib import redirect_stderr, redirect_stdout

import pydantic
import pydantic_core
import pytest
import urllib3

import openapi_client
from openapi_client import exceptions
from conftest import (EXAMPLE_RESPONSE, OPERATION_PATH, TEST_KEY, FULL_SESSION_REQUEST, Reply, free_port,
                           make_api, full_session_request)

OPENAI_ERROR = {"error": {"message": "Invalid value for voice", "type": "invalid_request_error",
                          "param": "voice", "code": "invalid_value"}}


def test_request_line_headers_and_exact_json_body(server, api):
    api.create_realtime_session(full_session_request())
    (seen,) = server.requests
    assert seen.method == "POST"
    assert seen.path == OPERATION_PATH
    assert seen.headers["Authorization"] == "Bearer " + TEST_KEY
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["Accept"] == "application/json"
    assert seen.json() == FULL_SESSION_REQUEST


def test_non_ascii_text_goes_out_as_json_escapes_and_arrives_intact(server, api):
    instructions = "Sprich freundlich, auf Deutsch: \u00e4\u00f6\u00fc \u00df \U0001F600 \u2028 \"quoted\" \\ end"
    api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest(instructions=instructions, temperature=0.8))
    (seen,) = server.requests
    assert seen.body.isascii()
    assert "\\u00e4" in seen.body.decode() and "\\ud83d\\ude00" in seen.body.decode()
    assert seen.json() == {"instructions": instructions, "temperature": 0.8}
    assert int(seen.headers["Content-Length"]) == len(seen.body)


def test_example_response_parses_with_undeclared_fields_kept(server, api):
    server.script(Reply(body=dict(EXAMPLE_RESPONSE, frobnication_level=3)))
    session = api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest(model="gpt-realtime"))
    assert isinstance(session, openapi_client.RealtimeSessionCreateResponse)
    assert session.client_secret.value == "ek_abc123"
    assert session.client_secret.expires_at == 1234567890
    assert session.modalities == ["audio", "text"]
    assert session.voice == "alloy"
    assert session.turn_detection is None
    assert session.tools == []
    assert session.temperature == 0.7
    assert session.max_response_output_tokens == 200
    assert session.input_audio_transcription.model == "whisper-1"
    assert (session.id, session.object, session.model) == ("sess_001", "realtime.session", "gpt-realtime-2025-08-25")
    assert session.speed == 1.1 and session.tracing == "auto"
    assert session.additional_properties == {"frobnication_level": 3}
    assert session.to_dict() == dict(EXAMPLE_RESPONSE, frobnication_level=3)


def test_with_http_info_exposes_status_and_headers(server, api):
    server.script(Reply(body=EXAMPLE_RESPONSE, headers={"x-request-id": "req_42"}))
    info = api.create_realtime_session_with_http_info(openapi_client.RealtimeSessionCreateRequest())
    assert info.status_code == 200
    assert info.headers["x-request-id"] == "req_42"
    assert info.data.client_secret.value == "ek_abc123"


def test_new_enum_values_and_fields_in_a_response_are_kept(server, api):
    grown = dict(EXAMPLE_RESPONSE, voice="nova", modalities=["text", "video"], brand_new={"a": 1},
                 max_response_output_tokens="unbounded")
    grown["input_audio_transcription"] = {"model": "whisper-2", "language": "en"}
    server.script(Reply(body=grown, contract=False))
    session = api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert session.voice == "nova"
    assert session.modalities == ["text", "video"]
    assert session.max_response_output_tokens == "unbounded"
    assert session.input_audio_transcription.additional_properties == {"language": "en"}
    assert session.to_dict() == grown


_CALL_CODE = tuple(os.path.dirname(module.__file__) for module in (openapi_client, urllib3, pydantic, pydantic_core))


def _made_by_the_call(obj) -> bool:
    """Garbage of the call's own code; other tests' threads may free unrelated cycles meanwhile."""
    if isinstance(obj, BaseException):
        obj = obj.__traceback__
    if isinstance(obj, types.TracebackType):
        obj = obj.tb_frame
    if isinstance(obj, types.FrameType):
        return obj.f_code.co_filename.startswith(_CALL_CODE)
    return type(obj).__module__.partition(".")[0] in ("openapi_client", "urllib3", "pydantic", "pydantic_core")


def test_a_call_leaves_no_reference_cycles_for_the_garbage_collector(server, api):
    # "inf" makes the oneOf try int first and fail: a kept exception would tie the call's frames in a cycle
    server.script(*[Reply(body=dict(EXAMPLE_RESPONSE, max_response_output_tokens="inf"))] * 2)
    api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest(max_response_output_tokens="inf"))
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        session = api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest(max_response_output_tokens="inf"))
        gc.collect()
        cyclic = [type(obj).__name__ for obj in gc.garbage if _made_by_the_call(obj)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert session.max_response_output_tokens == "inf"
    assert cyclic == []


@pytest.mark.parametrize("status, exception_class", [
    (400, exceptions.BadRequestException),
    (401, exceptions.UnauthorizedException),
    (403, exceptions.ForbiddenException),
    (404, exceptions.NotFoundException),
    (409, exceptions.ConflictException),
    (422, exceptions.UnprocessableEntityException),
    (429, exceptions.TooManyRequestsException),
    (500, exceptions.ServiceException),
    (503, exceptions.ServiceException),
])
def test_error_statuses_map_to_typed_exceptions_with_everything_kept(server, status, exception_class):
    server.script(Reply(status=status, body=OPENAI_ERROR, headers={"x-request-id": "req_%d" % status}))
    api = make_api(server.base_url, retries=0)
    with pytest.raises(exception_class) as caught:
        api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    error = caught.value
    assert isinstance(error, exceptions.ApiException)
    assert error.status == status
    assert json.loads(error.body) == OPENAI_ERROR
    assert error.headers["x-request-id"] == "req_%d" % status
    assert (error.error.message, error.error.type, error.error.param, error.error.code) == (
        "Invalid value for voice", "invalid_request_error", "voice", "invalid_value")
    text = str(error)
    assert str(status) in text and "Invalid value for voice" in text and "req_%d" % status in text
    assert TEST_KEY not in text and TEST_KEY not in repr(error)
    assert len(server.requests) == 1
    # the spec declares the error object as every operation's default answer: its model is exc.data
    assert isinstance(error.data, openapi_client.ErrorResponse) and error.data.error.param == "voice"
    assert error.data.to_dict() == OPENAI_ERROR


@pytest.mark.parametrize("reply", [
    Reply(status=400, body={"error": "just a string"}),
    Reply(status=500, body=b'{"error": {"message": "cut', headers={"Content-Type": "application/json"}),
    Reply(status=404, body="<html>gone</html>", headers={"Content-Type": "text/html"}),
], ids=["other-shape", "truncated-json", "html"])
def test_an_error_body_that_is_not_the_declared_one_leaves_data_none_and_keeps_the_body(server, reply):
    server.script(reply)
    with pytest.raises(exceptions.ApiException) as caught:
        make_api(server.base_url, retries=0).create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert caught.value.status == reply.status and caught.value.data is None and caught.value.body


def test_the_declared_error_body_never_stands_for_an_undeclared_success(server):
    """The default answer is the error object: a 202 the operation does not declare is still refused."""
    server.script(Reply(status=202, body=OPENAI_ERROR))
    with pytest.raises(exceptions.ApiResponseValidationError, match="got status 202"):
        make_api(server.base_url, retries=0).create_realtime_session(openapi_client.RealtimeSessionCreateRequest())


def test_a_printed_error_or_answer_shows_no_secret(server):
    secret = "ek_" + "4" * 24
    server.script(Reply(status=401, body={"error": {"message": "Incorrect API key provided: sk-abcdef123456",
                                                      "type": "invalid_request_error", "param": None,
                                                      "code": "invalid_api_key"}}))
    with pytest.raises(exceptions.UnauthorizedException) as caught:
        make_api(server.base_url, retries=0).create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    shown = repr(caught.value.data) + str(caught.value.data) + repr(caught.value) + str(caught.value)
    assert "sk-abcdef123456" not in shown and "[redacted]" in shown
    minted = openapi_client.RealtimeCreateClientSecretResponse.from_dict(
        {"value": secret, "expires_at": 1, "session": {"type": "realtime"}})
    assert secret not in repr(minted) + str(minted) and minted.value == secret and minted.to_dict()["value"] == secret


def test_error_object_is_none_for_an_html_502_and_an_empty_body(server):
    api = make_api(server.base_url, retries=0)
    server.script(Reply(status=502, body="<html><body>Bad gateway</body></html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(exceptions.ServiceException) as caught:
        api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert caught.value.status == 502 and caught.value.error is None and "Bad gateway" in caught.value.body
    server.script(Reply(status=418, body=b""))
    with pytest.raises(exceptions.ApiException) as caught:
        api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert caught.value.status == 418 and caught.value.error is None


def test_429_with_retry_after_is_retried_then_succeeds(server, api):
    server.script(Reply(status=429, body=OPENAI_ERROR, headers={"Retry-After": "0"}), Reply(body=EXAMPLE_RESPONSE))
    session = api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert session.client_secret.value == "ek_abc123"
    assert len(server.requests) == 2


def test_retry_after_is_honoured(server, api):
    server.script(Reply(status=429, body=OPENAI_ERROR, headers={"Retry-After": "1"}), Reply(body=EXAMPLE_RESPONSE))
    started = time.monotonic()
    api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert time.monotonic() - started >= 0.9
    assert len(server.requests) == 2


def test_503_then_200_succeeds_and_the_post_body_is_resent(server, api):
    server.script(Reply(status=503, body=OPENAI_ERROR), Reply(body=EXAMPLE_RESPONSE))
    api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest(voice="ash"))
    assert [r.json() for r in server.requests] == [{"voice": "ash"}, {"voice": "ash"}]


def test_500s_until_retries_run_out_raise_the_last_typed_error(server, api):
    server.script(Reply(status=500, body=OPENAI_ERROR, headers={"x-request-id": "req_last"}))
    with pytest.raises(exceptions.ServiceException) as caught:
        api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert len(server.requests) == 3  # 1 attempt + 2 default retries
    assert caught.value.status == 500 and caught.value.request_id == "req_last"


@pytest.mark.parametrize("retries, attempts", [(0, 1), (4, 5)])
def test_configured_retry_count(server, retries, attempts):
    server.script(Reply(status=503, body=OPENAI_ERROR))
    with pytest.raises(exceptions.ServiceException):
        make_api(server.base_url, retries=retries).create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert len(server.requests) == attempts


def test_400_is_not_retried(server, api):
    server.script(Reply(status=400, body=OPENAI_ERROR))
    with pytest.raises(exceptions.BadRequestException):
        api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert len(server.requests) == 1


def test_pre_routed_requests_are_the_bytes_pool_manager_routing_sends(server):
    request = openapi_client.RealtimeSessionCreateRequest(model="gpt-4o-realtime-preview", instructions="Be brief.")
    pre_routed = make_api(server.base_url)
    pool_manager_routed = make_api(server.base_url, retries=urllib3.Retry(0, redirect=False))   # a caller's Retry
    pre_routed.create_realtime_session(request)
    pool_manager_routed.create_realtime_session(request)
    assert list(pre_routed.api_client.rest_client.pool_manager._routes) == [server.base_url + "/realtime/sessions"]
    assert pool_manager_routed.api_client.rest_client.pool_manager._routes == {}   # PoolManager's own routing
    first, second = server.requests
    assert (first.method, first.path, list(first.headers.items()), first.body) == (
        second.method, second.path, list(second.headers.items()), second.body)


def test_after_clear_requests_go_through_the_pool_manager_s_new_pool(server, api):
    pool_manager = api.api_client.rest_client.pool_manager
    api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    old_pool = pool_manager.connection_from_url(server.base_url)
    pool_manager.clear()
    api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    (used_pool, _), = pool_manager._routes.values()
    assert used_pool is pool_manager.connection_from_url(server.base_url) and used_pool is not old_pool
    assert len(server.requests) == 2


def test_routes_stay_bounded_when_urls_vary():
    pool_manager = openapi_client.rest.PreRoutedPoolManager()
    for page in range(3 * pool_manager.MAX_ROUTES):   # nothing connects: routing only picks a pool
        pool_manager._route("http://127.0.0.1:9/v1/items?page=%d" % page)
    assert 0 < len(pool_manager._routes) <= pool_manager.MAX_ROUTES


def test_through_an_http_proxy_the_request_goes_to_the_proxy_in_absolute_form(server):
    proxy_url = server.base_url.rsplit("/v1", 1)[0]
    server.script(Reply(body=EXAMPLE_RESPONSE, contract=False))   # the contract is keyed by relative paths
    api = make_api("http://api.openai.invalid/v1", proxy=proxy_url)
    session = api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert session.client_secret.value == "ek_abc123"
    (seen,) = server.requests
    assert seen.path == "http://api.openai.invalid" + OPERATION_PATH
    assert seen.headers["Authorization"] == "Bearer " + TEST_KEY
    assert not isinstance(api.api_client.rest_client.pool_manager, openapi_client.rest.PreRoutedPoolManager)


def test_redirects_are_answers_by_default_and_followed_by_a_caller_retry_that_allows_them(server):
    server.script(Reply(status=307, headers={"Location": OPERATION_PATH}), Reply(body=EXAMPLE_RESPONSE))
    with pytest.raises(exceptions.ApiException) as caught:
        make_api(server.base_url).create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert caught.value.status == 307 and len(server.requests) == 1
    server.requests.clear()
    session = make_api(server.base_url, retries=urllib3.Retry(total=2)).create_realtime_session(
        openapi_client.RealtimeSessionCreateRequest())
    assert session.client_secret.value == "ek_abc123"
    assert [seen.path for seen in server.requests] == [OPERATION_PATH, OPERATION_PATH]


def test_connection_refused_is_a_typed_connection_error_chaining_urllib3():
    api = make_api("http://127.0.0.1:%d/v1" % free_port(), retries=1)
    with pytest.raises(exceptions.ApiConnectionError) as caught:
        api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert not isinstance(caught.value, exceptions.ApiTimeoutError)
    assert isinstance(caught.value.__cause__, urllib3.exceptions.HTTPError)


def test_a_server_that_never_answers_times_out_within_the_bound(server):
    server.script(Reply(body=EXAMPLE_RESPONSE, delay=5))
    api = make_api(server.base_url, retries=0, timeout=(1.0, 0.3))
    started = time.monotonic()
    with pytest.raises(exceptions.ApiTimeoutError) as caught:
        api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert time.monotonic() - started < 3.0  # 0.3 s read timeout, generous margin
    assert isinstance(caught.value, exceptions.ApiConnectionError)
    assert caught.value.__cause__ is not None


def test_per_call_timeout_overrides_the_configured_one(server):
    server.script(Reply(body=EXAMPLE_RESPONSE, delay=0.5))
    api = make_api(server.base_url, retries=0, timeout=0.1)
    session = api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest(), _request_timeout=(1.0, 3.0))
    assert session.client_secret.value == "ek_abc123"


def test_default_timeout_is_finite():
    timeout = openapi_client.Configuration().timeout
    assert timeout.connect_timeout == 5.0 and timeout.total == 600.0


@pytest.mark.parametrize("reply", [
    Reply(body=b'{"client_secret": {"value": "ek_', truncate=True, contract=False),
    Reply(body=b'{"client_secret": ', contract=False),
    Reply(body=b"<html>maintenance</html>", headers={"Content-Type": "text/html"}, contract=False),
    Reply(body=b'{"client_secret": "not an object"}', contract=False),
    Reply(body=b"", contract=False),
], ids=["truncated", "broken-json", "html", "wrong-shape", "empty"])
def test_an_unusable_200_body_is_a_package_exception(server, reply):
    server.script(reply)
    api = make_api(server.base_url, retries=0)
    with pytest.raises(exceptions.OpenApiException) as caught:
        api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert isinstance(caught.value, (exceptions.ApiResponseValidationError, exceptions.ApiConnectionError))
    if isinstance(caught.value, exceptions.ApiResponseValidationError):
        assert caught.value.status == 200 and caught.value.body == reply.payload().decode()


@pytest.mark.parametrize("bad", [dict(temperature=3.14), dict(modalities=["txt"]), dict(input_audio_format="mp3"),
                                 dict(max_response_output_tokens="lots"), dict(max_response_output_tokens=1.5)])
def test_bad_input_fails_before_anything_is_sent(server, bad):
    with pytest.raises(ValueError):
        openapi_client.RealtimeSessionCreateRequest(**bad)
    assert server.requests == []


def test_no_api_key_fails_before_anything_is_sent(server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    api = openapi_client.RealtimeApi(openapi_client.ApiClient(openapi_client.Configuration(host=server.base_url)))
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert server.requests == []


def test_environment_defaults_and_explicit_arguments_win(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-123456")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url + "/")
    configuration = openapi_client.Configuration()
    assert configuration.host == server.base_url and configuration.access_token == "sk-from-env-123456"
    openapi_client.RealtimeApi(openapi_client.ApiClient(configuration)).create_realtime_session(
        openapi_client.RealtimeSessionCreateRequest())
    assert server.requests[-1].headers["Authorization"] == "Bearer sk-from-env-123456"
    explicit = openapi_client.Configuration(host="http://127.0.0.1:1/v1", access_token="sk-explicit")
    assert (explicit.host, explicit.access_token) == ("http://127.0.0.1:1/v1", "sk-explicit")
    monkeypatch.delenv("OPENAI_BASE_URL")
    assert openapi_client.Configuration().host == "https://api.openai.com/v1"


def test_user_agent_names_the_project_and_version(server, api):
    api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    agent = server.requests[0].headers["User-Agent"]
    assert "openai-realtime-sessions" in agent and openapi_client.__version__ in agent
    assert platform.python_version() in agent and "OpenAPI-Generator" not in agent


def test_debug_logs_the_exchange_with_every_secret_redacted(server, caplog):
    import http.client
    minted = "ek_live_minted_secret_value"
    server.script(Reply(body=dict(EXAMPLE_RESPONSE, client_secret={"value": minted, "expires_at": 1})))
    api = make_api(server.base_url, debug=True)
    out, err = io.StringIO(), io.StringIO()
    with caplog.at_level(logging.DEBUG, logger="openapi_client"), redirect_stdout(out), redirect_stderr(err):
        session = api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert session.client_secret.value == minted
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST" in logged and OPERATION_PATH in logged and "200" in logged and " s " in logged
    for text in (logged, out.getvalue(), err.getvalue()):
        assert TEST_KEY not in text and minted not in text
    assert http.client.HTTPConnection.debuglevel == 0
    assert logging.getLogger("urllib3").level == logging.NOTSET


def test_clients_without_debug_log_nothing(server, caplog):
    make_api(server.base_url, debug=True)  # another client turning debug on
    api = make_api(server.base_url)
    with caplog.at_level(logging.DEBUG):
        api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert [r for r in caplog.records if r.name.startswith("openapi_client")] == []


def test_one_client_shared_by_8_threads_has_no_cross_talk(server):
    def echo(seen):
        body = dict(EXAMPLE_RESPONSE)
        body["instructions"] = seen.json()["instructions"]
        return Reply(body=body)
    server.script(echo)
    server.check_requests = False  # 400 requests: the contract is checked in the other tests
    api = make_api(server.base_url, connection_pool_maxsize=8)
    mismatches, failures = [], []

    def worker(thread_index):
        for call in range(50):
            tag = "t%d-c%d" % (thread_index, call)
            try:
                got = api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest(instructions=tag))
                if got.instructions != tag:
                    mismatches.append((tag, got.instructions))
            except Exception as error:  # collected, asserted below
                failures.append(repr(error))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == [] and mismatches == []
    assert len(server.requests) == 400


# ------------------------------------------------------------ keys, non-JSON numbers, exports

@pytest.mark.parametrize("key", ["sk-from-a-file\n", "  sk-from-a-file\r\n", "\tsk-from-a-file "])
def test_whitespace_around_the_key_is_stripped(server, key):
    make_api(server.base_url, access_token=key).create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert server.requests[0].headers["Authorization"] == "Bearer sk-from-a-file"


@pytest.mark.parametrize("key", ["sk-secret-part\r\nX-Injected: 1", "sk-secret\npart", "sk-secret\x00part", "sk-secret\x7fpart"])
def test_a_key_with_a_control_character_is_a_package_error_without_the_key(server, key):
    with pytest.raises(openapi_client.ApiValueError) as caught:
        make_api(server.base_url, access_token=key).create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert "control character" in str(caught.value) and "secret" not in str(caught.value)
    assert server.requests == []


def test_an_empty_key_counts_as_no_key(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "")
    for configuration in (openapi_client.Configuration(host=server.base_url),
                          openapi_client.Configuration(host=server.base_url, access_token="  ")):
        api = openapi_client.RealtimeApi(openapi_client.ApiClient(configuration))
        with pytest.raises(openapi_client.ApiValueError, match="no API key"):
            api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert server.requests == []


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused_when_the_request_is_built(server, value):
    with pytest.raises(ValueError, match="finite"):
        openapi_client.RealtimeTurnDetectionServerVad(type="server_vad", threshold=value)
    with pytest.raises(ValueError, match="finite"):
        openapi_client.RealtimeSessionCreateRequest(speed=value)
    assert server.requests == []


def test_every_typed_error_imports_from_the_package_root():
    for name in ("ApiTimeoutError", "ApiConnectionError", "ApiResponseValidationError", "TooManyRequestsException",
                 "BadRequestException", "UnauthorizedException", "ForbiddenException", "NotFoundException",
                 "ConflictException", "UnprocessableEntityException", "ServiceException", "ApiException"):
        assert getattr(openapi_client, name) is getattr(exceptions, name), name
        assert name in openapi_client.__all__


@pytest.mark.parametrize("reply, says", [
    (Reply(body=b"", contract=False), "not a valid RealtimeSessionCreateResponse"),
    (Reply(body=b"null", contract=False), "not a valid RealtimeSessionCreateResponse"),
    (Reply(status=201, body=EXAMPLE_RESPONSE, contract=False),
     "answers 200 with a RealtimeSessionCreateResponse; got status 201"),
    (Reply(status=204, body=b"", contract=False), "answers 200 with a RealtimeSessionCreateResponse; got status 204"),
    (Reply(body=json.dumps(EXAMPLE_RESPONSE), contract=False, headers={"Content-Type": ""}), "not a valid"),
])
def test_a_success_without_the_declared_body_is_an_error_never_a_silent_none(server, api, reply, says):
    server.script(reply)
    with pytest.raises(openapi_client.ApiResponseValidationError, match=says):
        api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest())
    assert len(server.requests) == 1   # an answer, not a connection failure: not retried


def test_an_operation_that_declares_no_body_returns_none(server, api):
    server.script(Reply(body=b"", contract=False, headers={"Content-Type": "text/plain"}))
    assert api.hangup_realtime_call("rtc_1") is None
