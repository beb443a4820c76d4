"""The local stand-in server over real HTTP: valid, invalid, unauthenticated, oversized and
wrong-route requests, its log, its command line, and every answer checked against openapi.yaml."""
from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys

import pytest
import urllib3
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

import openapi_client
from openapi_client import exceptions
from local_server import SESSION_DEFAULTS, LocalRealtimeServer
from conftest import CONTRACT, OPERATION_PATH, ROOT, TEST_KEY, FULL_SESSION_REQUEST, json_schema, make_api, full_session_request

NOW = 1_800_000_000
ERROR_KEYS = {"message", "type", "param", "code"}
HTTP = urllib3.PoolManager(retries=False)


@pytest.fixture(scope="module")
def local():
    with LocalRealtimeServer(clock=lambda: NOW, max_body_bytes=4096) as srv:
        yield srv


@pytest.fixture(scope="module")
def local_uncapped():
    with LocalRealtimeServer() as srv:   # the default 1 MiB cap
        yield srv


def call(srv, body=b"{}", method="POST", path=OPERATION_PATH, headers=None):
    """Send raw bytes; return (status, headers, parsed JSON). Every answer is checked here."""
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    headers = {"Authorization": "Bearer " + TEST_KEY, "Content-Type": "application/json",
               **(headers if headers is not None else {})}
    origin = srv.base_url.rsplit("/v1", 1)[0]
    response = HTTP.request(method, origin + path, body=body, headers={k: v for k, v in headers.items() if v is not None})
    payload = json.loads(response.data)
    if response.status == 200:
        assert CONTRACT.response_errors("POST", path.split("?")[0], 200, response.data) == []
    else:
        assert set(payload) == {"error"} and set(payload["error"]) == ERROR_KEYS, payload
        assert payload["error"]["type"] == "invalid_request_error" and payload["error"]["message"]
    assert re.fullmatch(r"req_[0-9a-f]{24}", response.headers["x-request-id"])
    return response.status, response.headers, payload


def test_the_typescript_example_request_through_the_sdk_gets_a_fresh_session(local):
    api = make_api(local.base_url)
    session = api.create_realtime_session(full_session_request())
    assert session.client_secret.value.startswith("ek_") and len(session.client_secret.value) == 35
    assert session.client_secret.expires_at == NOW + 60
    assert session.object == "realtime.session" and session.model == "gpt-realtime"
    assert re.fullmatch(r"sess_[0-9a-f]{24}", session.id)
    declared = set(openapi_client.RealtimeSessionCreateResponse.model_fields)
    sent = {k: v for k, v in FULL_SESSION_REQUEST.items() if k in declared and k != "client_secret"}
    assert {k: v for k, v in session.to_dict().items() if k in sent} == sent   # what was asked for is what was set
    again = api.create_realtime_session(full_session_request())
    assert again.client_secret.value != session.client_secret.value
    assert again.id != session.id


def test_fields_left_out_get_the_api_defaults(local):
    status, _, session = call(local, {})
    assert status == 200
    assert session["model"] == "gpt-4o-realtime-preview"
    assert session["voice"] == "alloy"
    assert session["input_audio_format"] == session["output_audio_format"] == "pcm16"
    assert session["turn_detection"] == {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                         "silence_duration_ms": 500}
    assert session["temperature"] == 0.8 and session["max_response_output_tokens"] == "inf"
    assert session["tool_choice"] == "auto" and session["tools"] == []
    assert session["modalities"] == ["text", "audio"] and session["input_audio_transcription"] is None
    assert session["instructions"] == SESSION_DEFAULTS["instructions"]
    assert session["client_secret"]["expires_at"] == NOW + 60


def test_a_partial_nested_setting_is_completed_and_null_turns_a_feature_off(local):
    _, _, session = call(local, {"turn_detection": {"threshold": 0.7}, "input_audio_transcription": None})
    assert session["turn_detection"] == {"type": "server_vad", "threshold": 0.7, "prefix_padding_ms": 300,
                                         "silence_duration_ms": 500}
    assert session["input_audio_transcription"] is None
    _, _, session = call(local, {"turn_detection": None, "max_response_output_tokens": 512})
    assert session["turn_detection"] is None and session["max_response_output_tokens"] == 512


