"""The examples run as users run them: the quick start, `make demo`'s runner and the token endpoint."""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
import socket
import time

import pytest
import urllib3

from local_server import LocalRealtimeServer
from conftest import ROOT, SPEC, TEST_KEY, Reply, make_api

sys.path.insert(0, str(ROOT / "examples"))
import token_server  # noqa: E402  (an example script, not a package)

EK = re.compile(r"ephemeral key:\s+(ek_[0-9a-f]{32})")


def run_example(base_url, key):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.update(PYTHONPATH=str(ROOT), **({"OPENAI_API_KEY": key} if key else {}), OPENAI_BASE_URL=base_url)
    return subprocess.run([sys.executable, str(ROOT / "examples" / "create_session.py")], env=env,
                          capture_output=True, text=True, timeout=60)


def test_quick_start_mints_a_session_and_prints_its_key_and_expiry():
    with LocalRealtimeServer(api_key=TEST_KEY) as srv:
        result = run_example(srv.base_url, TEST_KEY)
    assert result.returncode == 0, result.stderr
    assert EK.search(result.stdout)
    expires_in = int(re.search(r"expires at: .*\(in (\d+) s\)", result.stdout).group(1))
    assert 55 <= expires_in <= 60
    settings = json.loads(result.stdout.split("session:\n", 1)[1].split("\nephemeral key:", 1)[0])
    assert settings["turn_detection"]["silence_duration_ms"] == 500 and settings["tools"][0]["name"] == "get_weather"
    assert "client_secret" not in settings


def test_quick_start_without_a_key_says_what_to_do_and_fails():
    result = run_example("http://127.0.0.1:9/v1", None)
    assert result.returncode == 2 and "set OPENAI_API_KEY" in result.stderr


def test_quick_start_against_a_server_that_refuses_prints_a_redacted_error():
    with LocalRealtimeServer(api_key="sk-other") as srv:
        result = run_example(srv.base_url, TEST_KEY)
    assert result.returncode == 1 and "(401)" in result.stderr and TEST_KEY not in result.stderr + result.stdout


