"""Any client, not only ours: the official openai package's realtime methods work against the
local server unchanged, so people who use either SDK can test offline against it."""
from __future__ import annotations

import re

import openai
import pytest

from local_server import LocalRealtimeServer
from conftest import CONTRACT, TEST_KEY

OFFER = CONTRACT.schema("RealtimeCallCreateRequest")["properties"]["sdp"]["example"]


@pytest.fixture(scope="module")
def srv():
    with LocalRealtimeServer(contract=CONTRACT) as server:
        yield server


def client(server, key=TEST_KEY):
    return openai.OpenAI(api_key=key, base_url=server.base_url, max_retries=0, timeout=30)


def test_client_secrets_then_a_call_with_the_ek_key_then_hangup(srv):
    backend = client(srv)
    secret = backend.realtime.client_secrets.create(
        expires_after={"anchor": "created_at", "seconds": 120},
        session={"type": "realtime", "model": "gpt-realtime", "audio": {"output": {"voice": "marin"}}})
    assert secret.value.startswith("ek_") and secret.session.type == "realtime"
    assert secret.session.audio.output.voice == "marin"
    browser = client(srv, key=secret.value)
    answer = browser.realtime.calls.with_raw_response.create(sdp=OFFER)
    assert answer.status_code == 201 and answer.content.decode().startswith("v=0")
    call_id = answer.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"rtc_[0-9a-f]{32}", call_id) and call_id in srv.calls
    backend.realtime.calls.hangup(call_id)
    assert call_id not in srv.calls


def test_calls_create_with_the_multipart_form_and_the_api_key(srv):
    answer = client(srv).realtime.calls.create(sdp=OFFER, session={"type": "realtime", "instructions": "Hi"})
    assert answer.content.decode().startswith("v=0") and "a=setup:active" in answer.text


def test_accept_refer_reject_on_an_incoming_call(srv):
    backend = client(srv)
    call_id = srv.ring()
    backend.realtime.calls.accept(call_id, type="realtime", model="gpt-realtime")
    backend.realtime.calls.refer(call_id, target_uri="tel:+14155550123")
    backend.realtime.calls.reject(call_id, status_code=486)
    with pytest.raises(openai.NotFoundError):
        backend.realtime.calls.hangup(call_id)


def test_translation_client_secrets(srv):
    secret = client(srv).realtime.translations.client_secrets.create(
        session={"model": "gpt-realtime-translate", "audio": {"output": {"language": "fr"}}})
    assert secret.value.startswith("ek_") and secret.session.audio.output.language == "fr"


def test_beta_sessions_and_transcription_sessions(srv):
    backend = client(srv)
    session = backend.beta.realtime.sessions.create(model="gpt-4o-realtime-preview", voice="ash")
    assert session.client_secret.value.startswith("ek_") and session.voice == "ash"
    transcription = backend.beta.realtime.transcription_sessions.create()
    assert transcription.client_secret.value.startswith("ek_")


def test_an_expired_or_foreign_key_is_an_authentication_error(srv):
    with pytest.raises(openai.AuthenticationError) as caught:
        client(srv, key="ek_never_minted").realtime.calls.create(sdp=OFFER)
    assert caught.value.status_code == 401 and caught.value.code == "invalid_api_key"
