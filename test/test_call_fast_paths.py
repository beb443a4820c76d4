"""What the call's fast paths must keep: an argument skips validate_call only when pydantic would
return it unchanged, an answer read in one piece or many, compressed or not, is the same answer,
repeated response headers are joined, not lost, and a JSON body is the same bytes on either encoding path."""
from __future__ import annotations

import gzip
import inspect
import json
import typing

import pydantic_core
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

import openapi_client
from openapi_client import models
from openapi_client._operations import _accepted_as_is
from conftest import CLIENTS, GA_ANSWER, MINT, Reply, configuration


def operations():
    from openapi_client import aio
    for api in (openapi_client.RealtimeApi, aio.RealtimeApi):
        for name, member in vars(api).items():
            if not name.startswith("_") and hasattr(member, "__wrapped__"):
                yield "%s.%s" % (api.__module__, name), member.__wrapped__


def parameter_annotations():
    found = []
    for where, function in operations():
        module_globals = function.__globals__
        for name in models.__all__:   # what the operation's first call imports into its module
            module_globals.setdefault(name, getattr(models, name))
        hints = typing.get_type_hints(function, include_extras=True)
        for parameter in list(inspect.signature(function).parameters)[1:]:
            found.append(("%s(%s)" % (where, parameter), hints[parameter]))
    return found


def candidate_values():
    request = openapi_client.RealtimeCreateClientSecretRequest(
        expires_after=openapi_client.ClientSecretExpiration(anchor="created_at", seconds=600))

    class LocalRequest(openapi_client.RealtimeCreateClientSecretRequest):
        pass

    class Text(str):
        pass
    values = [None, "call_123", Text("call_123"), "", 1, 1.5, True, {}, {"expires_after": {"seconds": 600}}, [],
              (1.0, 2.0), b"v=0", request, LocalRequest(), openapi_client.RealtimeCreateClientSecretRequest.model_construct()]
    for name in ("RealtimeSessionCreateRequestGA", "RealtimeCallReferRequest", "RealtimeCallRejectRequest",
                 "RealtimeSessionCreateRequest", "RealtimeTranscriptionSessionCreateRequest"):
        values.append(getattr(openapi_client, name).model_construct())
    return values


def test_an_argument_taken_as_it_is_is_exactly_what_validate_call_would_pass_on():
    taken = 0
    for where, annotation in parameter_annotations():
        accepts = _accepted_as_is(annotation)
        adapter = TypeAdapter(annotation)
        for value in candidate_values():
            if accepts is not None and accepts(value):
                taken += 1
                assert adapter.validate_python(value) is value, (where, value)
    assert taken > 50   # the fast path is real: model instances, ids and left-out options are taken as they are


def test_instances_dicts_and_wrong_types_reach_the_operation_as_before(monkeypatch):
    # an instance of the request model is taken as it is; a dict is converted and a wrong type refused, by pydantic
    api = openapi_client.RealtimeApi(openapi_client.ApiClient(openapi_client.Configuration(access_token="sk-x")))
    sent = []
    monkeypatch.setattr(api, "_create_realtime_client_secret_serialize",
                        lambda **kwargs: sent.append(kwargs["realtime_create_client_secret_request"]) or 1 / 0)
    request = openapi_client.RealtimeCreateClientSecretRequest(expires_after={"seconds": 600})
    with pytest.raises(ZeroDivisionError):
        api.create_realtime_client_secret(request)
    with pytest.raises(ZeroDivisionError):
        api.create_realtime_client_secret({"expires_after": {"seconds": 600}})
    with pytest.raises(ZeroDivisionError):
        api.create_realtime_client_secret(request, _request_timeout=(1.0, 2.0))
    with pytest.raises(ValidationError) as refused:
        api.create_realtime_client_secret("not a request")
    assert "RealtimeCreateClientSecretRequest" in str(refused.value)
    assert sent[0] is request and sent[2] is request
    assert isinstance(sent[1], openapi_client.RealtimeCreateClientSecretRequest) and sent[1] == request
    with pytest.raises(ValidationError, match="expires_afterr"):   # a typo in a dict still names the field
        api.create_realtime_client_secret({"expires_afterr": {}})


