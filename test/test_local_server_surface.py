"""The local server over the whole current surface: minted keys and their expiry, calls over
WebRTC SDP, call control, key rules, CORS, and what a hostile client tried (HEAD, a burst of
100 clients, deep nesting, leaving early). Time is the server's injected clock, never a sleep."""
from __future__ import annotations

import http.client
import json
import logging
import re
import socket
import struct
import threading

import pytest
import urllib3
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

import openapi_client
from openapi_client import exceptions
from local_server import LocalRealtimeServer
from local_server.sdp import parse_offer
from conftest import CONTRACT, TEST_KEY, Clock, json_schema, make_api

START = 1_800_000_000
OFFER = CONTRACT.schema("RealtimeCallCreateRequest")["properties"]["sdp"]["example"]
HTTP = urllib3.PoolManager(retries=False)


@pytest.fixture()
def clock():
    return Clock(START)


@pytest.fixture()
def srv(clock):
    with LocalRealtimeServer(clock=clock, contract=CONTRACT) as server:
        yield server


@pytest.fixture(scope="module")
def shared_srv():
    with LocalRealtimeServer(contract=CONTRACT) as server:
        yield server


def raw(server, method, path, body=b"", headers=None):
    origin = server.base_url.rsplit("/v1", 1)[0]
    headers = {"Authorization": "Bearer " + TEST_KEY, **(headers or {})}
    return HTTP.request(method, origin + path, body=body, headers={k: v for k, v in headers.items() if v is not None})


def mint(server, ttl=None, session=None, key=TEST_KEY):
    body = {"session": session or {"type": "realtime"}}
    if ttl is not None:
        body["expires_after"] = {"anchor": "created_at", "seconds": ttl}
    return make_api(server.base_url, access_token=key).create_realtime_client_secret(
        openapi_client.RealtimeCreateClientSecretRequest.from_dict(body))


def test_a_client_secret_is_an_ek_key_for_600_s_by_default_with_the_session_completed(srv):
    secret = mint(srv, session={"type": "realtime", "model": "gpt-realtime", "instructions": "Be brief.",
                                "audio": {"output": {"voice": "marin"}}})
    assert re.fullmatch(r"ek_[0-9a-f]{32}", secret.value) and secret.expires_at == START + 600
    session = secret.session
    assert isinstance(session, openapi_client.RealtimeSessionCreateResponseGA)
    assert session.type == "realtime" and re.fullmatch(r"sess_[0-9a-f]{24}", session.id)
    assert session.instructions == "Be brief." and session.audio.output.voice == "marin"
    assert session.audio.output.speed == 1.0 and session.audio.input.format.to_dict() == {"type": "audio/pcm", "rate": 24000}
    assert session.output_modalities == ["audio"] and session.tool_choice == "auto"
    assert mint(srv).value != secret.value


def test_a_transcription_client_secret_and_a_custom_ttl(srv):
    secret = mint(srv, ttl=45, session={"type": "transcription", "audio": {"input": {"noise_reduction": {"type": "near_field"}}}})
    session = secret.session
    assert isinstance(session, openapi_client.RealtimeTranscriptionSessionCreateResponseGA)
    assert secret.expires_at == START + 45 and session.type == "transcription"
    assert session.audio.input.noise_reduction.type == "near_field"


@pytest.mark.parametrize("seconds", [9, 7201, 0])
def test_the_ttl_outside_10_to_7200_is_a_400_naming_it(srv, seconds):
    response = raw(srv, "POST", "/v1/realtime/client_secrets", json.dumps({"expires_after": {"seconds": seconds}}).encode(),
                   {"Content-Type": "application/json"})
    assert response.status == 400 and json.loads(response.data)["error"]["param"] == "expires_after.seconds"


def test_beta_sessions_and_transcription_sessions_carry_a_key_good_for_60_s(srv):
    api = make_api(srv.base_url)
    for session in (api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest()),
                    api.create_realtime_transcription_session(openapi_client.RealtimeTranscriptionSessionCreateRequest())):
        assert session.client_secret.value.startswith("ek_") and session.client_secret.expires_at == START + 60
    assert session.input_audio_transcription.model == "gpt-4o-transcribe"


def test_a_translation_client_secret(srv):
    secret = make_api(srv.base_url).create_realtime_translation_client_secret(
        openapi_client.RealtimeTranslationClientSecretCreateRequest.from_dict(
            {"session": {"model": "gpt-realtime-translate", "audio": {"output": {"language": "es"}}}}))
    assert secret.value.startswith("ek_") and secret.expires_at == START + 600
    assert secret.session.type == "translation" and secret.session.model == "gpt-realtime-translate"
    assert secret.session.audio.output.language == "es" and secret.session.expires_at == secret.expires_at


def sections(sdp):
    return [(s.kind, s.attribute("mid")) for s in parse_offer(sdp)]


