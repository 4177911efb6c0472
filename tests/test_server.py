"""The JSON API on a live loopback server: answers, validation, health, 50 concurrent questions, failures
turned into clean replies, and schemathesis fuzzing of the published OpenAPI schema."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
import schemathesis
from chat_fixtures import EXPECTED, ChatStack, chat_stack, live_server
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from assistant.chat_support import ChatSettings
from assistant.config import get_settings
from assistant.corpus import cached_license
from assistant.schema import Answer
from assistant.server import create_app


@pytest.fixture(scope="module")
def stack() -> Iterator[ChatStack]:
    with chat_stack() as live:
        yield live


@pytest.fixture(scope="module")
def api_schema(stack: ChatStack) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{stack.url}/openapi.json")


def ask(stack: ChatStack, payload: object) -> httpx.Response:
    return httpx.post(f"{stack.url}/api/ask", json=payload, timeout=60)


def test_healthz_reports_document_and_settings(stack: ChatStack) -> None:
    reply = httpx.get(f"{stack.url}/healthz")
    assert reply.status_code == 200
    assert reply.json()["status"] == "ok"
    assert reply.json()["doc_id"] == "kongzhong-icp-020001"
    assert reply.json()["settings_hash"] == get_settings().fingerprint()


def test_ask_answers_with_a_verbatim_citation(stack: ChatStack) -> None:
    reply = ask(stack, {"question": "公司可以做即时通讯吗？"})
    assert reply.status_code == 200
    answer = Answer.model_validate(reply.json())
    assert answer.verdict == "no" and answer.error is None and answer.language == "zh"
    assert "main.scope" in [c.clause_id for c in answer.citations]
    assert answer.as_of == date.today()
    lic = cached_license(get_settings().corpus_dir, get_settings().document)
    for citation in answer.citations:
        assert citation.quote in lic.clause(citation.clause_id).text_zh


def test_as_of_is_passed_through(stack: ChatStack) -> None:
    reply = ask(stack, {"question": "What's our ICP license number?", "as_of": "2024-03-01"})
    assert reply.status_code == 200 and reply.json()["as_of"] == "2024-03-01"


@pytest.mark.parametrize(
    "payload",
    [
        {"question": "公司可以做即时通讯吗？", "as_of": "2024-02-30"},
        {"question": "公司可以做即时通讯吗？", "as_of": "yesterday"},
        {"question": ""},
        {"as_of": "2024-01-01"},
        {"question": 42},
        ["公司可以做即时通讯吗？"],
    ],
)
def test_invalid_input_is_422(stack: ChatStack, payload: object) -> None:
    assert ask(stack, payload).status_code == 422


def test_question_over_the_cap_is_refused_with_the_limit(stack: ChatStack) -> None:
    cap = get_settings().answer.max_question_chars
    reply = ask(stack, {"question": "许" * (cap + 1)})
    assert reply.status_code == 422
    assert f"at most {cap} characters" in reply.json()["detail"][0]["msg"]
    assert ask(stack, {"question": "许" * cap}).status_code == 200


def test_openapi_publishes_the_api(stack: ChatStack) -> None:
    schema = httpx.get(f"{stack.url}/openapi.json").json()
    assert {"/api/ask", "/healthz", "/mattermost/command"} <= set(schema["paths"])
    assert "/slack/events" not in schema["paths"], "Slack's webhook is Slack's contract, not ours"
    body = schema["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert body["maxLength"] == get_settings().answer.max_question_chars


def test_fifty_concurrent_questions_all_succeed(stack: ChatStack) -> None:
    questions = [list(EXPECTED)[i % len(EXPECTED)] for i in range(50)]

    async def run() -> tuple[list[httpx.Response], float]:
        async with httpx.AsyncClient(
            base_url=stack.url, timeout=120, limits=httpx.Limits(max_connections=50)
        ) as client:
            batch = asyncio.gather(*(client.post("/api/ask", json={"question": q}) for q in questions))
            await asyncio.sleep(0.05)
            started = time.monotonic()
            health = await client.get("/healthz")
            latency = time.monotonic() - started
            assert health.status_code == 200
            return await batch, latency

    replies, health_latency = asyncio.run(run())
    assert [r.status_code for r in replies] == [200] * 50
    for question, reply in zip(questions, replies, strict=True):
        verdict, clause = EXPECTED[question]
        assert reply.json()["question"] == question
        assert reply.json()["verdict"] == verdict, question
        assert clause in [c["clause_id"] for c in reply.json()["citations"]], question
    assert health_latency < 2, "answering runs off the event loop, so /healthz stays responsive"


def test_engine_failure_is_a_clean_500() -> None:
    def broken(question: str, as_of: date | None) -> Answer:
        raise RuntimeError("index is corrupt: /secret/path")

    settings = ChatSettings(mattermost_token=None, slack_bot_token=None, slack_signing_secret=None)
    with live_server(create_app(broken, settings=settings)) as url:
        reply = httpx.post(f"{url}/api/ask", json={"question": "公司可以做即时通讯吗？"})
        assert reply.status_code == 500
        assert reply.json() == {"detail": "The engine failed to answer; see the server log."}
        health = httpx.get(f"{url}/healthz")
        assert health.status_code == 503 and health.json()["status"] == "error"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_api_conforms_to_its_schema(api_schema: schemathesis.BaseSchema, mode: GenerationMode) -> None:
    """Every operation, valid and invalid inputs: no 5xx, and replies match the published schema.
    (Driven through hypothesis directly: schemathesis' pytest plugin does not support pytest 9 yet.)"""
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if mode is GenerationMode.NEGATIVE and not any(
            b.media_type == "application/json" for b in operation.body
        ):
            continue  # /healthz takes no input; a form of optional strings has no invalid form encoding

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(timeout=60)

        check()
