"""python -m local_server [--host 127.0.0.1] [--port 8080]: serve until interrupted."""
from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from local_server.contract import SPEC_PATH, SpecContract
from local_server.server import DEFAULT_MAX_BODY_BYTES, RING_PATH, LocalRealtimeServer, emulated_routes
from local_server.webhooks import DeliveryPolicy


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=8080, help="port to bind; 0 picks a free one (default 8080)")
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the OpenAPI document to serve and validate against")
    parser.add_argument("--api-key", help="accept only this bearer key (default: any non-empty key)")
    parser.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES, help="larger bodies get 413")
    parser.add_argument("--webhook-url", help="where POST /_local/ring sends the signed realtime.call.incoming")
    parser.add_argument("--webhook-secret", help="the whsec_... secret that signs the webhooks")
    parser.add_argument("--webhook-attempts", type=int, default=DeliveryPolicy.attempts,
                        help="deliveries of one webhook, retried with backoff (default %(default)s)")
    args = parser.parse_args(argv)
    if (args.webhook_url is None) != (args.webhook_secret is None):
        parser.error("--webhook-url and --webhook-secret go together")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s local_server %(message)s", stream=sys.stderr)
    try:
        server = LocalRealtimeServer(args.host, args.port, contract=SpecContract(args.spec), api_key=args.api_key,
                                     max_body_bytes=args.max_body_bytes, webhook_url=args.webhook_url,
                                     webhook_secret=args.webhook_secret,
                                     webhook_policy=DeliveryPolicy(attempts=args.webhook_attempts))
    except (ValueError, TypeError) as problem:   # a bad webhook URL or secret: one line, never the secret
        parser.error(str(problem) if "secret" not in str(problem) else "--webhook-secret must be whsec_<base64>")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))   # stop cleanly when a runner terminates us
    for path, methods in sorted(emulated_routes(server.contract).items()):
        print("local_server: %s %s (validated against %s)" % (" ".join(sorted(methods)), path, args.spec.name), flush=True)
    if server.webhooks is not None:
        print("local_server: POST %s rings a call; its webhook goes to %s" % (RING_PATH, server.webhooks.where), flush=True)
    print("local_server: listening on %s" % server.base_url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
