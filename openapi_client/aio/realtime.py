"""A Realtime session over WebSocket, async: the same arguments as openapi_client.realtime.connect.

    async with openapi_client.aio.realtime.connect(call_id="rtc_...") as conn:
        await conn.send({"type": "response.create"})
        async for event in conn:    # ends when the server closes normally
            ...

Never blocks the event loop; a cancelled recv() loses no event (websockets' asyncio recv is
cancellation-safe) and the connection stays usable. The decisions live in
openapi_client._realtime_protocol; this module only moves messages."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, AsyncIterator, Generator, Optional

from openapi_client._realtime_protocol import (EXTRA_HINT, ClientEventInput, Handshake, RealtimeConnectionClosed,
                                               ServerEvent, client_event_payload, closed, connect_failure, handshake,
                                               parse_server_event, split_close, websocket_options)

if TYPE_CHECKING:
    from types import TracebackType

    from openapi_client.aio.api_client import ApiClient
    from openapi_client.configuration import Configuration

__all__ = ["RealtimeConnection", "RealtimeConnectionClosed", "connect"]


def _websockets() -> Any:
    try:
        return importlib.import_module("websockets.asyncio.client")
    except ImportError as error:
        raise ImportError(EXTRA_HINT) from error


class RealtimeConnection:
    """One open events connection, async: await send/recv/close, `async for` over server events."""

    def __init__(self, websocket: Any, url: str) -> None:
        self._websocket = websocket
        self.url = url

    async def send(self, event: ClientEventInput) -> None:
        payload = client_event_payload(event)   # raises ValueError before anything is sent
        from websockets.exceptions import ConnectionClosed
        try:
            await self._websocket.send(payload)
        except ConnectionClosed as error:
            raise closed(*split_close(error)) from None

    async def recv(self) -> ServerEvent:
        from websockets.exceptions import ConnectionClosed
        try:
            message = await self._websocket.recv()
        except ConnectionClosed as error:
            raise closed(*split_close(error)) from None
        return parse_server_event(message)

    async def __aiter__(self) -> AsyncIterator[ServerEvent]:
        while True:
            try:
                yield await self.recv()
            except RealtimeConnectionClosed as error:
                if error.normal:
                    return
                raise

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection; closing again does nothing."""
        await self._websocket.close(code, reason)

    async def __aenter__(self) -> "RealtimeConnection":
        return self

    async def __aexit__(self, kind: Optional[type], error: Optional[BaseException], tb: Optional["TracebackType"]) -> None:
        await self.close()

    def __repr__(self) -> str:
        return "RealtimeConnection(url=%r)" % self.url


async def open_websocket(shake: Handshake) -> Any:
    client = _websockets()
    try:
        return await client.connect(shake.url, **websocket_options(shake))
    except Exception as error:
        failure = connect_failure(shake, error)
        if failure is None:
            raise
        raise failure from None


class _Connecting:
    """What connect() returns: `async with connect(...) as conn`, or `conn = await connect(...)`."""

    def __init__(self, shake: Handshake) -> None:
        self._shake = shake
        self._connection: Optional[RealtimeConnection] = None

    async def _open(self) -> RealtimeConnection:
        self._connection = RealtimeConnection(await open_websocket(self._shake), self._shake.url)
        return self._connection

    def __await__(self) -> Generator[Any, None, RealtimeConnection]:
        return self._open().__await__()

    async def __aenter__(self) -> RealtimeConnection:
        return await self._open()

    async def __aexit__(self, kind: Optional[type], error: Optional[BaseException], tb: Optional["TracebackType"]) -> None:
        if self._connection is not None:
            await self._connection.close()


def connect(*, model: Optional[str] = None, call_id: Optional[str] = None,
            configuration: Optional["Configuration"] = None, api_client: Optional["ApiClient"] = None) -> _Connecting:
    """As openapi_client.realtime.connect; use `async with connect(...) as conn`."""
    from openapi_client.realtime import _client
    # the handshake reads only the client's configuration and default headers: either client will do
    client: Any = api_client if api_client is not None else _client(configuration, None)
    return _Connecting(handshake(client, model=model, call_id=call_id))