@pytest.mark.parametrize("body, param, code, message", [
    ({"input_audio_format": "pcm17"}, "input_audio_format", "invalid_value",
     "Invalid value: 'pcm17'. Supported values are: 'pcm16'"),
    ({"output_audio_format": "wav"}, "output_audio_format", "invalid_value", "Invalid value: 'wav'"),
    ({"modalities": ["text", "video"]}, "modalities[1]", "invalid_value", "'video'"),
    ({"modalities": "text"}, "modalities", "invalid_type", "expected an array, but got a string"),
    ({"temperature": "hot"}, "temperature", "invalid_type", "expected a number, but got a string"),
    ({"turn_detection": {"threshold": "loud"}}, "turn_detection.threshold", "invalid_type", "expected a number"),
    ({"turn_detection": {"silence_duration_ms": 1.5}}, "turn_detection.silence_duration_ms", "invalid_type",
     "expected an integer, but got a number"),
    ({"tools": [{"type": "function"}, {"type": "retrieval"}]}, "tools[1].type", "invalid_value", "'retrieval'"),
    ({"max_response_output_tokens": "lots"}, "max_response_output_tokens", "invalid_value",
     "'lots' is not an integer or 'inf'"),
    ({"input_audio_transcription": "whisper-1"}, "input_audio_transcription", "invalid_type", "expected an object"),
])
def test_a_body_that_breaks_the_spec_is_a_400_naming_the_field(local, body, param, code, message):
    status, _, payload = call(local, body)
    assert status == 400
    assert payload["error"]["param"] == param and payload["error"]["code"] == code
    assert message in payload["error"]["message"]


def test_with_several_problems_the_first_field_the_client_wrote_is_named(local):
    _, _, payload = call(local, b'{"temperature": "hot", "input_audio_format": "pcm17"}')
    assert payload["error"]["param"] == "temperature"
    _, _, payload = call(local, b'{"input_audio_format": "pcm17", "temperature": "hot"}')
    assert payload["error"]["param"] == "input_audio_format"


@pytest.mark.parametrize("body, headers, message", [
    (b"{bad json", {}, "could not parse the JSON body"),
    (b'{"temperature": NaN}', {}, "could not parse the JSON body"),
    (b"[]", {}, "expected an object, but got an array"),
    (b"", {}, "Missing request body"),
    (b"{}", {"Content-Type": "text/plain"}, "application/json"),
])
def test_a_body_that_is_not_a_json_object_is_a_clear_400(local, body, headers, message):
    status, _, payload = call(local, body, headers=headers)
    assert status == 400 and payload["error"]["param"] is None
    assert message in payload["error"]["message"]


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", TEST_KEY])
def test_a_missing_key_is_a_401(local, authorization):
    status, _, payload = call(local, {}, headers={"Authorization": authorization})
    assert status == 401 and "didn't provide an API key" in payload["error"]["message"]


def test_a_server_given_a_key_refuses_others_and_the_sdk_raises_typed_with_the_request_id():
    with LocalRealtimeServer(api_key="sk-the-right-one") as srv:
        with pytest.raises(exceptions.UnauthorizedException) as caught:
            make_api(srv.base_url, access_token="sk-the-wrong-one").create_realtime_session(
                openapi_client.RealtimeSessionCreateRequest())
        assert caught.value.error.code == "invalid_api_key"
        assert re.fullmatch(r"req_[0-9a-f]{24}", caught.value.request_id)
        assert "sk-the-wrong-one" not in str(caught.value.body) + repr(caught.value) + str(caught.value)
        session = make_api(srv.base_url, access_token="sk-the-right-one").create_realtime_session(
            openapi_client.RealtimeSessionCreateRequest())
        assert session.client_secret.value.startswith("ek_")


