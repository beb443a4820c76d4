"""The generated docs' example runs as written against a local HTTP server."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import ROOT


def test_realtime_api_doc_example_runs_as_written(server):
    text = (ROOT / "docs" / "RealtimeApi.md").read_text()
    example = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    env = dict(os.environ, OPENAI_API_KEY="sk-docs-example-key", OPENAI_BASE_URL=server.base_url,
               PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", example], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "The response of RealtimeApi->create_realtime_session" in result.stdout
    assert "Exception" not in result.stdout
    (seen,) = server.requests
    assert seen.headers["Authorization"] == "Bearer sk-docs-example-key"
    body = seen.json()
    assert body["modalities"] == ["text"] and body["model"] == "gpt-4o-realtime-preview"
    assert body["instructions"] == "instructions_example" and body["voice"] == "alloy"
    assert body["tool_choice"] == "toolChoice_example" and body["temperature"] == 3.14
    assert "max_response_output_tokens" not in body
    assert body["input_audio_transcription"] == {"model": "model_example"}
    assert body["turn_detection"] == {"type": "type_example", "threshold": 3.14, "prefix_padding_ms": 1,
                                      "silence_duration_ms": 1, "create_response": True}
    assert body["tools"] == [{"type": "function", "name": "name_example", "description": "description_example",
                              "parameters": {}}]
