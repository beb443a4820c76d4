"""The local server's webhook sender: the signed `realtime.call.incoming` an incoming call starts with.

Signed with the `standardwebhooks` package (the Standard Webhooks scheme OpenAI uses), so the SDK's own
verifier in openapi_client.webhooks is checked against code it does not share. Deliveries run on a
thread each; a non-2xx answer or a failed connection is retried with the same `webhook-id`, waiting as
`DeliveryPolicy` says through an injectable `sleep` (tests pass one that moves their clock)."""
from __future__ import annotations

import base64
import datetime
import json
import logging
import secrets
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Union
from urllib.parse import urlsplit

from standardwebhooks import Webhook

LOG = logging.getLogger("local_server")

CALL_INCOMING = "realtime.call.incoming"
# what a SIP INVITE to a number on a trunk pointed at OpenAI might carry
DEFAULT_SIP_HEADERS = (("From", "<sip:+15551230000@sip.example.com>;tag=1"), ("To", "<sip:+15559870000@sip.example.com>"))


@dataclass(frozen=True)
class DeliveryPolicy:
    """How a webhook is delivered: `attempts` in all, waiting `first_wait` seconds before the second
    and `factor` times longer before each next one, at most `max_wait`; `timeout` per attempt."""

    attempts: int = 5
    first_wait: float = 1.0
    factor: float = 2.0
    max_wait: float = 60.0
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a webhook needs at least one delivery attempt")

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before attempt number `attempt` (1-based; none before the first)."""
        return 0.0 if attempt <= 1 else min(self.max_wait, self.first_wait * self.factor ** (attempt - 2))


@dataclass
class Delivery:
    """One webhook event's delivery: each attempt's outcome (an HTTP status, or why it failed)."""

    event: Dict[str, Any]
    webhook_id: str
    outcomes: List[Union[int, str]] = field(default_factory=list)
    waits: List[float] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def delivered(self) -> bool:
        return bool(self.outcomes) and isinstance(self.outcomes[-1], int) and 200 <= self.outcomes[-1] < 300

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until every attempt is made (True), or `timeout` runs out (False)."""
        return self.done.wait(timeout)


DEFAULT_POLICY = DeliveryPolicy()


def signing_secret(secret: str) -> Union[str, bytes]:
    """The secret as standardwebhooks takes it: `whsec_<base64>` as given, any other as its own bytes
    (the rule openai-python verifies with)."""
    if secret.startswith("whsec_"):
        base64.b64decode(secret[len("whsec_"):], validate=True)   # a bad secret fails at start-up, not per delivery
        return secret
    return secret.encode("utf-8")


class WebhookSender:
    def __init__(self, url: str, secret: str, *, policy: DeliveryPolicy = DEFAULT_POLICY,
                 clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the webhook URL must be http(s)://host[:port]/path, not %r" % url)
        self.url = url
        self.where = "%s://%s%s" % (parts.scheme, parts.netloc, parts.path)   # logged: never a query string
        self.signer = Webhook(signing_secret(secret))
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        # deliveries go straight to the receiver: no proxy from the environment
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def send(self, event: Dict[str, Any]) -> Delivery:
        """Deliver `event` on a thread of its own; the Delivery records how it went."""
        delivery = Delivery(event, "msg_" + secrets.token_hex(12))
        threading.Thread(target=self._deliver, args=(delivery,), name="webhook " + delivery.webhook_id,
                         daemon=True).start()
        return delivery

    def _deliver(self, delivery: Delivery) -> None:
        body = json.dumps(delivery.event)
        try:
            for attempt in range(1, self.policy.attempts + 1):
                wait = self.policy.wait_before(attempt)
                if wait:
                    delivery.waits.append(wait)
                    self.sleep(wait)
                outcome = self._attempt(delivery.webhook_id, body)
                delivery.outcomes.append(outcome)
                LOG.info("webhook %s %s to %s attempt %d/%d: %s", delivery.event.get("type"), delivery.webhook_id,
                         self.where, attempt, self.policy.attempts, outcome)
                if delivery.delivered:
                    return
            LOG.warning("webhook %s not delivered after %d attempts", delivery.webhook_id, self.policy.attempts)
        finally:
            delivery.done.set()

    def _attempt(self, webhook_id: str, body: str) -> Union[int, str]:
        now = datetime.datetime.fromtimestamp(int(self.clock()), tz=datetime.timezone.utc)
        headers = {"Content-Type": "application/json", "User-Agent": "local_server webhooks",
                   "webhook-id": webhook_id, "webhook-timestamp": str(int(now.timestamp())),
                   "webhook-signature": self.signer.sign(webhook_id, now, body)}
        request = urllib.request.Request(self.url, data=body.encode("utf-8"), headers=headers, method="POST")
        try:
            with self.opener.open(request, timeout=self.policy.timeout) as answer:
                answer.read()
                return int(answer.status)
        except urllib.error.HTTPError as answer:
            return int(answer.code)
        except (urllib.error.URLError, OSError) as problem:
            reason = getattr(problem, "reason", problem)
            return "connection failed: %s" % (type(reason).__name__ if not str(reason) else reason)


def call_incoming_event(call_id: str, created_at: int, sip_headers: Optional[List[Dict[str, str]]] = None) -> Dict[str, Any]:
    """The `realtime.call.incoming` event (WebhookRealtimeCallIncoming in openapi.yaml) for a call."""
    headers = sip_headers if sip_headers is not None else [
        {"name": name, "value": value} for name, value in DEFAULT_SIP_HEADERS] + [
        {"name": "Call-ID", "value": secrets.token_hex(8) + "@sip.example.com"}]
    return {"id": "evt_" + secrets.token_hex(12), "object": "event", "type": CALL_INCOMING, "created_at": created_at,
            "data": {"call_id": call_id, "sip_headers": headers}}