@pytest.mark.parametrize("size", [4097, 4096 * 16 + 1])
def test_a_body_over_the_cap_is_a_413_and_the_connection_is_closed(local, size):
    status, headers, payload = call(local, b"{" + b" " * (size - 2) + b"}")
    assert status == 413 and payload["error"]["code"] == "request_too_large"
    assert headers["Connection"] == "close"
    assert call(local, {})[0] == 200   # the server carries on


def test_the_sdk_gets_a_typed_error_for_an_oversized_request(local):
    with pytest.raises(exceptions.ApiException) as caught:
        make_api(local.base_url).create_realtime_session(openapi_client.RealtimeSessionCreateRequest(instructions="x" * 5000))
    assert caught.value.status == 413 and "4096 byte limit" in caught.value.error.message


@pytest.mark.parametrize("method, path, status", [
    ("POST", "/v1/realtime/session", 404), ("POST", "/realtime/sessions", 404), ("GET", "/", 404),
    ("POST", "/v1/chat/completions", 404),
    ("GET", OPERATION_PATH, 405), ("PUT", OPERATION_PATH, 405), ("DELETE", OPERATION_PATH, 405),
])
def test_other_routes_and_methods_are_404_and_405(local, method, path, status):
    got, headers, payload = call(local, {}, method=method, path=path)
    assert got == status and path in payload["error"]["message"]
    if status == 405:
        assert headers["Allow"] == "POST"


def test_the_query_string_is_ignored_for_routing_and_never_logged(local, caplog):
    with caplog.at_level(logging.INFO, logger="local_server"):
        status, _, _ = call(local, {}, path=OPERATION_PATH + "?api_key=sk-in-the-query")
    assert status == 200 and "sk-in-the-query" not in caplog.text


def test_one_log_line_per_request_with_no_secrets(local, caplog):
    with caplog.at_level(logging.INFO, logger="local_server"):
        _, _, session = call(local, {"voice": "ash"})
        call(local, {"input_audio_format": "pcm17"})
        call(local, {}, headers={"Authorization": None})
    lines = [r.getMessage() for r in caplog.records if r.name == "local_server"]
    assert len(lines) == 3
    assert re.fullmatch(r"POST /v1/realtime/sessions 200 \d+\.\dms req_[0-9a-f]{24}", lines[0])
    assert lines[1].endswith("code=invalid_value param=input_audio_format") and " 401 " in lines[2]
    assert TEST_KEY not in caplog.text and session["client_secret"]["value"] not in caplog.text


def test_a_bug_in_the_stand_in_is_a_500_not_a_dropped_connection(local, monkeypatch, caplog):
    monkeypatch.setattr(local.state, "mint_session", lambda path, request: {"client_secret": {"value": 123}})
    with caplog.at_level(logging.ERROR, logger="local_server"):
        response = HTTP.request("POST", local.base_url + "/realtime/sessions", body=b"{}",
                                headers={"Authorization": "Bearer " + TEST_KEY, "Content-Type": "application/json"})
    assert response.status == 500 and json.loads(response.data)["error"]["type"] == "server_error"
    assert "breaks openapi.yaml" in caplog.text   # its own answer failed the spec, so it was not sent


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=from_schema(json_schema("RealtimeSessionCreateRequest")))
def test_any_schema_valid_request_gets_a_session_that_validates_against_the_spec(local_uncapped, body):
    status, _, session = call(local_uncapped, body)   # call() checks the answer against openapi.yaml
    assert status == 200
    for name, value in body.items():
        if name in session and not isinstance(value, dict):
            assert session[name] == value


def test_command_line_serves_on_loopback_logs_and_stops_on_sigterm():
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, "-m", "local_server", "--port", "0"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = iter(process.stdout.readline, "")
        base_url = next(line for line in banner if "listening on " in line).split("listening on ", 1)[1].strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", base_url)
        session = make_api(base_url).create_realtime_session(openapi_client.RealtimeSessionCreateRequest(voice="sage"))
        assert session.voice == "sage"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "POST /v1/realtime/sessions 200" in stderr and TEST_KEY not in stderr
    assert session.client_secret.value not in stderr
