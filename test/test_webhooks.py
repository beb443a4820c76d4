"""The incoming-call webhook: openapi_client.webhooks verifies and types it; the local server rings
and sends it signed, retried, to a real receiver on 127.0.0.1."""
from __future__ import annotations

import base64
import datetime
import json
import logging
import subprocess
import sys
import time

import openai
import pytest
import urllib3
from standardwebhooks import Webhook

import openapi_client
from conftest import ROOT, TEST_KEY, Clock, Reply, make_api
from local_server import LocalRealtimeServer
from local_server.webhooks import DeliveryPolicy
from openapi_client import InvalidWebhookSignatureError, webhooks

SECRET = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="   # base64 of bytes 0..31
NOW = 1_800_000_000
BODY = ('{"id":"evt_kat","object":"event","type":"realtime.call.incoming","created_at":1800000000,"data":'
        '{"call_id":"rtc_kat","sip_headers":[{"name":"From","value":"<sip:+15551230000@sip.example.com>"}]}}')
# Known answers: HMAC-SHA256 over "msg_kat.1800000000.<BODY>", base64, computed once outside the SDK.
KAT_SIGNATURE = "hI9Iq2Lqav5hjlH+f3Vw0toasMtpxkfRt+SAt4s8/YU="   # key: SECRET's bytes
KAT_PLAIN_SIGNATURE = "DUyzDhMx4aPozjT0t+d4UUOmdtrqsIJeqrGAL7YM7k0="   # key: b"plain-secret" (no whsec_)


def headers(signature: str = "v1," + KAT_SIGNATURE, timestamp: int = NOW, webhook_id: str = "msg_kat"):
    return {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def refusal(payload=BODY, hdrs=None, **kwargs) -> str:
    kwargs.setdefault("secret", SECRET)
    kwargs.setdefault("now", NOW)
    with pytest.raises(InvalidWebhookSignatureError) as caught:
        webhooks.verify_signature(payload, headers() if hdrs is None else hdrs, **kwargs)
    message = str(caught.value)
    assert SECRET not in message and SECRET[6:] not in message and KAT_SIGNATURE not in message
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, openapi_client.OpenApiException)
    return message


# ------------------------------------------------------------------ verification, frozen clock

@pytest.mark.parametrize("payload", [BODY, BODY.encode()], ids=["str", "bytes"])
def test_a_valid_signature_verifies_and_unwraps_typed(payload):
    webhooks.verify_signature(payload, headers(), secret=SECRET, now=NOW)
    event = webhooks.unwrap(payload, headers(), secret=SECRET, now=NOW)
    assert isinstance(event, openapi_client.WebhookRealtimeCallIncoming)
    assert event.type == "realtime.call.incoming" and event.id == "evt_kat" and event.created_at == NOW
    assert event.data.call_id == "rtc_kat"
    assert (event.data.sip_headers[0].name, event.data.sip_headers[0].value) == ("From", "<sip:+15551230000@sip.example.com>")
    assert json.loads(event.to_json()) == json.loads(BODY)


def test_a_secret_without_the_whsec_prefix_is_used_as_its_own_bytes():
    webhooks.verify_signature(BODY, headers("v1," + KAT_PLAIN_SIGNATURE), secret="plain-secret", now=NOW)
    refusal(hdrs=headers("v1," + KAT_PLAIN_SIGNATURE))   # the whsec_ secret does not verify it


def test_the_secret_comes_from_the_environment_and_a_missing_one_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    assert webhooks.unwrap(BODY, headers(), now=NOW).data.call_id == "rtc_kat"
    monkeypatch.delenv("OPENAI_WEBHOOK_SECRET")
    with pytest.raises(openapi_client.ApiValueError, match="OPENAI_WEBHOOK_SECRET") as caught:
        webhooks.verify_signature(BODY, headers(), now=NOW)
    assert not isinstance(caught.value, InvalidWebhookSignatureError)   # a set-up mistake, not a forged webhook
    with pytest.raises(openapi_client.ApiValueError, match="not valid base64") as bad:
        webhooks.verify_signature(BODY, headers(), secret="whsec_not base64!", now=NOW)
    assert "not base64!" not in str(bad.value)


