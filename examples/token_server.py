"""A backend route that mints an ephemeral Realtime key (a client secret) for a browser client.

    OPENAI_API_KEY=sk-... python examples/token_server.py --port 3000
    then open http://127.0.0.1:3000/ (examples/browser/: the page that opens a call with the key)
    browser: const secret = await (await fetch("/session")).json();
             // secret.value is the bearer for POST <api base>/realtime/calls (the WebRTC offer)

Routes: GET /session (the key), GET /config.json (the API base the page posts its offer to: the
SDK's host, so OPENAI_BASE_URL points both at the local server), and the page itself.

The API key stays on the server; the browser only ever sees the ephemeral key (ten minutes here).
The session settings are chosen here, not by the browser.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Optional, Tuple

import openapi_client
from openapi_client.exceptions import ApiConnectionError, ApiException, ApiTimeoutError

LOG = logging.getLogger("token_server")
PAGE_DIR = Path(__file__).resolve().parent / "browser"
PAGE_FILES = {"/": ("index.html", "text/html; charset=utf-8"), "/index.html": ("index.html", "text/html; charset=utf-8"),
              "/app.js": ("app.js", "text/javascript; charset=utf-8")}
SESSION_SETTINGS = openapi_client.RealtimeCreateClientSecretRequest(
    expires_after=openapi_client.ClientSecretExpiration(anchor="created_at", seconds=600),
    session=openapi_client.RealtimeSessionCreateRequestGA(
        type="realtime", model="gpt-realtime", instructions="You are a friendly assistant.",
        audio=openapi_client.RealtimeSessionCreateRequestGAAudio(
            output=openapi_client.RealtimeSessionCreateRequestGAAudioOutput(voice="marin"))))


def mint(api: openapi_client.RealtimeApi) -> Tuple[int, Dict[str, Any]]:
    """(status, JSON body) for the browser; failures say what happened, never with a key in them."""
    try:
        secret = api.create_realtime_client_secret(SESSION_SETTINGS)
    except ApiTimeoutError:
        LOG.warning("minting a session timed out")
        return 504, {"error": "the Realtime API did not answer in time"}
    except (ApiException, ApiConnectionError) as error:   # str() of SDK errors is redacted
        LOG.warning("minting a session failed: %s", error)
        return 502, {"error": "could not mint a Realtime session"}
    return 200, secret.to_dict()


def make_server(api: openapi_client.RealtimeApi, host: str = "127.0.0.1", port: int = 3000,
                api_base: Optional[str] = None) -> ThreadingHTTPServer:
    """`api_base`: where the browser posts its offer; by default the API the keys are minted on."""
    api_base = api_base or api.api_client.configuration.host

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            LOG.info("%s %s", self.command, self.path.split("?", 1)[0])

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in PAGE_FILES:
                name, content_type = PAGE_FILES[path]
                self.answer(200, (PAGE_DIR / name).read_bytes(), content_type)
                return
            if path == "/session":
                status, body = mint(api)
            elif path == "/config.json":
                status, body = 200, {"api_base": api_base}
            else:
                status, body = 404, {"error": "not found"}
            self.answer(status, json.dumps(body).encode(), "application/json")

        def answer(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Cache-Control", "no-store")   # an ephemeral key must not be cached
            self.end_headers()
            self.wfile.write(payload)

    return TokenServer((host, port), Handler)


class TokenServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256   # the standard library's 5 drops connections when many pages load at once


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s token_server %(message)s")
    configuration = openapi_client.Configuration()
    if not configuration.access_token:
        parser.error("set OPENAI_API_KEY: the server mints keys with it")
    # One client for the whole process: it is thread-safe and keeps its connections alive.
    api = openapi_client.RealtimeApi(openapi_client.ApiClient(configuration))
    server = make_server(api, args.host, args.port)
    print("token_server: GET http://%s:%d/session" % (args.host, server.server_address[1]), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
