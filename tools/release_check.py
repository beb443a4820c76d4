"""`make release-check`: what a release must pass before upload.

1. `python -m build` makes the sdist, then the wheel from that sdist (so the sdist carries all it needs).
2. `twine check` on both.
3. The wheel (with its [async] extra) installs into a fresh venv on every Python setup.py's classifiers
   claim (through pyenv), imports (sync and async), and builds a client; pip refuses it on the Python
   just below (Requires-Python).
4. Every name of the last release's listing (test/data/public-surface-<last>.txt) still imports from
   its module in that venv (a re-export counts), except those the CHANGELOG lists under `Removed`.
5. The version (generator-config.yaml) fits the CHANGELOG: while its `Unreleased` section holds a
   Breaking entry (a `**Breaking**` line or a `- Removed:` line, which takes public names away), the
   version must bump the minor version of the last release below 1.0 and the major from 1.0; Unreleased
   entries never ship under a version already released.
6. On the newest Python, a typical application (test/data/typing/sample_app.py, copied outside the
   checkout) passes `mypy --strict` and pyright strict against the installed wheel."""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.public_surface import listing, removed_in_changelog

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = tuple(re.findall(r'"Programming Language :: Python :: (3\.\d+)"', (ROOT / "setup.py").read_text()))
BELOW_FLOOR = "3.%d" % (int(SUPPORTED[0].split(".")[1]) - 1)
MYPY = next(line.split()[0] for line in (ROOT / "requirements-dev.txt").read_text().splitlines() if line.startswith("mypy=="))
SAMPLE_APP = ROOT / "test" / "data" / "typing" / "sample_app.py"
SMOKE = ("import openapi_client, openapi_client.aio, openapi_client.rest as rest; "
         "c = openapi_client.Configuration(access_token='sk-x'); rest.build_retry(c); "
         "openapi_client.RealtimeApi(openapi_client.ApiClient(c)); "
         "print(openapi_client.__version__)")


VERSION_PATTERN = re.compile(r"^## (\d+)\.(\d+)\.(\d+)\b", re.M)


def package_version() -> str:
    found = re.search(r"^\s*packageVersion:\s*(\S+)", (ROOT / "generator-config.yaml").read_text(), re.M)
    if found is None:
        raise SystemExit("release-check: generator-config.yaml has no packageVersion")
    return found.group(1)


def version_problem(changelog: str, version: str) -> "str | None":
    """Why `version` cannot ship the CHANGELOG as it stands, or None when it can."""
    released = [tuple(map(int, m)) for m in VERSION_PATTERN.findall(changelog)]
    current = tuple(int(part) for part in version.split("."))
    match = re.search(r"^## Unreleased\s*$(.*?)(?=^## |\Z)", changelog, re.M | re.S)
    entries = [line for line in (match.group(1) if match else "").splitlines() if line.startswith("- ")]
    if not released or not entries:
        return None
    last = max(released)
    if current in released:
        return ("version %s is already released, and the CHANGELOG's Unreleased section has %d entries: "
                "set a new packageVersion in generator-config.yaml" % (version, len(entries)))
    breaking = [line for line in entries if "**Breaking**" in line or line.startswith("- Removed:")]
    needed = (last[0] + 1, 0, 0) if last[0] >= 1 else (0, last[1] + 1, 0)
    if breaking and current < needed:
        return ("the CHANGELOG's Unreleased section has %d Breaking entries (first: %s), so version %s must be at "
                "least %s (a breaking change bumps the minor version below 1.0, the major from 1.0)"
                % (len(breaking), breaking[0][:100], version, ".".join(map(str, needed))))
    return None


def run(*command: str, cwd: Path = ROOT) -> str:
    print("release-check: " + " ".join(command), flush=True)
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit("release-check: %s failed:\n%s%s" % (command[-1], result.stdout[-3000:], result.stderr[-3000:]))
    return result.stdout


def interpreter(version: str) -> str:
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip()
    found = sorted(Path(root, "versions").glob(version + ".*"))
    if not found:
        raise SystemExit("release-check: no Python %s under pyenv (pyenv install %s)" % (version, version))
    return str(found[-1] / "bin" / "python")


