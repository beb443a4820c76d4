"""`make bench`: CPU per call, parse cost, cold start and threaded throughput of this SDK against
bare urllib3 + json (the floor) and the official openai package, side by side in one run. A second
urllib3 row looks the host's pool up once, as the SDK's transport does: the SDK's distance to it is
the SDK's own work.

Rounds interleave the contenders (A B C A B C ...) and the table reports medians, so machine
noise hits all of them alike. Results go to bench-results/ as JSON for comparison between commits.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Literal, Optional, Union

import pydantic
import pydantic_core
import urllib3

import openapi_client
from bench import async_bench, events_bench
from bench.heap import frozen_heap
from bench.responder import BODY, GA_BODY, GA_REQUEST, REQUEST

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-bench"
# The GA client_secrets answer (about 1 KB, nested unions): the operation's own example in openapi.yaml
# (test_bench keeps the copy equal to it).
CLIENT_SECRET_BODY = GA_BODY   # the GA answer: the operation's own example
CLIENT_SECRET_TEXT = CLIENT_SECRET_BODY.decode()
PATH = "/v1/realtime/sessions"
# The SDK against a typed floor (bare HTTP that builds the same request models and parses the answer
# into the same generated models: the least any client with the SDK's guarantees pays) is the target;
# against the untyped floor (bare HTTP + json) it is a compass goal.
TARGETS = {"sdk_ga_cpu_vs_typed_floor_max": 1.10, "sdk_async_cpu_vs_typed_floor_max": 1.10,
           "sdk_ga_cpu_vs_urllib3_max": 1.25, "openai_ga_cpu_vs_sdk_min": 3.0,
           "sdk_cpu_vs_urllib3_max": 1.15, "openai_cpu_vs_sdk_min": 3.0, "sdk_cold_seconds_max": 0.25,
           "sdk_cold_vs_openai_max": 0.25, "sdk_client_secrets_parse_vs_openai_max": 1.0,
           "sdk_async_cpu_vs_floor_max": 1.30, "asyncopenai_cpu_vs_sdk_async_min": 2.0,
           "sdk_events_recv_vs_floor_max": 1.5, "openai_events_recv_vs_sdk_min": 1.0}

# Cold process: from before the import to after the first call, timed inside a fresh interpreter.
COLD = {
    "sdk": """
import time; t0 = time.perf_counter()
import openapi_client
t1 = time.perf_counter()
config = openapi_client.Configuration(host=URL + "/v1", access_token="sk-bench")
api = openapi_client.RealtimeApi(openapi_client.ApiClient(config))
api.create_realtime_session(openapi_client.RealtimeSessionCreateRequest.from_dict(REQUEST))
""",
    "openai": """
