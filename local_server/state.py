"""The emulator's state: minted keys, calls and their sideband sockets, webhook deliveries, the clock.

One lock guards it. The REST handler, the events handler and `ring()` use it through the methods
below only; none of them touches a socket or writes an HTTP answer (local_server/server.py does)."""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from local_server.contract import SpecContract
from local_server.realtime import EventSocket
from local_server.sdp import build_answer
from local_server.sessions import BETA_TRANSCRIPTION_DEFAULTS, GA_DEFAULTS, SESSION_DEFAULTS, session_answer
from local_server.webhooks import DEFAULT_POLICY, Delivery, DeliveryPolicy, WebhookSender, call_incoming_event

BETA_KEY_TTL_SECONDS = 60    # beta sessions' keys: "all tokens expire after one minute"
DEFAULT_SECRET_TTL_SECONDS = 600
DEFAULT_MODEL = "gpt-4o-realtime-preview"
EPHEMERAL_PREFIX = "ek_"
ENDS_CALL = {"reject-realtime-call", "hangup-realtime-call"}


@dataclass
class MintedKey:
    expires_at: int
    session: Dict[str, Any]


@dataclass
class Call:
    session: Dict[str, Any] = field(default_factory=dict)
    accepted: bool = False                                            # a rung call until accept; a WebRTC call at once
    sockets: List[EventSocket] = field(default_factory=list)          # its sideband connections, closed on hangup


