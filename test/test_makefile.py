"""The Makefile is the one entry point: a bare `make` lists every target with one line, and every
make command the docs show names a real target in a form make accepts."""
from __future__ import annotations

import re
import subprocess

from conftest import ROOT

MAKEFILE = (ROOT / "Makefile").read_text()
PHONY = set(re.search(r"^\.PHONY:(.*)$", MAKEFILE, re.M).group(1).split())
TARGETS = set(re.findall(r"^([a-z][a-z-]*):(?!=)", MAKEFILE, re.M))


def make(*args: str) -> str:
    return subprocess.run(["make", "-s", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_a_bare_make_shows_the_help_and_it_lists_every_target_once_with_one_line():
    listing = make()
    assert listing == make("help")
    rows = [line.split(None, 1) for line in listing.splitlines()[1:]]
    assert all(len(row) == 2 and row[1].strip() for row in rows)
    assert sorted(name for name, _ in rows) == sorted(PHONY)
    assert PHONY <= TARGETS


def test_every_make_command_in_the_docs_runs_as_written():
    shown = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        shown += [(page.name, m) for m in re.findall(r"`make ([^`]*)`", page.read_text())]
    assert shown
    for page, command in shown:
        words = command.split()
        target = next((w for w in words if "=" not in w), None)
        assert target is None or target in TARGETS, (page, command)
        assert not any(w.startswith("-") for w in words), "make takes VAR=..., not --options: %s: make %s" % (page, command)
