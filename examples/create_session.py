"""Mint a Realtime session and print its ephemeral key: the README quick start.

Same code for the local stand-in and the real API: Configuration() reads OPENAI_API_KEY and
OPENAI_BASE_URL (unset: https://api.openai.com/v1). `make demo` points it at the local server.
"""
from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timezone

import openapi_client
from openapi_client.exceptions import ApiConnectionError, ApiException


def build_request() -> openapi_client.RealtimeSessionCreateRequest:
    """Every field the TypeScript docs' example sets, with values the real API accepts."""
    return openapi_client.RealtimeSessionCreateRequest(
        modalities=["audio", "text"],
        model="gpt-4o-realtime-preview",
        instructions="You are a friendly assistant.",
        voice="alloy",
        input_audio_format="pcm16",
        output_audio_format="pcm16",
        input_audio_transcription=openapi_client.RealtimeSessionCreateRequestInputAudioTranscription(model="whisper-1"),
        turn_detection=openapi_client.RealtimeSessionCreateRequestTurnDetection(
            type="server_vad", threshold=0.5, prefix_padding_ms=300, silence_duration_ms=500, create_response=True),
        tools=[openapi_client.RealtimeSessionCreateRequestToolsInner(
            type="function", name="get_weather", description="Get the current weather for a city.",
            parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})],
        tool_choice="auto",
        temperature=0.8,
        max_response_output_tokens="inf",
    )


def main() -> int:
    if not os.environ.get("OPENAI_API_KEY"):
        print("create_session: set OPENAI_API_KEY (or run `make demo` to use the local server)", file=sys.stderr)
        return 2
    configuration = openapi_client.Configuration()
    with openapi_client.ApiClient(configuration) as api_client:
        api = openapi_client.RealtimeApi(api_client)
        try:
            session = api.create_realtime_session(build_request())
        except (ApiException, ApiConnectionError) as error:   # str() of these is redacted
            print("create_session: %s failed: %s" % (configuration.host, error), file=sys.stderr)
            return 1
    secret = session.client_secret
    if secret is None or not secret.value or secret.expires_at is None:
        print("create_session: the answer carries no client_secret", file=sys.stderr)
        return 1
    expires = datetime.fromtimestamp(secret.expires_at, timezone.utc)
    settings = {name: value for name, value in session.to_dict().items() if name != "client_secret"}
    print("session:\n%s" % json.dumps(settings, indent=2))
    print("ephemeral key:  %s" % secret.value)
    print("expires at:     %s (in %d s)" % (expires.isoformat(), secret.expires_at - time.time()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
