"""Shared helpers for the server, Slack and Mattermost tests (imported explicitly, not via conftest.py).

Everything runs on loopback for real: the app under uvicorn in a background thread, and a mock of Slack's Web
API (plus response_url) on another port that records what the bot posts. The engine is the real one when
``assistant.answer`` exists, otherwise a deterministic double built from the real corpus text.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import uvicorn
from fastapi import FastAPI, Request
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from assistant.chat_support import AnswerFn, ChatSettings
from assistant.config import get_settings
from assistant.corpus import cached_license
from assistant.schema import Answer, Citation
from assistant.server import create_app

BOT_TOKEN = "xoxb-test-0000-SECRETBOTTOKEN"
SIGNING_SECRET = "test-signing-secret-8f3a"
MATTERMOST_TOKEN = "mm-test-token-5b2c"
TEAM, BOT_USER, BOT_ID = "T0TEST", "U0BOT", "B0BOT"
RATE_LIMIT = 3

# Questions with the verdict and clause the license clearly implies (subset of evals/gold.jsonl).
EXPECTED: dict[str, tuple[str, str]] = {
    "公司可以做即时通讯吗？": ("no", "main.scope"),
    "Can we build a chat app?": ("no", "main.scope"),
    "我们能做一个搜索引擎吗？": ("no", "main.scope"),
    "我们公司的法人是谁？": ("info", "main.legal-rep"),
    "What's our ICP license number?": ("info", "main.number"),
}


def canned_answer(question: str, as_of: date | None = None) -> Answer:
    """Test double of the engine: the expected verdict, citing the first sentence of the real clause."""
    lic = cached_license(get_settings().corpus_dir, get_settings().document)
    lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in question) else "en"
    base = {
        "question": question,
        "language": lang,
        "as_of": as_of or date.today(),
        "confidence": 0.9,
        "doc_id": lic.doc_id,
    }
    if not question.strip():
        return Answer(**base, verdict="not_stated", answer="", error="The question is empty.")
    verdict, clause_id = EXPECTED.get(question, ("not_stated", ""))
    if not clause_id:
        return Answer(**base, verdict=verdict, answer="The license does not say.")
    clause = lic.clause(clause_id)
    quote = clause.text_zh.split("。")[0]
    citation = Citation(
        clause_id=clause.id,
        label_zh=clause.label_zh,
        label_en=clause.label_en,
        text_zh=clause.text_zh,
        text_en=clause.text_en,
        quote=quote,
    )
    return Answer(**base, verdict=verdict, answer=f"{verdict}: 「{quote}」", citations=[citation])


def engine_answer_fn() -> AnswerFn:
    """The real engine once it is importable as ``assistant.answer``; the double until then."""
    return getattr(importlib.import_module("assistant"), "answer", None) or canned_answer


def loopback_socket() -> socket.socket:
    """A bound loopback socket on a free port, handed to uvicorn so no other process can take the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free loopback port in a thread; yield its base URL; shut down after."""
    sock = loopback_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def wait_until(probe: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    """Poll ``probe`` until it returns something truthy (async replies arrive after the ack)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.05)


def wait_healthy(base_url: str, timeout: float = 180) -> dict[str, Any]:
    """Wait for the engine warm-up (the real engine builds its index on the first question)."""

    def probe() -> dict[str, Any] | None:
        reply = httpx.get(f"{base_url}/healthz", timeout=5)
        return reply.json() if reply.status_code == 200 else None

    return wait_until(probe, timeout, "GET /healthz to report ok")


