"""Slack over real HTTP: signed events and slash commands into the live server, replies recorded by a loopback
mock of Slack's Web API; plus unit tests of the Block Kit rendering on canned answers."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from chat_fixtures import BOT_ID, BOT_TOKEN, BOT_USER, RATE_LIMIT, SIGNING_SECRET, ChatStack, chat_stack

from assistant.chat_support import Notice
from assistant.schema import Answer, Citation
from assistant.slack import MAX_BLOCKS, SECTION_CHARS, question_text, render_answer, render_reply

CHANNEL, DM = "C0CHAN", "D0DM"


@pytest.fixture(scope="module")
def stack() -> Iterator[ChatStack]:
    with chat_stack() as live:
        yield live


def new_ts() -> str:
    return f"{time.time():.6f}{uuid.uuid4().int % 1000:03d}"


def mention(text: str, ts: str, user: str = "U0ALICE", **extra: Any) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": CHANNEL,
        "event_ts": ts,
        **extra,
    }


def direct_message(text: str, ts: str, user: str = "U0ALICE", **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": DM,
        "event_ts": ts,
        **extra,
    }


def all_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_url_verification_returns_the_challenge(stack: ChatStack) -> None:
    body = json.dumps({"token": "legacy", "challenge": "c-3b8e1f", "type": "url_verification"})
    reply = stack.post_slack(body, "application/json")
    assert reply.status_code == 200
    assert reply.json() == {"challenge": "c-3b8e1f"}


def test_app_mention_is_answered_in_its_thread(stack: ChatStack) -> None:
    ts = new_ts()
    started = time.monotonic()
    reply = stack.send_event(mention("公司可以做即时通讯吗？", ts), f"Ev{uuid.uuid4().hex}")
    assert reply.status_code == 200 and time.monotonic() - started < 3, "Slack needs the ack within 3 s"
    [post] = stack.threaded_replies(CHANNEL, ts)
    text = all_text(post["blocks"])
    assert ":no_entry:" in text and "不可以" in text
    assert "main.scope" in text and "业务种类及覆盖范围" in text and "Scope of licensed services" in text
    assert "即时交互" in text, "the zh quote is shown"
    assert "截至" in text, "the as-of date is shown"
    assert post["text"], "a notification fallback text accompanies the blocks"


def test_mention_inside_a_thread_replies_to_the_thread_root(stack: ChatStack) -> None:
    root, ts = new_ts(), new_ts()
    stack.send_event(mention("Can we build a chat app?", ts, thread_ts=root), f"Ev{uuid.uuid4().hex}")
    [post] = stack.threaded_replies(CHANNEL, root)
    assert ":no_entry:" in all_text(post["blocks"]) and "main.scope" in all_text(post["blocks"])


def test_direct_message_is_answered(stack: ChatStack) -> None:
    ts = new_ts()
    assert (
        stack.send_event(direct_message("我们公司的法人是谁？", ts), f"Ev{uuid.uuid4().hex}").status_code
        == 200
    )
    [post] = stack.threaded_replies(DM, ts)
    assert ":information_source:" in all_text(post["blocks"]) and "main.legal-rep" in all_text(post["blocks"])


def test_slash_command_acks_then_replies_via_response_url(stack: ChatStack) -> None:
    key = uuid.uuid4().hex
    started = time.monotonic()
    ack = stack.send_command("公司可以做即时通讯吗？", "U0CMD", key)
    assert ack.status_code == 200 and time.monotonic() - started < 3
    assert ack.json()["response_type"] == "ephemeral", "the ack tells the asker we are looking"
    [reply] = stack.response_url_replies(key)
    assert reply["response_type"] == "in_channel"
    assert ":no_entry:" in all_text(reply["blocks"]) and "main.scope" in all_text(reply["blocks"])


@pytest.mark.parametrize(
    ("case", "options"),
    [
        ("forged", {"secret": "not-the-signing-secret"}),
        ("missing", {"signed": False}),
        ("stale", {"age": 301}),
    ],
)
def test_bad_signatures_are_rejected(stack: ChatStack, case: str, options: dict[str, Any]) -> None:
    ts, key = new_ts(), uuid.uuid4().hex
    assert (
        stack.send_event(
            mention("公司可以做即时通讯吗？", ts), f"Ev{uuid.uuid4().hex}", **options
        ).status_code
        == 401
    )
    assert stack.send_command("公司可以做即时通讯吗？", "U0SIG", key, **options).status_code == 401
    challenge = json.dumps({"token": "legacy", "challenge": "nope", "type": "url_verification"})
    assert stack.post_slack(challenge, "application/json", **options).status_code == 401
    time.sleep(0.5)
    assert not stack.mock.posts("chat.postMessage", lambda c: c["payload"].get("thread_ts") == ts), case
    assert not stack.mock.posts("response_url", lambda c: c["key"] == key), case


def test_retried_delivery_is_answered_once(stack: ChatStack) -> None:
    ts, event_id = new_ts(), f"Ev{uuid.uuid4().hex}"
    event = mention("我们能做一个搜索引擎吗？", ts)
    assert stack.send_event(event, event_id).status_code == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert stack.send_event(event, event_id, headers=retry).status_code == 200
    stack.threaded_replies(CHANNEL, ts)
    time.sleep(1)
    assert len(stack.mock.posts("chat.postMessage", lambda c: c["payload"].get("thread_ts") == ts)) == 1


def test_bot_messages_are_ignored(stack: ChatStack) -> None:
    ignored = [
        direct_message("公司可以做即时通讯吗？", new_ts(), bot_id="B0OTHER"),
        direct_message("公司可以做即时通讯吗？", new_ts(), subtype="bot_message"),
        direct_message("公司可以做即时通讯吗？", new_ts(), user=BOT_USER),
        direct_message("公司可以做即时通讯吗？", new_ts(), user=BOT_USER, bot_id=BOT_ID),
        mention("公司可以做即时通讯吗？", new_ts(), bot_id="B0OTHER"),
    ]
    for event in ignored:
        assert stack.send_event(event, f"Ev{uuid.uuid4().hex}").status_code == 200
    control = new_ts()
    stack.send_event(
        direct_message("公司可以做即时通讯吗？", control, user="U0HUMAN"), f"Ev{uuid.uuid4().hex}"
    )
    stack.threaded_replies(DM, control)
    time.sleep(0.5)
    for event in ignored:
        assert not stack.mock.posts(
            "chat.postMessage", lambda c, ts=event["ts"]: c["payload"].get("thread_ts") == ts
        )


def test_rate_limit_gets_a_friendly_reply(stack: ChatStack) -> None:
    keys = [uuid.uuid4().hex for _ in range(RATE_LIMIT + 1)]
    for key in keys:
        assert stack.send_command("Can we build a chat app?", "U0RATE", key).status_code == 200
        stack.response_url_replies(key)
    replies = [stack.mock.posts("response_url", lambda c, k=key: c["key"] == k)[0] for key in keys]
    assert [r["response_type"] for r in replies] == ["in_channel"] * RATE_LIMIT + ["ephemeral"]
    assert "try again" in replies[-1]["text"]
    other = uuid.uuid4().hex
    stack.send_command("Can we build a chat app?", "U0OTHER", other)
    assert stack.response_url_replies(other)[0]["response_type"] == "in_channel", "the limit is per user"


def test_too_long_question_gets_a_friendly_reply(stack: ChatStack) -> None:
    ts = new_ts()
    stack.send_event(mention("许可证" * 1000, ts, user="U0LONG"), f"Ev{uuid.uuid4().hex}")
    [post] = stack.threaded_replies(CHANNEL, ts)
    assert "3000" in post["text"] and "请控制在" in post["text"] and "blocks" not in post


def test_secrets_never_reach_logs_or_replies(stack: ChatStack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ts, key = new_ts(), uuid.uuid4().hex
    stack.send_event(mention("公司可以做即时通讯吗？", ts, user="U0LEAK"), f"Ev{uuid.uuid4().hex}")
    stack.send_command("What's our ICP license number?", "U0LEAK", key)
    stack.threaded_replies(CHANNEL, ts)
    stack.response_url_replies(key)
    replies = json.dumps([c["payload"] for c in stack.mock.calls], ensure_ascii=False)
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in caplog.text and secret not in replies
    assert any(c["auth"] == f"Bearer {BOT_TOKEN}" for c in stack.mock.calls), (
        "the token is only sent to Slack"
    )


# ---- rendering (canned answers) ----


def canned(**overrides: Any) -> Answer:
    citation = Citation(
        clause_id="main.scope",
        label_zh="业务种类及覆盖范围",
        label_en="Scope of licensed services",
        text_zh="信息服务业务（仅限互联网信息服务）不含信息即时交互服务。",
        text_en="Excludes instant messaging.",
        quote="不含信息即时交互服务",
    )
    fields: dict[str, Any] = {
        "question": "Can we build a chat app?",
        "language": "en",
        "verdict": "no",
        "answer": "No. The scope excludes instant messaging.",
        "citations": [citation],
        "as_of": date(2025, 1, 1),
        "confidence": 0.9,
        "doc_id": "kongzhong-icp-020001",
    }
    return Answer(**{**fields, **overrides})


def test_render_shows_verdict_answer_citation_and_as_of() -> None:
    rendered = render_answer(canned())
    blocks = rendered["blocks"]
    assert blocks[1]["text"]["text"].startswith("*:no_entry: No*\nNo. The scope excludes")
    citation = [e["text"] for e in blocks[2]["elements"]]
    assert citation == [
        "*main.scope · 业务种类及覆盖范围 / Scope of licensed services*",
        "「不含信息即时交互服务」",
        "_Excludes instant messaging._",
    ]
    assert "As of 2025-01-01" in blocks[-1]["elements"][0]["text"]


def test_render_escapes_user_and_license_text() -> None:
    text = all_text(render_answer(canned(question="<!channel> & <@U1>?", answer="A & B <b>"))["blocks"])
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;?" in text and "A &amp; B &lt;b&gt;" in text
    assert "<!channel>" not in text


def test_render_respects_slack_limits() -> None:
    huge = Citation(
        clause_id="special.1",
        label_zh="标" * 50,
        label_en="L" * 50,
        text_zh="长" * 5000,
        text_en="<&>" * 3000,
        quote="长" * 5000,
    )
    rendered = render_answer(canned(answer="&" * 10_000, citations=[huge] * 80))
    blocks = rendered["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    texts += [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert all(len(t) <= SECTION_CHARS for t in texts)
    assert all(len(b["elements"]) <= 10 for b in blocks if b["type"] == "context")
    assert sum(map(len, texts)) + len(rendered["text"]) <= 40_000
    assert texts[0].endswith("…") and "&am…" not in texts[0], "clipped after escaping, never inside an entity"
    assert "more citation(s) not shown" in all_text(blocks)


def test_refused_input_and_notices_render_as_text() -> None:
    refused = render_answer(canned(error="The question is empty."))
    assert ":x: Cannot answer" in refused["blocks"][1]["text"]["text"]
    assert render_reply(Notice("wait <5> s")) == {"text": "wait &lt;5&gt; s"}


def test_question_text_drops_mentions_and_slack_escapes() -> None:
    assert question_text(f"<@{BOT_USER}> R&amp;D &lt;app&gt; <@U2|bob> ok") == "R&D <app>   ok"


def test_manifest_matches_what_the_app_handles() -> None:
    manifest = yaml.safe_load((Path(__file__).resolve().parents[1] / "slack-app-manifest.yaml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read",
        "chat:write",
        "im:history",
        "commands",
    }
    events = manifest["settings"]["event_subscriptions"]
    assert set(events["bot_events"]) == {"app_mention", "message.im"}
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/license"
    assert command["url"].endswith("/slack/events") and events["request_url"].endswith("/slack/events")
