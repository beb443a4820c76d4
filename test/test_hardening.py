"""Runtime hardening against a hostile server and a careless caller, each fault injected by a real
HTTP server on 127.0.0.1: settings changed after construction, a total deadline over a trickling
body, cut-off bodies retried, malformed Retry-After, deep nesting, and stock-shaped headers."""
from __future__ import annotations

import json
import time

import pytest

import openapi_client
from openapi_client import exceptions
from conftest import EXAMPLE_RESPONSE, Reply, make_api

REQUEST = openapi_client.RealtimeSessionCreateRequest()


def test_timeout_changed_after_the_client_exists_takes_effect(server):
    server.script(Reply(body=EXAMPLE_RESPONSE, delay=3))
    api = make_api(server.base_url, retries=0, timeout=30)
    api.api_client.configuration.timeout = 0.5
    started = time.monotonic()
    with pytest.raises(exceptions.ApiTimeoutError):
        api.create_realtime_session(REQUEST)
    assert time.monotonic() - started < 2.5


def test_retries_changed_after_the_client_exists_take_effect(server):
    server.script(Reply(status=503, body={"error": {"message": "busy"}}))
    api = make_api(server.base_url, retries=3)
    api.api_client.configuration.retries = 0
    with pytest.raises(exceptions.ServiceException):
        api.create_realtime_session(REQUEST)
    assert len(server.requests) == 1
    api.api_client.configuration.retries = 2
    with pytest.raises(exceptions.ServiceException):
        api.create_realtime_session(REQUEST)
    assert len(server.requests) == 1 + 3


def test_a_trickling_body_is_cut_at_the_total_timeout_and_the_error_counts_attempts(server):
    server.script(Reply(body=EXAMPLE_RESPONSE, trickle=0.1, contract=False))   # ~60 s for the whole body
    api = make_api(server.base_url, retries=1, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(exceptions.ApiTimeoutError) as caught:
        api.create_realtime_session(REQUEST)
    assert time.monotonic() - started < 4.0   # two attempts of 1 s each, plus backoff
    assert caught.value.attempts == 2 and "(2 attempts)" in str(caught.value)
    assert len(server.requests) == 2


def test_a_per_call_timeout_is_a_total_deadline_too(server):
    server.script(Reply(body=EXAMPLE_RESPONSE, trickle=0.1, contract=False))
    api = make_api(server.base_url, retries=0, timeout=60)
    started = time.monotonic()
    with pytest.raises(exceptions.ApiTimeoutError):
        api.create_realtime_session(REQUEST, _request_timeout=0.8)
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("cut", [dict(truncate=True), dict(chunked_cut=True)], ids=["short-content-length", "chunked"])
def test_a_body_cut_off_midway_is_retried_like_a_connection_failure(server, cut):
    server.script(Reply(body=EXAMPLE_RESPONSE, contract=False, **cut), Reply(body=EXAMPLE_RESPONSE))
    session = make_api(server.base_url, retries=2).create_realtime_session(REQUEST)
    assert session.client_secret.value == "ek_abc123" and len(server.requests) == 2


@pytest.mark.parametrize("cut", [dict(truncate=True), dict(chunked_cut=True)], ids=["short-content-length", "chunked"])
def test_a_body_cut_off_every_time_is_a_connection_error_after_every_attempt(server, cut):
    server.script(Reply(body=EXAMPLE_RESPONSE, contract=False, **cut))
    with pytest.raises(exceptions.ApiConnectionError) as caught:
        make_api(server.base_url, retries=2).create_realtime_session(REQUEST)
    assert caught.value.attempts == 3 and len(server.requests) == 3


@pytest.mark.parametrize("retry_after", ["1.5", "soon", "-1", ""])
def test_a_malformed_retry_after_falls_back_to_the_backoff(server, retry_after):
    server.script(Reply(status=429, headers={"Retry-After": retry_after}, body={"error": {"message": "slow down"}}),
                  Reply(body=EXAMPLE_RESPONSE))
    started = time.monotonic()
    session = make_api(server.base_url, retries=2).create_realtime_session(REQUEST)
    assert session.client_secret.value == "ek_abc123" and len(server.requests) == 2
    assert time.monotonic() - started < 1.0   # the test backoff (0.01 s), not a parsed wait


DEEP = b'{"client_secret": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.mark.parametrize("status", [200, 400, 500])
def test_json_nested_thousands_deep_is_a_package_error_not_a_recursion_error(server, status):
    server.script(Reply(status=status, body=DEEP, contract=False))
    with pytest.raises(exceptions.OpenApiException) as caught:
        make_api(server.base_url, retries=0).create_realtime_session(REQUEST)
    if status == 200:
        assert isinstance(caught.value, exceptions.ApiResponseValidationError)
    else:
        assert caught.value.status == status and caught.value.error is None
    str(caught.value)   # its message is printable


def test_deep_nesting_in_debug_logging_is_no_recursion_error(server, caplog):
    server.script(Reply(status=200, body=DEEP, contract=False))
    api = make_api(server.base_url, retries=0, debug=True)
    with pytest.raises(exceptions.ApiResponseValidationError):
        api.create_realtime_session(REQUEST)


def test_api_response_headers_are_a_json_serialisable_dict_with_case_insensitive_lookups(server):
    server.script(Reply(body=EXAMPLE_RESPONSE, headers={"X-Request-Id": "req_1", "OpenAI-Processing-Ms": "12"}))
    response = make_api(server.base_url).create_realtime_session_with_http_info(REQUEST)
    assert isinstance(response.headers, dict)
    assert response.headers["x-request-id"] == response.headers["X-REQUEST-ID"] == "req_1"
    assert "openai-processing-ms" in response.headers and response.headers.get("content-type") == "application/json"
    assert json.loads(json.dumps(response.headers))["X-Request-Id"] == "req_1"
    dumped = response.model_dump(mode="json")
    assert dumped["headers"]["X-Request-Id"] == "req_1" and json.dumps(dumped)


def test_an_sdp_answer_cut_off_is_retried_and_a_bodiless_200_read_within_the_deadline(server):
    """The same transport serves every operation: here the SDP one and one without a body."""
    api = make_api(server.base_url, retries=1)
    server.script(Reply(body=b"v=0\r\n", headers={"Content-Type": "application/sdp", "Location": "/v1/realtime/calls/rtc_1"},
                        truncate=True, contract=False),
                  Reply(status=201, body=b"v=0\r\n", headers={"Content-Type": "application/sdp",
                                                              "Location": "/v1/realtime/calls/rtc_1"}, contract=False))
    assert api.create_realtime_call("v=0\r\n", _content_type="application/sdp") == "v=0\r\n"
    server.script(Reply(status=200, body=None, trickle=0.01, contract=False))
    assert api.hangup_realtime_call("rtc_1") is None
    assert [seen.path for seen in server.requests] == ["/v1/realtime/calls"] * 2 + ["/v1/realtime/calls/rtc_1/hangup"]
