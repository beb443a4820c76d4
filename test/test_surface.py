"""Code written against an earlier release keeps importing: every public name of 0.1.0 and 0.2.0
(checked-in listings, made by `python -m tools.public_surface VERSION`) still imports, unless the
CHANGELOG names it under a `Removed` line."""
from __future__ import annotations

import importlib

import pytest

import openapi_client
from tools.public_surface import listing, removed_in_changelog

RELEASES = {"0.1.0": 90, "0.2.0": 280}   # version: at least this many names listed


@pytest.mark.parametrize("version", sorted(RELEASES))
def test_every_public_name_of_a_release_still_imports_or_its_removal_is_in_the_changelog(version):
    removed = removed_in_changelog()
    missing = [f"{module}.{name}" for module, name in listing(version)
               if not hasattr(importlib.import_module(module), name) and f"{module}.{name}" not in removed]
    assert missing == []
    assert len(list(listing(version))) > RELEASES[version]


def test_the_beta_session_models_keep_their_0_1_0_shape():
    request = openapi_client.RealtimeSessionCreateRequest(
        modalities=["audio", "text"], model="gpt-4o-realtime-preview", voice="alloy", max_response_output_tokens="inf",
        turn_detection=openapi_client.RealtimeSessionCreateRequestTurnDetection(type="server_vad", threshold=0.5),
        input_audio_transcription=openapi_client.RealtimeSessionCreateRequestInputAudioTranscription(model="whisper-1"),
        tools=[openapi_client.RealtimeSessionCreateRequestToolsInner(type="function", name="f")])
    assert request.to_dict() == {"modalities": ["audio", "text"], "model": "gpt-4o-realtime-preview", "voice": "alloy",
                                 "max_response_output_tokens": "inf",
                                 "turn_detection": {"type": "server_vad", "threshold": 0.5},
                                 "input_audio_transcription": {"model": "whisper-1"},
                                 "tools": [{"type": "function", "name": "f"}]}
    secret = openapi_client.RealtimeSessionCreateResponseClientSecret(value="ek_1", expires_at=5)
    assert openapi_client.RealtimeSessionCreateResponse(client_secret=secret).client_secret.value == "ek_1"


def test_a_model_imports_from_the_api_module_in_a_fresh_process_as_in_0_1_0():
    """0.1.0 code imports the request model from the API module; models load lazily there now."""
    import subprocess
    import sys
    code = ("from openapi_client.api.realtime_api import RealtimeApi, RealtimeSessionCreateRequest\n"
            "from openapi_client.aio.api.realtime_api import RealtimeCallReferRequest\n"
            "import openapi_client.api.realtime_api as api\n"
            "assert not hasattr(api, 'MCPToolFilter')   # only the models its operations name\n"
            "print(RealtimeSessionCreateRequest.__name__, RealtimeCallReferRequest.__name__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["RealtimeSessionCreateRequest", "RealtimeCallReferRequest"], result.stderr


def test_release_check_counts_a_re_exported_name_as_there_and_a_gone_one_as_gone():
    from tools.public_surface import unimportable
    lines = ["openapi_client.rest: SessionRetry",   # defined in _retry_policy since 0.4.0, re-exported by rest
             "openapi_client.rest: NoSuchName", "openapi_client.no_such_module: X"]
    assert unimportable(lines) == lines[1:]
