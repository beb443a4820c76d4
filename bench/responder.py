"""A fixed, cheap HTTP/1.1 keep-alive responder for the benchmark, run in its own process so its
CPU time is not the client's: `python -m bench.responder` prints its port and answers every
request with the same session JSON."""
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

# The request every contender sends (every field the TypeScript docs' example sets, as in
# examples/create_session.py); the fixed answer is that session echoed, with an id and a key.
REQUEST = {
    "modalities": ["audio", "text"], "model": "gpt-4o-realtime-preview", "instructions": "You are a friendly assistant.",
    "voice": "alloy", "input_audio_format": "pcm16", "output_audio_format": "pcm16",
    "input_audio_transcription": {"model": "whisper-1"},
    "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500,
                       "create_response": True},
    "tools": [{"type": "function", "name": "get_weather", "description": "Get the current weather for a city.",
               "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
    "tool_choice": "auto", "temperature": 0.8, "max_response_output_tokens": "inf",
}
SESSION = {"id": "sess_bench000000000000000000", "object": "realtime.session", **REQUEST,
           "client_secret": {"value": "ek_00000000000000000000000000000000", "expires_at": 1800000060}}
BODY = json.dumps(SESSION).encode()
# The GA call: the request a backend sends to mint a key, answered with the operation's own example.
GA_REQUEST = {"expires_after": {"anchor": "created_at", "seconds": 600},
              "session": {"type": "realtime", "model": "gpt-realtime", "instructions": "You are a friendly assistant.",
                          "audio": {"output": {"voice": "marin"}}}}
GA_BODY = json.dumps(json.loads((Path(__file__).resolve().parent / "client_secret_answer.json").read_text())).encode()


def answer_bytes(body: bytes) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: req_bench\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body


RESPONSE, GA_RESPONSE = answer_bytes(BODY), answer_bytes(GA_BODY)


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            writer.write(GA_RESPONSE if b" /v1/realtime/client_secrets " in head[:64] else RESPONSE)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(answer, "127.0.0.1", 0, backlog=256)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
