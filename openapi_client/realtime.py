"""A Realtime session over WebSocket, sync: join a call (`call_id=`) or start a session (`model=`)
and exchange typed events.

    with openapi_client.realtime.connect(call_id="rtc_...") as conn:
        conn.send({"type": "response.create"})
        for event in conn:          # ends when the server closes normally
            ...

The decisions live in openapi_client._realtime_protocol; this module only moves messages. The
WebSocket library (`websockets`) is the `[realtime]` extra, loaded when connect() is called."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Iterator, Optional

from openapi_client._realtime_protocol import (EXTRA_HINT, ClientEventInput, Handshake, RealtimeConnectionClosed,
                                               ServerEvent, client_event_payload, closed, connect_failure, handshake,
                                               parse_server_event, split_close, websocket_options)

if TYPE_CHECKING:
    from types import TracebackType

    from openapi_client.api_client import ApiClient
    from openapi_client.configuration import Configuration

__all__ = ["RealtimeConnection", "RealtimeConnectionClosed", "connect"]


def _websockets() -> Any:
    try:
        return importlib.import_module("websockets.sync.client")
    except ImportError as error:
        raise ImportError(EXTRA_HINT) from error


def _client(configuration: Optional["Configuration"], api_client: Optional["ApiClient"]) -> "ApiClient":
    from openapi_client.api_client import ApiClient
    from openapi_client.configuration import Configuration
    if api_client is not None:
        return api_client
    return ApiClient(configuration if configuration is not None else Configuration())


class RealtimeConnection:
    """One open events connection. send() checks a client event before it goes; recv() returns the
    server event's model (an `error` event is returned, not raised); iterating ends on a normal close."""

    def __init__(self, websocket: Any, url: str) -> None:
        self._websocket = websocket
        self.url = url

    def send(self, event: ClientEventInput) -> None:
        payload = client_event_payload(event)   # raises ValueError before anything is sent
        from websockets.exceptions import ConnectionClosed
        try:
            self._websocket.send(payload)
        except ConnectionClosed as error:
            raise closed(*split_close(error)) from None

    def recv(self, timeout: Optional[float] = None) -> ServerEvent:
        from websockets.exceptions import ConnectionClosed
        try:
            message = self._websocket.recv(timeout)
        except ConnectionClosed as error:
            raise closed(*split_close(error)) from None
        return parse_server_event(message)

    def __iter__(self) -> Iterator[ServerEvent]:
        while True:
            try:
                yield self.recv()
            except RealtimeConnectionClosed as error:
                if error.normal:
                    return
                raise

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection; closing again does nothing."""
        self._websocket.close(code, reason)

    def __enter__(self) -> "RealtimeConnection":
        return self

    def __exit__(self, kind: Optional[type], error: Optional[BaseException], tb: Optional["TracebackType"]) -> None:
        self.close()

    def __repr__(self) -> str:
        return "RealtimeConnection(url=%r)" % self.url


def open_websocket(shake: Handshake) -> Any:
    client = _websockets()
    try:
        # websockets 17 connects on entering (earlier versions return the open connection, whose
        # __enter__ returns itself); the connection's own close() ends it either way
        return client.connect(shake.url, **websocket_options(shake)).__enter__()
    except Exception as error:
        failure = connect_failure(shake, error)
        if failure is None:
            raise
        raise failure from None


def connect(*, model: Optional[str] = None, call_id: Optional[str] = None,
            configuration: Optional["Configuration"] = None, api_client: Optional["ApiClient"] = None) -> RealtimeConnection:
    """Open `<base>/realtime?model=...` or `?call_id=...` with the client's key, default headers,
    User-Agent, proxy and TLS settings. Without either, Configuration() (OPENAI_API_KEY, OPENAI_BASE_URL).
    A refused handshake raises the REST error of its status (401 UnauthorizedException, ...);
    nothing listening raises ApiConnectionError."""
    shake = handshake(_client(configuration, api_client), model=model, call_id=call_id)
    return RealtimeConnection(open_websocket(shake), shake.url)
