"""`make demo`: start the local server on a free loopback port, mint a client secret with
examples/create_client_secret.py, open a call with the ephemeral key, stop the server, exit
with the example's status. No network and no key needed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "create_client_secret.py"
DEMO_KEY = "sk-local-demo"   # the local server takes any bearer key; a real key never leaves for it


def main() -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    server = subprocess.Popen([sys.executable, "-m", "local_server", "--port", "0", "--api-key", DEMO_KEY],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        base_url = _wait_for_listening(server)
        print("demo: local server at %s" % base_url, flush=True)
        example = subprocess.run([sys.executable, str(EXAMPLE), "--open-call"], cwd=ROOT, timeout=120,
                                 env=dict(env, OPENAI_API_KEY=DEMO_KEY, OPENAI_BASE_URL=base_url))
        return example.returncode
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for_listening(server: "subprocess.Popen[str]") -> str:
    assert server.stdout is not None
    for line in server.stdout:
        print(line, end="", flush=True)
        if "listening on " in line:
            return line.split("listening on ", 1)[1].strip()
    raise SystemExit("demo: the local server exited with status %s before listening" % server.wait())


if __name__ == "__main__":
    sys.exit(main())
