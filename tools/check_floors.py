"""tox -e floors: requirements-floors.txt names the floor (>=) of each requirements.txt line, pinned
(`==`, and then that version is installed) or, where the test tools need a newer one, as `>=`."""
from __future__ import annotations

import re
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def requirements(name: str, pattern: str) -> "dict[str, str]":
    lines = (ROOT / name).read_text().splitlines()
    return {m.group(1).lower(): m.group(2) for m in (re.match(pattern, line.split("#", 1)[0].strip()) for line in lines) if m}


def main() -> int:
    floors = requirements("requirements.txt", r"^([\w.-]+)\s*>=\s*([\w.]+)")
    pinned = requirements("requirements-floors.txt", r"^([\w.-]+)==([\w.]+)$")
    held_up = requirements("requirements-floors.txt", r"^([\w.-]+)>=([\w.]+)$")
    named = {**pinned, **held_up}
    problems = ["%s: requirements.txt floor %s, requirements-floors.txt %s" % (n, floors.get(n), named.get(n))
                for n in sorted(set(floors) | set(named)) if floors.get(n) != named.get(n)]
    problems += ["%s: %s installed, floor %s" % (n, version(n), v) for n, v in pinned.items() if version(n) != v]
    for problem in problems:
        print("check_floors: " + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
