"""A phone agent: OpenAI rings your webhook for each SIP call; this answers it.

    OPENAI_API_KEY=sk-... OPENAI_WEBHOOK_SECRET=whsec_... python examples/sip_agent.py --port 8000

For each signed `realtime.call.incoming` delivery it:
1. checks the signature (a bad one gets a 400, and nothing else happens);
2. answers 200 at once and handles the call after, ignoring a `webhook-id` it has already handled
   (deliveries are retried);
3. accepts the call with instructions, text output and a `lookup_order` function tool;
4. joins the call's session (`openapi_client.aio.realtime.connect(call_id=...)`) and asks for a
   response that calls the tool;
5. answers the function call with a `function_call_output` and reads the reply that uses it;
6. hangs up.

Async throughout (openapi_client.aio and aiohttp's web server): one receiver serves many calls at once.
Each step is logged in words; the key and the webhook secret never are. `make demo-sip` runs it
against the bundled local server, offline.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
from typing import Optional, Set

from aiohttp import web

import openapi_client
from openapi_client import InvalidWebhookSignatureError, aio, webhooks
from openapi_client.aio import realtime

LOG = logging.getLogger("sip_agent")
ORDERS = {"42": "shipped on Monday, arriving Thursday", "7": "waiting for stock"}
LOOKUP_ORDER = openapi_client.RealtimeFunctionTool(
    type="function", name="lookup_order", description="Where an order is, by its number.",
    parameters={"type": "object", "properties": {"order": {"type": "string"}}, "required": ["order"]})


def lookup_order(arguments: str) -> str:
    """The tool: the backend's own data, answered as JSON."""
    try:
        said = str(json.loads(arguments).get("order", ""))
    except (ValueError, AttributeError):
        said = ""
    number = re.search(r"\d+", said)   # the caller says "order 42"; the model may pass the words
    order = number.group(0) if number else said
    return json.dumps({"order": order, "status": ORDERS.get(order, "unknown order")})


class Agent:
    def __init__(self, configuration: openapi_client.Configuration, secret: Optional[str], calls_to_handle: int = 0) -> None:
        self.configuration, self.secret = configuration, secret
        self.seen: Set[str] = set()            # webhook-ids already handled: deliveries are retried
        self.tasks: Set["asyncio.Task[None]"] = set()
        self.calls_to_handle, self.handled = calls_to_handle, 0
        self.finished = asyncio.Event()

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            event = webhooks.unwrap(body, request.headers, secret=self.secret)
        except InvalidWebhookSignatureError as error:
            LOG.warning("webhook refused: %s", error)   # the message never holds the secret
            return web.Response(status=400, text="bad signature")
        delivery = request.headers.get("webhook-id", "")
        if delivery in self.seen:
            LOG.info("webhook %s: already handled (a retried delivery), ignored", delivery)
            return web.Response(status=200)
        self.seen.add(delivery)
        if event.type == "realtime.call.incoming":
            call_id = event.data.call_id   # type: ignore[union-attr]
            caller = {h.name: h.value for h in event.data.sip_headers or []}.get("From", "unknown")  # type: ignore[union-attr]
            LOG.info("call %s: incoming from %s", call_id, caller)
            task = asyncio.ensure_future(self.handle_call(call_id))   # answer the webhook now, the call after
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return web.Response(status=200)

    async def handle_call(self, call_id: str) -> None:
        try:
            async with aio.ApiClient(self.configuration) as api_client:
                api = aio.RealtimeApi(api_client)
                await api.accept_realtime_call(call_id, openapi_client.RealtimeSessionCreateRequestGA(
                    type="realtime", output_modalities=["text"], tools=[LOOKUP_ORDER],
                    instructions="You help callers track their orders. Use lookup_order."))
                LOG.info("call %s: accepted (text output, tool lookup_order)", call_id)
                reply = await self.converse(call_id)
                LOG.info("call %s: the agent said: %s", call_id, reply)
                await api.hangup_realtime_call(call_id)
                LOG.info("call %s: hung up", call_id)
        except (openapi_client.ApiException, openapi_client.ApiConnectionError) as error:
            LOG.error("call %s: failed: %s", call_id, error)   # str() of these is redacted
        finally:
            self.handled += 1
            if self.calls_to_handle and self.handled >= self.calls_to_handle:
                self.finished.set()

    async def converse(self, call_id: str) -> str:
        async with realtime.connect(call_id=call_id, configuration=self.configuration) as conn:
            LOG.info("call %s: joined its session (sideband)", call_id)
            await conn.send({"type": "conversation.item.create", "item": {
                "type": "message", "role": "user", "content": [{"type": "input_text", "text": "Where is order 42?"}]}})
            await conn.send({"type": "response.create",
                             "response": {"tool_choice": {"type": "function", "name": "lookup_order"}}})
            seen = []
            async for event in conn:
                seen.append(event.type)
                if event.type == "response.function_call_arguments.done":
                    output = lookup_order(event.arguments)
                    LOG.info("call %s: tool call %s(%s), answered %s", call_id, event.name, event.arguments, output)
                    await conn.send({"type": "conversation.item.create", "item": {
                        "type": "function_call_output", "call_id": event.call_id, "output": output}})
                elif event.type == "response.done" and event.response.output and \
                        event.response.output[0].type == "function_call":
                    await conn.send({"type": "response.create"})   # the reply that uses the tool's answer
                elif event.type == "response.done":
                    LOG.info("call %s: events seen: %s", call_id, ", ".join(dict.fromkeys(seen)))
                    parts = event.response.output[0].content if event.response.output else []
                    return "".join(getattr(part, "text", None) or getattr(part, "transcript", None) or ""
                                   for part in parts or [])
                elif event.type == "error":
                    LOG.warning("call %s: error event: %s", call_id, event.error.message)
        return ""


async def serve(agent: Agent, host: str, port: int) -> None:
    app = web.Application()
    app.router.add_post("/webhook", agent.webhook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print("sip_agent: listening on http://%s:%d/webhook" % (host, bound), flush=True)
    try:
        if agent.calls_to_handle:
            await agent.finished.wait()
        else:
            await asyncio.Event().wait()   # until interrupted
    finally:
        await runner.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free one")
    parser.add_argument("--calls", type=int, default=0, help="exit after handling this many calls (0: run on)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="sip_agent: %(message)s", stream=sys.stdout)
    configuration = openapi_client.Configuration()   # OPENAI_API_KEY, OPENAI_BASE_URL
    if not configuration.access_token:
        print("sip_agent: set OPENAI_API_KEY (and OPENAI_WEBHOOK_SECRET)", file=sys.stderr)
        return 2
    try:   # the webhook secret comes from OPENAI_WEBHOOK_SECRET
        asyncio.run(serve(Agent(configuration, None, args.calls), args.host, args.port))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
