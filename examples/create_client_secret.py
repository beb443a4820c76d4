"""Mint a client secret (an ephemeral `ek_` key) for a browser: the current Realtime API path.

    OPENAI_API_KEY=sk-... python examples/create_client_secret.py

Configuration() reads OPENAI_API_KEY and OPENAI_BASE_URL (unset: https://api.openai.com/v1).
The browser then posts its WebRTC SDP offer to <base>/realtime/calls with the key as bearer.
"""
from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timezone

import openapi_client
from openapi_client.exceptions import ApiConnectionError, ApiException


def build_request() -> openapi_client.RealtimeCreateClientSecretRequest:
    return openapi_client.RealtimeCreateClientSecretRequest(
        expires_after=openapi_client.ClientSecretExpiration(anchor="created_at", seconds=600),
        session=openapi_client.RealtimeSessionCreateRequestGA(
            type="realtime",
            model="gpt-realtime",
            instructions="You are a friendly assistant.",
            audio=openapi_client.RealtimeSessionCreateRequestGAAudio(
                output=openapi_client.RealtimeSessionCreateRequestGAAudioOutput(voice="marin")),
        ),
    )


def main() -> int:
    if not os.environ.get("OPENAI_API_KEY"):
        print("create_client_secret: set OPENAI_API_KEY", file=sys.stderr)
        return 2
    configuration = openapi_client.Configuration()
    with openapi_client.ApiClient(configuration) as api_client:
        api = openapi_client.RealtimeApi(api_client)
        try:
            secret = api.create_realtime_client_secret(build_request())
        except (ApiException, ApiConnectionError) as error:   # str() of these is redacted
            print("create_client_secret: %s failed: %s" % (configuration.host, error), file=sys.stderr)
            return 1
    expires = datetime.fromtimestamp(secret.expires_at, timezone.utc)
    session = secret.session
    print("session type:   %s" % getattr(session, "type", "?"))
    print("ephemeral key:  %s" % secret.value)
    print("expires at:     %s (in %d s)" % (expires.isoformat(), secret.expires_at - time.time()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
