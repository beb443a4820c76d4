"""The SIP agent example (issue 32) against the local server: the whole flow offline (`make demo-sip`),
a bad signature refused with no accept, a retried delivery handled once, two calls at once."""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Dict, List

import pytest
import urllib3
from standardwebhooks.webhooks import Webhook

from local_server import LocalRealtimeServer
from local_server.webhooks import call_incoming_event

from conftest import ROOT

KEY = "sk-sip-test"
SECRET = "whsec_" + "c2lwLWFnZW50LXRlc3Qtc2VjcmV0LTAxMjM0NTY3"
WRONG_SECRET = "whsec_" + "bm90LXRoZS1hZ2VudHMtc2VjcmV0LTAxMjM0NTY3"


class RunningAgent:
    """examples/sip_agent.py in its own process, pointed at `server`; its output collected."""

    def __init__(self, server: LocalRealtimeServer, calls: int) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", OPENAI_API_KEY=KEY,
                   OPENAI_BASE_URL=server.base_url, OPENAI_WEBHOOK_SECRET=SECRET)
        self.process = subprocess.Popen([sys.executable, str(ROOT / "examples" / "sip_agent.py"), "--port", "0",
                                         "--calls", str(calls)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.lines: List[str] = []
        for line in self.process.stdout:
            self.lines.append(line)
            if "listening on " in line:
                self.url = line.split("listening on ", 1)[1].strip()
                break
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout or []), daemon=True)
        self.reader.start()

    def post(self, body: str, headers: Dict[str, str]) -> int:
        return urllib3.request("POST", self.url, body=body, headers=headers, retries=False).status

    def finish(self) -> str:
        assert self.process.wait(timeout=60) == 0
        self.reader.join(10)
        return "".join(self.lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def signed(event: Dict, secret: str, delivery: str = "msg_test_1") -> tuple:
    body = json.dumps(event)
    now = datetime.now(timezone.utc)
    return body, {"webhook-id": delivery, "webhook-timestamp": str(int(now.timestamp())),
                  "webhook-signature": Webhook(secret).sign(delivery, now, body), "Content-Type": "application/json"}


@pytest.fixture
def srv():
    with LocalRealtimeServer(api_key=KEY) as server:
        yield server


def accepts(caplog: pytest.LogCaptureFixture, call_id: str) -> int:
    return sum("POST /v1/realtime/calls/%s/accept 200" % call_id in record.getMessage() for record in caplog.records)


def test_make_demo_sip_runs_the_whole_flow_offline():
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "tools.demo_sip"], cwd=ROOT, capture_output=True, text=True,
                            timeout=180, env={k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")})
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    call_id = re.search(r"call (rtc_[0-9a-f]{32}): incoming from <sip:\+15551234567@example.com>", out).group(1)
    for step in ("accepted (text output, tool lookup_order)", "joined its session (sideband)",
                 "tool call lookup_order(", "the agent said: The tool answered", "hung up"):
        assert "call %s: %s" % (call_id, step) in out, step
    assert "shipped on Monday" in out
    assert "events seen: session.created" in out and "response.function_call_arguments.done" in out
    assert KEY not in out and "whsec_" not in out and "sk-local-demo" not in out
    assert time.perf_counter() - started < 180


def test_a_bad_signature_gets_a_400_and_no_accept(srv, caplog):
    caplog.set_level(logging.INFO, logger="local_server")
    agent = RunningAgent(srv, calls=1)
    try:
        call_id, genuine = srv.ring(), srv.ring()
        body, headers = signed(call_incoming_event(call_id, srv.now()), WRONG_SECRET)
        assert agent.post(body, headers) == 400
        # then a genuine delivery: the agent handles one call and exits, so anything it did is done
        body, headers = signed(call_incoming_event(genuine, srv.now()), SECRET, delivery="msg_genuine")
        assert agent.post(body, headers) == 200
        out = agent.finish()
    finally:
        agent.stop()
    assert accepts(caplog, call_id) == 0 and not srv.calls[call_id].accepted and accepts(caplog, genuine) == 1
    assert "webhook refused" in out and "whsec_" not in out


def test_a_retried_delivery_is_handled_once(srv, caplog):
    caplog.set_level(logging.INFO, logger="local_server")
    agent = RunningAgent(srv, calls=1)
    try:
        call_id = srv.ring()
        body, headers = signed(call_incoming_event(call_id, srv.now()), SECRET, delivery="msg_retried")
        assert agent.post(body, headers) == 200
        assert agent.post(body, headers) == 200   # the same webhook-id again, as a retry sends it
        out = agent.finish()
    finally:
        agent.stop()
    assert accepts(caplog, call_id) == 1
    assert "already handled (a retried delivery), ignored" in out and out.count("hung up") == 1


def test_two_calls_rung_at_once_are_both_handled(srv):
    agent = RunningAgent(srv, calls=2)
    try:
        srv.send_webhooks_to(agent.url, SECRET)
        first, second = srv.ring(), srv.ring()
        out = agent.finish()
    finally:
        agent.stop()
    for call_id in (first, second):
        assert "call %s: joined its session (sideband)" % call_id in out
        assert re.search(r"call %s: tool call lookup_order\(.*\), answered .*shipped" % call_id, out)
        assert "call %s: hung up" % call_id in out
    assert first not in srv.calls and second not in srv.calls   # both ended
