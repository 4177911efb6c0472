"""Mattermost slash commands over real HTTP (form-encoded, as Mattermost sends them), and the Markdown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from chat_fixtures import MATTERMOST_TOKEN, RATE_LIMIT, ChatStack, canned_answer, chat_stack, live_server

from assistant.chat_support import ChatSettings
from assistant.mattermost import render_reply
from assistant.schema import Answer, Citation
from assistant.server import create_app


@pytest.fixture(scope="module")
def stack() -> Iterator[ChatStack]:
    with chat_stack() as live:
        yield live


def command(
    stack: ChatStack,
    text: str,
    *,
    token: str | None = MATTERMOST_TOKEN,
    user: str = "mm-alice",
) -> httpx.Response:
    form = {
        "channel_id": "ch1",
        "channel_name": "town-square",
        "command": "/license",
        "team_domain": "acme",
        "team_id": "team1",
        "text": text,
        "trigger_id": "t1",
        "user_id": user,
        "user_name": user,
        "response_url": "http://127.0.0.1:9/hooks/commands/x",
    }
    if token is not None:
        form["token"] = token
    return httpx.post(f"{stack.url}/mattermost/command", data=form, timeout=60)


def test_good_token_gets_a_markdown_answer_in_channel(stack: ChatStack) -> None:
    reply = command(stack, "公司可以做即时通讯吗？")
    assert reply.status_code == 200
    body = reply.json()
    assert body["response_type"] == "in_channel"
    assert "**:no_entry: 不可以**" in body["text"]
    assert "> **main.scope · 业务种类及覆盖范围 / Scope of licensed services**" in body["text"]
    assert "即时交互" in body["text"] and "截至" in body["text"]


@pytest.mark.parametrize("token", ["wrong-token", "", None, MATTERMOST_TOKEN + "x"])
def test_bad_or_missing_token_is_rejected(stack: ChatStack, token: str | None) -> None:
    reply = command(stack, "公司可以做即时通讯吗？", token=token)
    assert reply.status_code == 401
    assert MATTERMOST_TOKEN not in reply.text


def test_empty_command_gets_help_only_for_the_asker(stack: ChatStack) -> None:
    body = command(stack, "   ").json()
    assert body["response_type"] == "ephemeral" and "as-of:YYYY-MM-DD" in body["text"]


def test_rate_limit_and_length_cap_reply_to_the_asker(stack: ChatStack) -> None:
    replies = [
        command(stack, "Can we build a chat app?", user="mm-rate").json() for _ in range(RATE_LIMIT + 1)
    ]
    assert [r["response_type"] for r in replies] == ["in_channel"] * RATE_LIMIT + ["ephemeral"]
    assert "try again" in replies[-1]["text"]
    too_long = command(stack, "x" * 2001, user="mm-long").json()
    assert too_long["response_type"] == "ephemeral" and "2001" in too_long["text"]


def test_as_of_prefix_reaches_the_engine(stack: ChatStack) -> None:
    body = command(stack, "as-of:2030-06-01 What's our ICP license number?").json()
    assert body["response_type"] == "in_channel" and "As of 2030-06-01" in body["text"]


def test_endpoint_absent_without_a_token() -> None:
    settings = ChatSettings(mattermost_token=None, slack_bot_token=None, slack_signing_secret=None)
    with live_server(create_app(canned_answer, settings=settings)) as url:
        assert httpx.post(f"{url}/mattermost/command", data={"token": "", "text": "hi"}).status_code == 404
        assert httpx.post(f"{url}/slack/events", content=b"{}").status_code == 404


# ---- rendering (canned answers) ----


def canned(**overrides: Any) -> Answer:
    citation = Citation(
        clause_id="main.scope",
        label_zh="业务种类及覆盖范围",
        label_en="Scope of licensed services",
        text_zh="不含信息即时交互服务。",
        text_en="Excludes instant messaging.",
        quote="不含信息即时交互服务",
    )
    fields: dict[str, Any] = {
        "question": "@channel can we chat?",
        "language": "en",
        "verdict": "conditional",
        "answer": "Only with approval.",
        "citations": [citation],
        "as_of": date(2025, 1, 1),
        "confidence": 0.5,
        "doc_id": "kongzhong-icp-020001",
    }
    return Answer(**{**fields, **overrides})


def test_markdown_has_the_same_parts_as_slack() -> None:
    text = render_reply(canned()).text
    assert text.splitlines() == [
        "_Question: @\u200bchannel can we chat?_",
        "",
        "**:warning: Yes, with conditions**",
        "Only with approval.",
        "",
        "> **main.scope · 业务种类及覆盖范围 / Scope of licensed services**",
        "> 「不含信息即时交互服务」",
        "> _Excludes instant messaging._",
        "",
        "_As of 2025-01-01 · kongzhong-icp-020001_",
    ]


def test_markdown_fits_a_mattermost_post() -> None:
    huge = Citation(
        clause_id="special.1",
        label_zh="标",
        label_en="L",
        text_zh="长" * 5000,
        text_en="e" * 5000,
        quote="长" * 5000,
    )
    text = render_reply(canned(answer="a" * 50_000, citations=[huge] * 100)).text
    assert len(text) <= 16_000 and "more citation(s) not shown" in text