import time; t0 = time.perf_counter()
import openai
t1 = time.perf_counter()
import warnings; warnings.simplefilter("ignore")
client = openai.OpenAI(api_key="sk-bench", base_url=URL + "/v1")
client.beta.realtime.sessions.create(**REQUEST)
""",
}
COLD_FOOTER = "\nt2 = time.perf_counter(); print(t1 - t0, t2 - t0)\n"


class HandTranscription(pydantic.BaseModel):
    model: Optional[str] = None


class HandTurnDetection(pydantic.BaseModel):
    type: Optional[str] = None
    threshold: Optional[float] = None
    prefix_padding_ms: Optional[int] = None
    silence_duration_ms: Optional[int] = None


class HandTool(pydantic.BaseModel):
    type: Optional[Literal["function"]] = None
    name: Optional[str] = None
    description: Optional[str] = None
    parameters: Optional[Dict[str, Any]] = None


class HandClientSecret(pydantic.BaseModel):
    value: Optional[str] = None
    expires_at: Optional[int] = None


class HandSession(pydantic.BaseModel):
    """The response schema written by hand as a plain pydantic model: what validation alone costs."""
    model_config = pydantic.ConfigDict(extra="allow")
    client_secret: Optional[HandClientSecret] = None
    modalities: Optional[List[str]] = None
    instructions: Optional[str] = None
    voice: Optional[str] = None
    input_audio_format: Optional[str] = None
    output_audio_format: Optional[str] = None
    input_audio_transcription: Optional[HandTranscription] = None
    turn_detection: Optional[HandTurnDetection] = None
    tools: Optional[List[HandTool]] = None
    tool_choice: Optional[str] = None
    temperature: Optional[float] = None
    max_response_output_tokens: Optional[Union[int, Literal["inf"]]] = None


def openai_version() -> Optional[str]:
    try:
        import openai  # type: ignore[import-not-found, unused-ignore]  # only in the bench environment
    except ImportError:
        return None
    return openai.__version__


def call_makers(url: str) -> Dict[str, Callable[[], Callable[[], Any]]]:
    """One factory per contender; each builds its client once and returns the per-call function."""
    def sdk() -> Callable[[], Any]:
        api = openapi_client.RealtimeApi(openapi_client.ApiClient(
            openapi_client.Configuration(host=url + "/v1", access_token=KEY)))
        request = openapi_client.RealtimeSessionCreateRequest.from_dict(REQUEST)
        assert request is not None
        return lambda: api.create_realtime_session(request)

    def bare() -> Callable[[], Any]:
        pool = urllib3.PoolManager(maxsize=8)
        headers = {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"}

        def call() -> Any:
            response = pool.request("POST", url + PATH, body=json.dumps(REQUEST), headers=headers)
            if response.status != 200:
                raise RuntimeError(response.status)
            return json.loads(response.data)
        return call

    def bare_pre_routed() -> Callable[[], Any]:
        # urllib3 with the host's pool looked up once, as the SDK's transport does: its own cost floor
        pool = urllib3.PoolManager(maxsize=8).connection_from_url(url)
        headers = {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"}

        def call() -> Any:
            response = pool.urlopen("POST", PATH, body=json.dumps(REQUEST), headers=headers, redirect=False)
            if response.status != 200:
                raise RuntimeError(response.status)
            return json.loads(response.data)
        return call

    def openai_sdk() -> Callable[[], Any]:
        import openai  # type: ignore[import-not-found, unused-ignore]
        client = openai.OpenAI(api_key=KEY, base_url=url + "/v1")
        sessions: Any = client.beta.realtime.sessions   # REQUEST is a plain dict, as the other contenders send
        return lambda: sessions.create(**REQUEST)

    makers = {"urllib3+json": bare, "urllib3 pre-routed+json": bare_pre_routed, "sdk": sdk}
    if openai_version():
        makers["openai"] = openai_sdk
    return makers


GA_PATH = "/v1/realtime/client_secrets"


def sdk_timeout() -> urllib3.Timeout:
    """The SDK's default timeout (total 600 s an attempt, connect 5 s), for the typed floors."""
    timeout = openapi_client.Configuration().timeout
    assert isinstance(timeout, urllib3.Timeout)
    return timeout


def sdk_aiohttp_timeout() -> Any:
    """The same timeout as aiohttp takes it (the SDK's async transport sets the same two bounds)."""
    import aiohttp
    timeout = sdk_timeout()
    seconds = lambda value: float(value) if isinstance(value, (int, float)) else None  # noqa: E731 (not DEFAULT_TIMEOUT)
    return aiohttp.ClientTimeout(total=seconds(timeout.total), sock_connect=seconds(timeout.connect_timeout))


def sdk_request_headers() -> Dict[str, str]:
    """The headers the SDK sends with a JSON request (Accept, Content-Type, User-Agent, Authorization):
    the typed floors send the same request, so the comparison is of the work, not of the bytes."""
    client = openapi_client.ApiClient(openapi_client.Configuration(host="http://127.0.0.1/v1", access_token=KEY))
    serialized = openapi_client.RealtimeApi(client)._create_realtime_client_secret_serialize(
        openapi_client.RealtimeCreateClientSecretRequest(), None, None, None, 0)
    return dict(serialized[2])


