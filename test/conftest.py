"""Shared fixtures: the spec, a scripted HTTP server on 127.0.0.1 that records and
contract-checks what crosses the wire, and clients pointed at it."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, List, Union

import pytest

import openapi_client
from local_server.contract import SpecContract, describe

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"
CONTRACT = SpecContract(SPEC_PATH)   # the same openapi-core checks the local server makes
SPEC = CONTRACT.spec
OPERATION_PATH = "/v1/realtime/sessions"
TEST_KEY = "sk-test-0123456789abcdef"
GENERATOR = Path(sys.executable).with_name("openapi-generator-cli")   # the pinned one, in the venv running the tests

# The operation's own example response (x-oaiMeta), with fields the schema does not declare.
EXAMPLE_RESPONSE = json.loads(SPEC["paths"]["/realtime/sessions"]["post"]["x-oaiMeta"]["examples"]["response"])

# A beta session request (POST /realtime/sessions) setting every field, as JSON.
FULL_SESSION_REQUEST = {
    "client_secret": {"expires_after": {"anchor": "created_at", "seconds": 120}},
    "modalities": ["text"],
    "model": "gpt-realtime",
    "instructions": "You are a friendly assistant.",
    "voice": "marin",
    "input_audio_format": "pcm16",
    "output_audio_format": "pcm16",
    "input_audio_transcription": {"model": "gpt-4o-transcribe", "language": "en", "prompt": "expect tech words"},
    "input_audio_noise_reduction": {"type": "near_field"},
    "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500,
                       "create_response": True, "interrupt_response": True},
    "tools": [{"type": "function", "name": "get_weather", "description": "Weather for a city",
               "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}],
    "tool_choice": "auto",
    "temperature": 0.8,
    "max_response_output_tokens": "inf",
    "speed": 1.1,
    "tracing": {"workflow_name": "support", "group_id": "g1", "metadata": {"tier": "gold"}},
}


def contract_errors_for_request(method: str, path: str, headers: Dict[str, str], body: bytes) -> List[str]:
    return [describe(e) for e in CONTRACT.request_errors(method, path, headers, body)]


def contract_errors_for_response(path: str, body: bytes, status: int) -> List[str]:
    return CONTRACT.response_errors("POST", path, status, body)


def json_schema(name: str) -> dict:
    """An OpenAPI 3.0 schema from openapi.yaml as JSON Schema ($refs inlined, nullable as type lists)."""
    def convert(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return convert(SPEC["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
            out = {k: convert(v) for k, v in node.items()
                   if k not in ("nullable", "description", "x-oaiMeta", "example", "default")}
            if node.get("nullable"):
                out = {"anyOf": [out, {"type": "null"}]}
            return out
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node
    schema = convert(SPEC["components"]["schemas"][name])
    if "properties" in schema:   # a union's members are closed already; at its top this would refuse every object
        schema["additionalProperties"] = False  # unknown fields are tested separately
    return schema


@dataclass
class Reply:
    status: int = 200
    body: Union[bytes, str, dict, None] = None
    headers: Dict[str, Any] = field(default_factory=dict)   # a list value: the header once per item
    delay: float = 0.0          # seconds to wait before answering
    truncate: bool = False      # announce more bytes than are sent, then close
    trickle: float = 0.0        # seconds between the body's bytes
    chunked_cut: bool = False   # chunked transfer encoding, cut off before the last chunk
    contract: bool = True       # a 200 JSON body is checked against the spec

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


@dataclass
class Seen:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class ScriptedServer:
    """Answers with the scripted replies in order (the last one repeats), records
    every request, and collects contract violations instead of raising in a thread."""

    def __init__(self) -> None:
        self.replies: List[Union[Reply, Callable[[Seen], Reply]]] = [Reply(body=EXAMPLE_RESPONSE)]
        self.requests: List[Seen] = []
        self.contract_violations: List[str] = []
        self.check_requests = True
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
                with server._lock:
                    server.requests.append(seen)
                    reply = server.replies[min(len(server.requests) - 1, len(server.replies) - 1)]
                if callable(reply):
                    reply = reply(seen)
                if server.check_requests and self.path in CONTRACT.routes:
                    server.contract_violations += contract_errors_for_request(self.command, self.path, seen.headers, seen.body)
                payload = reply.payload()
                if reply.contract and reply.status == 200 and payload:
                    server.contract_violations += contract_errors_for_response(self.path, payload, 200)
                if reply.delay:
                    threading.Event().wait(reply.delay)
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    # a None value leaves the header out (a body with no Content-Type); a list repeats it
                    for each in (value if isinstance(value, (list, tuple)) else [] if value is None else [value]):
                        self.send_header(name, each)
                if reply.chunked_cut:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(payload) + (50 if reply.truncate else 0)))
                self.end_headers()
                try:
                    if reply.chunked_cut:   # one chunk of half the body, then the connection closes
                        half = payload[: len(payload) // 2]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(half), half))
                    elif reply.trickle:
                        for index in range(len(payload)):
                            self.wfile.write(payload[index:index + 1])
                            self.wfile.flush()
                            threading.Event().wait(reply.trickle)
                    else:
                        self.wfile.write(payload)
                    self.wfile.flush()
                except OSError:
                    pass
                if reply.truncate or reply.chunked_cut:
                    self.close_connection = True

            do_POST = do_GET = do_PUT = do_DELETE = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 256   # bursts of clients (the token server test) are not reset
        self.httpd.server_bind()
        self.httpd.server_activate()
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return "http://127.0.0.1:%d/v1" % self.httpd.server_address[1]

    def script(self, *replies) -> None:
        self.replies = list(replies)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()   # a serving thread that ends later frees the server while another test counts garbage


@pytest.fixture
def server():
    srv = ScriptedServer()
    yield srv
    srv.close()
    assert srv.contract_violations == [], "request or response broke openapi.yaml"


def make_api(base_url: str, **config) -> openapi_client.RealtimeApi:
    config.setdefault("access_token", TEST_KEY)
    config.setdefault("retry_backoff_factor", 0.01)   # fast backoff in tests, set through configuration
    config.setdefault("retry_backoff_jitter", 0.0)
    configuration = openapi_client.Configuration(host=base_url, **config)
    return openapi_client.RealtimeApi(openapi_client.ApiClient(configuration))


@pytest.fixture
def api(server):
    return make_api(server.base_url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def full_session_request() -> openapi_client.RealtimeSessionCreateRequest:
    return openapi_client.RealtimeSessionCreateRequest.from_dict(FULL_SESSION_REQUEST)


class Clock:
    """An injectable clock for the local server: tests move `now` instead of sleeping."""

    def __init__(self, now: float = 1_800_000_000) -> None:
        self.now = now
        self.slept: List[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """The server's waits (webhook retries) move this clock instead of the test's time."""
        self.slept.append(seconds)
        self.now += seconds


# ------------------------------------------------------------------ one call through the sync and the async client

def configuration(host: str, **settings: Any) -> openapi_client.Configuration:
    settings.setdefault("access_token", TEST_KEY)
    settings.setdefault("retries", 0)
    return openapi_client.Configuration(host=host, **settings)


def sync_call(config: openapi_client.Configuration, call: Callable[[Any], Any], client_setup=None) -> Any:
    client = openapi_client.ApiClient(config)
    if client_setup:
        client_setup(client)
    return call(openapi_client.RealtimeApi(client))


def async_call(config: openapi_client.Configuration, call: Callable[[Any], Any], client_setup=None) -> Any:
    from openapi_client import aio   # aiohttp only for the async half

    async def main():
        async with aio.ApiClient(config) as client:
            if client_setup:
                client_setup(client)
            return await call(aio.RealtimeApi(client))
    return asyncio.run(main())


CLIENTS = pytest.mark.parametrize("invoke", [sync_call, async_call], ids=["sync", "async"])
GA_ANSWER = json.loads(SPEC["paths"]["/realtime/client_secrets"]["post"]["x-oaiMeta"]["examples"]["response"])
MINT = lambda api: api.create_realtime_client_secret(openapi_client.RealtimeCreateClientSecretRequest())   # noqa: E731


def every_field(schema: Any) -> Any:
    """The schema with every declared property required, as Prism's answers fill them all in."""
    if isinstance(schema, dict):
        out = {key: every_field(value) for key, value in schema.items()}
        if isinstance(out.get("properties"), dict):
            out["required"] = sorted(out["properties"])
        return out
    if isinstance(schema, list):
        return [every_field(item) for item in schema]
    return schema


def mypy_strict(*paths: Path) -> "subprocess.CompletedProcess[str]":
    """mypy --strict on sample apps, with the working tree's openapi_client."""
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", *map(str, paths)], cwd=ROOT,
                          env=dict(os.environ, MYPYPATH=str(ROOT)), capture_output=True, text=True, timeout=300)
