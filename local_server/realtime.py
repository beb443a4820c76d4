"""The Realtime event protocol on the local server's own port: `GET /v1/realtime?model=...` or
`?call_id=...` upgraded to a WebSocket. The framing is websockets' sans-I/O ServerProtocol, driven
on the HTTP handler's thread and socket; a session per connection answers the GA client events
deterministically (a response's text contains the last user text), and every event it sends is
checked against the spec's schema for its `type` first: one that fails is this server's bug, logged,
and the socket closes with 1011."""
from __future__ import annotations

import base64
import binascii
import copy
import json
import logging
import secrets
import socket
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from openapi_schema_validator import OAS30Validator  # type: ignore[import-untyped]
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol

from local_server.contract import nullable_compositions_accept_null
from local_server.sessions import REALTIME_DEFAULTS, merged

if TYPE_CHECKING:
    from local_server.contract import SpecContract

LOG = logging.getLogger("local_server.realtime")
SILENCE = base64.b64encode(bytes(480)).decode()   # 10 ms of 24 kHz 16-bit silence


class EventSchemas:
    """{`type`: validator} for the spec's client and server events (its x-events groups)."""

    def __init__(self, contract: "SpecContract") -> None:
        spec = contract.spec
        root = {"components": nullable_compositions_accept_null(spec)["components"]}
        self.client: Dict[str, Any] = {}
        self.server: Dict[str, Any] = {}
        for group, names in spec.get("x-events", {}).get("groups", {}).items():
            table = self.client if group.endswith("-client-events") else self.server
            for name in names:
                (event_type,) = spec["components"]["schemas"][name]["properties"]["type"]["enum"]
                table[event_type] = OAS30Validator({**root, "$ref": "#/components/schemas/%s" % name})

    @staticmethod
    def problem(validator: Any, event: Dict[str, Any]) -> Optional[str]:
        error = best_match(validator.iter_errors(event))
        if error is None:
            return None
        where = ".".join(str(part) for part in error.absolute_path)
        return "%s%s" % ("%s: " % where if where else "", error.message)