def ga_call_makers(url: str) -> Dict[str, Callable[[], Callable[[], Any]]]:
    """The GA mint, the request built inside each call as an application builds it."""
    def sdk() -> Callable[[], Any]:
        api = openapi_client.RealtimeApi(openapi_client.ApiClient(
            openapi_client.Configuration(host=url + "/v1", access_token=KEY)))
        return lambda: api.create_realtime_client_secret(openapi_client.RealtimeCreateClientSecretRequest(
            expires_after=openapi_client.ClientSecretExpiration(anchor="created_at", seconds=600),
            session=openapi_client.RealtimeSessionCreateRequestGA(
                type="realtime", model="gpt-realtime", instructions="You are a friendly assistant.",
                audio=openapi_client.RealtimeSessionCreateRequestGAAudio(
                    output=openapi_client.RealtimeSessionCreateRequestGAAudioOutput(voice="marin")))))

    def bare() -> Callable[[], Any]:
        pool = urllib3.PoolManager(maxsize=8)
        headers = {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"}

        def call() -> Any:
            response = pool.request("POST", url + GA_PATH, body=json.dumps(GA_REQUEST), headers=headers)
            if response.status != 200:
                raise RuntimeError(response.status)
            return json.loads(response.data)
        return call

    def typed_floor() -> Callable[[], Any]:
        # the SDK's guarantees with nothing else: the same request models built (and so checked), the
        # body encoded by pydantic-core, the host's pool looked up once, the answer parsed by the same
        # generated model from the bytes (from_json: model_validate_json with the models' JSON options);
        # the same request on the wire: the SDK's headers and its default timeout
        pool = urllib3.PoolManager(maxsize=8).connection_from_url(url)
        headers = sdk_request_headers()
        timeout = sdk_timeout()
        answer: Any = openapi_client.RealtimeCreateClientSecretResponse   # from_json takes the bytes (typed str)

        def call() -> Any:
            request = openapi_client.RealtimeCreateClientSecretRequest(
                expires_after=openapi_client.ClientSecretExpiration(anchor="created_at", seconds=600),
                session=openapi_client.RealtimeSessionCreateRequestGA(
                    type="realtime", model="gpt-realtime", instructions="You are a friendly assistant.",
                    audio=openapi_client.RealtimeSessionCreateRequestGAAudio(
                        output=openapi_client.RealtimeSessionCreateRequestGAAudioOutput(voice="marin"))))
            response = pool.urlopen("POST", GA_PATH, body=pydantic_core.to_json(request.to_dict()), headers=headers,
                                    redirect=False, timeout=timeout)
            if response.status != 200:
                raise RuntimeError(response.status)
            return answer.from_json(response.data)
        return call

    def openai_sdk() -> Callable[[], Any]:
        import openai  # type: ignore[import-not-found, unused-ignore]
        client = openai.OpenAI(api_key=KEY, base_url=url + "/v1")
        secrets: Any = client.realtime.client_secrets
        return lambda: secrets.create(**GA_REQUEST)

    makers = {"urllib3+json": bare, "urllib3 typed (same models)": typed_floor, "sdk": sdk}
    if openai_version():
        makers["openai"] = openai_sdk
    return makers


def parsers() -> Dict[str, Callable[[], Any]]:
    api_client = openapi_client.ApiClient(openapi_client.Configuration(access_token=KEY))
    # what the SDK's call does with a 200 body it has read: response_deserialize(...).data
    received = openapi_client.rest.RESTResponse(urllib3.HTTPResponse(
        body=BODY, status=200, preload_content=True, headers={"Content-Type": "application/json"}))
    received.read()
    types = {"200": "RealtimeSessionCreateResponse"}

    def sdk() -> Any:
        return api_client.response_deserialize(received, types).data

    ga_received = openapi_client.rest.RESTResponse(urllib3.HTTPResponse(
        body=CLIENT_SECRET_BODY, status=200, preload_content=True, headers={"Content-Type": "application/json"}))
    ga_received.read()
    ga_types = {"200": "RealtimeCreateClientSecretResponse"}

    def sdk_client_secret() -> Any:
        # the call's whole handling of a read 200: status and content type checks, parse, ApiResponse
        return api_client.response_deserialize(ga_received, ga_types).data

    found: Dict[str, Callable[[], Any]] = {
        "json.loads": lambda: json.loads(BODY),
        "sdk": sdk,
        "sdk client_secrets (GA, 1 KB)": lambda: openapi_client.RealtimeCreateClientSecretResponse.from_json(
            CLIENT_SECRET_TEXT),
        "sdk client_secrets via response_deserialize": sdk_client_secret,
        "pydantic model_validate_json": lambda: HandSession.model_validate_json(BODY),
    }
    if openai_version():
        from openai._models import construct_type  # type: ignore[import-not-found, unused-ignore]
        from openai.types.beta.realtime.session_create_response import (  # type: ignore[import-not-found, unused-ignore]
            SessionCreateResponse)
        # what the openai client does with a 200 body: json.loads, then construct_type
        found["openai"] = lambda: construct_type(type_=SessionCreateResponse, value=json.loads(BODY))
        from openai.types.realtime import ClientSecretCreateResponse  # type: ignore[import-not-found, unused-ignore]
        found["openai client_secrets model_validate_json"] = lambda: ClientSecretCreateResponse.model_validate_json(
            CLIENT_SECRET_TEXT)
    return found


def interleaved_cpu(functions: Dict[str, Callable[[], Any]], rounds: int, per_round: int) -> Dict[str, List[float]]:
    """Process CPU seconds per call, one sample per round per contender, contenders interleaved."""
    samples: Dict[str, List[float]] = {name: [] for name in functions}
    with frozen_heap():
        for _ in range(rounds):
            for name, function in functions.items():
                gc.collect()   # none of the last contender's garbage is left for this one to pay for
                for _ in range(SETTLE_CALLS):   # untimed: its code back in the CPU's caches after the last contender's
                    function()
                started = time.process_time()
                for _ in range(per_round):
                    function()
                samples[name].append((time.process_time() - started) / per_round)
    return samples


def threaded_rate(call: Callable[[], Any], threads: int, per_thread: int) -> float:
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        barrier.wait()
        for _ in range(per_thread):
            call()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    return threads * per_thread / (time.perf_counter() - started)


def cyclic_garbage(call: Callable[[], Any], calls: int) -> float:
    """Objects per call that only the garbage collector can free (reference cycles): they make
    collections run, which the CPU rounds then pay for at random."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(calls):
            call()
        gc.collect()
        return len(gc.garbage) / calls
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def cold_start(name: str, url: str) -> List[float]:
    script = "URL = %r\nREQUEST = %r\n" % (url, REQUEST) + COLD[name] + COLD_FOOTER
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}   # users have .pyc files
    env["PYTHONPATH"] = str(ROOT)
    output = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True).stdout
    return [float(x) for x in output.split()]


def client_memory(make: Callable[[], Callable[[], Any]]) -> int:
    """Bytes a second client holds after one call (its pool and one connection): the first client
    already paid for imports and schemas, which every client shares."""
    make()()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    call = make()
    call()
    gc.collect()
    grown = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    tracemalloc.stop()
    del call
    return grown


WARM_CALLS = 30   # before timing: connections open, caches filled
SETTLE_CALLS = 3   # before each sample, so that no contender pays for running after a heavier one


def median(values: List[float]) -> float:
    return statistics.median(values)


def measure(args: argparse.Namespace, url: str) -> Dict[str, Any]:
    makers = call_makers(url)
    calls = {name: make() for name, make in makers.items()}
    for function in calls.values():   # warm: connections open, caches filled
        for _ in range(WARM_CALLS):
            function()
    cpu = interleaved_cpu(calls, args.rounds, args.calls)
    garbage = {name: cyclic_garbage(function, max(3, args.calls // 4)) for name, function in calls.items()}
    parse = interleaved_cpu(parsers(), args.rounds, args.calls * 5)

    cold: Dict[str, List[List[float]]] = {name: [] for name in COLD if name != "openai" or openai_version()}
    for name in cold:   # one untimed run writes the .pyc files a deployed app would have
        cold_start(name, url)
    for _ in range(args.cold_runs):
        for name in cold:
            cold[name].append(cold_start(name, url))

    rates: Dict[str, List[float]] = {name: [] for name in makers}
    for _ in range(args.thread_rounds):
        for name, make in makers.items():
            rates[name].append(threaded_rate(make(), args.threads, args.thread_calls))

    ga_calls = {name: make() for name, make in ga_call_makers(url).items()}
    for function in ga_calls.values():
        for _ in range(WARM_CALLS):
            function()
    ga_cpu = interleaved_cpu(ga_calls, args.rounds, args.calls)
    memory = {name: client_memory(make) for name, make in ga_call_makers(url).items()}
    async_result = async_bench.measure(url, REQUEST, args.async_rounds, args.async_calls)
    events_result = events_bench.measure(args.events_rounds, args.events, args.event_sends, bool(openai_version()))

    return {
        "ga_client_secret_cpu_per_call_s": {name: median(values) for name, values in ga_cpu.items()},
        "client_memory_bytes": memory,
        "async_50_in_flight": async_result,
        "realtime_events": events_result,
        "cpu_per_call_s": {name: median(values) for name, values in cpu.items()},
        "cyclic_garbage_objects_per_call": garbage,
        "parse_s": {name: median(values) for name, values in parse.items()},
        "cold_import_s": {name: median([run[0] for run in runs]) for name, runs in cold.items()},
        "cold_import_and_first_call_s": {name: median([run[1] for run in runs]) for name, runs in cold.items()},
        "calls_per_s_%d_threads" % args.threads: {name: median(values) for name, values in rates.items()},
        "samples": {"cpu": cpu, "ga_cpu": ga_cpu, "parse": parse, "cold": cold, "rates": rates},
    }


def ratios(result: Dict[str, Any]) -> Dict[str, Optional[float]]:
    cpu, cold = result["cpu_per_call_s"], result["cold_import_and_first_call_s"]
    has_openai = "openai" in cpu
    aio_cpu = result["async_50_in_flight"]["cpu_per_call_s"]
    aio_floor = async_bench.floor(result["async_50_in_flight"])
    ga = result["ga_client_secret_cpu_per_call_s"]
    events = result["realtime_events"]["recv_cpu_per_event_s"]
    sends = result["realtime_events"]["send_cpu_per_event_s"]
    checked = aio_cpu.get("aiohttp checked (SDK checks inline)")
    return {
        "sdk_ga_cpu_vs_typed_floor": ga["sdk"] / ga["urllib3 typed (same models)"],
        "sdk_async_cpu_vs_typed_floor": aio_cpu["sdk aio"] / aio_cpu["aiohttp typed (same models)"]
        if "aiohttp typed (same models)" in aio_cpu else None,
        # no target: the SDK's layers (against the typed floor with its checks inline) and the checks' own cost
        "sdk_async_cpu_vs_checked_floor": aio_cpu["sdk aio"] / checked if checked else None,
        "async_checked_floor_cpu_vs_typed_floor": checked / aio_cpu["aiohttp typed (same models)"]
        if checked and "aiohttp typed (same models)" in aio_cpu else None,
        "sdk_ga_cpu_vs_urllib3": ga["sdk"] / ga["urllib3+json"],
        "openai_ga_cpu_vs_sdk": ga["openai"] / ga["sdk"] if "openai" in ga else None,
        # no target: the most any client with the SDK's guarantees could show against openai
        "openai_ga_cpu_vs_typed_floor": ga["openai"] / ga["urllib3 typed (same models)"] if "openai" in ga else None,
        "sdk_async_cpu_vs_floor": aio_cpu["sdk aio"] / aio_floor[1] if aio_floor else None,
        "sdk_events_recv_vs_floor": events["sdk"] / events["websockets+json"],
        "openai_events_recv_vs_sdk": events["openai"] / events["sdk"] if "openai" in events else None,
        "sdk_events_send_vs_floor": sends["sdk"] / sends["websockets+json"],
        "asyncopenai_cpu_vs_sdk_async": aio_cpu["AsyncOpenAI"] / aio_cpu["sdk aio"] if "AsyncOpenAI" in aio_cpu else None,
        "sdk_cpu_vs_urllib3": cpu["sdk"] / cpu["urllib3+json"],
        "openai_cpu_vs_sdk": cpu["openai"] / cpu["sdk"] if has_openai else None,
        "sdk_cold_seconds": cold["sdk"],
        "sdk_cold_vs_openai": cold["sdk"] / cold["openai"] if has_openai else None,
        "sdk_client_secrets_parse_vs_openai": (
            result["parse_s"]["sdk client_secrets (GA, 1 KB)"] / result["parse_s"]["openai client_secrets model_validate_json"]
            if has_openai else None),
    }


# Each ratio's per-round samples: (group of samples, numerator contender, denominator contender).
RATIO_SAMPLES = {
    "sdk_ga_cpu_vs_typed_floor": ("ga_cpu", "sdk", "urllib3 typed (same models)"),
    "sdk_ga_cpu_vs_urllib3": ("ga_cpu", "sdk", "urllib3+json"),
    "openai_ga_cpu_vs_sdk": ("ga_cpu", "openai", "sdk"),
    "openai_ga_cpu_vs_typed_floor": ("ga_cpu", "openai", "urllib3 typed (same models)"),
    "sdk_cpu_vs_urllib3": ("cpu", "sdk", "urllib3+json"),
    "openai_cpu_vs_sdk": ("cpu", "openai", "sdk"),
    "sdk_async_cpu_vs_typed_floor": ("async_cpu", "sdk aio", "aiohttp typed (same models)"),
    "sdk_async_cpu_vs_floor": ("async_cpu", "sdk aio", "aiohttp+json"),
    "sdk_async_cpu_vs_checked_floor": ("async_cpu", "sdk aio", "aiohttp checked (SDK checks inline)"),
    "async_checked_floor_cpu_vs_typed_floor": ("async_cpu", "aiohttp checked (SDK checks inline)", "aiohttp typed (same models)"),
    "asyncopenai_cpu_vs_sdk_async": ("async_cpu", "AsyncOpenAI", "sdk aio"),
    "sdk_events_recv_vs_floor": ("events_recv", "sdk", "websockets+json"),
    "openai_events_recv_vs_sdk": ("events_recv", "openai", "sdk"),
    "sdk_client_secrets_parse_vs_openai": ("parse", "sdk client_secrets (GA, 1 KB)", "openai client_secrets model_validate_json"),
    "sdk_cold_vs_openai": ("cold", "sdk", "openai"),
}


# Ratios shown beside the targets, with none of their own: {ratio: (label, what it shows)}.
UNTARGETED = {
    "openai_ga_cpu_vs_typed_floor": ("GA openai / typed floor", "the most any client with the SDK's checks could show"),
    "sdk_async_cpu_vs_checked_floor": ("async SDK / checked floor", "what the SDK's layers cost, its checks aside"),
    "async_checked_floor_cpu_vs_typed_floor": ("async checked / typed floor", "what the SDK's checks cost"),
}


def spreads(result: Dict[str, Any]) -> Dict[str, List[float]]:
    """[min, median, max] of each ratio taken round by round (contenders of a round ran side by side)."""
    groups = {**result["samples"], "async_cpu": result["async_50_in_flight"]["samples"]["cpu"],
              "events_recv": result["realtime_events"]["samples"]["recv"],
              "cold": {name: [run[1] for run in runs] for name, runs in result["samples"]["cold"].items()}}
    found: Dict[str, List[float]] = {}
    for ratio, (group, top, bottom) in RATIO_SAMPLES.items():
        samples = groups.get(group, {})
        if top in samples and bottom in samples:
            per_round = sorted(a / b for a, b in zip(samples[top], samples[bottom]))
            found[ratio] = [per_round[0], statistics.median(per_round), per_round[-1]]
    return found


def verdict(value: Optional[float], target: float, at_most: bool) -> str:
    if value is None:
        return "n/a (a contender is not installed)"
    met = value <= target if at_most else value >= target
    return "%s target %s %.2f" % ("met   " if met else "MISSED", "<=" if at_most else ">=", target)


def table(result: Dict[str, Any], r: Dict[str, Optional[float]], args: argparse.Namespace) -> str:
    cpu, parse = result["cpu_per_call_s"], result["parse_s"]
    rate_key = "calls_per_s_%d_threads" % args.threads
    lines = ["", "make bench: %d rounds x %d calls, medians; python %s, urllib3 %s, pydantic %s, openai %s" % (
        args.rounds, args.calls, platform.python_version(), urllib3.__version__, pydantic.VERSION,
        openai_version() or "not installed"), ""]
    garbage = result["cyclic_garbage_objects_per_call"]
    lines.append("%-36s %12s %14s %14s" % ("CPU per call (process time)", "us/call", "x urllib3+json",
                                           "cyclic garbage"))
    for name in cpu:
        lines.append("%-36s %12.1f %14.2f %14.1f" % (name, cpu[name] * 1e6, cpu[name] / cpu["urllib3+json"],
                                                     garbage[name]))
    lines.append("%-36s %12s %14s" % ("parse 200 body -> model", "us/parse", "x json.loads"))
    for name in parse:
        lines.append("%-36s %12.1f %14.2f" % (name, parse[name] * 1e6, parse[name] / parse["json.loads"]))
    lines.append("%-36s %12s %14s" % ("cold process", "import s", "+1st call s"))
    for name in result["cold_import_s"]:
        lines.append("%-36s %12.3f %14.3f" % (name, result["cold_import_s"][name],
                                               result["cold_import_and_first_call_s"][name]))
    ga = result["ga_client_secret_cpu_per_call_s"]
    memory = result["client_memory_bytes"]
    lines.append("%-36s %12s %14s %14s" % ("GA create_realtime_client_secret", "us/call", "x urllib3+json",
                                           "client KiB"))
    for name, value in ga.items():
        lines.append("%-36s %12.1f %14.2f %14.1f" % (name, value * 1e6, value / ga["urllib3+json"],
                                                     memory[name] / 1024))
    aio_result = result["async_50_in_flight"]
    aio_floor = async_bench.floor(aio_result)
    lines.append("%-36s %12s %14s %14s" % ("async, %d in flight" % aio_result["in_flight"], "us/call",
                                           "x " + (aio_floor[0] if aio_floor else "floor"), "calls/s"))
    collected = aio_result.get("gc_collections_per_1000_calls", {})
    for name, value in aio_result["cpu_per_call_s"].items():
        lines.append("%-36s %12.1f %14.2f %14.0f   gc/1000 calls %s" % (
            name, value * 1e6, value / aio_floor[1] if aio_floor else 0, aio_result["calls_per_s"][name],
            "/".join("%g" % c for c in collected.get(name, []))))
    lines.append("%-36s %12s" % ("%d threads, one client" % args.threads, "calls/s"))
    for name, value in result[rate_key].items():
        lines.append("%-36s %12.0f" % (name, value))
    events = result["realtime_events"]
    lines.append("%-36s %12s %14s" % ("events: recv %d (%.1f MB)" % (events["events"], events["stream_bytes"] / 1e6),
                                      "us/event", "x websockets"))
    for name, value in events["recv_cpu_per_event_s"].items():
        lines.append("%-36s %12.1f %14.2f" % (name, value * 1e6, value / events["recv_cpu_per_event_s"]["websockets+json"]))
    lines.append("%-36s %12s %14s" % ("events: send audio append (4 KB)", "us/send", "x websockets"))
    for name, value in events["send_cpu_per_event_s"].items():
        lines.append("%-36s %12.1f %14.2f" % (name, value * 1e6, value / events["send_cpu_per_event_s"]["websockets+json"]))
    lines += ["", "targets (ratio of medians; min / median / max of the per-round ratios)"]
    spread = spreads(result)
    checks = [("GA call SDK / typed floor", "sdk_ga_cpu_vs_typed_floor", "sdk_ga_cpu_vs_typed_floor_max", True),
              ("async SDK / typed floor", "sdk_async_cpu_vs_typed_floor", "sdk_async_cpu_vs_typed_floor_max", True),
              ("GA call SDK / urllib3+json", "sdk_ga_cpu_vs_urllib3", "sdk_ga_cpu_vs_urllib3_max", True),
              ("GA call openai / SDK", "openai_ga_cpu_vs_sdk", "openai_ga_cpu_vs_sdk_min", False),
              ("beta SDK CPU / urllib3+json", "sdk_cpu_vs_urllib3", "sdk_cpu_vs_urllib3_max", True),
              ("openai CPU / SDK", "openai_cpu_vs_sdk", "openai_cpu_vs_sdk_min", False),
              ("SDK cold import+call (s)", "sdk_cold_seconds", "sdk_cold_seconds_max", True),
              ("SDK cold / openai cold", "sdk_cold_vs_openai", "sdk_cold_vs_openai_max", True),
              ("GA parse SDK / openai", "sdk_client_secrets_parse_vs_openai", "sdk_client_secrets_parse_vs_openai_max", True),
              ("async SDK / bare floor", "sdk_async_cpu_vs_floor", "sdk_async_cpu_vs_floor_max", True),
              ("AsyncOpenAI / async SDK", "asyncopenai_cpu_vs_sdk_async", "asyncopenai_cpu_vs_sdk_async_min", False),
              ("events recv SDK / floor", "sdk_events_recv_vs_floor", "sdk_events_recv_vs_floor_max", True),
              ("events recv openai / SDK", "openai_events_recv_vs_sdk", "openai_events_recv_vs_sdk_min", False)]
    for label, ratio, target, at_most in checks:
        value = r[ratio]
        low, mid, high = spread.get(ratio, [float("nan")] * 3)
        lines.append("  %-26s %6s  [%.2f / %.2f / %.2f]  %s" % (label, "%.3f" % value if value is not None else "-",
                                                               low, mid, high, verdict(value, TARGETS[target], at_most)))
    for ratio, (label, meaning) in UNTARGETED.items():
        value = r.get(ratio)
        if value is not None:
            low, mid, high = spread.get(ratio, [float("nan")] * 3)
            lines.append("  %-26s %6.3f  [%.2f / %.2f / %.2f]  no target: %s" % (label, value, low, mid, high, meaning))
    return "\n".join(lines)


def git_commit() -> Optional[str]:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip() + ("-dirty" if subprocess.run(
                                  ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                  capture_output=True, text=True).stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    # many short rounds: a burst of machine noise spoils one short sample, which the median drops
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--calls", type=int, default=20, help="calls per contender per round")
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--thread-calls", type=int, default=100, help="calls per thread per round")
    parser.add_argument("--thread-rounds", type=int, default=3)
    parser.add_argument("--async-rounds", type=int, default=70)
    parser.add_argument("--async-calls", type=int, default=50, help="async calls per contender per round")
    parser.add_argument("--events", type=int, default=10000, help="server events in the recorded stream")
    parser.add_argument("--event-sends", type=int, default=2000, help="audio appends sent per round")
    parser.add_argument("--events-rounds", type=int, default=11)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results")
    parser.add_argument("--smoke", action="store_true", help="a few iterations: checks the harness, not the speed")
    args = parser.parse_args(argv)
    if args.smoke:
        args.rounds, args.calls, args.cold_runs, args.thread_calls, args.thread_rounds = 2, 5, 1, 3, 1
        args.async_rounds, args.async_calls = 1, 50
        args.events, args.event_sends, args.events_rounds = 100, 20, 1
    warnings.simplefilter("ignore", DeprecationWarning)   # openai marks beta.realtime deprecated

    responder = subprocess.Popen([sys.executable, "-m", "bench.responder"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                 env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert responder.stdout is not None
        url = "http://127.0.0.1:%d" % int(responder.stdout.readline())
        result = measure(args, url)
    finally:
        responder.terminate()
        responder.wait(timeout=10)

    r = ratios(result)
    print(table(result, r, args))
    record = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "commit": git_commit(),
              "smoke": args.smoke, "settings": {k: v for k, v in vars(args).items() if k != "out"},
              "versions": {"python": platform.python_version(), "urllib3": urllib3.__version__,
                           "pydantic": pydantic.VERSION, "openai": openai_version(),
                           "openapi_client": openapi_client.__version__},
              "targets": TARGETS, "ratios": r, "ratio_spreads": spreads(result), **result}
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = record["when"].replace(":", "").replace("+0000", "Z")
    path = args.out / ("bench-%s-%s.json" % (stamp, record["commit"] or "nogit"))
    text = json.dumps(record, indent=2, default=str)
    path.write_text(text)
    (args.out / "latest.json").write_text(text)
    print("\nwritten: %s" % path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
