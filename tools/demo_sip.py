"""`make demo-sip`: the SIP flow offline. Starts the local server (here, in-process), then
examples/sip_agent.py (the webhook receiver, pointed at the local server), rings once with a signed
`realtime.call.incoming`, and prints each step the agent logs: the incoming call, the accept, the
sideband, the tool call and its answer, the reply and the hang-up. Exits with the agent's status
once it has handled the call."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from local_server import LocalRealtimeServer

ROOT = Path(__file__).resolve().parent.parent

AGENT = ROOT / "examples" / "sip_agent.py"
DEMO_KEY = "sk-local-demo"
DEMO_SECRET = "whsec_ZGVtby13ZWJob29rLXNlY3JldC0xMjM0NTY3ODkw"   # a fixed, made-up demo secret
SIP_HEADERS = [{"name": "From", "value": "<sip:+15551234567@example.com>"},
               {"name": "To", "value": "<sip:+15557654321@sip.api.openai.com>"}]


def main() -> int:
    started = time.perf_counter()
    with LocalRealtimeServer(api_key=DEMO_KEY) as server:
        print("demo-sip: local server at %s" % server.base_url, flush=True)
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", OPENAI_API_KEY=DEMO_KEY,
                   OPENAI_BASE_URL=server.base_url, OPENAI_WEBHOOK_SECRET=DEMO_SECRET)
        agent = subprocess.Popen([sys.executable, str(AGENT), "--port", "0", "--calls", "1"], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, text=True)
        try:
            assert agent.stdout is not None
            webhook_url = None
            for line in agent.stdout:
                print(line, end="", flush=True)
                if "listening on " in line:
                    webhook_url = line.split("listening on ", 1)[1].strip()
                    break
            if webhook_url is None:
                print("demo-sip: the agent exited with status %s before listening" % agent.wait(), flush=True)
                return 1
            server.send_webhooks_to(webhook_url, DEMO_SECRET)
            call_id = server.ring(SIP_HEADERS)
            print("demo-sip: rang %s with a signed realtime.call.incoming for %s" % (webhook_url, call_id), flush=True)
            for line in agent.stdout:
                print(line, end="", flush=True)
            status = agent.wait(timeout=60)
        finally:
            if agent.poll() is None:
                agent.terminate()
                agent.wait(timeout=10)
    print("demo-sip: done in %.1f s (agent status %d)" % (time.perf_counter() - started, status), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
