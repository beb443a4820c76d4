"""The events connection figures of `make bench` (issue 29): client CPU per received event over a
recorded stream of server events (audio deltas of about 4 KB base64, text deltas and `response.done`
of about 2 KB) replayed on loopback by a bare websockets server in its own process, and CPU per
`send` of a checked `input_audio_buffer.append` carrying 4 KB of audio. The floor is bare websockets
+ json; openai-python's realtime.connect receives the same stream. Contenders interleave round by
round; medians are reported."""
from __future__ import annotations

import asyncio
import base64
import functools
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

from bench.heap import frozen_heap

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-bench"
AUDIO_B64 = base64.b64encode(bytes(range(256)) * 12).decode()   # 3 KB of audio: about 4 KB of base64


def recorded_stream(count: int) -> List[str]:
    """A response's events in the API's proportions: mostly audio deltas, some transcript deltas, a done."""
    response = json.loads((ROOT / "bench" / "response_done.json").read_text())
    events: List[str] = []
    for n in range(count):
        base = {"event_id": "event_%d" % n, "response_id": "resp_1", "item_id": "item_1", "output_index": 0,
                "content_index": 0}
        if n % 50 == 49:
            events.append(json.dumps({"type": "response.done", "event_id": "event_%d" % n, "response": response}))
        elif n % 5 == 4:
            events.append(json.dumps({"type": "response.output_audio_transcript.delta", **base, "delta": "Sure, I can h"}))
        else:
            events.append(json.dumps({"type": "response.output_audio.delta", **base, "delta": AUDIO_B64}))
    return events


def replay_server(stream_file: Path) -> None:
    """`python -m bench.events_bench serve FILE`: each connection gets the recorded stream, then a
    normal close; messages it receives are drained. Prints its port."""
    from websockets.sync.server import serve
    messages = json.loads(stream_file.read_text())

    def handler(websocket: Any) -> None:
        if "send" in websocket.request.path:
            for _ in websocket:   # the send benchmark: drain until the client closes
                pass
            return
        for message in messages:
            websocket.send(message)
        websocket.close()

    with serve(handler, "127.0.0.1", 0, max_size=None, compression=None) as server:
        print(server.socket.getsockname()[1], flush=True)
        server.serve_forever()


# ---------------------------------------------------------------- receivers: each returns events seen

def floor_receive(url: str) -> int:
    from websockets.sync.client import connect
    from websockets.exceptions import ConnectionClosedOK
    seen = 0
    with connect(url + "/realtime?model=m", additional_headers={"Authorization": "Bearer " + KEY},
                 max_size=None, compression=None) as websocket:
        try:
            while True:
                json.loads(websocket.recv())
                seen += 1
        except ConnectionClosedOK:
            return seen


def sdk_receive(url: str) -> int:
    import openapi_client
    from openapi_client import realtime
    configuration = openapi_client.Configuration(host=url.replace("ws://", "http://"), access_token=KEY)
    with realtime.connect(model="m", configuration=configuration) as conn:
        return sum(1 for _ in conn)


def openai_receive(url: str) -> int:
    import openai  # type: ignore[import-not-found, unused-ignore]
    client = openai.OpenAI(api_key=KEY, base_url=url.replace("ws://", "http://"))
    seen = 0
    with client.realtime.connect(model="m") as conn:
        try:
            for _ in conn:
                seen += 1
        except Exception as error:   # openai-python ends its iterator by raising on close
            if "ConnectionClosedOK" not in type(error).__name__ and seen == 0:
                raise
    return seen


# ---------------------------------------------------------------- async receivers (the library choice)

async def _websockets_async(url: str) -> int:
    from websockets.asyncio.client import connect
    seen = 0
    async with connect(url + "/realtime?model=m", additional_headers={"Authorization": "Bearer " + KEY},
                       max_size=None, compression=None) as websocket:
        async for message in websocket:
            json.loads(message)
            seen += 1
    return seen


