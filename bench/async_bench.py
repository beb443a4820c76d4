"""The async figures of `make bench`: CPU per call and calls per second with 50 calls in flight,
the SDK's openapi_client.aio against bare aiohttp and bare httpx posting the same body (the faster
is the floor) and openai's AsyncOpenAI; contenders interleaved round by round."""
from __future__ import annotations

import asyncio
import gc
import json
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

import openapi_client
from bench.heap import frozen_heap

KEY = "sk-bench"
PATH = "/v1/realtime/sessions"
# (make client, call, close): every contender's client stays open for the whole run, in one event loop
Contender = Callable[[str, Dict[str, Any]], Awaitable[Tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]]]


async def sdk(url: str, request: Dict[str, Any]) -> Tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
    from openapi_client import aio
    api_client = aio.ApiClient(openapi_client.Configuration(host=url + "/v1", access_token=KEY))
    api = aio.RealtimeApi(api_client)
    body = openapi_client.RealtimeSessionCreateRequest.from_dict(request)
    assert body is not None
    return (lambda: api.create_realtime_session(body)), api_client.close


async def bare_aiohttp(url: str, request: Dict[str, Any]) -> Tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
    import aiohttp
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    headers = {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"}

    async def call() -> Any:
        async with session.post(url + PATH, data=json.dumps(request), headers=headers) as response:
            if response.status != 200:
                raise RuntimeError(response.status)
            return json.loads(await response.read())
    return call, session.close


async def typed_aiohttp(url: str, request: Dict[str, Any]) -> Tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
    """The async typed floor: the same request model (built once, as the SDK contender does), encoded
    by pydantic-core, the answer parsed by the same generated model from the bytes; the same request
    on the wire (the SDK's headers) under the same timeout (total 600 s, connect 5 s)."""
    import aiohttp
    import pydantic_core
    from bench.run import sdk_aiohttp_timeout, sdk_request_headers
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100), timeout=sdk_aiohttp_timeout())
    headers = sdk_request_headers()
    body = openapi_client.RealtimeSessionCreateRequest.from_dict(request)
    assert body is not None
    answer: Any = openapi_client.RealtimeSessionCreateResponse   # from_json takes the bytes (typed str)

    async def call() -> Any:
        async with session.post(url + PATH, data=pydantic_core.to_json(body.to_dict()), headers=headers) as response:
            if response.status != 200:
                raise RuntimeError(response.status)
            return answer.from_json(await response.read())
    return call, session.close


async def checked_aiohttp(url: str, request: Dict[str, Any]) -> Tuple[Callable[[], Awaitable[Any]],
                                                                      Callable[[], Awaitable[None]]]:
    """The async typed floor plus the SDK's per-call checks written inline, without its layers: the
    argument's type, the key read from the configuration, the headers refused if unsafe, the retry
    policy as configured now, the status against the retryable ones, the answer parsed leniently.
    The SDK against it is what its layers cost; it against the typed floor is what the checks cost."""
    import aiohttp
    import pydantic_core
    from openapi_client._leniency import _parsing_server_response
    from openapi_client._retry_policy import RetryPolicy
    from openapi_client._runtime import check_header_fields
    from bench.run import sdk_aiohttp_timeout, sdk_request_headers
    configuration = openapi_client.Configuration(host=url + "/v1", access_token=KEY)
    retry_policy = RetryPolicy(configuration)
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100), timeout=sdk_aiohttp_timeout())
    headers = {name: value for name, value in sdk_request_headers().items() if name != "Authorization"}
    model = openapi_client.RealtimeSessionCreateRequest
    body = model.from_dict(request)
    answer: Any = openapi_client.RealtimeSessionCreateResponse

    def headers_now() -> Dict[str, str]:
        sent = dict(headers)
        sent["Authorization"] = configuration.auth_settings()["ApiKeyAuth"]["value"]
        check_header_fields(sent)
        return sent
    assert headers_now() == sdk_request_headers()   # the SDK's request on the wire

    async def call() -> Any:
        if type(body) is not model:
            raise TypeError(type(body))
        sent = headers_now()
        attempt = retry_policy.for_call(None).next_attempt()
        async with session.post(url + PATH, data=pydantic_core.to_json(body.to_dict()), headers=sent) as response:
            data = await response.read()
        if response.status in attempt.retryable_statuses or not 200 <= response.status <= 299:
            raise RuntimeError(response.status)
        lenient = _parsing_server_response.set(True)
        try:
            return answer.from_json(data)
        finally:
            _parsing_server_response.reset(lenient)
    return call, session.close