def test_a_tampered_body_and_a_wrong_secret_are_refused():
    assert "does not match" in refusal(BODY.replace("rtc_kat", "rtc_evil"))
    assert "does not match" in refusal(secret="whsec_" + base64.b64encode(b"another key").decode())
    assert "does not match" in refusal(hdrs=headers(webhook_id="msg_other"))   # the id is signed too


@pytest.mark.parametrize("offset, verdict", [(-300, "ok"), (-301, "too old"), (300, "ok"), (301, "too new")])
def test_timestamps_just_inside_the_tolerance_pass_and_just_outside_are_refused(offset, verdict):
    # the delivery is signed at NOW; the receiver's clock is `offset` seconds away from it
    receiver_now = NOW - offset
    if verdict == "ok":
        webhooks.verify_signature(BODY, headers(), secret=SECRET, now=receiver_now)
    else:
        assert verdict in refusal(now=receiver_now)
    assert "too old" in refusal(now=NOW + 11, tolerance=10)


def test_several_signatures_pass_when_one_matches_and_other_versions_are_ignored():
    wrong = "v1," + base64.b64encode(b"x" * 32).decode()
    webhooks.verify_signature(BODY, headers(f"{wrong} v2,abc v1,{KAT_SIGNATURE}"), secret=SECRET, now=NOW)
    assert "does not match" in refusal(hdrs=headers(f"{wrong} v1,{KAT_SIGNATURE[:-2]}"))
    assert "no v1 signature" in refusal(hdrs=headers("v2," + KAT_SIGNATURE))
    assert "no v1 signature" in refusal(hdrs=headers(KAT_SIGNATURE))


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_named(missing):
    hdrs = {k: v for k, v in headers().items() if k != missing}
    assert f"the {missing} header is missing" in refusal(hdrs=hdrs)
    assert "not unix seconds" in refusal(hdrs=headers(timestamp="soon"))   # type: ignore[arg-type]


def test_header_names_are_looked_up_case_insensitively():
    shouting = {name.upper(): value for name, value in headers().items()}
    assert webhooks.unwrap(BODY, shouting, secret=SECRET, now=NOW).data.call_id == "rtc_kat"


def sign(body: str, timestamp: int, webhook_id: str = "msg_1", secret: str = SECRET) -> dict:
    """Headers signed by the standardwebhooks package: a signer that shares no code with the SDK."""
    at = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return headers(Webhook(secret).sign(webhook_id, at, body), timestamp, webhook_id)


def test_an_unknown_event_type_verifies_and_keeps_every_field():
    body = json.dumps({"id": "evt_1", "object": "event", "type": "realtime.call.transferred", "created_at": NOW,
                       "data": {"call_id": "rtc_1", "target": "tel:+1555"}, "new_top_level": [1, 2]})
    event = webhooks.unwrap(body, sign(body, NOW), secret=SECRET, now=NOW)
    assert isinstance(event, webhooks.UnknownWebhookEvent) and not isinstance(event, dict)
    assert event.type == "realtime.call.transferred" and event.data == {"call_id": "rtc_1", "target": "tel:+1555"}
    assert event.to_dict() == json.loads(body)


def test_a_signed_payload_that_is_not_an_event_is_a_package_error_not_a_json_error():
    for body in ("not json", "[1]", '{"id": "evt"}', '{"type": "realtime.call.incoming", "id": "e"}'):
        with pytest.raises(openapi_client.ApiValueError) as caught:
            webhooks.unwrap(body, sign(body, NOW), secret=SECRET, now=NOW)
        assert not isinstance(caught.value, InvalidWebhookSignatureError), body


