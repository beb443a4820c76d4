"""`make demo-browser`: the local server and the token server (examples/token_server.py, minting on
it), and the page's URL; Ctrl-C stops both. LIVE=1: the token server alone, minting on the real
API with OPENAI_API_KEY, so the page opens a real call."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from pathlib import Path

import openapi_client
from local_server import LocalRealtimeServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
import token_server  # noqa: E402  (an example script, not a package)

DEMO_KEY = "sk-local-demo"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=3000, help="the token server's port (the page's URL)")
    parser.add_argument("--live", action="store_true", help="mint on the real API with OPENAI_API_KEY")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    api_server = None
    if args.live:
        configuration = openapi_client.Configuration()
        if not configuration.access_token:
            parser.error("LIVE=1 needs OPENAI_API_KEY")
    else:
        api_server = LocalRealtimeServer(api_key=DEMO_KEY).start()
        configuration = openapi_client.Configuration(host=api_server.base_url, access_token=DEMO_KEY)
        print("demo-browser: local Realtime API at %s" % api_server.base_url, flush=True)
    backend = token_server.make_server(openapi_client.RealtimeApi(openapi_client.ApiClient(configuration)),
                                       port=args.port)
    print("demo-browser: open http://127.0.0.1:%d/ and press Start call (Ctrl-C stops)" % backend.server_address[1],
          flush=True)
    try:
        threading.Thread(target=backend.serve_forever, daemon=True).start()
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        backend.shutdown()
        if api_server is not None:
            api_server.close()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
