"""`make release-check`: what a release must pass before upload.

1. `python -m build` makes the sdist, then the wheel from that sdist (so the sdist carries all it needs).
2. `twine check` on both.
3. The wheel (with its [async] extra) installs into a fresh venv on every Python the package claims
   (3.9 to 3.13, through pyenv), imports (sync and async), and builds a client.
4. Its public names, listed in that venv, still include every name of the last release's listing
   (test/data/public-surface-<last>.txt), except those the CHANGELOG lists under `Removed`."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.public_surface import listing, removed_in_changelog

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = ("3.9", "3.10", "3.11", "3.12", "3.13")   # the classifiers setup.py claims
SMOKE = ("import openapi_client, openapi_client.aio, openapi_client.rest as rest; "
         "c = openapi_client.Configuration(access_token='sk-x'); rest.build_retry(c); "
         "openapi_client.RealtimeApi(openapi_client.ApiClient(c)); "
         "print(openapi_client.__version__)")


def run(*command: str, cwd: Path = ROOT) -> str:
    print("release-check: " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
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
            names = set(run(python, str(Path(scratch, "public_surface.py")), "installed", cwd=Path(scratch)).splitlines())
            missing = sorted(line for line in wanted - names if line.replace(": ", ".") not in removed)
            if missing:
                raise SystemExit("release-check: names of %s gone without a CHANGELOG `Removed` line: %s"
                                 % (release, ", ".join(missing)))
    print("release-check: %s and %s pass on Python %s" % (sdist.name, wheel.name, ", ".join(SUPPORTED)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
