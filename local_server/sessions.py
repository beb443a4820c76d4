"""The sessions the API answers: what the client sent, merged over the API's defaults.

Only the fields the response schema declares are answered; the server validates the result
against openapi.yaml before sending it."""
from __future__ import annotations

import copy
from typing import Any, Dict, Iterable

# What the API fills in for fields a client leaves out, per kind of session.
SESSION_DEFAULTS: Dict[str, Any] = {   # beta POST /realtime/sessions
    "modalities": ["text", "audio"],
    "instructions": "Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI.",
    "voice": "alloy",
    "input_audio_format": "pcm16",
    "output_audio_format": "pcm16",
    "input_audio_transcription": None,
    "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500},
    "tools": [],
    "tool_choice": "auto",
    "temperature": 0.8,
    "max_response_output_tokens": "inf",
}
BETA_TRANSCRIPTION_DEFAULTS: Dict[str, Any] = {   # beta POST /realtime/transcription_sessions
    "modalities": ["audio", "text"],
    "input_audio_format": "pcm16",
    "input_audio_transcription": {"model": "gpt-4o-transcribe", "language": None, "prompt": ""},
    "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 200},
}
PCM_24K = {"type": "audio/pcm", "rate": 24000}
SERVER_VAD = {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 200}
REALTIME_DEFAULTS: Dict[str, Any] = {   # GA session of type "realtime"
    "object": "realtime.session",
    "model": "gpt-realtime",
    "output_modalities": ["audio"],
    "instructions": "You are a helpful, witty, and friendly AI.",
    "tools": [],
    "tool_choice": "auto",
    "max_output_tokens": "inf",
    "tracing": None,
    "truncation": "auto",
    "prompt": None,
    "include": None,
    "audio": {
        "input": {"format": PCM_24K, "transcription": None, "noise_reduction": None, "turn_detection": SERVER_VAD},
        "output": {"format": PCM_24K, "voice": "alloy", "speed": 1.0},
    },
}
TRANSCRIPTION_DEFAULTS: Dict[str, Any] = {   # GA session of type "transcription"
    "object": "realtime.transcription_session",
    "include": None,
    "audio": {"input": {"format": PCM_24K, "transcription": None, "noise_reduction": None, "turn_detection": SERVER_VAD}},
}
TRANSLATION_DEFAULTS: Dict[str, Any] = {
    "audio": {"input": {"transcription": None, "noise_reduction": None}, "output": {"language": "en"}},
}
GA_DEFAULTS = {"realtime": REALTIME_DEFAULTS, "transcription": TRANSCRIPTION_DEFAULTS, "translation": TRANSLATION_DEFAULTS}


def merged(default: Any, sent: Any) -> Any:
    """`sent` completed from `default`; a setting of another `type` (say semantic_vad over server_vad) replaces it."""
    if not (isinstance(default, dict) and isinstance(sent, dict)):
        return copy.deepcopy(sent)
    if "type" in sent and "type" in default and sent["type"] != default["type"]:
        return copy.deepcopy(sent)
    out = copy.deepcopy(default)
    for name, value in sent.items():
        out[name] = merged(default.get(name), value)
    return out


def session_answer(declared: Iterable[str], defaults: Dict[str, Any], request: Dict[str, Any],
                   fixed: Dict[str, Any]) -> Dict[str, Any]:
    """The `fixed` fields, then each declared field: the request's (completed from the defaults), or the default."""
    session = dict(fixed)
    for name in declared:
        if name in session:
            continue
        if name in request:
            session[name] = merged(defaults.get(name), request[name])
        elif name in defaults:
            session[name] = copy.deepcopy(defaults[name])
    return session
