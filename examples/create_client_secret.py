"""Mint a client secret (an ephemeral `ek_` key) for a browser: the current Realtime API path.

    OPENAI_API_KEY=sk-... python examples/create_client_secret.py [--open-call]

Configuration() reads OPENAI_API_KEY and OPENAI_BASE_URL (unset: https://api.openai.com/v1).
A browser then posts its WebRTC SDP offer to <base>/realtime/calls with the key as bearer.
--open-call does that step here with examples/offer.sdp, joins the call's session with the API key
(the sideband connection, `realtime.connect(call_id=...)`), sends one text message, prints the
streamed reply as it arrives, then hangs up. Against the real API that needs a real WebRTC peer
behind the offer, so use it with the local server (`make demo` does).
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import openapi_client
from openapi_client.exceptions import ApiConnectionError, ApiException

OFFER = Path(__file__).resolve().parent / "offer.sdp"


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


def open_call(configuration: openapi_client.Configuration, ephemeral_key: str) -> str:
    """What the browser does with the key: post the SDP offer; the call id is in the Location header."""
    as_browser = openapi_client.Configuration(host=configuration.host, access_token=ephemeral_key)
    with openapi_client.ApiClient(as_browser) as api_client:
        answer = openapi_client.RealtimeApi(api_client).create_realtime_call_with_http_info(sdp=OFFER.read_text())
    return (answer.headers or {})["Location"].rsplit("/", 1)[1]


def talk(configuration: openapi_client.Configuration, call_id: str, text: str) -> None:
    """Join the call's session (the backend's sideband connection), say one thing in text and print
    the reply as its deltas arrive."""
    from openapi_client import realtime   # the [realtime] extra
    with realtime.connect(call_id=call_id, configuration=configuration) as conn:
        conn.send({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}})
        conn.send({"type": "conversation.item.create", "item": {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}})
        conn.send({"type": "response.create"})
        print("you said:       %s" % text)
        print("reply:          ", end="", flush=True)
        for event in conn:
            if event.type == "response.output_text.delta":
                print(event.delta, end="", flush=True)
            elif event.type == "error":
                print("\n(error: %s)" % event.error.message, end="")
            elif event.type == "response.done":
                print(" (%s)" % event.response.status, flush=True)
                break


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open-call", action="store_true", help="open a call with the key, then hang up")
    args = parser.parse_args()
    configuration = openapi_client.Configuration()
    if not configuration.access_token:
        print("create_client_secret: set OPENAI_API_KEY", file=sys.stderr)
        return 2
    with openapi_client.ApiClient(configuration) as api_client:
        api = openapi_client.RealtimeApi(api_client)
        try:
            secret = api.create_realtime_client_secret(build_request())
            session = secret.session
            print("session:        %s %s (%s, voice %s)" % (
                session.type, session.id, getattr(session, "model", "?"),
                getattr(getattr(getattr(session, "audio", None), "output", None), "voice", "?")))
            expires = datetime.fromtimestamp(secret.expires_at, timezone.utc)
            print("session type:   %s" % session.type)
            print("ephemeral key:  %s" % secret.value)
            print("expires at:     %s (in %d s)" % (expires.isoformat(), secret.expires_at - time.time()))
            if args.open_call:
                call_id = open_call(configuration, secret.value)
                print("call opened:    %s (SDP answer applied by a browser would connect it)" % call_id)
                talk(configuration, call_id, "What is the weather like in Lyon in May?")
                api.hangup_realtime_call(call_id)
                print("call hung up:   %s" % call_id)
        except (ApiException, ApiConnectionError) as error:   # str() of these is redacted
            print("create_client_secret: %s failed: %s" % (configuration.host, error), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
