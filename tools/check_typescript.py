"""`make check-typescript`: the stock TypeScript client (`-g typescript`, default options, the pinned
generator) generated from openapi.yaml into a scratch folder, compiled strict with `tsc --noEmit`,
then built and run by node against the bundled local server (tools/typescript/smoke.js).
The npm dependencies come from tools/typescript/package-lock.json, installed once by make."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from local_server import LocalRealtimeServer

ROOT = Path(__file__).resolve().parent.parent
SMOKE = ROOT / "tools" / "typescript" / "smoke.js"
OFFER = ROOT / "examples" / "offer.sdp"
API_KEY = "sk-typescript-check"


def run(command: "list[str]", cwd: Path) -> None:
    print("check-typescript: %s" % " ".join(str(part) for part in command), flush=True)
    subprocess.run(command, cwd=cwd, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--generator", required=True, help="the pinned openapi-generator-cli")
    parser.add_argument("--node-modules", type=Path, required=True, help="npm ci of tools/typescript")
    parser.add_argument("--scratch", type=Path, default=ROOT / ".scratch-ts")
    args = parser.parse_args()
    client = args.scratch / "client"
    shutil.rmtree(args.scratch, ignore_errors=True)
    client.parent.mkdir(parents=True)
    subprocess.run([args.generator, "generate", "-g", "typescript", "-i", str(ROOT / "openapi.yaml"), "-o", str(client)],
                   check=True, stdout=subprocess.DEVNULL)
    os.symlink(args.node_modules.resolve(), client / "node_modules")
    tsc = str(args.node_modules.resolve() / ".bin" / "tsc")
    run([tsc, "--version"], client)
    run([tsc, "--noEmit", "-p", "."], client)   # strict, as the generator's tsconfig sets
    run([tsc, "-p", "."], client)               # the same compile, emitted to dist/ for node
    with LocalRealtimeServer(api_key=API_KEY) as server:
        run(["node", str(SMOKE), str(client / "dist"), server.base_url, API_KEY, str(OFFER)], ROOT)
    shutil.rmtree(args.scratch)
    print("check-typescript: the TypeScript client compiles and works against the local server", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
