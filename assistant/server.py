"""The HTTP server (``license-assistant serve``): a JSON API (``POST /api/ask``, ``GET /healthz``, OpenAPI at
``/openapi.json``), Slack (``POST /slack/events``) and Mattermost (``POST /mattermost/command``) on one
FastAPI app.

The engine builds its index on the first question (~20 s), so the lifespan warms it up in the background and
``/healthz`` answers 503 until it is ready; questions asked meanwhile simply wait for it. After that ``/healthz``
asks the engine a real question each time, so it answers 200 only while questions can be answered.

Bad input never gets a 500: bodies over ``LICENSE_ASSISTANT_CHAT__MAX_BODY_BYTES`` get 413 before they are read
whole, and validation errors are reported without echoing the input (which may not be JSON: NaN, surrogates).
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
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, create_model, field_validator
from slack_sdk.web.async_client import AsyncWebClient

from .chat_support import AnswerFn, ChatService, ChatSettings, Engine
from .config import get_settings
from .errors import ExpectedError
from .mattermost import mattermost_router
from .schema import Answer
from .slack import build_slack_app, mount_slack, slack_web_client

log = logging.getLogger(__name__)

WARM_UP_QUESTION = "公司可以做即时通讯吗？"
PROBE_EVERY_SECONDS = 5.0  # /healthz trusts an answer this recent instead of queueing a probe behind questions
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class AskRequest(BaseModel):
    question: str = Field(min_length=1, description="The question, in Chinese or English.")
    as_of: date | None = Field(None, description="Answer as of this ISO date, YYYY-MM-DD (default: today).")

    @field_validator("question")
    @classmethod
    def _text_only(cls, value: str) -> str:
        """JSON may carry a lone half of a UTF-16 pair ("\\ud800"): no character, and no JSON to answer with."""
        if _SURROGATE.search(value):
            raise ValueError("question contains an unpaired UTF-16 surrogate (\\ud800-\\udfff); send valid text")
        return value

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
        description="ok while the engine answers questions (checked end to end)."
    )
    settings_hash: str = Field(description="Fingerprint of the settings that decide the answers.")
    doc_id: str | None = Field(None, description="The license answered about (known after warm-up).")
    corpus_hash: str | None = None


class ErrorReply(BaseModel):
    detail: str


class InvalidField(BaseModel):
    loc: list[str | int] = Field(description="Where the problem is, e.g. ['body', 'as_of'].")
    msg: str
    type: str


class ValidationReply(BaseModel):
    detail: list[InvalidField]


async def _validation_failed(_: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming each field and the problem, without the input itself: FastAPI's default handler echoes it,
    and NaN, Infinity or a lone surrogate cannot be written back as JSON (a 500 instead of a 422)."""
    fields = [
        InvalidField(loc=list(error["loc"]), msg=_SURROGATE.sub("\ufffd", str(error["msg"])), type=error["type"])
        for error in exc.errors()
    ]
    return JSONResponse(status_code=422, content=ValidationReply(detail=fields).model_dump())


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

    async def probe() -> None:
        """Ask a real question; ``warmth`` says whether it was answered (with a citation)."""
        try:
            answer = await engine.ask(WARM_UP_QUESTION)
        except ExpectedError as exc:
            warmth.status = "error"
            log.error("the engine cannot answer: %s", exc)
            return
        except Exception:
            warmth.status = "error"
            log.exception("the engine failed on its probe question")
            return
        warmth.status = "ok" if answer.citations and not answer.error else "error"
        warmth.doc_id, warmth.corpus_hash = answer.doc_id, answer.corpus_hash

    async def warm_up() -> None:
        await probe()
        if warmth.status == "ok":
            log.info("engine ready (doc %s)", warmth.doc_id)

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
        max_body_size=chat.max_body_bytes,
        exception_handlers={RequestValidationError: _validation_failed},
    )
    request_model = _ask_request_model(engine_settings.answer.max_question_chars)

    @api.post(
        "/api/ask",
        response_model=Answer,
        responses={
            400: {"model": ErrorReply, "description": "The body could not be parsed."},
            413: {"description": "The body is larger than LICENSE_ASSISTANT_CHAT__MAX_BODY_BYTES."},
            422: {"model": ValidationReply, "description": "A field is missing or invalid."},
            500: {"model": ErrorReply, "description": "The engine failed; the server log has details."},
            503: {"model": ErrorReply, "description": "The index or corpus is unusable; the detail says why."},
        },
    )
    async def ask(body: request_model) -> Answer:  # type: ignore[valid-type]
        """Answer one question. Input the engine refuses (e.g. binary) comes back as an Answer with ``error``
        set."""
        try:
            return await engine.ask(body.question, body.as_of)
        except ExpectedError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from None
        except Exception:
            log.exception("the engine failed on an API question")
            raise HTTPException(
                status_code=500, detail="The engine failed to answer; see the server log."
            ) from None

    @api.get(
        "/healthz", response_model=Health, responses={503: {"model": Health, "description": "Not ready."}}
    )
    async def healthz(response: Response) -> Health:
        """Readiness: 200 only when a real question was answered in the last few seconds — under load by the
        questions themselves, otherwise by a probe question — 503 while starting or failing."""
        if warmth.status != "starting":
            if engine.answered_within(PROBE_EVERY_SECONDS):
                warmth.status = "ok"
            else:
                await probe()
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
        mount_slack(
            api,
            build_slack_app(service, client, chat.slack_signing_secret, chat.dedupe_ttl_seconds),
            chat.slack_signing_secret,
        )
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