async def bare_httpx(url: str, request: Dict[str, Any]) -> Tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
    import httpx  # type: ignore[import-not-found, unused-ignore]  # only in the bench environment
    client = httpx.AsyncClient(limits=httpx.Limits(max_connections=100))
    headers = {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"}

    async def call() -> Any:
        response = await client.post(url + PATH, content=json.dumps(request), headers=headers)
        if response.status_code != 200:
            raise RuntimeError(response.status_code)
        return json.loads(response.content)
    return call, client.aclose


async def async_openai(url: str, request: Dict[str, Any]) -> Tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
    import openai  # type: ignore[import-not-found, unused-ignore]
    client = openai.AsyncOpenAI(api_key=KEY, base_url=url + "/v1")
    sessions: Any = client.beta.realtime.sessions
    return (lambda: sessions.create(**request)), client.close


def contenders() -> Dict[str, Contender]:
    found: Dict[str, Contender] = {"sdk aio": sdk}
    for name, module, contender in (("aiohttp+json", "aiohttp", bare_aiohttp),
                                    ("aiohttp typed (same models)", "aiohttp", typed_aiohttp),
                                    ("aiohttp checked (SDK checks inline)", "aiohttp", checked_aiohttp),
                                    ("httpx+json", "httpx", bare_httpx),
                                    ("AsyncOpenAI", "openai", async_openai)):
        try:
            __import__(module)
        except ImportError:
            continue
        found[name] = contender
    return found


async def interleaved(found: Dict[str, Contender], url: str, request: Dict[str, Any], rounds: int, calls: int,
                      in_flight: int) -> Dict[str, List[Tuple[float, float, List[int]]]]:
    """Per contender and round: (CPU seconds per call, calls per second, garbage collections by
    generation) for `calls` calls, `in_flight` at a time. Every contender's client is open in one event
    loop for the whole run (a long-running server's warmed heap) and the rounds alternate between them
    batch by batch, so a burst of machine noise lands in one short sample, not in one contender."""
    clients = {name: await contender(url, request) for name, contender in found.items()}
    samples: Dict[str, List[Tuple[float, float, List[int]]]] = {name: [] for name in found}
    try:
        for call, _ in clients.values():   # warm: connections open, caches filled
            await asyncio.gather(*[call() for _ in range(in_flight)])
        with frozen_heap():
            for _ in range(rounds):
                for name, (call, _) in clients.items():
                    gc.collect()   # none of the last contender's garbage is left for this one to pay for
                    # untimed: its code back in the CPU's caches, so no contender pays for following a heavier one
                    await asyncio.gather(*[call() for _ in range(in_flight)])
                    collections = [generation["collections"] for generation in gc.get_stats()]
                    cpu, wall = time.process_time(), time.perf_counter()
                    for start in range(0, calls, in_flight):
                        await asyncio.gather(*[call() for _ in range(min(in_flight, calls - start))])
                    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                    collected = [g["collections"] - before for g, before in zip(gc.get_stats(), collections)]
                    samples[name].append((cpu / calls, calls / wall, collected))
    finally:
        for _, close in clients.values():
            await close()
    return samples


def measure(url: str, request: Dict[str, Any], rounds: int, calls: int, in_flight: int = 50) -> Dict[str, Any]:
    found = contenders()
    samples = asyncio.run(interleaved(found, url, request, rounds, calls, in_flight))
    cpu = {name: [s[0] for s in values] for name, values in samples.items()}
    rate = {name: [s[1] for s in values] for name, values in samples.items()}
    collections = {name: [s[2] for s in values] for name, values in samples.items()}
    median = lambda values: sorted(values)[len(values) // 2]  # noqa: E731
    return {"in_flight": in_flight, "cpu_per_call_s": {n: median(v) for n, v in cpu.items()},
            "calls_per_s": {n: median(v) for n, v in rate.items()},
            # gc collections per 1,000 calls by generation (0, 1, 2), summed over the rounds
            "gc_collections_per_1000_calls": {n: [round(sum(c[g] for c in v) * 1000 / (calls * rounds), 2) for g in range(3)]
                                              for n, v in collections.items()},
            "samples": {"cpu": cpu, "rate": rate}}


def floor(result: Dict[str, Any]) -> Optional[Tuple[str, float]]:
    """The faster bare async client: (name, CPU per call)."""
    bare = {n: v for n, v in result["cpu_per_call_s"].items() if n in ("aiohttp+json", "httpx+json")}
    return min(bare.items(), key=lambda item: item[1]) if bare else None