class SlackMock:
    """Slack's Web API (``/api/<method>``) and response_url (``/response/<key>``), recording every call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.app = FastAPI()
        self.app.post("/api/{method}")(self._web_api)
        self.app.post("/response/{key}")(self._response_url)

    async def _web_api(self, method: str, request: Request) -> dict[str, Any]:
        raw = (await request.body()).decode()
        payload = (
            json.loads(raw) if "json" in request.headers.get("content-type", "") else dict(parse_qsl(raw))
        )
        self.calls.append({"kind": method, "payload": payload, "auth": request.headers.get("authorization")})
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "license",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }
        return {"ok": True, "channel": payload.get("channel"), "ts": f"{time.time():.6f}"}

    async def _response_url(self, key: str, request: Request) -> dict[str, Any]:
        self.calls.append({"kind": "response_url", "key": key, "payload": await request.json()})
        return {"ok": True}

    def posts(
        self, kind: str, match: Callable[[dict[str, Any]], bool] = lambda _: True
    ) -> list[dict[str, Any]]:
        return [c["payload"] for c in list(self.calls) if c["kind"] == kind and match(c)]


class ChatStack:
    """The app (engine, Slack pointed at the mock, Mattermost) and the Slack mock, both live on loopback."""

    def __init__(self, app_url: str, mock_url: str, mock: SlackMock) -> None:
        self.url, self.mock_url, self.mock = app_url, mock_url, mock

    def post_slack(
        self,
        body: str,
        content_type: str,
        *,
        secret: str = SIGNING_SECRET,
        age: int = 0,
        signed: bool = True,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST to /slack/events signed the way Slack signs (``v0:{ts}:{body}``, HMAC-SHA256)."""
        sent = {"Content-Type": content_type, **(headers or {})}
        if signed:
            timestamp = str(int(time.time()) - age)
            sent["X-Slack-Request-Timestamp"] = timestamp
            sent["X-Slack-Signature"] = SignatureVerifier(secret).generate_signature(
                timestamp=timestamp, body=body
            )
        return httpx.post(f"{self.url}/slack/events", content=body.encode(), headers=sent, timeout=10)

    def send_event(self, event: dict[str, Any], event_id: str, **kwargs: Any) -> httpx.Response:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": TEAM,
                "api_app_id": "A0TEST",
                "type": "event_callback",
                "event": event,
                "event_id": event_id,
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
            }
        )
        return self.post_slack(body, "application/json", **kwargs)

    def send_command(
        self, text: str, user: str, key: str, trigger_id: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """A slash command; each has its own ``trigger_id`` (as Slack sends) unless one is given."""
        body = urlencode(
            {
                "token": "legacy",
                "team_id": TEAM,
                "team_domain": "test",
                "channel_id": "C0CHAN",
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/license",
                "text": text,
                "api_app_id": "A0TEST",
                "trigger_id": trigger_id or f"{uuid.uuid4().int}.{TEAM}",
                "response_url": f"{self.mock_url}/response/{key}",
            }
        )
        return self.post_slack(body, "application/x-www-form-urlencoded", **kwargs)

    def threaded_replies(self, channel: str, ts: str, timeout: float = 30) -> list[dict[str, Any]]:
        """Wait for and return the chat.postMessage calls in the thread of message ``ts``."""
        return wait_until(
            lambda: self.mock.posts(
                "chat.postMessage",
                lambda c: c["payload"].get("channel") == channel and c["payload"].get("thread_ts") == ts,
            ),
            timeout,
            f"a reply in thread {ts}",
        )

    def response_url_replies(self, key: str, timeout: float = 30) -> list[dict[str, Any]]:
        return wait_until(
            lambda: self.mock.posts("response_url", lambda c: c["key"] == key),
            timeout,
            f"a response_url reply for {key}",
        )


@contextlib.contextmanager
def chat_stack(answer_fn: AnswerFn | None = None) -> Iterator[ChatStack]:
    """Start the Slack mock and the app wired to it, wait for the engine warm-up, yield, shut both down."""
    mock = SlackMock()
    with live_server(mock.app) as mock_url:
        settings = ChatSettings(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            mattermost_token=MATTERMOST_TOKEN,
            rate_limit=RATE_LIMIT,
        )
        client = AsyncWebClient(token=BOT_TOKEN, base_url=f"{mock_url}/api/")
        app = create_app(answer_fn or engine_answer_fn(), slack_client=client, settings=settings)
        with live_server(app) as url:
            wait_healthy(url)
            yield ChatStack(url, mock_url, mock)
