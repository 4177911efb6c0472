"""The fault model, one test per fault, against real components: ``license-assistant`` processes on private index
dirs, a real ``serve`` on loopback, real bytes on disk. Read top to bottom, it is the list of what may go wrong
and what the assistant does then:

1. two processes build one index dir at once → one builds, the other reuses it;
2. a build is killed with -9 half-way → the next run builds a complete generation and prunes the half;
3. ``index --rebuild`` three times under a live ``serve`` answering 20 clients → no failed or wrong answer;
4. the store is cut in half or overwritten → one clear line naming the dir and the fix, exit 2;
   ``index --rebuild`` moves it aside to ``corrupt-<timestamp>/`` and builds afresh;
5. the index dir is read-only (a deployed index) → questions are still answered;
6. the corpus is damaged (a missing or non-text translation, a binary file, a broken glossary) → refused with
   the file and the clause named, exit 2, no traceback;
7. oversized and malformed HTTP requests (API, Slack, Mattermost, the UI) → 4xx, never a 500;
8. Slack deliveries without an event id, and replayed slash commands → each answered exactly once.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from chat_fixtures import (
    EXPECTED,
    MATTERMOST_TOKEN,
    TEAM,
    ChatStack,
    canned_answer,
    chat_stack,
    live_server,
    loopback_socket,
    wait_until,
)

from assistant.chat_support import ChatSettings
from assistant.errors import StoreError
from assistant.schema import Answer
from assistant.server import create_app
from assistant.ui import build_app, check_question, launch

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DOC = "kongzhong-icp-020001"
CLI = str(Path(sys.executable).with_name("license-assistant"))
QUESTION = "公司可以做即时通讯吗？"
TIMEOUT = 900  # seconds any one command may take on a loaded machine (bounds every wait below)

slow = pytest.mark.slow


def environment(index: Path, corpus: Path = CORPUS, **extra: str) -> dict[str, str]:
    """The process's environment with a private index dir (and corpus); the converted model is shared."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LICENSE_ASSISTANT_INDEX__", "SLACK_"))}
    return {**env, "LICENSE_ASSISTANT_INDEX__DIR": str(index), "LICENSE_ASSISTANT_CORPUS_DIR": str(corpus),
            "GRADIO_ANALYTICS_ENABLED": "False", **extra}


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def catalogue(index: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read Chroma's SQLite catalogue read-only (as another process would see it)."""
    with contextlib.closing(sqlite3.connect(f"file:{index / 'chroma.sqlite3'}?mode=ro", uri=True)) as db:
        return db.execute(sql).fetchall()


def collections(index: Path) -> list[str]:
    return sorted(name for (name,) in catalogue(index, "SELECT name FROM collections"))


def segment_dirs(index: Path) -> list[str]:
    return sorted(p.name for p in index.iterdir()
                  if p.is_dir() and not p.name.startswith("corrupt-") and p.name != "warm")  # warm: no segment


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """An expected failure: exit 2, a single ``error:`` line holding every needle, no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output, output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def answered(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stdout + result.stderr
    reply = json.loads(result.stdout)
    assert reply["verdict"] == "no" and "main.scope" in [c["clause_id"] for c in reply["citations"]], reply
    return reply


# -- the index ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_builders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """Two ``index`` processes started together on one empty dir; the built dir and both reports."""
    index = tmp_path_factory.mktemp("shared") / "index"
    procs = [subprocess.Popen([CLI, "index", "--json"], env=environment(index), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=TIMEOUT) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    return index, [json.loads(out) for out, _ in outputs]


@pytest.fixture
def built(two_builders: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> Path:
    """A private copy of a complete index."""
    return Path(shutil.copytree(two_builders[0], tmp_path / "index"))


@slow
def test_two_processes_on_one_index_dir_build_it_once(two_builders: tuple[Path, list[dict[str, Any]]]) -> None:
    index, reports = two_builders
    assert sorted(r["reused"] for r in reports) == [False, True], "the second waited for the lock and reused"
    assert len({r["collection"] for r in reports}) == 1 and all(r["documents"] == 84 for r in reports)
    assert collections(index) == [reports[0]["collection"]]


@slow
def test_kill_9_mid_build_is_completed_by_the_next_run(tmp_path: Path) -> None:
    index = tmp_path / "index"
    env = environment(index, LICENSE_ASSISTANT_EMBEDDING__BATCH_SIZE="2")  # 42 batches: a long window to kill in
    builder = subprocess.Popen([CLI, "index", "--json"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)

    def stored() -> int:
        with contextlib.suppress(sqlite3.Error):
            return catalogue(index, "SELECT count(*) FROM embeddings")[0][0]
        return 0

    wait_until(lambda: stored() > 0 or builder.poll() is not None, TIMEOUT, "the first documents")
    builder.send_signal(signal.SIGKILL)
    builder.wait(30)
    half = stored()
    assert 0 < half < 84, f"killed with {half} of 84 documents stored"

    report = json.loads(run("index", "--json", env=env).stdout)
    assert (report["reused"], report["documents"]) == (False, 84)
    assert report["collection"].endswith("-g2"), "a new generation, not the half-built one"
    assert collections(index) == [report["collection"]], "the half-built generation is pruned"
    answered(run("ask", QUESTION, "--json", env=env))


@slow
def test_three_rebuilds_under_a_live_server_lose_no_question(built: Path, tmp_path: Path) -> None:
    env = environment(built)
    sock = loopback_socket()
    port = sock.getsockname()[1]
    sock.close()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _healthy(url, server), TIMEOUT, "serve to answer /healthz with 200")
        alone = {q: _essence(httpx.post(f"{url}/api/ask", json={"question": q}, timeout=120)) for q in EXPECTED}
        stop, lock = threading.Event(), threading.Lock()
        outcomes: dict[str, int] = {"answered": 0}
        failures: list[str] = []

        def client(offset: int) -> None:
            questions = list(EXPECTED)
            for n in range(offset, offset + 100_000):  # bounded; stops when the rebuilds are done
                if stop.is_set():
                    return
                question = questions[n % len(questions)]
                try:
                    reply = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=120)
                    problem = (None if reply.status_code == 200 and _essence(reply) == alone[question]
                               else f"{reply.status_code}: {reply.text[:200]}")
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                with lock:
                    outcomes["answered"] += problem is None
                    failures.extend([problem] if problem else [])

        clients = [threading.Thread(target=client, args=(i,)) for i in range(20)]
        for thread in clients:
            thread.start()
        wait_until(lambda: outcomes["answered"] >= 20, 120, "the clients to get going")
        before = outcomes["answered"]
        rebuilt = [json.loads(run("index", "--rebuild", "--json", env=env).stdout)["collection"] for _ in range(3)]
        during = outcomes["answered"] - before
        stop.set()
        for thread in clients:
            thread.join(180)
        health = httpx.get(f"{url}/healthz", timeout=60)
    finally:
        server.terminate()
        server.wait(60)
        log.close()
    print(f"20 clients, 3 rebuilds: {outcomes['answered']} answered ({during} during the rebuilds), "
          f"{len(failures)} failed or wrong")  # shown with pytest -s
    assert failures == [], f"{len(failures)} failed or wrong answers, e.g. {failures[:3]}"
    assert during > 0 and health.status_code == 200
    assert [name[-3:] for name in rebuilt] == ["-g2", "-g3", "-g4"]
    assert collections(built) == sorted(rebuilt[-2:]), "only the newest two generations are kept"
    assert len(segment_dirs(built)) == 2, "the segment folders of pruned generations are removed"


def _healthy(url: str, server: subprocess.Popen[bytes]) -> bool:
    """Whether the server process answers /healthz with 200 (it refuses connections while loading)."""
    assert server.poll() is None, "serve exited"
    try:
        return httpx.get(f"{url}/healthz", timeout=30).status_code == 200
    except httpx.TransportError:
        return False


def _essence(reply: httpx.Response) -> tuple[str, list[str]]:
    assert reply.status_code == 200, reply.text
    body = reply.json()
    return body["verdict"], [c["clause_id"] for c in body["citations"]]


@slow
@pytest.mark.parametrize("damage", ["cut in half", "overwritten"])
def test_a_corrupt_store_is_one_clear_line(built: Path, damage: str) -> None:
    store = built / "chroma.sqlite3"
    if damage == "cut in half":
        with store.open("r+b") as handle:
            handle.truncate(store.stat().st_size // 2)
    else:
        store.write_bytes(b"not a database\n" * 1000)
    # answering reads the warm state beside the store (no Chroma), so it goes on; opening the store says why not
    answered(run("ask", QUESTION, "--json", env=environment(built)))
    assert_one_clear_line(run("index", "--json", env=environment(built)), str(built),
                          "license-assistant index --rebuild")


@slow
def test_index_rebuild_moves_a_corrupt_store_aside_and_recovers(built: Path) -> None:
    store = built / "chroma.sqlite3"
    damaged = store.read_bytes()[: store.stat().st_size // 2]
    store.write_bytes(damaged)
    env = environment(built)
    procs = [subprocess.Popen([CLI, "index", "--rebuild", "--json"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]  # two operators at once
    outputs = [p.communicate(timeout=TIMEOUT) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    (aside,) = built.glob("corrupt-*")
    assert (aside / "chroma.sqlite3").read_bytes() == damaged, "the damaged store is kept for inspection"
    assert sum("moved the unreadable index to" in err for _, err in outputs) == 1, "moved aside once"
    answered(run("ask", QUESTION, "--json", env=env))


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` read-only for real: a read-only bind mount as root (root ignores modes), else chmod."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for path, mode in modes.items():
            path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {mounted.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@slow
def test_a_read_only_index_still_answers(built: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in built.rglob("*")}
    with read_only(built):
        with pytest.raises(OSError):
            (built / "probe").touch()
        answered(run("ask", QUESTION, "--json", env=environment(built)))
    assert {p: p.stat().st_mtime_ns for p in built.rglob("*")} == before, "nothing in the index was written"


# -- the corpus --------------------------------------------------------------------------------------------------
def _translation_without(corpus: Path) -> None:
    path = corpus / DOC / "translation.en.json"
    translation = json.loads(path.read_text(encoding="utf-8"))
    del translation["special.7"]
    path.write_text(json.dumps(translation, ensure_ascii=False), encoding="utf-8")


def _translation_with(value: object) -> Any:
    def damage(corpus: Path) -> None:
        path = corpus / DOC / "translation.en.json"
        translation = json.loads(path.read_text(encoding="utf-8"))
        translation["special.7"] = value
        path.write_text(json.dumps(translation, ensure_ascii=False), encoding="utf-8")

    return damage


def _binary_translation(corpus: Path) -> None:
    (corpus / DOC / "translation.en.json").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00binary")


def _glossary_entry_without_zh(corpus: Path) -> None:
    path = corpus / "glossary.json"
    glossary = json.loads(path.read_text(encoding="utf-8"))
    del glossary["entries"][3]["zh"]
    path.write_text(json.dumps(glossary, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(("damage", "needles"), [
    (_translation_without, ("translation.en.json", "special.7", "add it")),
    (_translation_with(123), ("translation.en.json", "special.7", "123")),
    (_translation_with("  "), ("translation.en.json", "special.7", "non-empty text")),
    (_binary_translation, ("translation.en.json", "not UTF-8")),
    (_glossary_entry_without_zh, ("glossary.json", "entries.3.zh")),
], ids=["missing clause", "number as text", "blank text", "binary file", "glossary entry without zh"])
def test_a_damaged_corpus_is_refused_naming_the_file_and_clause(tmp_path: Path, damage: Any,
                                                                needles: tuple[str, ...]) -> None:
    corpus = Path(shutil.copytree(CORPUS, tmp_path / "corpus"))
    damage(corpus)
    env = environment(tmp_path / "index", corpus)
    for command in (["clauses", "--json"], ["ask", QUESTION]):
        assert_one_clear_line(run(*command, env=env), *needles)
    assert not (tmp_path / "index").exists(), "refused before anything was built"


# -- HTTP requests -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def stack() -> Iterator[ChatStack]:
    """The server's HTTP layer live on loopback (Slack and Mattermost on), with the engine double."""
    with chat_stack(canned_answer) as live:
        yield live


def _raw_ask(stack: ChatStack, body: bytes) -> httpx.Response:
    return httpx.post(f"{stack.url}/api/ask", content=body, headers={"Content-Type": "application/json"},
                      timeout=60)


@pytest.mark.parametrize(("body", "field"), [
    (b'{"question": "\\ud800"}', "question"),
    (b'{"question": "ok \\udfff ok"}', "question"),
    (b'{"question": NaN}', "question"),
    (b'{"question": Infinity}', "question"),
    (b'{"question": "q?", "as_of": NaN}', "as_of"),
    (b'{"question": "q?", "as_of": -Infinity}', "as_of"),
    (b'{"question": "q?", "as_of": "2026-13-45"}', "as_of"),
    (b'{"question": "q?", "as_of": "\\ud800"}', "as_of"),
], ids=["lone high surrogate", "lone low surrogate", "NaN question", "Infinity question", "NaN date",
        "-Infinity date", "impossible date", "surrogate date"])
def test_unserialisable_input_is_a_422_naming_the_field(stack: ChatStack, body: bytes, field: str) -> None:
    reply = _raw_ask(stack, body)
    assert reply.status_code == 422, reply.text
    assert [e["loc"] for e in reply.json()["detail"]] == [["body", field]]


def test_invalid_json_is_a_422(stack: ChatStack) -> None:
    assert _raw_ask(stack, b'{"question": ').status_code == 422
    assert _raw_ask(stack, b"[" * 20_000).status_code in (400, 422)  # nested deeper than Python recurses


@pytest.mark.parametrize(("path", "content_type"), [
    ("/api/ask", "application/json"),
    ("/slack/events", "application/json"),
    ("/mattermost/command", "application/x-www-form-urlencoded"),
])
def test_a_body_over_the_limit_is_413(stack: ChatStack, path: str, content_type: str) -> None:
    headers = {"Content-Type": content_type}
    big = b'{"question": "' + b"x" * 1_000_000 + b'"}'
    assert httpx.post(f"{stack.url}{path}", content=big, headers=headers, timeout=60).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(100):
            yield b"x" * 10_000

    assert httpx.post(f"{stack.url}{path}", content=chunks(), headers=headers, timeout=60).status_code == 413


UNSIGNED = {
    "non-numeric timestamp": ({"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}, b"{}"),
    "empty timestamp": ({"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=00"}, b"{}"),
    "no headers, invalid JSON": ({}, b'{"type": '),
    "deep nesting": ({"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"},
                     b"[" * 20_000),
    "invalid UTF-8": ({"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"},
                      b'{"text": "\xff\xfe"}'),
    "bad payload=": ({"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"},
                     b"payload=%7Bnot-json"),
}


@pytest.mark.parametrize("case", UNSIGNED, ids=list(UNSIGNED))
def test_slack_requests_without_a_valid_signature_are_401(stack: ChatStack, case: str) -> None:
    headers, body = UNSIGNED[case]
    reply = httpx.post(f"{stack.url}/slack/events", content=body,
                       headers={"Content-Type": "application/json", **headers}, timeout=30)
    assert reply.status_code == 401, reply.text


SIGNED_MALFORMED = {
    "invalid JSON": ('{"type": ', "application/json"),
    "deep nesting": ("{" + '"a":[' * 5_000, "application/json"),
    "bad payload=": ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
    "payload not an object": ("payload=%5B1%5D", "application/x-www-form-urlencoded"),
}


@pytest.mark.parametrize("case", SIGNED_MALFORMED, ids=list(SIGNED_MALFORMED))
def test_signed_but_malformed_slack_bodies_are_400(stack: ChatStack, case: str) -> None:
    body, content_type = SIGNED_MALFORMED[case]
    assert stack.post_slack(body, content_type).status_code == 400


MM_TOKEN = b"token=" + MATTERMOST_TOKEN.encode()
ODD_FORMS = {  # body → status: a wrong token is refused, odd text is answered (or refused as too long), never a 500
    "token not UTF-8": (b"token=\xff\xfe&text=\xff", 401),
    "not a form": (b"%%%", 401),
    "text not UTF-8 (read as Latin-1)": (MM_TOKEN + b"&text=\xff\xfe", 200),
    "text over the length cap": (MM_TOKEN + b"&text=" + b"%" * 5000, 200),
}


@pytest.mark.parametrize("case", ODD_FORMS, ids=list(ODD_FORMS))
def test_mattermost_odd_forms_get_a_clean_reply(stack: ChatStack, case: str) -> None:
    body, status = ODD_FORMS[case]
    reply = httpx.post(f"{stack.url}/mattermost/command", content=body,
                       headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert reply.status_code == status, reply.text


def test_the_ui_refuses_a_10_mb_question_and_caps_request_bodies() -> None:
    _, problem = check_question("长" * 10_000_000, 2000)
    assert problem is not None and "10,000,000" in problem
    demo = build_app(canned_answer)
    sock = loopback_socket()
    port = sock.getsockname()[1]
    sock.close()
    launch(demo, port=port, prevent_thread_lock=True, quiet=True)
    try:
        reply = httpx.post(f"http://127.0.0.1:{port}/gradio_api/queue/join", content=b"x" * 1_000_000,
                           headers={"Content-Type": "application/json"}, timeout=60)
        assert reply.status_code == 413
    finally:
        demo.close()


def test_an_unusable_index_is_503_with_the_reason_and_healthz_says_so() -> None:
    def unusable(question: str, as_of: date | None) -> Answer:
        raise StoreError("the index at /srv/index cannot be used (disk image malformed); run `license-assistant "
                         "index --rebuild`")

    settings = ChatSettings(mattermost_token=None, slack_bot_token=None, slack_signing_secret=None)
    with live_server(create_app(unusable, settings=settings)) as url:
        reply = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=30)
        assert reply.status_code == 503 and "index --rebuild" in reply.json()["detail"]
        health = httpx.get(f"{url}/healthz", timeout=30)
        assert health.status_code == 503 and health.json()["status"] == "error"


# -- de-duplication ----------------------------------------------------------------------------------------------
def _event_without_id(stack: ChatStack, text: str, ts: str) -> httpx.Response:
    event = {"type": "app_mention", "user": "U0DEDUP", "text": f"<@U0BOT> {text}", "ts": ts, "channel": "C0DEDUP"}
    body = json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A0TEST", "type": "event_callback",
                       "event": event, "event_time": int(time.time()),
                       "authorizations": [{"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}]})
    return stack.post_slack(body, "application/json")


def test_two_events_without_an_event_id_are_both_answered(stack: ChatStack) -> None:
    first, second = f"{time.time():.6f}", f"{time.time() + 1:.6f}"
    assert _event_without_id(stack, "我们公司的法人是谁？", first).status_code == 200
    assert _event_without_id(stack, "What's our ICP license number?", second).status_code == 200
    assert stack.threaded_replies("C0DEDUP", first) and stack.threaded_replies("C0DEDUP", second)
    assert _event_without_id(stack, "我们公司的法人是谁？", first).status_code == 200  # a retry of the first
    third = f"{time.time() + 2:.6f}"
    assert _event_without_id(stack, "Can we build a chat app?", third).status_code == 200
    assert stack.threaded_replies("C0DEDUP", third), "answered after the retry would have been"
    assert len(stack.threaded_replies("C0DEDUP", first)) == 1


def test_a_replayed_slash_command_is_answered_once(stack: ChatStack) -> None:
    key, trigger = f"replay-{uuid.uuid4().hex}", f"{uuid.uuid4().int}.{TEAM}"
    for _ in range(2):
        assert stack.send_command("我们公司的法人是谁？", "U0REPLAY", key, trigger_id=trigger).status_code == 200
    assert stack.response_url_replies(key)
    other = f"again-{uuid.uuid4().hex}"
    assert stack.send_command("我们公司的法人是谁？", "U0REPLAY", other).status_code == 200
    assert stack.response_url_replies(other), "the same text with a new trigger_id is a new question"
    assert len(stack.response_url_replies(key)) == 1
