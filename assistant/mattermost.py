"""Mattermost front end: a slash-command endpoint (``POST /mattermost/command``, form-encoded as
Mattermost sends it) that checks the command's token in constant time and replies with Markdown in
Mattermost's JSON shape. Mattermost waits for the reply, so the answer is returned directly rather than
posted later."""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException
from pydantic import BaseModel, SecretStr

from .chat_render import AnswerView, answer_view, fit, ui
from .chat_support import ChatService, Notice
from .schema import Answer

POST_CHARS = 16_000  # Mattermost's default maximum post size is 16383 characters
MAX_CITATIONS = 20


class MattermostCommand(BaseModel):
    """The fields of Mattermost's slash-command request that the answer needs (others are ignored)."""

    token: str = ""
    team_id: str = ""
    user_id: str = ""
    text: str = ""


class MattermostReply(BaseModel):
    response_type: Literal["in_channel", "ephemeral"]
    text: str


def mattermost_escape(text: str) -> str:
    """Keep user and license text from notifying people: a zero-width space breaks ``@channel``/``@user``."""
    return text.replace("@", "@\u200b")


def render_markdown(view: AnswerView) -> str:
    """Markdown with the parts of the Slack blocks: question, verdict and answer, citations, as-of date."""
    lines = [f"_{view.question}_", "", f"**{view.verdict}**", view.body]
    for citation in view.citations:
        lines += ["", f"> **{citation.heading}**"]
        lines += [f"> 「{citation.quote}」"] if citation.quote else []
        lines += [f"> _{citation.translation}_"] if citation.translation else []
    if view.omitted:
        lines += ["", f"_{ui('more', view.lang, n=view.omitted)}_"]
    lines += ["", f"_{view.footer}_"]
    return "\n".join(lines)


def render_reply(reply: Answer | Notice) -> MattermostReply:
    """Answers go to the channel; notices (help, limits, failures) only to the asker."""
    if isinstance(reply, Notice):
        return MattermostReply(response_type="ephemeral", text=fit(reply.text, POST_CHARS, mattermost_escape))
    view = answer_view(reply, escape=mattermost_escape, max_citations=MAX_CITATIONS, budget=POST_CHARS - 500)
    return MattermostReply(response_type="in_channel", text=render_markdown(view))


def mattermost_router(service: ChatService, token: SecretStr) -> APIRouter:
    router = APIRouter(tags=["mattermost"])

    @router.post(
        "/mattermost/command",
        response_model=MattermostReply,
        responses={
            400: {"description": "The form could not be parsed."},
            401: {"description": "The token does not match MATTERMOST_TOKEN."},
        },
    )
    async def mattermost_command(form: Annotated[MattermostCommand, Form()]) -> MattermostReply:
        """A Mattermost slash command (e.g. ``/license 我们能做应用商店吗？``)."""
        if not hmac.compare_digest(form.token.encode(), token.get_secret_value().encode()):
            raise HTTPException(status_code=401, detail="invalid slash-command token")
        return render_reply(await service.ask(form.text, f"{form.team_id}:{form.user_id}"))

    return router
