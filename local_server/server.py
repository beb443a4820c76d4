"""The HTTP side: routing, size cap, keys, CORS, OpenAI-shaped errors, minted secrets and calls."""
from __future__ import annotations

import email.parser
import email.policy
import json
import logging
import secrets
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Set, Tuple, Union, cast
from urllib.parse import parse_qs, urlsplit

from local_server import realtime
from local_server.contract import SpecContract
from local_server.errors import error_body, openai_error
from local_server.realtime import EventSchemas, EventSocket
from local_server.sdp import InvalidOffer
from local_server.state import EPHEMERAL_PREFIX, Call, MintedKey, RealtimeState
from local_server.webhooks import DEFAULT_POLICY, Delivery, DeliveryPolicy, WebhookSender

LOG = logging.getLogger("local_server")

DEFAULT_MAX_BODY_BYTES = 1 << 20
DRAIN_FACTOR = 16            # an oversized body up to 16x the cap is read and dropped so the client sees the 413
CREATE_CALL = "create-realtime-call"   # the one operation an ephemeral key may call
CALL_CONTROL = {"accept-realtime-call", "refer-realtime-call", "reject-realtime-call", "hangup-realtime-call"}
CONNECTION_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout)
RING_PATH = "/_local/ring"   # not an API route: stands in for a SIP INVITE reaching OpenAI
EVENTS_PATH = "/realtime"      # under the base path: the WebSocket of a session (local_server/realtime.py)

Body = Union[Dict[str, Any], str, None]   # JSON, text in the Content-Type the headers give, or no body
Answer = Tuple[int, Body, Dict[str, str]]


def unauthorized(message: str, code: Optional[str] = "invalid_api_key") -> Answer:
    return 401, error_body(message, code=code), {}


