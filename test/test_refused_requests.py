"""Requests that must not leave as sent (hardening round three, items 1-4): a path parameter that
escapes its segment, a header with CR/LF/NUL, a non-ASCII key and a base URL without a scheme are
refused before anything is sent, by the sync and the async client alike, with the same error."""
from __future__ import annotations

import asyncio
from typing import Any, Callable

import pytest

import openapi_client
from openapi_client import aio
from conftest import TEST_KEY, Reply


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
    async def main():
        async with aio.ApiClient(config) as client:
            if client_setup:
                client_setup(client)
            return await call(aio.RealtimeApi(client))
    return asyncio.run(main())


CLIENTS = pytest.mark.parametrize("invoke", [sync_call, async_call], ids=["sync", "async"])


def refused(invoke, config, call, client_setup=None) -> str:
    with pytest.raises(openapi_client.ApiValueError) as caught:
        invoke(config, call, client_setup)
    return str(caught.value)


@CLIENTS
@pytest.mark.parametrize("call_id", ["..", ".", ""])
def test_a_path_parameter_that_would_leave_its_segment_is_refused(server, invoke, call_id):
    message = refused(invoke, configuration(server.base_url), lambda api: api.hangup_realtime_call(call_id))
    assert "path parameter call_id must not be %r" % call_id in message
    assert server.requests == []
    # a value that only looks odd is percent-encoded into its segment and sent
    server.script(Reply(status=200, body=None))
    invoke(configuration(server.base_url), lambda api: api.hangup_realtime_call("../x"))
    assert server.requests[-1].path == "/v1/realtime/calls/..%2Fx/hangup"


@CLIENTS
@pytest.mark.parametrize("where", ["_headers", "default header", "cookie"])
@pytest.mark.parametrize("bad", ["a\r\nX-Injected: 1", "a\nb", "a\0b"], ids=["CRLF", "LF", "NUL"])
def test_a_header_with_cr_lf_or_nul_is_refused(server, invoke, where, bad):
    setup, call = None, (lambda api: api.hangup_realtime_call("rtc_1"))
    if where == "_headers":
        call = lambda api: api.hangup_realtime_call("rtc_1", _headers={"X-Trace": bad})   # noqa: E731
    elif where == "default header":
        setup = lambda client: client.set_default_header("X-Trace", bad)   # noqa: E731
    else:
        setup = lambda client: setattr(client, "cookie", "session=" + bad)   # noqa: E731
    message = refused(invoke, configuration(server.base_url), call, setup)
    assert "has a CR, LF or NUL character" in message and bad not in message
    assert server.requests == []


@CLIENTS
@pytest.mark.parametrize("key", ["sk-é-secret-123", "sk-\u2028-secret-123", "sk-\u00a0secret-123", "sk-секрет-123"])
def test_a_non_ascii_api_key_is_refused_without_showing_it(server, invoke, key):
    with pytest.raises(openapi_client.ApiValueError) as caught:
        invoke(configuration(server.base_url, access_token=key), lambda api: api.hangup_realtime_call("rtc_1"))
    assert "non-ASCII character at position 3" in str(caught.value)
    assert "secret" not in str(caught.value) and "secret" not in repr(caught.value)
    assert server.requests == []


@CLIENTS
def test_a_base_url_without_a_scheme_is_the_same_clear_error_at_once(server, invoke, recwarn):
    host = server.base_url.replace("http://", "")   # 127.0.0.1:PORT/v1
    message = refused(invoke, configuration(host, retries=3), lambda api: api.hangup_realtime_call("rtc_1"))
    assert "must start with http:// or https://" in message and repr(host.split("/")[0]) in message
    assert server.requests == [] and not [w for w in recwarn if issubclass(w.category, FutureWarning)]
