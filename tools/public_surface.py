"""`python -m tools.public_surface VERSION`: the public names of the installed openapi_client as a
listing (module: name), for test/data/public-surface-VERSION.txt. A module's names are its
`__all__`, or else the classes and functions it defines; private (_) names are left out."""
from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path
from typing import Iterator, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent

MODULES = ("openapi_client", "openapi_client.api", "openapi_client.api.realtime_api", "openapi_client.api_client",
           "openapi_client.api_response", "openapi_client.configuration", "openapi_client.exceptions",
           "openapi_client.models", "openapi_client.rest")


def public_names(module_name: str) -> "list[str]":
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name, value in vars(module).items()
                 if (inspect.isclass(value) or inspect.isfunction(value)) and value.__module__ == module_name]
    return sorted(name for name in names if not name.startswith("_"))


def listing(version: str) -> Iterator[Tuple[str, str]]:
    """(module, name) of each line of test/data/public-surface-VERSION.txt."""
    for line in (ROOT / "test" / "data" / ("public-surface-%s.txt" % version)).read_text().splitlines():
        if line and not line.startswith("#"):
            module, name = line.split(": ")
            yield module, name


def removed_in_changelog() -> Set[str]:
    """`module.name` of every public name a CHANGELOG `- Removed:` line lists."""
    text = (ROOT / "CHANGELOG.md").read_text()
    return {name for line in re.findall(r"^- Removed: (.*)$", text, re.M) for name in re.findall(r"`([\w.]+)`", line)}


def main(version: str) -> int:
    print("# The public names of openapi_client %s (module: name). test_surface checks each still imports," % version)
    print("# unless CHANGELOG.md names it under a `Removed` line of a later release.")
    for module_name in MODULES:
        for name in public_names(module_name):
            print("%s: %s" % (module_name, name))
    return 0


def unimportable(lines: "list[str]") -> "list[str]":
    """The `module: name` lines whose name no longer imports from its module (a name kept importable
    by a re-export counts as there, as `from module import name` finds it)."""
    gone = []
    for line in lines:
        module_name, name = line.split(": ")
        try:
            found = hasattr(importlib.import_module(module_name), name)
        except ImportError:
            found = False
        if not found:
            gone.append(line)
    return gone


if __name__ == "__main__":
    if sys.argv[1] == "unimportable":   # python public_surface.py unimportable < lines
        print("\n".join(unimportable([line for line in sys.stdin.read().splitlines() if line])))
        sys.exit(0)
    sys.exit(main(sys.argv[1]))