class RealtimeState:
    """Keys, calls and deliveries of one local server. ``clock`` (seconds since the epoch) decides when
    minted keys expire; webhooks go through ``sleep`` between attempts, so tests move time instead."""

    def __init__(self, contract: SpecContract, clock: Callable[[], float] = time.time,
                 webhooks: Optional[WebhookSender] = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.contract = contract
        self.clock = clock
        self.webhooks = webhooks
        self._sleep = sleep
        self.keys: Dict[str, MintedKey] = {}
        self.calls: Dict[str, Call] = {}
        self.deliveries: List[Delivery] = []
        self.lock = threading.Lock()

    def now(self) -> int:
        return int(self.clock())

    # --- keys ------------------------------------------------------------------------------------

    def mint_key(self, ttl_seconds: int, session: Dict[str, Any]) -> Tuple[str, int]:
        value, expires_at = EPHEMERAL_PREFIX + secrets.token_hex(16), self.now() + ttl_seconds
        with self.lock:
            self.keys[value] = MintedKey(expires_at, session)
        return value, expires_at

    def key(self, token: str) -> Optional[MintedKey]:
        """The minted key `token` is, expired or not; None when it was never issued."""
        with self.lock:
            return self.keys.get(token)

    def expired(self, key: MintedKey) -> bool:
        return self.now() >= key.expires_at

    def _declared(self, schema: Dict[str, Any]) -> List[str]:
        return list(self.contract.resolve(schema).get("properties", {}))

    def _session_schema(self, route: str, kind: Optional[str] = None) -> Dict[str, Any]:
        """The answer's `session` schema: the discriminator's member for `kind`, when it is a union."""
        prop = self.contract.response_schema(route, "POST")["properties"]["session"]
        mapping = prop.get("discriminator", {}).get("mapping", {})
        return self.contract.resolve({"$ref": mapping[kind]} if kind in mapping else prop)

    def mint_client_secret(self, route: str, request: Dict[str, Any]) -> Dict[str, Any]:
        """A GA client secret (realtime, transcription or translation session): key, expiry, session."""
        ttl = (request.get("expires_after") or {}).get("seconds", DEFAULT_SECRET_TTL_SECONDS)
        session_request = request.get("session") or {"type": "realtime"}
        kind = "translation" if route.endswith("/translations/client_secrets") else session_request["type"]
        session = session_answer(self._declared(self._session_schema(route, kind)), GA_DEFAULTS[kind], session_request,
                                 {"type": kind, "id": "sess_" + secrets.token_hex(12), "expires_at": self.now() + ttl})
        value, expires_at = self.mint_key(ttl, session)
        return {"value": value, "expires_at": expires_at, "session": session}

    def mint_session(self, route: str, request: Dict[str, Any]) -> Dict[str, Any]:
        """Beta sessions and transcription sessions: the session, and a key in `client_secret` good for 60 s."""
        transcription = route.endswith("/transcription_sessions")
        fixed: Dict[str, Any] = {"id": "sess_" + secrets.token_hex(12)}
        if transcription:
            fixed["object"] = "realtime.transcription_session"
        else:
            fixed.update({"object": "realtime.session", "model": request.get("model", DEFAULT_MODEL)})
        declared = [name for name in self._declared(self.contract.response_schema(route, "POST"))
                    if name != "client_secret"]
        session = session_answer(declared, BETA_TRANSCRIPTION_DEFAULTS if transcription else SESSION_DEFAULTS,
                                 request, fixed)
        value, expires_at = self.mint_key(BETA_KEY_TTL_SECONDS, session)
        session["client_secret"] = {"value": value, "expires_at": expires_at}
        return session

    # --- calls -----------------------------------------------------------------------------------

    def open_call(self, request: Union[str, Dict[str, Any]], key: Optional[MintedKey]) -> Tuple[str, str]:
        """A WebRTC call from an SDP offer (raises sdp.InvalidOffer): its id and the SDP answer."""
        answer = build_answer(request if isinstance(request, str) else request["sdp"])
        session = key.session if key else {}
        if isinstance(request, dict) and request.get("session"):
            session = request["session"]
        call_id = "rtc_" + secrets.token_hex(16)
        with self.lock:
            self.calls[call_id] = Call(session, accepted=True)   # a WebRTC call is live once its answer is sent
        return call_id, answer

    def control_call(self, operation_id: str, call_id: str, request: Any = None) -> bool:
        """Accept, refer, reject or hang up; False when there is no such call. Ending a call closes its
        sideband connections normally."""
        with self.lock:
            call = self.calls.get(call_id)
            if call is None:
                return False
            if operation_id in ENDS_CALL:
                del self.calls[call_id]
            elif operation_id == "accept-realtime-call":
                call.accepted = True
                call.session = request if isinstance(request, dict) else {}
            sockets = list(call.sockets) if operation_id in ENDS_CALL else []
        for sideband in sockets:
            sideband.close(1000, "call ended")
        return True

    def open_call_for_events(self, call_id: str) -> Optional[Call]:
        """The call a sideband connection may join: known, accepted (or opened over WebRTC), not ended."""
        with self.lock:
            call = self.calls.get(call_id)
            return call if call is not None and call.accepted else None

    def join(self, call: Call, sideband: EventSocket) -> None:
        with self.lock:
            call.sockets.append(sideband)

    def leave(self, call: Call, sideband: EventSocket) -> None:
        with self.lock:
            if sideband in call.sockets:
                call.sockets.remove(sideband)

    # --- incoming SIP calls and their webhooks ---------------------------------------------------

    def send_webhooks_to(self, url: str, secret: str, policy: DeliveryPolicy = DEFAULT_POLICY) -> None:
        self.webhooks = WebhookSender(url, secret, policy=policy, clock=self.clock, sleep=self._sleep)

    def ring(self, sip_headers: Optional[List[Dict[str, str]]] = None) -> str:
        call_id = "rtc_" + secrets.token_hex(16)
        with self.lock:
            self.calls[call_id] = Call()
        if self.webhooks is not None:
            delivery = self.webhooks.send(call_incoming_event(call_id, self.now(), sip_headers))
            with self.lock:
                self.deliveries.append(delivery)
        return call_id

    def delivery(self, call_id: str) -> Delivery:
        with self.lock:
            return next(d for d in self.deliveries if d.event["data"]["call_id"] == call_id)
