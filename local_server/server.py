"""The HTTP side: routing, size cap, bearer check, OpenAI-shaped errors and freshly minted sessions."""
from __future__ import annotations

import copy
import json
import logging
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Set, Tuple, cast
from urllib.parse import urlsplit

from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.validation.request.exceptions import MissingRequiredRequestBody

from local_server.contract import SpecContract

LOG = logging.getLogger("local_server")

DEFAULT_MAX_BODY_BYTES = 1 << 20
DRAIN_FACTOR = 16            # an oversized body up to 16x the cap is read and dropped so the client sees the 413
KEY_TTL_SECONDS = 60
DEFAULT_MODEL = "gpt-4o-realtime-preview"
# The operations of openapi.yaml this stand-in answers; the others are a 404 until it emulates them.
EMULATED_PATHS = frozenset({"/realtime/sessions"})


def emulated_routes(contract: SpecContract) -> Dict[str, Set[str]]:
    """{full path: methods} of the contract's routes this stand-in answers."""
    return {path: methods for path, methods in contract.routes.items()
            if path[len(contract.base_path):] in EMULATED_PATHS}
# What the API fills in for fields a client leaves out; only fields the response schema declares are answered.
SESSION_DEFAULTS: Dict[str, Any] = {
    "modalities": ["text", "audio"],
    "instructions": "Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI.",
    "voice": "alloy",
    "input_audio_format": "pcm16",
    "output_audio_format": "pcm16",
    "input_audio_transcription": None,
    "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500},
    "tools": [],
    "tool_choice": "auto",
    "temperature": 0.8,
    "max_response_output_tokens": "inf",
}
JSON_TYPE_NAMES = {str: "string", bool: "boolean", int: "integer", float: "number", dict: "object",
                   list: "array", type(None): "null"}

Answer = Tuple[int, Dict[str, Any], Dict[str, str]]


def error_body(message: str, param: Optional[str] = None, code: Optional[str] = None,
               type_: str = "invalid_request_error") -> Dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