def last_release() -> str:
    """The newest version with a public-surface listing in test/data."""
    versions = [p.stem[len("public-surface-"):] for p in (ROOT / "test" / "data").glob("public-surface-*.txt")]
    return max(versions, key=lambda v: [int(x) for x in v.split(".")])


def unimportable_in(python: str, scratch: Path, lines: "list[str]") -> "list[str]":
    """The listing lines that do not import in `python`'s venv (public_surface.unimportable there)."""
    print("release-check: %s public_surface.py unimportable (%d names)" % (python, len(lines)), flush=True)
    result = subprocess.run([python, str(scratch / "public_surface.py"), "unimportable"], input="\n".join(lines),
                            cwd=scratch, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit("release-check: public_surface.py unimportable failed:\n%s" % result.stderr[-3000:])
    return [line for line in result.stdout.splitlines() if line]


def type_check_sample_app(python: str, scratch: Path, pyright: str) -> None:
    """mypy --strict and pyright strict on a typical application, against the wheel installed in `python`'s venv."""
    app = scratch / "app"
    app.mkdir()
    shutil.copy(SAMPLE_APP, app / "sample_app.py")
    (app / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "strict"}))
    run(python, "-m", "pip", "install", "-q", MYPY)
    run(python, "-m", "mypy", "--strict", "--no-incremental", "sample_app.py", cwd=app)
    run(pyright, "--pythonpath", python, "sample_app.py", cwd=app)
    print("release-check: the sample application passes mypy --strict and pyright strict against the wheel", flush=True)


def refuse_below_floor(wheel: Path) -> None:
    """pip on the Python below the floor refuses the wheel, so Requires-Python matches the classifiers."""
    with tempfile.TemporaryDirectory(prefix="release-check-") as scratch:
        run(interpreter(BELOW_FLOOR), "-m", "venv", scratch)
        result = subprocess.run([str(Path(scratch, "bin", "python")), "-m", "pip", "install", "-q", str(wheel)],
                                capture_output=True, text=True)
        if result.returncode == 0 or "requires a different Python" not in result.stderr:
            raise SystemExit("release-check: pip on Python %s did not refuse the wheel for its Requires-Python: %s"
                             % (BELOW_FLOOR, result.stderr[-500:]))
    print("release-check: pip on Python %s refuses the wheel (Requires-Python)" % BELOW_FLOOR, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--pyright", required=True, help="the pinned pyright executable (tools/pyright)")
    args = parser.parse_args()
    problem = version_problem((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), package_version())
    if problem:
        raise SystemExit("release-check: " + problem)
    print("release-check: version %s fits the CHANGELOG" % package_version(), flush=True)
    shutil.rmtree(args.dist, ignore_errors=True)
    run(sys.executable, "-m", "build", "--outdir", str(args.dist))
    wheel, sdist = next(args.dist.glob("*.whl")), next(args.dist.glob("*.tar.gz"))
    run(sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist))
    removed, release = removed_in_changelog(), last_release()
    wanted = {"%s: %s" % pair for pair in listing(release)}
    for version in SUPPORTED:
        with tempfile.TemporaryDirectory(prefix="release-check-") as scratch:
            run(interpreter(version), "-m", "venv", scratch)
            python = str(Path(scratch, "bin", "python"))
            run(python, "-m", "pip", "install", "-q", str(wheel) + "[async]")
            print("release-check: Python %s imports %s" % (version, run(python, "-c", SMOKE).strip()), flush=True)
            shutil.copy(ROOT / "tools" / "public_surface.py", Path(scratch, "public_surface.py"))
            gone = unimportable_in(python, Path(scratch), sorted(wanted))
            missing = sorted(line for line in gone if line.replace(": ", ".") not in removed)
            if missing:
                raise SystemExit("release-check: names of %s gone without a CHANGELOG `Removed` line: %s"
                                 % (release, ", ".join(missing)))
            if version == SUPPORTED[-1]:
                type_check_sample_app(python, Path(scratch), args.pyright)
    refuse_below_floor(wheel)
    print("release-check: %s and %s pass on Python %s" % (sdist.name, wheel.name, ", ".join(SUPPORTED)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
