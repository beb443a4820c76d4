"""A typed surface that types every answer (issue 26): a `null` body is never a silent None, and the
submodules are attributes of the package as in a stock client, with models still loaded lazily."""
from __future__ import annotations

import subprocess
import sys

import pytest

import openapi_client
from conftest import ROOT, Reply
from test_hardening_edges import CLIENTS, MINT, configuration


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