def test_an_ek_key_opens_a_call_with_raw_sdp_and_gets_an_answer_to_its_offer(srv):
    secret = mint(srv)
    response = make_api(srv.base_url, access_token=secret.value).create_realtime_call_with_http_info(sdp=OFFER)
    assert response.status_code == 201
    assert re.fullmatch(r"/v1/realtime/calls/rtc_[0-9a-f]{32}", response.headers["Location"])
    answer = response.data
    assert sections(answer) == sections(OFFER) == [("audio", "0"), ("application", "1")]
    offer_attributes = set(OFFER.split("\r\n"))
    for name in ("a=ice-ufrag:", "a=ice-pwd:", "a=fingerprint:"):
        line = next(line for line in answer.split("\r\n") if line.startswith(name))
        assert line not in offer_attributes   # its own credentials, not the offer's echoed
    assert answer.count("a=setup:active") == 2 and "a=group:BUNDLE 0 1" in answer
    assert answer.endswith("\r\n") and "a=rtpmap:111 opus/48000/2" in answer


def test_the_api_key_opens_a_call_with_the_multipart_form(srv):
    api = make_api(srv.base_url)
    response = api.create_realtime_call_with_http_info(
        sdp=OFFER, session=openapi_client.RealtimeSessionCreateRequestGA(type="realtime", instructions="Hi"))
    call_id = response.headers["Location"].rsplit("/", 1)[1]
    assert srv.calls[call_id].session["instructions"] == "Hi"


def test_an_offer_that_is_not_sdp_is_a_400_naming_sdp(srv):
    response = raw(srv, "POST", "/v1/realtime/calls", b"hello", {"Content-Type": "application/sdp"})
    error = json.loads(response.data)["error"]
    assert response.status == 400 and error["param"] == "sdp" and "v=0" in error["message"]


def test_a_key_minted_with_a_short_ttl_is_refused_once_expired(srv, clock):
    secret = mint(srv, ttl=10)
    ek_api = make_api(srv.base_url, access_token=secret.value)
    clock.now = START + 9
    ek_api.create_realtime_call(sdp=OFFER)
    clock.now = START + 10
    with pytest.raises(exceptions.UnauthorizedException) as caught:
        ek_api.create_realtime_call(sdp=OFFER)
    assert caught.value.error.code == "expired_client_secret" and secret.value not in str(caught.value)


@pytest.mark.parametrize("operation", ["client_secrets", "sessions", "hangup"])
def test_an_ek_key_cannot_mint_or_control_calls(srv, operation):
    secret = mint(srv)
    ek_api = make_api(srv.base_url, access_token=secret.value)
    call_id = srv.ring()
    calls = {"client_secrets": lambda: ek_api.create_realtime_client_secret(openapi_client.RealtimeCreateClientSecretRequest()),
             "sessions": lambda: ek_api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest()),
             "hangup": lambda: ek_api.hangup_realtime_call(call_id)}
    with pytest.raises(exceptions.UnauthorizedException) as caught:
        calls[operation]()
    assert "can only open a call" in caught.value.error.message
    assert call_id in srv.calls


def test_an_ek_key_the_server_never_minted_is_refused_everywhere(srv):
    stranger = make_api(srv.base_url, access_token="ek_" + "0" * 32)
    for attempt in (lambda: stranger.create_realtime_call(sdp=OFFER),
                    lambda: stranger.create_realtime_client_secret(openapi_client.RealtimeCreateClientSecretRequest())):
        with pytest.raises(exceptions.UnauthorizedException) as caught:
            attempt()
        assert caught.value.error.code == "invalid_api_key"


def test_with_an_api_key_set_only_it_or_a_minted_key_opens_a_call():
    with LocalRealtimeServer(api_key="sk-right", contract=CONTRACT) as server:
        with pytest.raises(exceptions.UnauthorizedException):
            make_api(server.base_url, access_token="sk-wrong").create_realtime_call(sdp=OFFER)
        secret = mint(server, key="sk-right")
        assert make_api(server.base_url, access_token=secret.value).create_realtime_call(sdp=OFFER).startswith("v=0")


def test_accept_refer_reject_and_hangup_answer_200_for_a_known_call_and_404_otherwise(srv):
    api = make_api(srv.base_url)
    ringing = srv.ring()
    assert api.accept_realtime_call(ringing, openapi_client.RealtimeSessionCreateRequestGA(type="realtime")) is None
    assert srv.calls[ringing].accepted
    assert api.refer_realtime_call(ringing, openapi_client.RealtimeCallReferRequest(target_uri="tel:+14155550123")) is None
    assert api.hangup_realtime_call(ringing) is None
    assert ringing not in srv.calls   # hangup ends the call
    declined = srv.ring()
    assert api.reject_realtime_call(declined, openapi_client.RealtimeCallRejectRequest(status_code=486)) is None
    for gone in (ringing, declined, "rtc_unknown"):
        with pytest.raises(exceptions.NotFoundException) as caught:
            api.hangup_realtime_call(gone)
        assert caught.value.error.param == "call_id" and gone in caught.value.error.message


