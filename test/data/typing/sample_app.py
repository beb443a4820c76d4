"""A typical backend: mints a key with bare values where the spec has open enums and unions."""
from __future__ import annotations

import openapi_client
from openapi_client.models import RealtimeCreateClientSecretRequest, RealtimeSessionCreateRequestGA


def mint(api: openapi_client.RealtimeApi) -> str:
    request = RealtimeCreateClientSecretRequest(
        expires_after=openapi_client.ClientSecretExpiration(anchor="created_at", seconds=600),
        session=RealtimeSessionCreateRequestGA(
            type="realtime", model="gpt-realtime", max_output_tokens="inf",
            audio=openapi_client.RealtimeSessionCreateRequestGAAudio(
                output=openapi_client.RealtimeSessionCreateRequestGAAudioOutput(voice="marin"))))
    answer = api.create_realtime_client_secret(request)
    beta = openapi_client.RealtimeSessionCreateRequest(voice="cedar", model="gpt-realtime", max_response_output_tokens=4096)
    assert beta.voice == "cedar"
    return answer.value