def test_demo_runner_mints_a_key_opens_a_call_talks_on_it_and_stops_the_server():
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    result = subprocess.run([sys.executable, "-m", "tools.demo"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert EK.search(result.stdout) and "demo: local server at http://127.0.0.1:" in result.stdout
    assert re.search(r"session: +realtime sess_[0-9a-f]{24} \(gpt-realtime, voice marin\)", result.stdout)
    assert re.search(r"expires at: .*\(in (59\d|600) s\)", result.stdout)
    call_id = re.search(r"call opened: +(rtc_[0-9a-f]{32})", result.stdout).group(1)
    # joined the call's session, said one thing, printed the streamed reply, then hung up
    assert re.search(r"reply: +You said: What is the weather like in Lyon in May\? \(completed\)", result.stdout)
    assert "GET /v1/realtime 101 (events, call %s)" % call_id in result.stderr
    assert "POST /v1/realtime/client_secrets 200" in result.stderr and "POST /v1/realtime/calls 201" in result.stderr
    assert "POST /v1/realtime/calls/%s/hangup 200" % call_id in result.stderr


def test_a_key_from_the_token_endpoint_opens_a_call_on_the_local_server():
    with LocalRealtimeServer(api_key=TEST_KEY) as api_server:
        backend = token_server.make_server(make_api(api_server.base_url), port=0)
        threading.Thread(target=backend.serve_forever, daemon=True).start()
        try:
            secret = urllib3.request("GET", "http://127.0.0.1:%d/session" % backend.server_address[1]).json()
        finally:
            backend.shutdown()
            backend.server_close()
        answer = urllib3.request("POST", api_server.base_url + "/realtime/calls",
                                 body=(ROOT / "examples" / "offer.sdp").read_bytes(),
                                 headers={"Authorization": "Bearer " + secret["value"], "Content-Type": "application/sdp"})
        assert answer.status == 201 and answer.data.startswith(b"v=0\r\n")
        assert answer.headers["Location"].rsplit("/", 1)[1] in api_server.calls


GA_EXAMPLE = json.loads(SPEC["paths"]["/realtime/client_secrets"]["post"]["x-oaiMeta"]["examples"]["response"])


@pytest.fixture
def token_endpoint(server):
    """The token server in a thread, its SDK client pointed at a scripted server that answers
    client_secrets with fresh keys and records exactly what the token server sent."""
    counter = iter(range(1000))

    def fresh_secret(seen):
        answer = json.loads(SPEC["paths"]["/realtime/client_secrets"]["post"]["x-oaiMeta"]["examples"]["response"])
        answer["value"] = "ek_%032x" % next(counter)
        answer["expires_at"] = int(time.time()) + seen.json()["expires_after"]["seconds"]
        return Reply(body=answer)

    server.script(fresh_secret)
    api = make_api(server.base_url)
    backend = token_server.make_server(api, port=0)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    yield server, api, "http://127.0.0.1:%d" % backend.server_address[1]
    backend.shutdown()
    backend.server_close()


def test_token_endpoint_hands_the_browser_a_fresh_ephemeral_key(token_endpoint):
    upstream, _, url = token_endpoint
    response = urllib3.request("GET", url + "/session")
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    secret = response.json()
    assert re.fullmatch(r"ek_[0-9a-f]{32}", secret["value"])
    assert abs(secret["expires_at"] - (time.time() + 600)) < 5
    assert secret["session"]["type"] == "realtime"
    assert TEST_KEY not in response.data.decode()
    sent = upstream.requests[0]
    assert sent.path == "/v1/realtime/client_secrets" and sent.headers["Authorization"] == "Bearer " + TEST_KEY
    assert sent.json()["session"] == {"type": "realtime", "model": "gpt-realtime",
                                      "instructions": "You are a friendly assistant.",
                                      "audio": {"output": {"voice": "marin"}}}
    again = urllib3.request("GET", url + "/session").json()
    assert again["value"] != secret["value"]


def test_a_burst_of_200_pages_asking_at_once_all_get_a_key(server):
    """200 browsers connect before the token server accepts any (the worst burst): the kernel must
    queue every connection, and each then gets its key."""
    server.script(lambda seen: Reply(body=dict(GA_EXAMPLE, value="ek_%032x" % len(server.requests))))
    backend = token_server.make_server(make_api(server.base_url), port=0)   # listening, not yet accepting
    port = backend.server_address[1]
    clients = []
    serving = threading.Thread(target=backend.serve_forever, daemon=True)
    try:
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)   # a dropped SYN would time out here
            sock.sendall(b"GET /session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            clients.append(sock)
        serving.start()
        statuses = []
        deadline = time.monotonic() + 60   # a hang guard (the burst takes seconds), not a time target
        for sock in clients:
            answer = b""
            try:
                while True:
                    sock.settimeout(max(0.1, deadline - time.monotonic()))
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
            except socket.timeout:
                pass
            statuses.append(answer.split(b" ", 2)[1] if answer.count(b" ") >= 2 else b"no answer")
        assert statuses == [b"200"] * 200
    finally:
        for sock in clients:
            sock.close()
        if serving.is_alive():   # shutdown() waits for a serve_forever that never started otherwise
            backend.shutdown()
        backend.server_close()


def test_token_endpoint_failure_is_a_502_without_details_or_keys(token_endpoint, caplog):
    upstream, api, url = token_endpoint
    upstream.script(Reply(status=401, body={"error": {"message": "Incorrect API key provided: sk-rot***", "type":
                                                      "invalid_request_error", "param": None, "code": "invalid_api_key"}}))
    with caplog.at_level(logging.INFO):
        response = urllib3.request("GET", url + "/session")
    assert response.status == 502 and response.json() == {"error": "could not mint a Realtime session"}
    assert "minting a session failed: (401)" in caplog.text
    assert TEST_KEY not in caplog.text


def test_token_endpoint_serves_the_page_its_config_and_nothing_else(token_endpoint):
    upstream, _, url = token_endpoint
    page = urllib3.request("GET", url + "/")
    assert page.status == 200 and b'<script src="app.js">' in page.data
    assert urllib3.request("GET", url + "/app.js").headers["Content-Type"].startswith("text/javascript")
    assert urllib3.request("GET", url + "/config.json").json() == {"api_base": upstream.base_url}
    assert urllib3.request("GET", url + "/../token_server.py").status == 404
    assert urllib3.request("GET", url + "/favicon.ico").status == 404


def test_client_secret_example_mints_a_key_on_the_current_path(server):
    """examples/create_client_secret.py against a server answering the operation's own example."""
    example = json.loads(SPEC["paths"]["/realtime/client_secrets"]["post"]["x-oaiMeta"]["examples"]["response"])
    server.script(Reply(body=example))
    env = dict(os.environ, OPENAI_API_KEY="sk-example-key", OPENAI_BASE_URL=server.base_url, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "create_client_secret.py")], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "ephemeral key:  ek_68af296e8e408191a1120ab6383263c2" in result.stdout and "session type:   realtime" in result.stdout
    (seen,) = server.requests
    assert seen.path == "/v1/realtime/client_secrets"
    assert seen.json() == {"expires_after": {"anchor": "created_at", "seconds": 600},
                           "session": {"type": "realtime", "model": "gpt-realtime",
                                       "instructions": "You are a friendly assistant.",
                                       "audio": {"output": {"voice": "marin"}}}}