def test_a_cors_preflight_gets_the_allow_headers_and_answers_expose_location(srv):
    preflight = raw(srv, "OPTIONS", "/v1/realtime/calls", headers={
        "Authorization": None, "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status == 204 and preflight.data == b""
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "POST"
    assert preflight.headers["Access-Control-Allow-Headers"] == "authorization, content-type"
    answer = raw(srv, "POST", "/v1/realtime/calls", OFFER.encode(),
                 {"Content-Type": "application/sdp", "Origin": "http://localhost:3000"})
    assert answer.status == 201 and answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "Location" in answer.headers["Access-Control-Expose-Headers"]
    refused = raw(srv, "POST", "/v1/realtime/calls", OFFER.encode(),
                  {"Content-Type": "application/sdp", "Origin": "http://localhost:3000", "Authorization": "Bearer ek_x"})
    assert refused.status == 401 and refused.headers["Access-Control-Allow-Origin"] == "*"   # the page can read why
    plain = raw(srv, "OPTIONS", "/v1/realtime/calls")
    assert plain.status == 405 and plain.headers["Allow"] == "POST"


def test_head_is_a_405_with_headers_only_and_the_connection_stays_in_step(srv):
    host, port = srv.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("HEAD", "/v1/realtime/client_secrets", headers={"Authorization": "Bearer " + TEST_KEY})
    head = connection.getresponse()
    assert head.status == 405 and head.getheader("Allow") == "POST" and head.read() == b""
    connection.request("POST", "/v1/realtime/client_secrets", body=b"{}",
                       headers={"Authorization": "Bearer " + TEST_KEY, "Content-Type": "application/json"})
    after = connection.getresponse()
    assert after.status == 200 and json.loads(after.read())["value"].startswith("ek_")
    connection.close()


def test_100_concurrent_clients_are_all_served(srv):
    start, statuses, lock = threading.Barrier(100), [], threading.Lock()

    def client():
        pool = urllib3.HTTPConnectionPool(*srv.server_address[:2], retries=False, timeout=30)
        start.wait()
        status = pool.request("POST", "/v1/realtime/client_secrets", body=b"{}",
                              headers={"Authorization": "Bearer " + TEST_KEY, "Content-Type": "application/json"}).status
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=client) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 100 and len(srv.keys) == 100


@pytest.mark.parametrize("body", [b'{"session": ' * 5000 + b"1" + b"}" * 5000, b"[" * 100000 + b"]" * 100000,
                                  b'{"session": {"type": "realtime", "tools": ' + b"[" * 800 + b"]" * 800 + b"}}"])
def test_a_body_nested_thousands_deep_is_a_400_not_a_500(srv, body, caplog):
    with caplog.at_level(logging.ERROR, logger="local_server"):
        response = raw(srv, "POST", "/v1/realtime/client_secrets", body, {"Content-Type": "application/json"})
    assert response.status == 400, response.data
    assert "Traceback" not in caplog.text and not caplog.records


def test_a_client_that_leaves_before_its_answer_leaves_no_traceback(srv, capfd, caplog):
    host, port = srv.server_address[:2]
    for _ in range(20):
        sock = socket.create_connection((host, port))
        sock.sendall(b"POST /v1/realtime/client_secrets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))   # leave with a reset
        sock.close()
    with caplog.at_level(logging.INFO, logger="local_server"):
        assert raw(srv, "POST", "/v1/realtime/client_secrets", b"{}", {"Content-Type": "application/json"}).status == 200
    assert "Traceback" not in capfd.readouterr().err
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_log_is_one_line_per_request_without_keys_or_secrets(srv, caplog):
    body = openapi_client.RealtimeCreateClientSecretRequest.from_dict({"session": {"type": "realtime"}})
    with caplog.at_level(logging.INFO, logger="local_server"):
        minted = make_api(srv.base_url).create_realtime_client_secret_with_http_info(body)
        secret = minted.data.value
        call = make_api(srv.base_url, access_token=secret).create_realtime_call_with_http_info(sdp=OFFER)
    ids = [minted.headers["x-request-id"], call.headers["x-request-id"]]
    # this test's lines by request id: an earlier test's server may still be logging requests its clients left
    lines = [r.getMessage() for r in caplog.records if r.name == "local_server" and set(ids) & set(r.getMessage().split())]
    assert [line.split(" ")[:3] for line in lines] == [["POST", "/v1/realtime/client_secrets", "200"],
                                                      ["POST", "/v1/realtime/calls", "201"]], caplog.text
    assert secret not in caplog.text and TEST_KEY not in caplog.text and "v=0" not in caplog.text


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=from_schema(json_schema("RealtimeCreateClientSecretRequest")))
def test_any_schema_valid_client_secret_request_gets_an_answer_that_validates(shared_srv, body):
    response = raw(shared_srv, "POST", "/v1/realtime/client_secrets", json.dumps(body).encode(),
                   {"Content-Type": "application/json"})
    assert response.status == 200, response.data   # the server checked its answer against openapi.yaml
    assert CONTRACT.response_errors("POST", "/v1/realtime/client_secrets", 200, response.data) == []
