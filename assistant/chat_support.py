"""What the HTTP API, Slack and Mattermost share at run time: chat settings from the environment, the bridge
that runs the synchronous engine off the event loop, and the guards (length cap, per-user rate limit, retry
de-dup) every chat question passes before it reaches the engine."""

from __future__ import annotations

import logging
import math
import re
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import anyio
import anyio.to_thread
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from .chat_render import language_of, ui
from .schema import Answer

log = logging.getLogger(__name__)

AnswerFn = Callable[[str, date | None], Answer]
Clock = Callable[[], float]


class ChatSettings(BaseSettings):
    """Chat integration settings. Secrets use the names the Slack and Mattermost docs use
    (``SLACK_BOT_TOKEN``...); the rest use ``LICENSE_ASSISTANT_CHAT__*``, so the group can later nest in
    ``assistant.config.Settings``."""

    model_config = SettingsConfigDict(
        env_prefix="LICENSE_ASSISTANT_CHAT__", extra="ignore", populate_by_name=True
    )

    slack_bot_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token"),
        description="xoxb-… bot token.",
    )
    slack_signing_secret: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "slack_signing_secret"),
        description="Verifies that requests come from Slack. Slack is off unless both Slack secrets are set.",
    )
    slack_api_url: str = Field(
        "https://slack.com/api/", description="Slack Web API base URL (tests use a mock)."
    )
    mattermost_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("MATTERMOST_TOKEN", "mattermost_token"),
        description="The slash command's token; the Mattermost endpoint is disabled unless it is set.",
    )
    rate_limit: int = Field(10, ge=1, description="Questions one chat user may ask per rate window.")
    rate_window_seconds: float = Field(60, gt=0, description="Length of the rate-limit window.")
    max_body_bytes: int = Field(
        65536, ge=1024, description="Largest request body any HTTP entry (API, Slack, Mattermost, the UI) "
        "accepts; larger ones get 413 before they are read whole.",
    )
    dedupe_ttl_seconds: float = Field(
        900,
        gt=0,
        description="How long a Slack delivery (event or slash command) is remembered, so a retry or "
        "replay is answered once (Slack retries for about 5 minutes).",
    )


class Engine:
    """Runs the synchronous, CPU-bound ``answer`` in a worker thread, one call at a time: the event loop stays
    responsive, and the engine is not known to be thread-safe. Waiting callers queue in the event loop rather
    than each holding a thread."""

    def __init__(self, answer_fn: AnswerFn | None = None, clock: Clock = time.monotonic) -> None:
        self._answer_fn = answer_fn
        self._limiter: anyio.CapacityLimiter | None = None
        self._clock = clock
        self.last_answered = -math.inf  # clock time of the last answer with citations: the engine worked then

    def _call(self, question: str, as_of: date | None) -> Answer:
        if self._answer_fn is None:
            from assistant import answer  # imported on first use: the engine is heavy and builds its index

            self._answer_fn = answer
        return self._answer_fn(question, as_of)

    async def ask(self, question: str, as_of: date | None = None) -> Answer:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(1)
        answer = await anyio.to_thread.run_sync(self._call, question, as_of, limiter=self._limiter)
        if answer.citations and not answer.error:
            self.last_answered = self._clock()
        return answer

    def answered_within(self, seconds: float) -> bool:
        return self._clock() - self.last_answered < seconds


class RateLimiter:
    """Sliding-window limit per user, in memory (one server process), bounded by pruning idle users."""

    def __init__(
        self, limit: int, window: float, clock: Clock = time.monotonic, max_users: int = 10_000
    ) -> None:
        self.limit, self.window, self._clock, self._max_users = limit, window, clock, max_users
        self._hits: dict[str, deque[float]] = {}

    def check(self, key: str) -> float:
        """Record a question and return 0, or (recording nothing) the seconds to wait when over the limit."""
        now = self._clock()
        if len(self._hits) > self._max_users:
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window - now
        hits.append(now)
        return 0.0


class SeenOnce:
    """Keys seen in the last ``ttl`` seconds, so a retried delivery is answered once; bounded in size."""

    def __init__(self, ttl: float, clock: Clock = time.monotonic, max_items: int = 10_000) -> None:
        self.ttl, self._clock, self._max_items = ttl, clock, max_items
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first(self, key: str) -> bool:
        """True the first time ``key`` is offered within the TTL (and remember it), False for repeats."""
        now = self._clock()
        while self._seen and (
            next(iter(self._seen.values())) <= now - self.ttl or len(self._seen) > self._max_items
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


@dataclass(frozen=True)
class Notice:
    """A friendly reply instead of an answer (help, too long, rate limited, failure), for the asker only."""

    text: str


_AS_OF = re.compile(r"(?:^|\s)as[-_]of[:=](\d{4}-\d{2}-\d{2})(?=\s|$)", re.IGNORECASE)


def split_as_of(text: str) -> tuple[str, date | None]:
    """Chat users have no form field for the date, so ``as-of:YYYY-MM-DD`` anywhere in the text sets it."""
    match = _AS_OF.search(text)
    if match is None:
        return text.strip(), None
    try:
        as_of = date.fromisoformat(match.group(1))
    except ValueError:
        return text.strip(), None
    return (text[: match.start()] + " " + text[match.end() :]).strip(), as_of


class ChatService:
    """One chat question, from raw message text to an :class:`Answer` or a :class:`Notice`."""

    def __init__(
        self, engine: Engine, settings: ChatSettings, max_chars: int, clock: Clock = time.monotonic
    ) -> None:
        self.engine, self.max_chars = engine, max_chars
        self.limiter = RateLimiter(settings.rate_limit, settings.rate_window_seconds, clock)

    async def ask(self, text: str, user: str) -> Answer | Notice:
        if len(text) > self.max_chars:  # first, before any parsing: a paste may be megabytes
            return Notice(ui("too_long", language_of(text[: self.max_chars]), n=len(text), cap=self.max_chars))
        question, as_of = split_as_of(text)
        lang = language_of(question)
        if not question:
            return Notice(ui("help", lang))
        wait = self.limiter.check(user)
        if wait:
            return Notice(ui("rate_limited", lang, limit=self.limiter.limit, wait=math.ceil(wait)))
        try:
            return await self.engine.ask(question, as_of)
        except Exception:
            log.exception("the engine failed on a chat question")
            return Notice(ui("failed", lang))
