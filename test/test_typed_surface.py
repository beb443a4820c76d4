"""A typed surface that refuses a caller's typos and types every answer (issue 26): an unknown field
is an error naming the closest known one, before anything is sent; a `null` body is never a silent
None; the submodules are attributes of the package as in a stock client, models still loaded lazily."""
from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Callable

import pytest
import yaml
from pydantic import BaseModel

import openapi_client
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema
from openapi_client._runtime import ComposedModel, _models_in, parsing_server_response
from tools.generate import PLACEHOLDER, nested_example
from conftest import CLIENTS, GA_ANSWER, MINT, ROOT, SPEC, Reply, configuration, every_field, json_schema


@CLIENTS
@pytest.mark.parametrize("content_type", [None, "application/json"], ids=["no content type", "json"])
@pytest.mark.parametrize("body", [b"null", b"", b"[]", b"not json"])
def test_a_2xx_that_is_not_the_declared_model_raises_whatever_its_content_type(server, invoke, content_type, body):
    server.script(Reply(body=body, contract=False, headers={"Content-Type": content_type}))
    with pytest.raises(openapi_client.ApiResponseValidationError):
        invoke(configuration(server.base_url), MINT)


def test_the_submodules_are_attributes_after_a_bare_import_and_models_stay_lazy():
    script = """
import sys, openapi_client
loaded = lambda: sorted(m for m in sys.modules if m.startswith("openapi_client.models."))
assert loaded() == [], loaded()
for name in ("models", "exceptions", "api", "rest", "configuration", "api_client", "api_response", "webhooks"):
    assert type(getattr(openapi_client, name)).__name__ == "module", name
    assert name in dir(openapi_client), name
assert openapi_client.models.ClientSecretExpiration is openapi_client.ClientSecretExpiration
assert openapi_client.exceptions.ApiValueError is openapi_client.ApiValueError
assert openapi_client.api.RealtimeApi is openapi_client.RealtimeApi
assert loaded() == ["openapi_client.models.client_secret_expiration"], loaded()
try:
    openapi_client.no_such_thing
except AttributeError:
    print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


# ------------------------------------------------------------------ a caller's typos are refused (item 1)

def typo(make: Callable[[], Any]) -> str:
    with pytest.raises(ValueError) as caught:   # a pydantic ValidationError: a ValueError, as before
        make()
    return str(caught.value)


TYPOS = {
    "constructor": (lambda: openapi_client.RealtimeCreateClientSecretRequest(sesion={"type": "realtime"}),
                    "'sesion'", "did you mean 'session'?"),
    "expiration": (lambda: openapi_client.ClientSecretExpiration(secs=600), "'secs'", "did you mean 'seconds'?"),
    "session": (lambda: openapi_client.RealtimeSessionCreateRequestGA(type="realtime", instructons="hi"),
                "'instructons'", "did you mean 'instructions'?"),
    "audio output": (lambda: openapi_client.RealtimeSessionCreateRequestGAAudioOutput(voicee="marin"),
                     "'voicee'", "did you mean 'voice'?"),
    "closed schema": (lambda: openapi_client.RealtimeCallReferRequest(target_uri="tel:+14155550123", foo=1),
                      "'foo'", "RealtimeCallReferRequest has no field"),
    "nested dict": (lambda: openapi_client.RealtimeCreateClientSecretRequest(
        session={"type": "realtime", "audio": {"output": {"voicee": "marin"}}}), "'voicee'", "did you mean 'voice'?"),
    "union member": (lambda: openapi_client.RealtimeCreateClientSecretRequest(
        session={"type": "realtime", "instructons": "hi"}), "'instructons'", "did you mean 'instructions'?"),
}


@pytest.mark.parametrize("case", sorted(TYPOS))
def test_a_misspelled_field_is_refused_naming_it_and_the_closest_known_name(case):
    make, name, words = TYPOS[case]
    message = typo(make)
    assert name in message and words in message and "unknown fields are refused before sending" in message


OPERATION_TYPOS = {
    "a dict for the body": (lambda api: api.create_realtime_client_secret({"sesion": {"type": "realtime"}}),
                            "did you mean 'session'?"),
    "a nested dict": (lambda api: api.create_realtime_client_secret(
        {"session": {"type": "realtime", "instructons": "hi"}}), "did you mean 'instructions'?"),
    "a keyword argument's dict": (lambda api: api.create_realtime_client_secret(
        realtime_create_client_secret_request={"expires_after": {"anchor": "created_at", "secs": 60}}),
        "did you mean 'seconds'?"),
}


@CLIENTS
@pytest.mark.parametrize("case", sorted(OPERATION_TYPOS))
def test_a_typo_in_a_dict_passed_to_an_operation_is_refused_before_anything_is_sent(server, invoke, case):
    call, words = OPERATION_TYPOS[case]
    message = typo(lambda: invoke(configuration(server.base_url), call))
    assert words in message
    assert server.requests == []   # nothing left: the server saw no request


def test_a_servers_unknown_fields_are_still_kept_and_new_fields_are_sent_on_request():
    answer = openapi_client.RealtimeCreateClientSecretResponse.from_json(json.dumps(
        dict(GA_ANSWER, brand_new={"x": 1}, session=dict(GA_ANSWER["session"], newer_setting=True))))
    assert answer.additional_properties == {"brand_new": {"x": 1}}
    assert answer.to_dict()["session"]["newer_setting"] is True
    # the documented step to send a field newer than the spec: additional_properties, on an open schema
    request = openapi_client.RealtimeSessionCreateRequestGA(type="realtime", additional_properties={"newer_setting": 1})
    assert request.to_dict() == {"type": "realtime", "newer_setting": 1}


# ------------------------------------------------------------------ every union member parses as itself (item 2)

EXAMPLES = yaml.safe_load((ROOT / ".openapi-generator" / "doc-examples.yaml").read_text())
UNIONS = sorted(name for name in openapi_client.models.__all__
                if isinstance(getattr(openapi_client.models, name), type)
                and issubclass(getattr(openapi_client.models, name), ComposedModel))


def member_example(text: str) -> Any:
    """A member's own example (doc-examples.yaml), nested models filled in, as JSON data."""
    source = PLACEHOLDER.sub(lambda m: nested_example(m.group(1), EXAMPLES["models"], (), EXAMPLES["unions"]), text)
    value = eval(source, {"openapi_client": openapi_client})   # noqa: S307 (the project's own generated examples)
    return value.to_dict() if isinstance(value, BaseModel) else value


