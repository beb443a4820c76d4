"""A typical backend: mints a key with bare values where the spec has open enums and unions, sync and
async, with the defaults and the typed errors. Checked under mypy --strict (test_spec) and, against the
installed wheel, mypy --strict and pyright strict (make release-check)."""
from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional

from typing_extensions import assert_type

import openapi_client
from openapi_client import aio
from openapi_client.exceptions import ApiConnectionError, ApiException, TooManyRequestsException
from openapi_client.models import (RealtimeCreateClientSecretRequest, RealtimeCreateClientSecretResponse,
                                   RealtimeSessionCreateRequestGA)


def request() -> RealtimeCreateClientSecretRequest:
    return RealtimeCreateClientSecretRequest(
        expires_after=openapi_client.ClientSecretExpiration(anchor="created_at", seconds=600),
        session=RealtimeSessionCreateRequestGA(
            type="realtime", model="gpt-realtime", max_output_tokens="inf",
            audio=openapi_client.RealtimeSessionCreateRequestGAAudio(
                output=openapi_client.RealtimeSessionCreateRequestGAAudioOutput(voice="marin"))))


def mint(api: openapi_client.RealtimeApi) -> str:
    answer = api.create_realtime_client_secret(request())
    assert_type(answer, RealtimeCreateClientSecretResponse)
    assert_type(answer.value, str)            # required in the spec: never Optional
    assert_type(answer.expires_at, int)
    session = RealtimeSessionCreateRequestGA(type="realtime", output_modalities=["audio"])
    assert_type(session.type, Literal["realtime"])          # closed enums are Literal types
    assert_type(session.output_modalities, Optional[List[Literal["text", "audio"]]])
    beta = openapi_client.RealtimeSessionCreateRequest(voice="cedar", model="gpt-realtime", max_response_output_tokens=4096)
    assert beta.voice == "cedar"
    return answer.value


def mint_with_headers(api: openapi_client.RealtimeApi) -> Optional[str]:
    try:
        answer = api.create_realtime_client_secret_with_http_info(request(), _request_timeout=10.0)
    except TooManyRequestsException as error:
        return error.request_id
    except ApiException as error:
        return "%s %s" % (error.status, error.error.message if error.error else "")
    except ApiConnectionError as error:
        return "%d attempts" % error.attempts
    assert_type(answer.data, RealtimeCreateClientSecretResponse)
    return answer.headers.get("x-request-id") if answer.headers else None


def defaults() -> Dict[str, Any]:
    client = openapi_client.ApiClient.get_default()
    assert_type(client, openapi_client.ApiClient)
    client.set_default_header("OpenAI-Project", "proj_123")
    body: Dict[str, Any] = client.sanitize_for_serialization(request())
    return body


async def mint_async() -> str:
    configuration = openapi_client.Configuration(access_token="sk-...")
    async with aio.ApiClient(configuration) as client:
        answer = await aio.RealtimeApi(client).create_realtime_client_secret(request())
        assert_type(answer, RealtimeCreateClientSecretResponse)
        return answer.value
