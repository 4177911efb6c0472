"""Slack front end: a slack-bolt ``AsyncApp`` in HTTP mode on the FastAPI app (``POST /slack/events``).

Bolt verifies the signing secret (401 otherwise) and answers url_verification. Listeners only ``ack()`` — well
inside Slack's 3 s — and a lazy listener asks the engine and posts the reply in the question's thread
(``chat.postMessage``) or to the slash command's ``response_url``. A global middleware drops retried
deliveries and bot messages before any work is queued.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import SecretStr
from slack_bolt import BoltResponse
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
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
        if body.get("type") == "event_callback":
            event = body.get("event") or {}
            if not seen.first(str(body.get("event_id"))):
                log.info("dropped a retried delivery of Slack event %s", body.get("event_id"))
                return BoltResponse(status=200, body="")
            if (
                event.get("bot_id")
                or event.get("subtype")
                or (event.get("type") == "message" and event.get("channel_type") != "im")
            ):
                return BoltResponse(status=200, body="")
        await next()
        return None

    return screen


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


def mount_slack(api: FastAPI, bolt: AsyncApp) -> None:
    """``POST /slack/events`` for events, url_verification and the slash command (one Request URL for all)."""
    handler = AsyncSlackRequestHandler(bolt)

    @api.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)
