"""`make bench-instructions`: user-space instructions per call, counted by valgrind (cachegrind), for
the GA call against its typed floor (sync) and the async call against its typed aiohttp floor. A count
does not move with the machine's load as CPU time does, so it settles a small change that `make bench`
cannot tell from noise; kernel time (the same syscalls for every contender) is not in it.

Each contender runs N and 4N calls in a fresh valgrind'd interpreter after warming up; the difference
divided by 3N is the count per call. Needs valgrind (Debian: apt-get install valgrind).

    python -m bench.instructions [--calls 100]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
from typing import Any, Callable, Dict, List, Optional

from bench.run import ROOT

SYNC = ("urllib3 typed (same models)", "sdk")
ASYNC = ("aiohttp typed (same models)", "aiohttp checked (SDK checks inline)", "sdk aio")


def run_contender(name: str, calls: int, url: str) -> None:
    """Inside valgrind: warm up, then `calls` calls of one contender."""
    from bench import async_bench
    from bench.responder import REQUEST
    from bench.run import ga_call_makers
    if name in SYNC:
        call = ga_call_makers(url)[name]()
        for _ in range(50 + calls):
            call()
        return

    async def main() -> None:
        make = async_bench.contenders()[name]
        call_async, close = await make(url, REQUEST)
        try:
            for _ in range(2 + calls // 50):
                await asyncio.gather(*[call_async() for _ in range(50)])
        finally:
            await close()
    asyncio.run(main())


def instructions(name: str, calls: int, url: str) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, "-m", "bench.instructions", "--run", name, "--calls", str(calls), "--url", url]
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="0")
    output = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stderr
    found = re.search(r"I\s+refs:\s+([\d,]+)", output)
    if found is None:
        raise RuntimeError("valgrind printed no instruction count:\n" + output[-2000:])
    return int(found.group(1).replace(",", ""))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--run")
    parser.add_argument("--url")
    args = parser.parse_args(argv)
    if args.run:
        run_contender(args.run, args.calls, args.url)
        return 0
    if shutil.which("valgrind") is None:
        print("bench-instructions needs valgrind (apt-get install valgrind)", file=sys.stderr)
        return 2
    responder = subprocess.Popen([sys.executable, "-m", "bench.responder"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                 env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert responder.stdout is not None
        url = "http://127.0.0.1:%d" % int(responder.stdout.readline())
        per_call: Dict[str, float] = {}
        for name in SYNC + ASYNC:
            calls = args.calls if name in SYNC else max(50, args.calls // 50 * 50)
            few, many = instructions(name, calls, url), instructions(name, 4 * calls, url)
            per_call[name] = (many - few) / (3 * calls)
    finally:
        responder.terminate()
        responder.wait(timeout=10)
    ratio: Callable[[str, str], Any] = lambda a, b: per_call[a] / per_call[b]  # noqa: E731
    print("\nuser-space instructions per call (valgrind cachegrind)\n")
    for name, value in per_call.items():
        print("  %-30s %10.0f" % (name, value))
    print("\n  GA call SDK / typed floor      %6.3f" % ratio("sdk", "urllib3 typed (same models)"))
    print("  async SDK / typed floor        %6.3f" % ratio("sdk aio", "aiohttp typed (same models)"))
    print("  async SDK / checked floor      %6.3f" % ratio("sdk aio", "aiohttp checked (SDK checks inline)"))
    print("  async checked / typed floor    %6.3f" % ratio("aiohttp checked (SDK checks inline)", "aiohttp typed (same models)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