class EventSocket:
    """One upgraded connection: websockets' protocol object, the socket, and a lock so a response
    streaming on another thread and the reader never interleave their writes."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.protocol = ServerProtocol(max_size=None, logger=LOG)
        self.write_lock = threading.Lock()
        self.closed = threading.Event()

    def accept(self, raw_request: bytes) -> None:
        """Hand the protocol the handshake request http.server already read, and answer it (101)."""
        self.protocol.receive_data(raw_request)
        (request,) = self.protocol.events_received()
        assert isinstance(request, Request)
        self.protocol.send_response(self.protocol.accept(request))
        self._flush()

    def _flush(self) -> None:
        for data in self.protocol.data_to_send():
            if data:
                self.sock.sendall(data)

    def send_text(self, text: str) -> bool:
        with self.write_lock:
            if self.closed.is_set():
                return False
            try:
                self.protocol.send_text(text.encode())
                self._flush()
                return True
            except OSError:
                self.closed.set()
                return False

    def close(self, code: int, reason: str = "") -> None:
        with self.write_lock:
            if self.closed.is_set():
                return
            self.closed.set()
            try:
                self.protocol.send_close(code, reason)
                self._flush()
            except OSError:
                pass

    def messages(self) -> Any:
        """Each text message the client sends, until it closes or the socket drops."""
        pieces: List[bytes] = []
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError as error:
                LOG.debug("the event socket dropped: %s", error)
                data = b""
            with self.write_lock:
                if data:
                    self.protocol.receive_data(data)
                else:
                    self.protocol.receive_eof()
                events = self.protocol.events_received()
                try:
                    self._flush()   # pongs and the close handshake's answer
                except OSError:
                    data = b""
            for frame in events:
                if isinstance(frame, Frame) and frame.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
                    pieces.append(bytes(frame.data))
                    if frame.fin:
                        yield b"".join(pieces).decode("utf-8", "replace")
                        pieces = []
            if not data or self.protocol.close_rcvd is not None:
                self.closed.set()
                return


def raw_request(raw_requestline: bytes, headers: Any) -> bytes:
    """The handshake request's bytes again, from what http.server parsed (it consumed them)."""
    lines = b"".join(b"%s: %s\r\n" % (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())
    return raw_requestline + lines + b"\r\n"


class EventSession:
    """One connection's Realtime session: the session settings, the conversation, the input audio
    buffer and at most one response in flight."""

    def __init__(self, out: EventSocket, schemas: EventSchemas, session: Dict[str, Any],
                 delta_pause: Callable[[], float]) -> None:
        self.out, self.schemas, self.session = out, schemas, session
        self.delta_pause = delta_pause
        self.items: List[Dict[str, Any]] = []
        self.audio = bytearray()
        self.outputs: Dict[str, str] = {}   # function call_id -> the output the client added
        self.responding: Optional[threading.Thread] = None
        self.cancel = threading.Event()
        self.counter = 0

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return "%s_%s%04d" % (prefix, secrets.token_hex(6), self.counter)

    def send(self, event: Dict[str, Any]) -> bool:
        """Send a server event, checked against its schema: one that fails closes the socket with 1011."""
        event = {"event_id": self.next_id("event"), **event}
        validator = self.schemas.server.get(event["type"])
        problem = "no schema for this type" if validator is None else self.schemas.problem(validator, event)
        if problem:
            LOG.error("the local server built an invalid %s event (%s): closing with 1011", event["type"], problem)
            self.out.close(1011, "internal error: invalid server event")
            return False
        return self.out.send_text(json.dumps(event))

    def error(self, message: str, client_event_id: Optional[str], code: str = "invalid_value",
              param: Optional[str] = None) -> None:
        self.send({"type": "error", "error": {"type": "invalid_request_error", "code": code, "message": message,
                                              "param": param, "event_id": client_event_id}})

    # ------------------------------------------------------------ client events

    def handle(self, text: str) -> None:
        try:
            event = json.loads(text)
        except ValueError:
            return self.error("The message is not JSON.", None, code="invalid_json")
        if not isinstance(event, dict):
            return self.error("An event is a JSON object with a `type`.", None, code="invalid_event")
        event_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
        kind = event.get("type")
        validator = self.schemas.client.get(kind) if isinstance(kind, str) else None
        if validator is None:
            return self.error("Invalid value: %r. Supported values are: %s." % (kind, ", ".join(sorted(self.schemas.client))),
                              event_id, param="type")
        problem = self.schemas.problem(validator, event)
        if problem:
            return self.error("Invalid event: %s" % problem, event_id)
        getattr(self, "on_" + str(kind).replace(".", "_"))(event)

    def on_session_update(self, event: Dict[str, Any]) -> None:
        update = dict(event["session"])
        if update.get("type", "realtime") != "realtime":
            return self.error("This session is a realtime session; its type cannot change.", event.get("event_id"),
                              param="session.type")
        self.session = merged(self.session, update)
        self.send({"type": "session.updated", "session": self.session})

    def on_conversation_item_create(self, event: Dict[str, Any]) -> None:
        item = {"id": self.next_id("item"), **copy.deepcopy(event["item"])}
        if item["type"] in ("message", "function_call", "function_call_output"):
            item.setdefault("status", "completed")
        item.setdefault("object", "realtime.item")
        if item["type"] == "function_call_output":
            self.outputs[item["call_id"]] = item["output"]
        previous = self.items[-1]["id"] if self.items else None
        self.items.append(item)
        self.send({"type": "conversation.item.added", "previous_item_id": previous, "item": item})
        self.send({"type": "conversation.item.done", "previous_item_id": previous, "item": item})

    def on_conversation_item_retrieve(self, event: Dict[str, Any]) -> None:
        item = next((i for i in self.items if i["id"] == event["item_id"]), None)
        if item is None:
            return self.error("Item '%s' not found." % event["item_id"], event.get("event_id"), "item_not_found", "item_id")
        self.send({"type": "conversation.item.retrieved", "item": item})

    def on_conversation_item_delete(self, event: Dict[str, Any]) -> None:
        before = len(self.items)
        self.items = [i for i in self.items if i["id"] != event["item_id"]]
        if len(self.items) == before:
            return self.error("Item '%s' not found." % event["item_id"], event.get("event_id"), "item_not_found", "item_id")
        self.send({"type": "conversation.item.deleted", "item_id": event["item_id"]})

    def on_conversation_item_truncate(self, event: Dict[str, Any]) -> None:
        self.send({"type": "conversation.item.truncated", "item_id": event["item_id"],
                   "content_index": event["content_index"], "audio_end_ms": event["audio_end_ms"]})

    def on_input_audio_buffer_append(self, event: Dict[str, Any]) -> None:
        try:
            self.audio += base64.b64decode(event["audio"], validate=True)
        except (binascii.Error, ValueError):
            self.error("The audio is not base64.", event.get("event_id"), "invalid_audio", "audio")

    def on_input_audio_buffer_commit(self, event: Dict[str, Any]) -> None:
        if not self.audio:
            return self.error("Error committing input audio buffer: the buffer is empty.", event.get("event_id"),
                              "input_audio_buffer_commit_empty")
        item_id = self.next_id("item")
        self.audio.clear()
        self.send({"type": "input_audio_buffer.committed", "previous_item_id": self.items[-1]["id"] if self.items else None,
                   "item_id": item_id})

    def on_input_audio_buffer_clear(self, event: Dict[str, Any]) -> None:
        self.audio.clear()
        self.send({"type": "input_audio_buffer.cleared"})

    def on_output_audio_buffer_clear(self, event: Dict[str, Any]) -> None:
        self.send({"type": "output_audio_buffer.cleared", "response_id": self.next_id("resp")})

    def on_response_cancel(self, event: Dict[str, Any]) -> None:
        if self.responding is None or not self.responding.is_alive():
            return self.error("Cancellation failed: no active response found.", event.get("event_id"),
                              "response_cancel_not_active")
        self.cancel.set()

    def on_response_create(self, event: Dict[str, Any]) -> None:
        if self.responding is not None and self.responding.is_alive():
            return self.error("Conversation already has an active response in progress.", event.get("event_id"),
                              "conversation_already_has_active_response")
        params = event.get("response") or {}
        self.cancel.clear()
        self.responding = threading.Thread(target=self.respond, args=(params,), daemon=True)
        self.responding.start()

    # ------------------------------------------------------------ responses

    def respond(self, params: Dict[str, Any]) -> None:
        tools = params.get("tools", self.session.get("tools")) or []
        choice = params.get("tool_choice", self.session.get("tool_choice"))
        named = choice.get("name") if isinstance(choice, dict) and choice.get("type") == "function" else None
        function = next((t for t in tools if t.get("type") == "function" and t.get("name") == named), None)
        modalities = params.get("output_modalities") or self.session.get("output_modalities") or ["audio"]
        response = {"object": "realtime.response", "id": self.next_id("resp"), "status": "in_progress",
                    "status_details": None, "output": [], "conversation_id": "conv_local",
                    "output_modalities": modalities, "max_output_tokens": "inf", "metadata": None, "usage": None}
        if not self.send({"type": "response.created", "response": response}):
            return
        if function is not None:
            item = self.function_call(response, function)
        else:
            item = self.message(response, "audio" not in modalities)
        if item is None:
            return
        response["output"] = [item]
        cancelled = self.cancel.is_set()
        response["status"] = "cancelled" if cancelled else "completed"
        if cancelled:
            response["status_details"] = {"type": "cancelled", "reason": "client_cancelled"}
        response["usage"] = {"total_tokens": 0, "input_tokens": 0, "output_tokens": 0}
        self.items.append(item)
        self.send({"type": "response.done", "response": response})

    def answer_text(self) -> str:
        last_output = next((i for i in reversed(self.items) if i["type"] in ("function_call_output", "message")), None)
        if last_output is not None and last_output["type"] == "function_call_output":
            return "The tool answered: %s" % last_output["output"]
        for item in reversed(self.items):
            if item["type"] == "message" and item.get("role") == "user":
                texts = [part.get("text") or part.get("transcript") or "" for part in item.get("content") or []]
                if any(texts):
                    return "You said: %s" % " ".join(t for t in texts if t)
        return "Hello from the local server."

    def pieces(self, text: str) -> List[str]:
        middle = max(1, len(text) // 2)
        return [text[:middle], text[middle:]] if len(text) > 1 else [text, ""]

    def streaming(self) -> bool:
        """Waits the per-delta pause; False once the response is cancelled (no further deltas)."""
        pause = self.delta_pause()
        if pause:
            self.cancel.wait(pause)
        return not self.cancel.is_set() and not self.out.closed.is_set()

    def message(self, response: Dict[str, Any], text_only: bool) -> Optional[Dict[str, Any]]:
        ids = {"response_id": response["id"], "output_index": 0}
        item: Dict[str, Any] = {"id": self.next_id("item"), "object": "realtime.item", "type": "message",
                                "status": "in_progress", "role": "assistant", "content": []}
        self.send({"type": "response.output_item.added", **ids, "item": item})
        part_ids = {**ids, "item_id": item["id"], "content_index": 0}
        # the spec's content part events still name the part `text` / `audio` (the item's content says output_*)
        self.send({"type": "response.content_part.added", **part_ids,
                   "part": {"type": "text", "text": ""} if text_only else {"type": "audio", "transcript": ""}})
        text, sent = self.answer_text(), ""
        for piece in self.pieces(text):
            if not self.streaming():
                break
            sent += piece
            if text_only:
                self.send({"type": "response.output_text.delta", **part_ids, "delta": piece})
            else:
                self.send({"type": "response.output_audio_transcript.delta", **part_ids, "delta": piece})
                self.send({"type": "response.output_audio.delta", **part_ids, "delta": SILENCE})
        if self.out.closed.is_set():
            return None
        if text_only:
            self.send({"type": "response.output_text.done", **part_ids, "text": sent})
            part = {"type": "output_text", "text": sent}
        else:
            self.send({"type": "response.output_audio.done", **part_ids})
            self.send({"type": "response.output_audio_transcript.done", **part_ids, "transcript": sent})
            part = {"type": "output_audio", "transcript": sent}
        self.send({"type": "response.content_part.done", **part_ids,
                   "part": {"type": "text", "text": sent} if text_only else {"type": "audio", "transcript": sent}})
        item.update(status="incomplete" if self.cancel.is_set() else "completed", content=[part])
        self.send({"type": "response.output_item.done", **ids, "item": item})
        return item

    def function_call(self, response: Dict[str, Any], function: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """A call of `function` whose arguments give each declared property the last user text."""
        name = function["name"]
        ids = {"response_id": response["id"], "output_index": 0}
        call_id = self.next_id("call")
        item: Dict[str, Any] = {"id": self.next_id("item"), "object": "realtime.item", "type": "function_call",
                                "status": "in_progress", "name": name, "call_id": call_id, "arguments": ""}
        self.send({"type": "response.output_item.added", **ids, "item": item})
        said = self.answer_text().replace("You said: ", "", 1)
        properties = list(((function.get("parameters") or {}).get("properties") or {})) or ["input"]
        arguments = json.dumps({prop: said for prop in properties})
        for piece in self.pieces(arguments):
            if not self.streaming():
                break
            self.send({"type": "response.function_call_arguments.delta", **ids, "item_id": item["id"],
                       "call_id": call_id, "delta": piece})
        if self.out.closed.is_set():
            return None
        self.send({"type": "response.function_call_arguments.done", **ids, "item_id": item["id"], "call_id": call_id,
                   "name": name, "arguments": arguments})
        item.update(status="completed", arguments=arguments)
        self.send({"type": "response.output_item.done", **ids, "item": item})
        return item


def session_for(model: Optional[str], settings: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The session a connection starts with: the GA defaults, the key's or the call's settings over them."""
    session = merged(REALTIME_DEFAULTS, {k: v for k, v in (settings or {}).items() if k in REALTIME_DEFAULTS or k == "type"})
    session.update(type="realtime", id="sess_" + secrets.token_hex(12), expires_at=0)
    if model:
        session["model"] = model
    return session


def run(sock: socket.socket, request: bytes, schemas: EventSchemas, session: Dict[str, Any],
        delta_pause: Callable[[], float], on_open: Callable[[EventSocket], None],
        on_close: Callable[[EventSocket], None]) -> None:
    """Serve one upgraded connection on this thread until either side closes it."""
    out = EventSocket(sock)
    out.accept(request)
    on_open(out)
    try:
        state = EventSession(out, schemas, session, delta_pause)
        if not state.send({"type": "session.created", "session": state.session}):
            return
        for message in out.messages():
            state.handle(message)
    finally:
        on_close(out)
        out.closed.set()