def test_importing_the_webhook_module_loads_no_other_model():
    script = ("import sys, openapi_client.webhooks; "
              "print(sorted(m for m in sys.modules if m.startswith('openapi_client.models.')))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# ------------------------------------------------------------------ the same verdicts as openai-python

def test_the_same_inputs_give_the_same_verdict_as_openai_python():
    now = int(time.time())   # openai-python reads the system clock: every case stays far from the window's edges
    client = openai.OpenAI(api_key="sk-unused", webhook_secret=SECRET)
    valid = sign(BODY, now)
    cases = {
        "valid": (BODY, valid, SECRET),
        "bytes": (BODY.encode(), valid, SECRET),
        "tampered": (BODY + " ", valid, SECRET),
        "wrong secret": (BODY, valid, "whsec_" + base64.b64encode(b"nope").decode()),
        "no prefix": (BODY, sign(BODY, now, secret="whsec_" + base64.b64encode(b"raw").decode()), "raw"),
        "old": (BODY, sign(BODY, now - 1000), SECRET),
        "future": (BODY, sign(BODY, now + 1000), SECRET),
        "one of several": (BODY, {**valid, "webhook-signature": "v1,AAAA v2,zz " + valid["webhook-signature"]}, SECRET),
        "v2 alone": (BODY, {**valid, "webhook-signature": valid["webhook-signature"].replace("v1,", "v2,")}, SECRET),
        "no id": (BODY, {k: v for k, v in valid.items() if k != "webhook-id"}, SECRET),
        "no signature": (BODY, {k: v for k, v in valid.items() if k != "webhook-signature"}, SECRET),
    }
    verdicts = {name: (passes(webhooks.verify_signature, *case), passes(client.webhooks.verify_signature, *case))
                for name, case in cases.items()}
    assert {name: ours for name, (ours, _) in verdicts.items()} == {name: theirs for name, (_, theirs) in verdicts.items()}
    assert [name for name, (ours, _) in verdicts.items() if ours] == ["valid", "bytes", "no prefix", "one of several"]


def passes(verify, payload, hdrs, secret) -> bool:
    try:
        verify(payload, hdrs, secret=secret)
        return True
    except ValueError:   # both libraries' signature errors are ValueErrors
        return False


# ------------------------------------------------------------------ the local server rings

@pytest.fixture
def ringing(server):
    """The local server on a frozen clock, sending webhooks to the scripted receiver `server`."""
    clock = Clock()
    server.script(ack(200))
    receiver = server.base_url.rsplit("/v1", 1)[0] + "/hooks/openai?token=in-the-url"
    with LocalRealtimeServer(api_key=TEST_KEY, clock=clock, sleep=clock.sleep, webhook_url=receiver,
                             webhook_secret=SECRET, webhook_policy=DeliveryPolicy(attempts=4)) as srv:
        yield srv, server, clock


def ack(status: int) -> Reply:
    """The receiver's answer to a webhook (not an API answer: no contract check)."""
    return Reply(status=status, body={} if status != 204 else None, contract=False)


def received(receiver, index: int = -1):
    seen = receiver.requests[index]
    return seen, {k.lower(): v for k, v in seen.headers.items()}


def test_a_rung_call_reaches_a_real_receiver_signed_and_unwraps_typed(ringing, caplog):
    srv, receiver, clock = ringing
    receiver.script(ack(200))
    with caplog.at_level(logging.DEBUG):
        call_id = srv.ring([{"name": "X-Customer", "value": "42"}])
        assert srv.delivery(call_id).wait(30)
    seen, hdrs = received(receiver)
    assert seen.method == "POST" and seen.path == "/hooks/openai?token=in-the-url"
    event = webhooks.unwrap(seen.body, seen.headers, secret=SECRET, now=clock.now)
    assert isinstance(event, openapi_client.WebhookRealtimeCallIncoming)
    assert event.data.call_id == call_id and call_id.startswith("rtc_")
    assert [(h.name, h.value) for h in event.data.sip_headers] == [("X-Customer", "42")]
    assert srv.delivery(call_id).outcomes == [200] and clock.slept == []
    assert SECRET not in caplog.text and SECRET[6:] not in caplog.text and "in-the-url" not in caplog.text
    assert "attempt 1/4: 200" in caplog.text


def test_a_failed_delivery_is_retried_with_backoff_on_the_servers_clock_and_the_same_webhook_id(ringing):
    srv, receiver, clock = ringing
    receiver.script(ack(500), ack(503), ack(204))
    started = clock.now
    call_id = srv.ring()
    delivery = srv.delivery(call_id)
    assert delivery.wait(30) and delivery.delivered
    assert delivery.outcomes == [500, 503, 204] and clock.slept == [1.0, 2.0] and clock.now == started + 3
    ids = {received(receiver, i)[1]["webhook-id"] for i in range(3)}
    assert ids == {delivery.webhook_id}
    seen, hdrs = received(receiver)
    assert hdrs["webhook-timestamp"] == str(int(started + 3))   # each attempt is signed when it is sent
    event = webhooks.unwrap(seen.body, seen.headers, secret=SECRET, now=clock.now)
    assert event.data.call_id == call_id
    sip = {h.name for h in event.data.sip_headers}
    assert {"From", "To", "Call-ID"} <= sip


def test_a_receiver_that_never_answers_2xx_gets_the_attempts_the_policy_allows():
    clock = Clock()
    with LocalRealtimeServer(clock=clock, sleep=clock.sleep, webhook_url="http://127.0.0.1:9/closed",
                             webhook_secret=SECRET, webhook_policy=DeliveryPolicy(attempts=3, first_wait=5)) as srv:
        delivery = srv.delivery(srv.ring())
        assert delivery.wait(30) and not delivery.delivered
    assert len(delivery.outcomes) == 3 and all(str(o).startswith("connection failed") for o in delivery.outcomes)
    assert clock.slept == [5, 10]


def test_ringing_over_http_takes_the_api_key_and_the_call_then_takes_call_control(ringing):
    srv, receiver, clock = ringing
    http = urllib3.PoolManager()
    ring_url = srv.base_url.rsplit("/v1", 1)[0] + "/_local/ring"
    auth = {"Authorization": "Bearer " + TEST_KEY, "Content-Type": "application/json"}
    answer = http.request("POST", ring_url, body=json.dumps({"sip_headers": [{"name": "To", "value": "tel:+1"}]}),
                          headers=auth)
    assert answer.status == 200, answer.data
    call_id = answer.json()["call_id"]
    assert srv.delivery(call_id).wait(30) and srv.delivery(call_id).delivered
    event = webhooks.unwrap(receiver.requests[-1].body, receiver.requests[-1].headers, secret=SECRET, now=clock.now)
    assert event.data.call_id == call_id and event.data.sip_headers[0].value == "tel:+1"

    minted = make_api(srv.base_url).create_realtime_client_secret(
        openapi_client.RealtimeCreateClientSecretRequest()).value
    for token, status in ((minted, 401), ("sk-wrong", 401), (None, 401)):
        denied = http.request("POST", ring_url, headers={"Authorization": "Bearer %s" % token} if token else {})
        assert denied.status == status
    assert http.request("GET", ring_url, headers=auth).status == 405
    bad = http.request("POST", ring_url, body=b'{"sip_headers": [{"name": 1}]}', headers=auth)
    assert bad.status == 400 and bad.json()["error"]["param"] == "sip_headers"

    api = make_api(srv.base_url)
    api.accept_realtime_call(call_id, openapi_client.RealtimeSessionCreateRequestGA(type="realtime"))
    api.hangup_realtime_call(call_id)
    with pytest.raises(openapi_client.NotFoundException):
        api.accept_realtime_call(call_id, openapi_client.RealtimeSessionCreateRequestGA(type="realtime"))
    rejected = srv.ring()
    api.reject_realtime_call(rejected)
    with pytest.raises(openapi_client.NotFoundException):
        api.accept_realtime_call(rejected, openapi_client.RealtimeSessionCreateRequestGA(type="realtime"))
    referred = srv.ring()
    api.refer_realtime_call(referred, openapi_client.RealtimeCallReferRequest(target_uri="tel:+14155550123"))


def test_the_command_line_rings_and_signs(server):
    server.script(ack(200))
    receiver = server.base_url.rsplit("/v1", 1)[0] + "/hook"
    process = subprocess.Popen([sys.executable, "-m", "local_server", "--port", "0", "--api-key", TEST_KEY,
                                "--webhook-url", receiver, "--webhook-secret", SECRET, "--webhook-attempts", "2"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = iter(process.stdout.readline, "")
        lines = []
        for line in banner:
            lines.append(line)
            if "listening on " in line:
                break
        base_url = lines[-1].split("listening on ", 1)[1].strip()
        assert any("/_local/ring rings a call" in line for line in lines)
        answer = urllib3.request("POST", base_url.rsplit("/v1", 1)[0] + "/_local/ring",
                                 headers={"Authorization": "Bearer " + TEST_KEY})
        call_id = answer.json()["call_id"]
        deadline = time.monotonic() + 30   # a hang guard, not a time target
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        event = webhooks.unwrap(server.requests[0].body, server.requests[0].headers, secret=SECRET)
        assert event.data.call_id == call_id
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert SECRET not in stderr and SECRET[6:] not in stderr
    refused = subprocess.run([sys.executable, "-m", "local_server", "--webhook-url", receiver], cwd=ROOT,
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "go together" in refused.stderr