class LocalRealtimeServer(ThreadingHTTPServer):
    """``with LocalRealtimeServer() as srv:`` serves on a free loopback port in a thread; ``srv.base_url`` is the SDK host."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, contract: Optional[SpecContract] = None,
                 api_key: Optional[str] = None, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 clock: Callable[[], float] = time.time) -> None:
        self.contract = contract or SpecContract()
        self.api_key = api_key
        self.max_body_bytes = max_body_bytes
        self.clock = clock
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

    def mint_session(self, path: str, request: Dict[str, Any]) -> Dict[str, Any]:
        """The session the API would answer: what the client sent, defaults for the rest, a fresh key."""
        session: Dict[str, Any] = {"id": "sess_" + secrets.token_hex(12), "object": "realtime.session",
                                   "model": request.get("model", DEFAULT_MODEL)}
        declared = self.contract.response_schema(path, "POST").get("properties", {})
        for name in declared:
            if name in session or name == "client_secret":
                continue
            if name in request:
                sent, default = request[name], SESSION_DEFAULTS.get(name)
                session[name] = {**default, **sent} if isinstance(sent, dict) and isinstance(default, dict) else sent
            elif name in SESSION_DEFAULTS:
                session[name] = copy.deepcopy(SESSION_DEFAULTS[name])
        session["client_secret"] = {"value": "ek_" + secrets.token_hex(16),
                                    "expires_at": int(self.clock()) + KEY_TTL_SECONDS}
        return session


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
            status, body, headers = self._answer(path)
        except Exception:  # a bug in the stand-in still gets an answer, and a traceback in the log
            LOG.exception("%s %s failed inside the local server", self.command, path)
            status, body, headers = 500, error_body("The local server failed; see its log.", type_="server_error"), {}
        payload = json.dumps(body).encode()
        problem = body.get("error") or {}
        # logged before answering, so the line is out by the time the client has its answer
        LOG.info("%s %s %d %.1fms %s%s", self.command, path, status, (time.perf_counter() - started) * 1000,
                 request_id, "".join(" %s=%s" % (k, problem[k]) for k in ("code", "param") if problem.get(k)))
        self.send_response_only(status)
        for name, value in {"Content-Type": "application/json", "Content-Length": str(len(payload)),
                            "x-request-id": request_id, **headers}.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def _answer(self, path: str) -> Answer:
        contract = self.server.contract
        body, refused = self._read_body()   # read on every route, so a kept-alive connection stays in step
        methods = emulated_routes(contract).get(path)
        if methods is None:
            return 404, error_body("Invalid URL (%s %s)" % (self.command, path)), {}
        if self.command not in methods:
            return 405, error_body("Method %s is not allowed on %s" % (self.command, path)), {"Allow": ", ".join(sorted(methods))}
        if refused:
            return refused
        token = _bearer_token(self.headers.get("Authorization"))
        if not token:
            return 401, error_body("You didn't provide an API key. Send it in an Authorization header "
                                   "using Bearer auth (Authorization: Bearer YOUR_KEY)."), {}
        if self.server.api_key is not None and not secrets.compare_digest(token, self.server.api_key):
            return 401, error_body("Incorrect API key provided.", code="invalid_api_key"), {}
        try:
            request = json.loads(body, parse_constant=_refuse_constant) if body else None
        except ValueError:
            return 400, error_body("We could not parse the JSON body of your request. The body must be a JSON object."), {}
        errors = contract.request_errors(self.command, path, dict(self.headers.items()), body)
        if errors:
            return (400, _openai_error(errors, request), {})
        assert isinstance(request, dict)   # the spec's schema is an object, and it validated
        session = self.server.mint_session(path, request)
        payload = json.dumps(session).encode()
        violations = contract.response_errors(self.command, path, 200, payload)
        if violations:
            raise AssertionError("the minted session breaks %s: %s" % (contract.spec_path.name, violations))
        return 200, session, {}

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


def _bearer_token(header: Optional[str]) -> str:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _refuse_constant(name: str) -> Any:
    raise ValueError("%s is not JSON" % name)


def _openai_error(errors: Any, request: Any) -> Dict[str, Any]:
    """The first problem, in the order the client wrote its fields, as the OpenAI error object."""
    schema_errors: List[Any] = []
    for error in errors:
        schema_errors += getattr(error.__cause__, "schema_errors", None) or ()
    if not schema_errors:
        problem = errors[0].__cause__ or errors[0]
        if isinstance(problem, MediaTypeNotFound):
            return error_body("Unsupported Content-Type: send the body as application/json.")
        if isinstance(errors[0], MissingRequiredRequestBody):
            return error_body("Missing request body: send a JSON object.")
        return error_body("The request does not match the API: %s." % type(problem).__name__)
    keys = list(request) if isinstance(request, dict) else []
    first = min(schema_errors, key=lambda e: (keys.index(e.absolute_path[0]) if e.absolute_path and e.absolute_path[0] in keys
                                              else len(keys), [str(p) for p in e.absolute_path]))
    return _describe_schema_error(first)


def _param(path: List[Any]) -> Optional[str]:
    text = "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in path).lstrip(".")
    return text or None


def _show(value: Any) -> str:
    return "'%s'" % value if isinstance(value, str) else json.dumps(value)


def _a(type_name: str) -> str:
    return ("an " if type_name[0] in "aeiou" else "a ") + type_name


def _describe_schema_error(error: Any) -> Dict[str, Any]:
    path = list(error.absolute_path)
    param = _param(path)
    where = "'%s'" % param if param else "the body"
    if error.validator == "required":
        missing = next(name for name in error.validator_value if name not in error.instance)
        return error_body("Missing required parameter: '%s'." % _param(path + [missing]),
                          _param(path + [missing]), "missing_required_parameter")
    if error.validator == "enum":
        return error_body("Invalid value: %s. Supported values are: %s." % (
            _show(error.instance), ", ".join(_show(v) for v in error.validator_value)), param, "invalid_value")
    if error.validator == "type":
        return error_body("Invalid type for %s: expected %s, but got %s instead." % (
            where, _a(str(error.validator_value)), _a(JSON_TYPE_NAMES.get(type(error.instance), "value"))),
            param, "invalid_type")
    if error.validator in ("oneOf", "anyOf"):
        forms = [", ".join(_show(v) for v in option["enum"]) if "enum" in option else _a(option.get("type", "value"))
                 for option in error.validator_value]
        return error_body("Invalid value for %s: %s is not %s." % (where, _show(error.instance), " or ".join(forms)),
                          param, "invalid_value")
    return error_body("Invalid value for %s: %s." % (where, error.message), param, "invalid_value")