class LocalRealtimeServer(ThreadingHTTPServer):
    """``with LocalRealtimeServer() as srv:`` serves on a free loopback port in a thread; ``srv.base_url`` is the SDK host.
    The same port speaks the Realtime event protocol at ``/v1/realtime?model=...`` and ``?call_id=...``
    (local_server/realtime.py); ``delta_pause`` (settable) holds each response delta that many seconds.

    ``clock`` (seconds since the epoch) decides when minted keys expire, so tests move time instead of sleeping.
    With ``webhook_url`` and ``webhook_secret``, ``ring()`` (or ``POST /_local/ring``) sends the signed
    ``realtime.call.incoming`` there, retried as ``webhook_policy`` says, waiting through ``sleep``."""

    daemon_threads = True
    request_queue_size = 256   # the standard library's 5 resets most of a burst of 100 clients

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, contract: Optional[SpecContract] = None,
                 api_key: Optional[str] = None, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 clock: Callable[[], float] = time.time, webhook_url: Optional[str] = None,
                 webhook_secret: Optional[str] = None, webhook_policy: DeliveryPolicy = DEFAULT_POLICY,
                 sleep: Callable[[float], None] = time.sleep, delta_pause: float = 0.0) -> None:
        if (webhook_url is None) != (webhook_secret is None):
            raise ValueError("webhook_url and webhook_secret go together")
        self.contract = contract or SpecContract()
        self.state = RealtimeState(self.contract, clock, WebhookSender(
            webhook_url, webhook_secret, policy=webhook_policy, clock=clock, sleep=sleep)
            if webhook_url and webhook_secret else None, sleep)
        self.event_schemas = EventSchemas(self.contract)
        # seconds between a response's deltas: a test holds a response mid-stream to cancel it
        self.delta_pause = delta_pause
        self.api_key = api_key
        self.max_body_bytes = max_body_bytes
        self._thread: Optional[threading.Thread] = None
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return "http://%s:%d%s" % (cast(str, host), port, self.contract.base_path)

    def start(self) -> "LocalRealtimeServer":
        self._thread = threading.Thread(target=self.serve_forever, name="local_server", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
        self.server_close()

    def __enter__(self) -> "LocalRealtimeServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up is routine: one debug line, not a traceback on stderr."""
        error = sys.exc_info()[1]
        if isinstance(error, CONNECTION_GONE):
            LOG.debug("client %s left: %s", client_address[0], type(error).__name__)
        else:
            LOG.exception("error while serving %s", client_address[0])

    # --- the state (local_server/state.py), as callers and tests see it -----------------------------

    @property
    def clock(self) -> Callable[[], float]:
        return self.state.clock

    @property
    def keys(self) -> Dict[str, MintedKey]:
        return self.state.keys

    @property
    def calls(self) -> Dict[str, Call]:
        return self.state.calls

    @property
    def deliveries(self) -> List[Delivery]:
        return self.state.deliveries

    @property
    def webhooks(self) -> Optional[WebhookSender]:
        return self.state.webhooks

    def now(self) -> int:
        return self.state.now()

    def send_webhooks_to(self, url: str, secret: str, policy: DeliveryPolicy = DEFAULT_POLICY) -> None:
        """Where ring() sends its signed webhooks, set once the receiver is listening (it may need this
        server's URL first, as a SIP agent does)."""
        self.state.send_webhooks_to(url, secret, policy)

    def ring(self, sip_headers: Optional[List[Dict[str, str]]] = None) -> str:
        """An incoming SIP call; its call id. With a webhook URL, the signed `realtime.call.incoming`
        for it goes there (on a thread: ``self.deliveries[-1].wait()`` to see it through)."""
        return self.state.ring(sip_headers)

    def delivery(self, call_id: str) -> Delivery:
        """The webhook delivery that announced `call_id`."""
        return self.state.delivery(call_id)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"     # keep-alive, like the real API
    timeout = 30                       # a stalled client cannot hold a thread forever
    server: LocalRealtimeServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # replaced by the one line per request in _dispatch

    def _dispatch(self) -> None:
        started = time.perf_counter()
        request_id = "req_" + secrets.token_hex(12)
        path = urlsplit(self.path).path   # never the query string: it may carry a key
        try:
            if path == self.server.contract.base_path + EVENTS_PATH and self.command == "GET" and \
                    (self.headers.get("Upgrade") or "").lower() == "websocket":
                refused = self._events(path)
                if refused is None:
                    return   # served as a WebSocket until it closed
                status, body, headers = refused
            else:
                status, body, headers = self._answer(path)
        except Exception:  # a bug in the stand-in still gets an answer, and a traceback in the log
            LOG.exception("%s %s failed inside the local server", self.command, path)
            status, body, headers = 500, error_body("The local server failed; see its log.", type_="server_error"), {}
        self._write_answer(path, status, body, headers, request_id, started)

    def _write_answer(self, path: str, status: int, body: Body, headers: Dict[str, str], request_id: str,
                      started: float) -> None:
        if isinstance(body, dict):
            payload, headers = json.dumps(body).encode(), {"Content-Type": "application/json", **headers}
        else:
            payload = (body or "").encode()
        problem = (body.get("error") or {}) if isinstance(body, dict) else {}
        # logged before answering, so the line is out by the time the client has its answer
        LOG.info("%s %s %d %.1fms %s%s", self.command, path, status, (time.perf_counter() - started) * 1000,
                 request_id, "".join(" %s=%s" % (k, problem[k]) for k in ("code", "param") if problem.get(k)))
        if self.headers.get("Origin"):   # browsers call the API from their page's origin
            headers = {"Access-Control-Allow-Origin": "*",
                       "Access-Control-Expose-Headers": "Location, x-request-id", **headers}
        try:
            self.send_response_only(status)
            if status != 204:
                headers = {"Content-Length": str(len(payload)), **headers}
            for name, value in {"x-request-id": request_id, **headers}.items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and status != 204:   # HEAD answers are headers only
                self.wfile.write(payload)
            self.wfile.flush()
        except CONNECTION_GONE:   # the client left before its answer: nothing to tell it
            self.close_connection = True

    def __getattr__(self, name: str) -> Any:
        """Every method (TRACE, CONNECT, PROPFIND, ...) is answered like the API's: a 405 with Allow on
        a known route, never http.server's 501 page."""
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def _answer(self, path: str) -> Answer:
        contract = self.server.contract
        body, refused = self._read_body()   # read on every route, so a kept-alive connection stays in step
        if path == RING_PATH:
            return refused or self._ring(body)
        route = contract.match(path)
        methods = emulated_routes(contract).get(route or "")
        if route is None or methods is None:
            return 404, error_body("Invalid URL (%s %s)" % (self.command, path)), {}
        if self.command == "OPTIONS" and self.headers.get("Origin") and self.headers.get("Access-Control-Request-Method"):
            return self._preflight(methods)
        if self.command not in methods:
            return 405, error_body("Method %s is not allowed on %s" % (self.command, path)), {"Allow": ", ".join(sorted(methods))}
        if refused:
            return refused
        operation_id = contract.operation_id(route, self.command)
        key, denied = self._authenticate(operation_id)
        if denied:
            return denied
        media_type = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip().lower()
        request: Any = None
        try:
            if body and media_type == "application/json":
                request = json.loads(body, parse_constant=_refuse_constant)
            result = contract.unmarshal_request(self.command, path, dict(self.headers.items()), body)
        except RecursionError:
            return 400, error_body("The request body is nested too deeply."), {}
        except ValueError:
            return 400, error_body("We could not parse the JSON body of your request. The body must be a JSON object."), {}
        except AssertionError:   # openapi-core's multipart reader asserts each part has a name
            return 400, error_body("Every multipart part needs a name (Content-Disposition: form-data; name=...)."), {}
        except TypeError:   # openapi-core looks a discriminator's value up in its mapping: an array or object fails
            return 400, error_body("The request body does not match the API: a `type` (or other discriminating field) "
                                   "must be a string.", code="invalid_type"), {}
        if result.errors:
            return 400, openai_error(result.errors, request, media_type), {}
        if request is None and media_type != "application/json":
            request = result.body   # multipart parts, or the SDP text
            unknown = _unknown_form_fields(contract, route, self.command, self.headers.get("Content-Type") or "", body)
            if unknown:
                return 400, error_body("Unknown parameter: '%s'." % unknown, unknown, "unknown_parameter"), {}
        answer = self._operate(operation_id, route, path, request, key)
        self._check_answer(path, answer)
        return answer

    def _operate(self, operation_id: str, route: str, path: str, request: Any, key: Optional[MintedKey]) -> Answer:
        state = self.server.state
        if operation_id in ("create-realtime-client-secret", "create-realtime-translation-client-secret"):
            return 200, state.mint_client_secret(route, request), {}
        if operation_id in ("create-realtime-session", "create-realtime-transcription-session"):
            return 200, state.mint_session(route, request), {}
        if operation_id == CREATE_CALL:
            try:
                call_id, answer = state.open_call(request, key)
            except InvalidOffer as problem:
                return 400, error_body("Invalid SDP offer: %s." % problem, "sdp", "invalid_offer"), {}
            return 201, answer, {"Content-Type": "application/sdp",
                                 "Location": "%s/realtime/calls/%s" % (self.server.contract.base_path, call_id)}
        call_id = path[len(route.split("{", 1)[0]):].split("/", 1)[0]
        if not state.control_call(operation_id, call_id, request):
            return 404, error_body("Call '%s' not found." % call_id, "call_id", "call_not_found"), {}
        return 200, None, {}

    def _events(self, path: str) -> Optional[Answer]:
        """`GET /v1/realtime?model=M` (API key or ek_ key) or `?call_id=rtc_...` (API key; the call open):
        the refusal to answer, or None once the connection has been served as a WebSocket."""
        srv = self.server
        query = parse_qs(urlsplit(self.path).query)
        model = query["model"][0] if query.get("model") else None
        call_id = query["call_id"][0] if query.get("call_id") else None
        if (model is None) == (call_id is None):
            return 400, error_body("Connect with exactly one of ?model= and ?call_id=.", "model", "invalid_value"), {}
        token = _bearer_token(self.headers.get("Authorization"))
        key: Optional[MintedKey] = None
        if token.startswith(EPHEMERAL_PREFIX) and model is not None:
            key, denied = self._authenticate(CREATE_CALL)   # a client secret may start its own session
        else:
            key, denied = self._authenticate(EVENTS_PATH)
        if denied:
            return denied
        call: Optional[Call] = None
        if call_id is not None:
            call = srv.state.open_call_for_events(call_id)
            if call is None:
                return 404, error_body("Call '%s' not found, not accepted yet, or ended." % call_id, "call_id",
                                       "call_not_found"), {}
        settings = call.session if call is not None else (key.session if key is not None else {})
        session = realtime.session_for(model, settings)
        LOG.info("%s %s 101 (events, %s)", self.command, path, "call %s" % call_id if call_id else "model %s" % model)

        def opened(sideband: EventSocket) -> None:
            if call is not None:
                srv.state.join(call, sideband)

        def closed(sideband: EventSocket) -> None:
            if call is not None:
                srv.state.leave(call, sideband)

        self.close_connection = True
        self.connection.settimeout(None)   # a session waits on the client for as long as it likes
        realtime.run(self.connection, realtime.raw_request(self.raw_requestline, self.headers), srv.event_schemas,
                     session, lambda: srv.delta_pause, opened, closed)
        return None

    def _ring(self, body: bytes) -> Answer:
        """POST /_local/ring with the API key and an optional `{"sip_headers": [{"name", "value"}]}`."""
        if self.command != "POST":
            return 405, error_body("Method %s is not allowed on %s" % (self.command, RING_PATH)), {"Allow": "POST"}
        _, denied = self._authenticate(RING_PATH)   # the API key, as call control takes (an ek_ key is refused)
        if denied:
            return denied
        try:
            request = json.loads(body, parse_constant=_refuse_constant) if body.strip() else {}
        except (ValueError, RecursionError):
            return 400, error_body("We could not parse the JSON body of your request."), {}
        headers = request.get("sip_headers") if isinstance(request, dict) else None
        if not isinstance(request, dict) or set(request) - {"sip_headers"} or (headers is not None and not (
                isinstance(headers, list) and all(isinstance(h, dict) and set(h) == {"name", "value"}
                                                  and all(isinstance(v, str) for v in h.values()) for h in headers))):
            return 400, error_body("Send {} or {\"sip_headers\": [{\"name\": ..., \"value\": ...}]}.",
                                   "sip_headers", "invalid_value"), {}
        return 200, {"call_id": self.server.ring(headers)}, {}

    def _check_answer(self, path: str, answer: Answer) -> None:
        """Never send an answer that breaks the spec: that is a bug here, and a 500."""
        status, body, headers = answer
        if status >= 300:
            return
        payload = json.dumps(body).encode() if isinstance(body, dict) else (body or "").encode()
        content_type = "application/json" if isinstance(body, dict) else headers.get("Content-Type")
        violations = self.server.contract.response_errors(self.command, path, status, payload, content_type, headers)
        if violations:
            raise AssertionError("the answer breaks %s: %s" % (self.server.contract.spec_path.name, violations))

    def _preflight(self, methods: Set[str]) -> Answer:
        requested = self.headers.get("Access-Control-Request-Headers") or "Authorization, Content-Type"
        return 204, None, {"Access-Control-Allow-Methods": ", ".join(sorted(methods)),
                           "Access-Control-Allow-Headers": requested, "Access-Control-Max-Age": "600"}

    def _authenticate(self, operation_id: str) -> Tuple[Optional[MintedKey], Optional[Answer]]:
        """The minted key the bearer is (None for the API key), or the 401 to answer."""
        srv = self.server
        token = _bearer_token(self.headers.get("Authorization"))
        if not token:
            return None, unauthorized("You didn't provide an API key. Send it in an Authorization header "
                                      "using Bearer auth (Authorization: Bearer YOUR_KEY).", code=None)
        if token.startswith(EPHEMERAL_PREFIX):
            key = srv.state.key(token)
            if key is None:
                return None, unauthorized("Incorrect API key provided: this client secret was never issued.")
            if operation_id != CREATE_CALL:
                return None, unauthorized("A client secret can only open a call (POST /v1/realtime/calls); "
                                          "use your API key for this operation.")
            if srv.state.expired(key):
                return None, unauthorized("The client secret has expired; mint a new one.", code="expired_client_secret")
            return key, None
        if srv.api_key is not None and not secrets.compare_digest(token, srv.api_key):
            return None, unauthorized("Incorrect API key provided.")
        return None, None

    def _read_body(self) -> Tuple[bytes, Optional[Answer]]:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return b"", (411, error_body("Send the body with a Content-Length header."), {})
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            return b"", (400, error_body("The Content-Length header is not a valid length."), {})
        cap = self.server.max_body_bytes
        if length > cap:
            self.close_connection = True
            unread = length if length <= cap * DRAIN_FACTOR else 0
            while unread > 0:
                chunk = self.rfile.read(min(unread, 1 << 16))
                if not chunk:
                    break
                unread -= len(chunk)
            return b"", (413, error_body("Request body of %d bytes is over the %d byte limit." % (length, cap),
                                         code="request_too_large"), {})
        return self.rfile.read(length), None


EMULATED_OPERATIONS = frozenset({"create-realtime-client-secret", "create-realtime-translation-client-secret",
                                 "create-realtime-session", "create-realtime-transcription-session", CREATE_CALL,
                                 *CALL_CONTROL})


def emulated_routes(contract: SpecContract) -> Dict[str, Set[str]]:
    """{route: methods} of the contract's operations this stand-in answers; an operation a newer spec adds is a 404."""
    routes: Dict[str, Set[str]] = {}
    for route, methods in contract.routes.items():
        emulated = {m for m in methods if contract.operation(route, m).get("operationId") in EMULATED_OPERATIONS}
        if emulated:
            routes[route] = emulated
    return routes


def _bearer_token(header: Optional[str]) -> str:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _refuse_constant(name: str) -> Any:
    raise ValueError("%s is not JSON" % name)


def _unknown_form_fields(contract: SpecContract, route: str, method: str, content_type: str, body: bytes) -> Optional[str]:
    """The first multipart part a closed (additionalProperties: false) form schema does not declare
    (openapi-core drops such parts silently; the API refuses them)."""
    media_type = content_type.split(";")[0].strip().lower()
    content = (contract.operation(route, method).get("requestBody") or {}).get("content") or {}
    schema = contract.resolve((content.get(media_type) or {}).get("schema") or {})
    if media_type != "multipart/form-data" or schema.get("additionalProperties", True) is not False:
        return None
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    names = [part.get_param("name", header="content-disposition") for part in message.iter_parts()]
    return next((str(name) for name in names if name not in (schema.get("properties") or {})), None)