@CLIENTS
def test_a_gzip_answer_parses_as_the_plain_one(server, invoke):
    server.script(Reply(body=gzip.compress(json.dumps(GA_ANSWER).encode()), headers={"Content-Encoding": "gzip"},
                        contract=False))
    answer = invoke(configuration(server.base_url), MINT)
    assert answer.to_dict() == GA_ANSWER


@CLIENTS
def test_an_answer_larger_than_one_read_arrives_whole(server, invoke):
    big = json.loads(json.dumps(GA_ANSWER))
    big["session"]["instructions"] = "".join(chr(ord("a") + i % 26) for i in range(300_000))   # several reads
    server.script(Reply(body=big))
    answer = invoke(configuration(server.base_url), MINT)
    assert answer.session.instructions == big["session"]["instructions"]
    assert answer.to_dict() == big


@CLIENTS
def test_repeated_answer_headers_are_joined_and_looked_up_in_any_case(server, invoke):
    server.script(Reply(body=GA_ANSWER, headers={"X-Trace": ["a", "b"], "x-request-id": "req_1"}))
    info = invoke(configuration(server.base_url), lambda api: api.create_realtime_client_secret_with_http_info(
        openapi_client.RealtimeCreateClientSecretRequest()))
    assert info.headers["x-trace"] == "a, b" and info.headers["X-TRACE"] == "a, b"
    assert info.headers.get("X-Request-Id") == "req_1" and "X-REQUEST-ID" in info.headers
    assert json.loads(json.dumps(info.headers))["X-Trace"] == "a, b"


@CLIENTS
def test_a_full_length_key_goes_out_as_it_is(server, invoke):
    key = "sk-proj-" + "Ab3_-" * 31 + "x"   # 164 characters, as project keys are
    server.script(Reply(body=GA_ANSWER))
    invoke(configuration(server.base_url, access_token=key + "\n"), MINT)
    assert server.requests[0].headers["Authorization"] == "Bearer " + key


@CLIENTS
def test_a_per_call_auth_setting_replaces_the_configured_key_and_needs_none(server, invoke):
    server.script(Reply(body=GA_ANSWER))
    other = {"in": "header", "type": "bearer", "key": "Authorization", "value": "Bearer sk-per-call"}
    call = lambda api: api.create_realtime_client_secret(openapi_client.RealtimeCreateClientSecretRequest(),  # noqa: E731
                                                         _request_auth=other)
    invoke(configuration(server.base_url), call)
    invoke(configuration(server.base_url, access_token=""), call)
    assert [seen.headers["Authorization"] for seen in server.requests] == ["Bearer sk-per-call"] * 2
    with pytest.raises(openapi_client.ApiValueError, match="no API key"):
        invoke(configuration(server.base_url, access_token=""), MINT)
    assert len(server.requests) == 2   # refused before anything was sent


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])   # timing: not under CI load
@given(JSON_VALUES.filter(lambda value: value is not None))   # None is no body at all
def test_a_json_body_is_the_escaped_encoding_whether_or_not_it_takes_the_ascii_fast_path(value):
    from openapi_client.rest import encode_body
    sent = encode_body("POST", {"Content-Type": "application/json"}, value, []).payload
    assert sent == pydantic_core.to_json(value, ensure_ascii=True)
    assert sent.isascii() and json.loads(sent) == value


def test_headers_take_the_fast_path_only_as_text_already_seen_and_are_the_same_either_way():
    """param_serialize copies plain text headers it has seen before as they are; a list (unhashable),
    a number or a collection format goes through the formatting path, as before the fast path."""
    client = openapi_client.ApiClient(openapi_client.Configuration(host="http://127.0.0.1/v1", access_token="sk-x"))

    def headers(given, formats=None):
        return client.param_serialize("GET", "/x", header_params=dict(given), collection_formats=formats or {})[2]

    text = {"X-Trace": "fast-path-trace-value"}
    assert headers(text)["X-Trace"] == headers(text)["X-Trace"] == "fast-path-trace-value"   # unseen, then seen
    assert headers({"X-List": ["a", "b"]})["X-List"] == ["a", "b"]   # unhashable: no TypeError
    assert headers({"X-List": ["a", "b"]}, {"X-List": "csv"})["X-List"] == "a,b"
    assert headers({"X-Trace": "fast-path-trace-value", "X-List": ["a", "b"]}, {"X-List": "csv"})["X-List"] == "a,b"
    assert headers({"X-Count": 3})["X-Count"] == 3
