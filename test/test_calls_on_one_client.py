"""What a client reuses between calls must not go stale: whatever changes between calls on one client
(the key, a default header, the cookie, the User-Agent, the host) is sent with the next call, an unsafe
header is refused however many calls went before, a key the configuration computes per call is read per
call, each call gets headers of its own, and an auth override runs on every call. A guard for any
caching of the request (such as a per-operation request plan)."""
from __future__ import annotations

import itertools
from typing import Any, Callable, List

import pytest

import openapi_client
from conftest import CLIENTS, GA_ANSWER, Reply, configuration, sync_call

CHANGES: List[Callable[[Any], None]] = [
    lambda client: None,
    lambda client: setattr(client.configuration, "access_token", "sk-rotated"),
    lambda client: client.set_default_header("X-Team", "blue"),
    lambda client: setattr(client, "cookie", "session=1"),
    lambda client: setattr(client, "user_agent", "my-app/2.0"),
    lambda client: setattr(client.configuration, "host", client.configuration.host + "/moved"),
]


def run_on_one_client(invoke, config, changes):
    """One client: for each change, the change (a function of the ApiClient), then a mint."""
    request = openapi_client.RealtimeCreateClientSecretRequest
    if invoke is sync_call:
        def calls(api):
            for change in changes:
                change(api.api_client)
                api.create_realtime_client_secret(request())
    else:
        async def calls(api):
            for change in changes:
                change(api.api_client)
                await api.create_realtime_client_secret(request())
    invoke(config, calls)


@CLIENTS
def test_each_change_between_calls_on_one_client_is_sent(server, invoke):
    server.script(Reply(body=GA_ANSWER, contract=False))
    server.check_requests = False   # the moved host's path is not in the spec
    run_on_one_client(invoke, configuration(server.base_url), CHANGES)
    seen = server.requests
    assert len(seen) == len(CHANGES)
    assert seen[0].headers["Authorization"] != "Bearer sk-rotated"
    assert all(request.headers["Authorization"] == "Bearer sk-rotated" for request in seen[1:])
    assert "X-Team" not in seen[1].headers and all(request.headers["X-Team"] == "blue" for request in seen[2:])
    assert "Cookie" not in seen[2].headers and all(request.headers["Cookie"] == "session=1" for request in seen[3:])
    assert seen[3].headers["User-Agent"] != "my-app/2.0" and seen[4].headers["User-Agent"] == "my-app/2.0"
    assert [request.path for request in seen] == ["/v1/realtime/client_secrets"] * 5 + ["/v1/moved/realtime/client_secrets"]


@CLIENTS
def test_an_unsafe_header_after_earlier_calls_is_still_refused_before_sending(server, invoke):
    server.script(Reply(body=GA_ANSWER))
    unsafe = lambda client: client.set_default_header("X-Team", "blue\r\nX-Injected: 1")  # noqa: E731
    with pytest.raises(openapi_client.ApiValueError, match="CR, LF or NUL"):
        run_on_one_client(invoke, configuration(server.base_url), [lambda client: None] * 2 + [unsafe])
    assert len(server.requests) == 2


@CLIENTS
def test_a_key_the_configuration_computes_per_call_is_read_per_call(server, invoke):
    tokens = ("sk-token-%d" % n for n in itertools.count())

    class RotatingKey(openapi_client.Configuration):
        @property
        def access_token(self) -> str:
            return next(tokens)

        @access_token.setter
        def access_token(self, value: Any) -> None:
            pass

    server.script(Reply(body=GA_ANSWER))
    run_on_one_client(invoke, RotatingKey(host=server.base_url, retries=0), [lambda client: None] * 3)
    assert [request.headers["Authorization"] for request in server.requests] == [
        "Bearer sk-token-0", "Bearer sk-token-1", "Bearer sk-token-2"]


def serializer(client):   # param_serialize as the operations call it
    return lambda body: client.param_serialize("POST", "/x", header_params={"Content-Type": "application/json"},
                                               body=body, auth_settings=["ApiKeyAuth"])


def test_serialized_headers_are_each_calls_own_and_follow_the_body():
    serialize = serializer(openapi_client.ApiClient(openapi_client.Configuration(host="http://127.0.0.1/v1",
                                                                                 access_token="sk-x")))
    first = serialize({"a": 1})
    first[2]["X-Mutated"] = "by the caller"
    again = serialize({"a": 1})
    assert "X-Mutated" not in again[2] and again[1] == first[1] == "http://127.0.0.1/v1/x"
    assert again[2] == {"Content-Type": "application/json", "User-Agent": again[2]["User-Agent"], "Authorization": "Bearer sk-x"}
    no_body = serialize(None)   # an optional body left out: no Content-Type
    assert "Content-Type" not in no_body[2] and no_body[3] is None
    assert serialize({"a": 2})[2]["Content-Type"] == "application/json" and serialize({"a": 2})[3] == {"a": 2}
    assert "Content-Type" not in serialize(None)[2]


def test_an_auth_override_is_called_on_every_call():
    signed = itertools.count()

    class Signing(openapi_client.ApiClient):
        def update_params_for_auth(self, headers, queries, auth_settings, resource_path, method, body, request_auth=None):
            super().update_params_for_auth(headers, queries, auth_settings, resource_path, method, body, request_auth)
            headers["X-Signature"] = "sig-%d" % next(signed)

    serialize = serializer(Signing(openapi_client.Configuration(host="http://127.0.0.1/v1", access_token="sk-x")))
    assert [serialize({"a": 1})[2]["X-Signature"] for _ in range(3)] == ["sig-0", "sig-1", "sig-2"]