async def _aiohttp_async(url: str) -> int:
    import aiohttp
    seen = 0
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url + "/realtime?model=m", headers={"Authorization": "Bearer " + KEY},
                                      max_msg_size=0) as websocket:
            async for message in websocket:
                if message.type == aiohttp.WSMsgType.TEXT:
                    json.loads(message.data)
                    seen += 1
    return seen


async def _sdk_async(url: str) -> int:
    import openapi_client
    from openapi_client.aio import realtime
    configuration = openapi_client.Configuration(host=url.replace("ws://", "http://"), access_token=KEY)
    seen = 0
    async with realtime.connect(model="m", configuration=configuration) as conn:
        async for _ in conn:
            seen += 1
    return seen


def run_async(receive: Callable[[str], Any]) -> Callable[[str], int]:
    return lambda url: asyncio.run(receive(url))


ASYNC_RECEIVERS: Dict[str, Callable[[str], int]] = {
    "websockets asyncio+json": run_async(_websockets_async), "aiohttp ws+json": run_async(_aiohttp_async),
    "sdk aio": run_async(_sdk_async)}


# ---------------------------------------------------------------- senders: each sends `count` appends

def floor_send(url: str, count: int) -> None:
    from websockets.sync.client import connect
    with connect(url + "/realtime?model=send", additional_headers={"Authorization": "Bearer " + KEY},
                 max_size=None, compression=None) as websocket:
        for _ in range(count):
            websocket.send(json.dumps({"type": "input_audio_buffer.append", "audio": AUDIO_B64}))


def sdk_send(url: str, count: int) -> None:
    import openapi_client
    from openapi_client import realtime
    configuration = openapi_client.Configuration(host=url.replace("ws://", "http://"), access_token=KEY)
    with realtime.connect(model="send", configuration=configuration) as conn:
        for _ in range(count):
            conn.send({"type": "input_audio_buffer.append", "audio": AUDIO_B64})


def cpu_of(function: Callable[[], Any]) -> float:
    gc.collect()   # none of the last contender's garbage is left for this one to pay for
    start = time.process_time()
    function()
    return time.process_time() - start


def measure(rounds: int, events: int, sends: int, with_openai: bool) -> Dict[str, Any]:
    stream_file = ROOT / "bench-results" / "events-stream.json"
    stream_file.parent.mkdir(exist_ok=True)
    stream_file.write_text(json.dumps(recorded_stream(events)))
    server = subprocess.Popen([sys.executable, "-m", "bench.events_bench", "serve", str(stream_file)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert server.stdout is not None
        url = "ws://127.0.0.1:%d/v1" % int(server.stdout.readline())
        receivers: Dict[str, Callable[[str], int]] = {"websockets+json": floor_receive, "sdk": sdk_receive}
        if with_openai:
            receivers["openai"] = openai_receive
        receivers.update(ASYNC_RECEIVERS)
        for receive in receivers.values():   # warm, and check each sees the whole stream
            assert receive(url) == events, receive
        recv: Dict[str, List[float]] = {name: [] for name in receivers}
        send: Dict[str, List[float]] = {"websockets+json": [], "sdk": []}
        senders = {"websockets+json": floor_send, "sdk": sdk_send}
        with frozen_heap():
            for _ in range(rounds):
                for name, receive in receivers.items():
                    recv[name].append(cpu_of(functools.partial(receive, url)) / events)
                for name, sender in senders.items():
                    send[name].append(cpu_of(functools.partial(sender, url, sends)) / sends)
    finally:
        server.terminate()
        server.wait(timeout=10)
        stream_file.unlink(missing_ok=True)
    return {"events": events, "stream_bytes": sum(map(len, recorded_stream(events))),
            "recv_cpu_per_event_s": {name: statistics.median(values) for name, values in recv.items()},
            "send_cpu_per_event_s": {name: statistics.median(values) for name, values in send.items()},
            "samples": {"recv": recv, "send": send}}


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        replay_server(Path(sys.argv[2]))
