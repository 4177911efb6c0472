"""Slack front end: a slack-bolt ``AsyncApp`` in HTTP mode on the FastAPI app (``POST /slack/events``).

The route checks the signing secret over the raw body before anything parses it (401 for every unsigned or
malformed request, 400 for a signed body that is not Slack's JSON or form), then bolt answers url_verification. Listeners only ``ack()`` — well
inside Slack's 3 s — and a lazy listener asks the engine and posts the reply in the question's thread
(``chat.postMessage``) or to the slash command's ``response_url``. A global middleware drops retried
deliveries (keyed by event id, or by team, channel, ts and text when Slack sends none; slash commands by
``trigger_id``) and bot messages before any work is queued.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import SecretStr
from slack_bolt import BoltResponse
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from .chat_render import AnswerView, answer_view, fit, language_of, slack_escape, ui
from .chat_support import ChatService, ChatSettings, Notice, SeenOnce
from .schema import Answer

log = logging.getLogger(__name__)

MAX_BLOCKS = 50
SECTION_CHARS = 3000
TEXT_BUDGET = 38_000  # Slack truncates messages past ~40k characters; keep room for markup
FALLBACK_CHARS = 300
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def question_text(raw: str) -> str:
    """Message text as the user typed it: without mentions of the bot, with Slack's &amp;/&lt;/&gt; undone."""
    return html.unescape(_MENTION.sub(" ", raw)).strip()


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def render_blocks(view: AnswerView) -> list[dict[str, Any]]:
    """Block Kit: the question, the verdict and answer, a context block per citation, then the as-of date."""
    blocks: list[dict[str, Any]] = [
        {"type": "context", "elements": [_mrkdwn(view.question)]},
        {"type": "section", "text": _mrkdwn(f"*{view.verdict}*\n{view.body}")},
    ]
    for citation in view.citations:
        elements = [_mrkdwn(f"*{citation.heading}*")]
        elements += [_mrkdwn(f"「{citation.quote}」")] if citation.quote else []
        elements += [_mrkdwn(f"_{citation.translation}_")] if citation.translation else []
        blocks.append({"type": "context", "elements": elements})
    if view.omitted:
        blocks.append({"type": "context", "elements": [_mrkdwn(ui("more", view.lang, n=view.omitted))]})
    blocks.append({"type": "context", "elements": [_mrkdwn(view.footer)]})
    return blocks


def render_answer(answer: Answer) -> dict[str, Any]:
    """``text`` (the notification fallback) plus ``blocks``, within Slack's block and text limits."""
    view = answer_view(
        answer,
        escape=slack_escape,
        max_citations=MAX_BLOCKS - 4,
        budget=TEXT_BUDGET,
        section_chars=SECTION_CHARS,
    )
    fallback = fit(html.unescape(f"{view.verdict}: {view.body}"), FALLBACK_CHARS, slack_escape)
    return {"text": fallback, "blocks": render_blocks(view)}


def render_reply(reply: Answer | Notice) -> dict[str, Any]:
    if isinstance(reply, Notice):
        return {"text": fit(reply.text, SECTION_CHARS, slack_escape)}
    return render_answer(reply)


def _screen(seen: SeenOnce) -> Callable[..., Awaitable[BoltResponse | None]]:
    """Global middleware: acknowledge without answering Slack's retries of an event already received, messages
    from bots (bolt itself drops the app's own), edits/joins and any message that is not a direct message."""

    async def screen(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        key = delivery_key(body)
        if key is not None and not seen.first(key):
            log.info("dropped a repeated Slack delivery (%s)", key)
            return BoltResponse(status=200, body="")
        if body.get("type") == "event_callback":
            event = body.get("event") or {}
            if (
                event.get("bot_id")
                or event.get("subtype")
                or (event.get("type") == "message" and event.get("channel_type") != "im")
            ):
                return BoltResponse(status=200, body="")
        await next()
        return None

    return screen


def delivery_key(body: dict[str, Any]) -> str | None:
    """What one delivery is, so a retry or replay of it is answered once: the event id, or (Slack omits it for
    some events) a hash of team, channel, ts and text; a slash command's ``trigger_id``."""
    if body.get("type") == "event_callback":
        if body.get("event_id"):
            return f"event:{body['event_id']}"
        event = body.get("event") or {}
        parts = [body.get("team_id"), event.get("channel"), event.get("ts"), event.get("text")]
        return "event:" + hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
    if body.get("command"):
        return f"command:{body['trigger_id']}" if body.get("trigger_id") else None
    return None


def slack_web_client(settings: ChatSettings) -> AsyncWebClient | None:
    """The Web API client from the environment, or None when Slack is not configured."""
    if settings.slack_bot_token is None or settings.slack_signing_secret is None:
        return None
    return AsyncWebClient(token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url)


def build_slack_app(
    service: ChatService, client: AsyncWebClient, signing_secret: SecretStr, dedupe_ttl: float
) -> AsyncApp:
    """The bolt app; ``client`` carries the bot token and the Web API ``base_url`` (tests: a mock's URL)."""
    bolt = AsyncApp(
        client=client,
        signing_secret=signing_secret.get_secret_value(),
        process_before_response=True,
        name="license-assistant",
    )
    bolt.middleware(_screen(SeenOnce(dedupe_ttl)))

    async def ack_event(ack: AsyncAck) -> None:
        await ack()

    async def answer_event(event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        reply = await service.ask(
            question_text(event.get("text", "")), f"{context.team_id}:{event.get('user')}"
        )
        await client.chat_postMessage(
            channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"], **render_reply(reply)
        )

    async def ack_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack(response_type="ephemeral", text=ui("working", language_of(command.get("text", ""))))

    async def answer_command(command: dict[str, Any], respond: AsyncRespond) -> None:
        reply = await service.ask(
            command.get("text", ""), f"{command.get('team_id')}:{command.get('user_id')}"
        )
        await respond(
            response_type="ephemeral" if isinstance(reply, Notice) else "in_channel", **render_reply(reply)
        )

    bolt.event("app_mention")(ack=ack_event, lazy=[answer_event])
    bolt.event("message")(ack=ack_event, lazy=[answer_event])
    bolt.command("/license")(ack=ack_command, lazy=[answer_command])
    return bolt


def signed(verifier: SignatureVerifier, body: bytes, request: Request) -> bool:
    """Slack's signature over the raw body; a malformed timestamp or a body that is not UTF-8 is unsigned."""
    try:
        return verifier.is_valid_request(body, dict(request.headers))
    except (ValueError, UnicodeDecodeError):
        return False


def parses(body: bytes, content_type: str | None) -> bool:
    """Whether bolt can read a (signed) body: UTF-8 JSON or form data that yields an object."""
    try:
        return isinstance(parse_body(body.decode("utf-8"), content_type), dict)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False


def mount_slack(api: FastAPI, bolt: AsyncApp, signing_secret: SecretStr) -> None:
    """``POST /slack/events`` for events, url_verification and the slash command (one Request URL for all)."""
    handler = AsyncSlackRequestHandler(bolt)
    verifier = SignatureVerifier(signing_secret.get_secret_value())

    @api.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if not signed(verifier, body, request):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        if not parses(body, request.headers.get("content-type")):
            return JSONResponse({"error": "the body is not Slack's JSON or form data"}, status_code=400)
        return await handler.handle(request)
