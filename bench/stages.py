"""Where the GA call's time goes, stage by stage, in CPU microseconds per call (sync and async), on
loopback against the bench's responder:

    build        the request models an application builds (RealtimeCreateClientSecretRequest, ...)
    validate     the operation's argument check (pydantic validate_call): the call minus the unchecked call
    serialize    the operation's request: path, headers, auth and the JSON-ready body (param_serialize)
    transport    send and read the answer through the SDK's transport (call_api: the retry loop, the
                 deadline, pydantic-core encoding), beside bare urllib3 / aiohttp sending the same request
                 (the SDK's headers) under the same timeout
    parse        the 200 body to the typed answer (response_deserialize)

Each stage runs in its own timed loop, rounds interleaved, medians reported. `python -m bench.stages`
(the bench venv: `make bench-stages`)."""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List

import pydantic_core
import urllib3

import openapi_client
from bench.run import GA_PATH, KEY, ROOT, interleaved_cpu, sdk_aiohttp_timeout, sdk_request_headers, sdk_timeout

GA_TYPES = {"200": "RealtimeCreateClientSecretResponse"}


def build() -> Any:
    return openapi_client.RealtimeCreateClientSecretRequest(
        expires_after=openapi_client.ClientSecretExpiration(anchor="created_at", seconds=600),
        session=openapi_client.RealtimeSessionCreateRequestGA(
            type="realtime", model="gpt-realtime", instructions="You are a friendly assistant.",
            audio=openapi_client.RealtimeSessionCreateRequestGAAudio(
                output=openapi_client.RealtimeSessionCreateRequestGAAudioOutput(voice="marin"))))


def sync_stages(url: str) -> Dict[str, Callable[[], Any]]:
    api_client = openapi_client.ApiClient(openapi_client.Configuration(host=url + "/v1", access_token=KEY))
    api = openapi_client.RealtimeApi(api_client)
    request = build()
    serialized = api._create_realtime_client_secret_serialize(request, None, None, None, 0)
    answered = api_client.call_api(*serialized)
    answered.read()
    unchecked: Any = getattr(api.create_realtime_client_secret, "__wrapped__")  # noqa: B009 (the operation without validate_call)
    pool = urllib3.PoolManager(maxsize=8).connection_from_url(url)
    headers = sdk_request_headers()   # the same request on the wire, under the same timeout
    timeout = sdk_timeout()
    body = pydantic_core.to_json(request.to_dict())

    def transport() -> Any:
        response = api_client.call_api(*serialized)
        return response.read()

    return {
        "build": build,
        "whole call": lambda: api.create_realtime_client_secret(request),
        "whole call, unchecked": lambda: unchecked(api, request),
        "serialize": lambda: api._create_realtime_client_secret_serialize(request, None, None, None, 0),
        "transport": transport,
        "transport floor (urllib3)": lambda: pool.urlopen("POST", GA_PATH, body=body, headers=headers,
                                                          redirect=False, timeout=timeout).data,
        "parse": lambda: api_client.response_deserialize(answered, GA_TYPES).data,
    }


def cpu_per_call(functions: Dict[str, Callable[[], Any]], rounds: int, calls: int) -> Dict[str, List[float]]:
    for function in functions.values():   # warm: connections open, caches filled
        for _ in range(20):
            function()
    return interleaved_cpu(functions, rounds, calls)


async def async_transport(url: str, rounds: int, calls: int, in_flight: int = 50) -> Dict[str, List[float]]:
    """The async transport's CPU per call with `in_flight` calls at a time, beside bare aiohttp."""
    import aiohttp
    from openapi_client import aio
    api_client = aio.ApiClient(openapi_client.Configuration(host=url + "/v1", access_token=KEY))
    api = aio.RealtimeApi(api_client)
    request = build()
    serialized = api._create_realtime_client_secret_serialize(request, None, None, None, 0)
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100), timeout=sdk_aiohttp_timeout())
    headers = sdk_request_headers()
    body = pydantic_core.to_json(request.to_dict())

    async def sdk() -> Any:
        response = await api_client.call_api(*serialized)
        return await response.read()

    async def bare() -> Any:
        async with session.post(url + GA_PATH, data=body, headers=headers) as response:
            return await response.read()

    async def whole() -> Any:
        return await api.create_realtime_client_secret(request)

    contenders = {"async transport": sdk, "async transport floor (aiohttp)": bare, "async whole call": whole}
    samples: Dict[str, List[float]] = {name: [] for name in contenders}
    try:
        for call in contenders.values():
            await asyncio.gather(*[call() for _ in range(in_flight)])
        for _ in range(rounds):
            for name, call in contenders.items():
                gc.collect()
                started = time.process_time()
                for start in range(0, calls, in_flight):
                    await asyncio.gather(*[call() for _ in range(min(in_flight, calls - start))])
                samples[name].append((time.process_time() - started) / calls)
    finally:
        await session.close()
        await api_client.close()
    return samples


def main(argv: Any = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args(argv)
    responder = subprocess.Popen([sys.executable, "-m", "bench.responder"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                 env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert responder.stdout is not None
        url = "http://127.0.0.1:%d" % int(responder.stdout.readline())
        samples = cpu_per_call(sync_stages(url), args.rounds, args.calls)
        samples.update(asyncio.run(async_transport(url, args.rounds, args.calls)))
    finally:
        responder.terminate()
        responder.wait(timeout=10)
    us = {name: statistics.median(values) * 1e6 for name, values in samples.items()}
    us["validate (whole - unchecked)"] = us["whole call"] - us["whole call, unchecked"]
    us["rest of the call (whole - stages)"] = us["whole call"] - sum(
        us[s] for s in ("validate (whole - unchecked)", "serialize", "transport", "parse"))
    print("\nthe GA call by stage: CPU us per call, medians of %d rounds x %d calls (openapi_client %s)\n"
          % (args.rounds, args.calls, openapi_client.__version__))
    for name in ("build", "validate (whole - unchecked)", "serialize", "transport", "transport floor (urllib3)", "parse",
                 "rest of the call (whole - stages)", "whole call", "async transport", "async transport floor (aiohttp)",
                 "async whole call"):
        print("  %-36s %8.1f" % (name, us[name]))
    print(json.dumps({name: round(value, 1) for name, value in us.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
