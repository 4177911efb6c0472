"""The HTTP server (``license-assistant serve``): a JSON API (``POST /api/ask``, ``GET /healthz``, OpenAPI at
``/openapi.json``), Slack (``POST /slack/events``) and Mattermost (``POST /mattermost/command``) on one
FastAPI app.

The engine builds its index on the first question (~20 s), so the lifespan warms it up in the background and
``/healthz`` answers 503 until it is ready; questions asked meanwhile simply wait for it.
"""

# No ``from __future__ import annotations`` here: the /api/ask body model is built at run time (it carries the
# configured length cap) and FastAPI must see the class itself in the endpoint's signature.

import asyncio
import contextlib
import copy
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

import typer
import uvicorn
import uvicorn.config
from fastapi import FastAPI, HTTPException, Response
from pydantic import BaseModel, Field, create_model, field_validator
from slack_sdk.web.async_client import AsyncWebClient

from .chat_support import AnswerFn, ChatService, ChatSettings, Engine
from .config import get_settings
from .mattermost import mattermost_router
from .schema import Answer
from .slack import build_slack_app, mount_slack, slack_web_client

log = logging.getLogger(__name__)

WARM_UP_QUESTION = "公司可以做即时通讯吗？"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class AskRequest(BaseModel):
    question: str = Field(min_length=1, description="The question, in Chinese or English.")
    as_of: date | None = Field(None, description="Answer as of this ISO date, YYYY-MM-DD (default: today).")

    @field_validator("as_of", mode="before")
    @classmethod
    def _iso_date_only(cls, value: object) -> object:
        """pydantic would also read "0" or 1700000000 as Unix timestamps; the API promises ISO dates only."""
        if (
            value is None
            or isinstance(value, date)
            or (isinstance(value, str) and _ISO_DATE.fullmatch(value))
        ):
            return value
        raise ValueError("as_of must be an ISO date, YYYY-MM-DD")


class Health(BaseModel):
    status: Literal["starting", "ok", "error"] = Field(
        description="ok once the engine has answered a question."
    )
    settings_hash: str = Field(description="Fingerprint of the settings that decide the answers.")
    doc_id: str | None = Field(None, description="The license answered about (known after warm-up).")
    corpus_hash: str | None = None


class ErrorReply(BaseModel):
    detail: str


@dataclass
class _Warmth:
    status: Literal["starting", "ok", "error"] = "starting"
    doc_id: str | None = None
    corpus_hash: str | None = None


def _ask_request_model(max_chars: int) -> type[AskRequest]:
    """The body model with the engine's length cap, so over-long questions get a 422 naming the limit and the
    cap is published in the OpenAPI schema."""
    question = (
        str,
        Field(min_length=1, max_length=max_chars, description=f"The question, at most {max_chars} chars."),
    )
    return create_model("AskRequest", __base__=AskRequest, question=question)


def create_app(
    answer_fn: AnswerFn | None = None,
    slack_client: AsyncWebClient | None = None,
    settings: ChatSettings | None = None,
) -> FastAPI:
    """The ASGI app. ``answer_fn`` replaces the engine (tests use doubles); ``slack_client`` replaces the
    Slack Web API client built from ``SLACK_BOT_TOKEN``; the Slack and Mattermost routes exist only when their
    secrets are set."""
    chat = settings or ChatSettings()
    engine_settings = get_settings()
    engine = Engine(answer_fn)
    warmth = _Warmth()

    async def warm_up() -> None:
        try:
            probe = await engine.ask(WARM_UP_QUESTION)
        except Exception:
            warmth.status = "error"
            log.exception("engine warm-up failed")
            return
        warmth.status, warmth.doc_id, warmth.corpus_hash = "ok", probe.doc_id, probe.corpus_hash
        log.info("engine ready (doc %s)", probe.doc_id)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(warm_up())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    api = FastAPI(
        title="License assistant",
        summary="Answers questions about a Chinese value-added telecom business license, citing its clauses.",
        version="0.1.0",
        lifespan=lifespan,
    )
    request_model = _ask_request_model(engine_settings.answer.max_question_chars)

    @api.post(
        "/api/ask",
        response_model=Answer,
        responses={
            400: {"model": ErrorReply, "description": "The body could not be parsed."},
            500: {"model": ErrorReply, "description": "The engine failed; the server log has details."},
        },
    )
    async def ask(body: request_model) -> Answer:  # type: ignore[valid-type]
        """Answer one question. Input the engine refuses (e.g. binary) comes back as an Answer with ``error``
        set."""
        try:
            return await engine.ask(body.question, body.as_of)
        except Exception:
            log.exception("the engine failed on an API question")
            raise HTTPException(
                status_code=500, detail="The engine failed to answer; see the server log."
            ) from None

    @api.get(
        "/healthz", response_model=Health, responses={503: {"model": Health, "description": "Not ready."}}
    )
    async def healthz(response: Response) -> Health:
        """Liveness and readiness: 200 once the engine is warm, 503 while starting or after failed warm-up."""
        if warmth.status != "ok":
            response.status_code = 503
        return Health(
            status=warmth.status,
            settings_hash=engine_settings.fingerprint(),
            doc_id=warmth.doc_id,
            corpus_hash=warmth.corpus_hash,
        )

    service = ChatService(engine, chat, engine_settings.answer.max_question_chars)
    client = slack_client or slack_web_client(chat)
    if client is not None and chat.slack_signing_secret is not None:
        mount_slack(api, build_slack_app(service, client, chat.slack_signing_secret, chat.dedupe_ttl_seconds))
    else:
        log.info("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to enable /slack/events")
    if chat.mattermost_token is not None:
        api.include_router(mattermost_router(service, chat.mattermost_token))
    else:
        log.info("Mattermost is off: set MATTERMOST_TOKEN to enable /mattermost/command")
    return api


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 for all).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
) -> None:
    """Serve the JSON API, Slack events and Mattermost slash commands (uvicorn)."""
    uvicorn.run("assistant.server:create_app", factory=True, host=host, port=port, log_config=_log_config())


def _log_config() -> dict[str, Any]:
    """uvicorn's logging plus the ``assistant`` loggers at INFO, so warm-up and integration status show."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["assistant"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