def test_every_union_is_checked():
    assert len(UNIONS) >= 15 and set(UNIONS) <= set(EXAMPLES["unions"])


def leaf_members(union: Any) -> tuple:
    """A union's member types, a nested union's members in its place."""
    return tuple(leaf for _, member in union.members for leaf in (
        leaf_members(member) if isinstance(member, type) and issubclass(member, ComposedModel) else (member,)))


@pytest.mark.parametrize("name", UNIONS)
def test_a_value_for_each_member_parses_into_that_members_type(name):
    union = getattr(openapi_client.models, name)
    assert all(member is not Any for _, member in union.members), "a member typed Any matches every value first"
    for (member_name, member), text in zip(union.members, EXAMPLES["unions"][name]):
        value = member_example(text)
        for parse in (union.from_dict, lambda v: union(v)):   # a server's JSON, and a caller's value
            parsed = parse(value).actual_instance
            if isinstance(member, type) and issubclass(member, ComposedModel):   # a nested union: one of its members
                expected = leaf_members(member)
            else:
                expected = member if isinstance(member, type) and issubclass(member, BaseModel) else type(value)
            assert isinstance(parsed, expected), (name, member_name, value, type(parsed))
            assert not isinstance(parsed, dict) or expected is dict


# ------------------------------------------------------------------ answers generated from the spec parse typed

RESPONSE_MODELS = sorted({
    media["schema"]["$ref"].rsplit("/", 1)[1]
    for item in SPEC["paths"].values() for op in item.values() if isinstance(op, dict)
    for status, response in (op.get("responses") or {}).items() if status.startswith("2")
    for media in (response.get("content") or {}).values() if "$ref" in (media.get("schema") or {})})


def assert_typed(value: Any, where: str = "") -> None:
    """No plain dict where the model's annotation declares a model (a server's new kind aside)."""
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            if name == "additional_properties":
                continue
            inner = getattr(value, name)
            declared = _models_in(field.annotation)
            if isinstance(inner, dict) and declared and not _allows_dict(field.annotation):
                raise AssertionError("%s.%s is a dict where %s is declared" % (where or type(value).__name__, name,
                                                                              [m.__name__ for m in declared]))
            assert_typed(inner, "%s.%s" % (where or type(value).__name__, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            assert_typed(item, "%s[%d]" % (where, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_typed(item, "%s[%r]" % (where, key))


def _allows_dict(annotation: Any) -> bool:
    origin = getattr(annotation, "__origin__", None)
    return origin is dict or any(_allows_dict(arg) for arg in getattr(annotation, "__args__", ()) or ())


ANSWERS_PER_SCHEMA = 15   # every field filled in is slow to generate: 100 take minutes


def test_every_operation_answer_is_checked():
    assert {"RealtimeCreateClientSecretResponse", "RealtimeSessionCreateResponse"} <= set(RESPONSE_MODELS)


@pytest.mark.parametrize("name", RESPONSE_MODELS)
def test_answers_generated_from_the_response_schema_parse_into_the_declared_types(name):
    model = getattr(openapi_client.models, name)

    @settings(max_examples=ANSWERS_PER_SCHEMA, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(from_schema(every_field(json_schema(name))))
    def parses_typed(body: Any) -> None:
        with parsing_server_response():
            parsed = model.from_json(json.dumps(body))
        assert isinstance(parsed, model)
        assert_typed(parsed)

    parses_typed()
