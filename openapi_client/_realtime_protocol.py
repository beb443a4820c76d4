"""The Realtime events connection's decisions, with no I/O (as h11 and wsproto are shaped): the
URL and headers of the handshake, checking a client event before it is sent, parsing a server
event, and which package error a refused handshake or a close is. openapi_client.realtime (sync)
and openapi_client.aio.realtime (async) are thin WebSocket transports over it."""
from __future__ import annotations

import functools
import json
import logging
import ssl
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple, Union, cast
from urllib.parse import urlencode, urlsplit, urlunsplit

from openapi_client._runtime import (REDACTED, WIRE_OPTIONS, check_base_url, check_header_fields, enum_values,
                                     parsing_server_response)
from openapi_client.exceptions import ApiConnectionError, ApiException, ApiValueError

if TYPE_CHECKING:
    from openapi_client.api_client import ApiClient
    from openapi_client.configuration import Configuration
    from openapi_client.models import RealtimeClientEvent

# Normal closure and "going away": a connection that ends with either ended as it should.
NORMAL_CLOSE_CODES = frozenset({1000, 1001})
EXTRA_HINT = "openapi_client.realtime needs a WebSocket library: pip install 'openai-realtime-sessions[realtime]'"

ServerEvent = Any   # a generated server-event model, or openapi_client.UnknownEvent
ClientEventInput = Union["RealtimeClientEvent", Any, Dict[str, Any]]


class RealtimeConnectionClosed(ApiConnectionError):
    """The events connection is closed: `code` and `reason` are the WebSocket close frame's (1006:
    none arrived). Iterating a connection ends quietly on a normal close (1000, 1001)."""

    def __init__(self, code: int, reason: str) -> None:
        self.code, self.reason = code, reason
        super().__init__("the Realtime connection closed (%d%s)" % (code, ": " + reason if reason else ""))

    @property
    def normal(self) -> bool:
        return self.code in NORMAL_CLOSE_CODES


class HandshakeAnswer:
    """A refused handshake's HTTP answer, shaped as ApiException reads one."""

    def __init__(self, status: int, reason: str, headers: Mapping[str, str], body: bytes) -> None:
        self.status, self.reason, self.headers, self.data = status, reason, headers, body

    def getheaders(self) -> Mapping[str, str]:
        return self.headers


class Handshake:
    """What the transports open: the URL, the headers, the TLS and proxy settings and the key (for
    the log filter only), all from one Configuration and ApiClient."""

    def __init__(self, url: str, headers: Dict[str, str], ssl_context: Optional[ssl.SSLContext],
                 proxy: Optional[str], open_timeout: Optional[float], secret: Optional[str]) -> None:
        self.url, self.headers, self.ssl_context = url, headers, ssl_context
        self.proxy, self.open_timeout, self.secret = proxy, open_timeout, secret

    def __repr__(self) -> str:   # never the key
        return "Handshake(url=%r)" % self.url


def events_url(host: str, *, model: Optional[str], call_id: Optional[str]) -> str:
    """`<host>/realtime?model=...` or `?call_id=...`, with http(s) turned into ws(s)."""
    if (model is None) == (call_id is None):
        raise ApiValueError("connect takes exactly one of model= (start a session) and call_id= (join a call)")
    for name, value in (("model", model), ("call_id", call_id)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ApiValueError("%s must be a non-empty string, not %r" % (name, value))
    parts = urlsplit(check_base_url(host))   # refused as REST calls refuse it
    scheme = {"http": "ws", "https": "wss"}[parts.scheme.lower()]
    query = urlencode({"model": model} if model is not None else {"call_id": call_id})
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + "/realtime", query, ""))


def ssl_context_for(configuration: "Configuration") -> ssl.SSLContext:
    """The TLS settings REST calls use (CA file or data, client certificate, verify_ssl)."""
    context = ssl.create_default_context(cafile=configuration.ssl_ca_cert, cadata=configuration.ca_cert_data)
    if configuration.cert_file:
        context.load_cert_chain(configuration.cert_file, keyfile=configuration.key_file)
    if not configuration.verify_ssl:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def open_timeout_of(configuration: "Configuration") -> Optional[float]:
    """The connect part of Configuration.timeout, read as REST calls read it (rest.as_timeout)."""
    from openapi_client.rest import as_timeout
    timeout = as_timeout(configuration.timeout)
    connect = timeout.connect_timeout if timeout is not None else None
    return float(connect) if isinstance(connect, (int, float)) and not isinstance(connect, bool) else None


def handshake(api_client: "ApiClient", *, model: Optional[str], call_id: Optional[str]) -> Handshake:
    configuration = api_client.configuration
    url = events_url(configuration.host, model=model, call_id=call_id)
    headers = {str(k): str(v) for k, v in api_client.default_headers.items()}
    secret: Optional[str] = None
    for setting in configuration.auth_settings().values():
        auth = cast(Dict[str, Any], setting)
        if auth["in"] == "header":
            headers[auth["key"]] = str(auth["value"])
            if auth["key"].lower() == "authorization":
                secret = str(auth["value"]).partition(" ")[2] or None
    check_header_fields(headers)
    proxy: Optional[str] = None
    if configuration.proxy:
        from openapi_client.rest import should_bypass_proxies
        parts = urlsplit(configuration.host)
        origin = "%s://%s" % (parts.scheme, parts.netloc)
        proxy = None if should_bypass_proxies(origin, configuration.no_proxy or "") else configuration.proxy
    context = ssl_context_for(configuration) if url.startswith("wss:") else None
    return Handshake(url, headers, context, proxy, open_timeout_of(configuration), secret)


