"""A typed surface that refuses a caller's typos and types every answer (issue 26): an unknown field
is an error naming the closest known one, before anything is sent; a `null` body is never a silent
None; the submodules are attributes of the package as in a stock client, models still loaded lazily."""
from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Callable

import pytest

import openapi_client
from conftest import ROOT, Reply
from test_hardening_edges import CLIENTS, GA_ANSWER, MINT, configuration


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