def websocket_options(shake: Handshake) -> Dict[str, Any]:
    """The websockets client's connect() arguments, the same for the sync and the asyncio client."""
    return {"additional_headers": shake.headers, "user_agent_header": None, "ssl": shake.ssl_context,
            "proxy": shake.proxy, "open_timeout": shake.open_timeout, "max_size": None,   # audio events are large
            "logger": websocket_logger("websockets.client", shake.secret)}


def connect_failure(shake: Handshake, error: Exception) -> Optional[Exception]:
    """The package error for a websockets failure while opening: the REST error of a refused
    handshake's status, or ApiConnectionError; None for an error that is not the connection's."""
    from websockets.exceptions import InvalidHandshake, InvalidStatus
    if isinstance(error, InvalidStatus):
        response = error.response
        return handshake_refused(response.status_code, response.reason_phrase, response.headers, response.body or b"")
    if isinstance(error, (OSError, TimeoutError, InvalidHandshake)):
        return not_connected(shake.url, error)
    return None


# ----------------------------------------------------------------- events

def client_event_payload(event: ClientEventInput) -> str:
    """The JSON text of a client event, checked as a REST request body is: a generated client-event
    model, a RealtimeClientEvent, or a plain dict. An unknown `type` or a misspelled or wrongly typed
    field raises a ValueError before anything is sent."""
    from openapi_client.models import RealtimeClientEvent
    member = client_event_models().get(event.get("type")) if type(event) is dict else None
    if isinstance(event, RealtimeClientEvent):
        value = event.actual_instance
    elif member is not None:
        value = member(**event)   # the model's constructor names the closest field to a misspelled one
    else:
        value = RealtimeClientEvent._adapter().validate_python(event)
    return json.dumps(value.to_dict())


@functools.lru_cache(maxsize=None)
def client_event_models() -> Dict[Any, Any]:
    """{`type`: client event model}, from the RealtimeClientEvent union's members."""
    from openapi_client.models import RealtimeClientEvent
    return {tag: member for _, member in RealtimeClientEvent.members for tag in enum_values(member, "type")}


def parse_server_event(message: Union[str, bytes]) -> ServerEvent:
    """The server event's own model (by `type`), or openapi_client.UnknownEvent; never a bare dict.
    A message that is not a JSON object raises ApiConnectionError: the server broke the protocol."""
    from openapi_client.models import RealtimeServerEvent
    try:
        with parsing_server_response():
            value = RealtimeServerEvent._adapter().validate_json(message, **WIRE_OPTIONS)
    except ValueError as error:
        raise ApiConnectionError("the server sent a message that is not a Realtime event: %s" % _first_line(error)) from None
    if isinstance(value, dict) or value is None:
        raise ApiConnectionError("the server sent a message that is not a Realtime event (no `type`)")
    return value


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:200]


# ----------------------------------------------------------------- errors

def handshake_refused(status: int, reason: str, headers: Mapping[str, str], body: Union[bytes, bytearray]) -> ApiException:
    """The REST error type of a refused handshake: 401 UnauthorizedException, 404 NotFoundException..."""
    body = bytes(body)
    try:
        ApiException.from_response(http_resp=HandshakeAnswer(status, reason, headers, body),
                                   body=body.decode("utf-8", "replace"), data=None)
    except ApiException as error:
        return error
    raise AssertionError("ApiException.from_response always raises")   # pragma: no cover


def closed(code: Optional[int], reason: Optional[str]) -> RealtimeConnectionClosed:
    return RealtimeConnectionClosed(1006 if code is None else code, reason or "")


def not_connected(url: str, error: BaseException) -> ApiConnectionError:
    from openapi_client.exceptions import ApiTimeoutError
    kind = ApiTimeoutError if isinstance(error, TimeoutError) else ApiConnectionError
    return kind("cannot open the Realtime connection to %s: %s" % (url, error))


# ----------------------------------------------------------------- logs

class RedactingLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The WebSocket library's logger with the key taken out: it logs handshake headers at DEBUG."""

    def __init__(self, logger: logging.Logger, secret: Optional[str]) -> None:
        super().__init__(logger, {})
        self.secret = secret

    def log(self, level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        text = str(msg) % args if args else str(msg)
        if self.secret:
            text = text.replace(self.secret, REDACTED)
        kwargs.pop("extra", None)
        self.logger.log(level, "%s", text, **kwargs)


def websocket_logger(name: str, secret: Optional[str]) -> RedactingLogger:
    return RedactingLogger(logging.getLogger(name), secret)


def split_close(error: Any) -> Tuple[Optional[int], Optional[str]]:
    """(code, reason) of a websockets ConnectionClosed: the frame received, else the one sent."""
    frame = getattr(error, "rcvd", None) or getattr(error, "sent", None)
    return (frame.code, frame.reason) if frame is not None else (None, None)
