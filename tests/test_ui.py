"""The chat UI: rendering and respond functions with canned answers, then the served app through gradio_client.

The unit tests use a deterministic double built from the real license clauses; the integration test serves
the app with the real engine on a loopback port.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from assistant import ui
from assistant.config import get_settings
from assistant.corpus import cached_license
from assistant.schema import VERDICTS, Answer, Citation, RelatedClause
from assistant.text import detect_language

IM_QUOTE = "不含信息搜索查询服务、信息即时交互服务"
ICONS = {"yes": "✅", "no": "❌", "conditional": "⚠️", "not_stated": "❔", "info": "ℹ️"}


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Iterator:
    """Generated files (the feedback log) go to a temp dir, never the user's cache."""
    monkeypatch.setenv("LICENSE_ASSISTANT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def license_():
    settings = get_settings()
    return cached_license(settings.corpus_dir, settings.document)


def cite(clause_id: str, quote: str) -> Citation:
    c = license_().clause(clause_id)
    assert quote in c.text_zh
    return Citation(clause_id=c.id, label_zh=c.label_zh, label_en=c.label_en, text_zh=c.text_zh,
                    text_en=c.text_en, quote=quote)


def canned(verdict: str = "no", language: str = "zh", question: str = "公司可以做即时通讯吗？",
           as_of: date = date(2026, 1, 1)) -> Answer:
    text = {"zh": f"不可以。许可证不含信息即时交互服务。（问：{question}）",
            "en": f"No. The license excludes instant messaging. (Q: {question})"}[language]
    return Answer(question=question, language=language, verdict=verdict, answer=text,
                  citations=[cite("main.scope", IM_QUOTE)],
                  related=[RelatedClause(clause_id="special.15.14", label_zh="特别规定事项第十五条第（十四）项",
                                         label_en="Special Provision 15(14)", score=0.4)],
                  as_of=as_of, confidence=0.9)


class Double:
    """A deterministic stand-in for the engine that records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, date]] = []

    def __call__(self, question: str, as_of: date) -> Answer:
        self.calls.append((question, as_of))
        return canned("no", detect_language(question), question, as_of)


def reply_text(history: list[dict]) -> str:
    return history[-1]["content"]


# --- rendering -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("verdict", VERDICTS)
def test_each_verdict_gets_its_badge_in_the_answer_language(verdict, language):
    html = ui.render_answer(canned(verdict, language))
    icon, zh, en = ui.BADGES[verdict]
    assert icon == ICONS[verdict]
    assert f'data-verdict="{verdict}">{icon} {zh if language == "zh" else en}</span>' in html
    assert ("截至 2026-01-01" if language == "zh" else "As of 2026-01-01") in html


def test_citation_shows_both_languages_side_by_side_with_the_quote_marked():
    citation = cite("main.scope", IM_QUOTE)
    html = ui.render_citation(citation, "en", expanded=True)
    assert html.startswith('<details class="la-cite" open><summary>')
    assert ui.esc(citation.label_zh) in html and ui.esc(citation.label_en) in html
    zh_col, en_col = html.split('<div lang="zh-CN">')[1], html.split('<div lang="en">')[1]
    assert f"<mark>{IM_QUOTE}</mark>" in zh_col
    assert ui.esc(citation.text_en) in en_col
    assert "Chinese original" in html and "English translation" in html
    assert 'href="#clause-main_scope"' in html
    assert ui.render_citation(citation, "zh").startswith('<details class="la-cite"><summary>')


def test_first_citation_is_expanded_and_related_clauses_are_linked_but_not_presented_as_support():
    html = ui.render_answer(canned("no", "en"))
    assert html.count("<details") == 1 and "<details class=\"la-cite\" open>" in html
    assert "Related clauses (not relied on)" in html and 'href="#clause-special_15_14"' in html


def test_license_and_engine_text_is_escaped():
    evil = Citation(clause_id="x.1", label_zh="<b>标签</b>", label_en="**Label**", text_zh="前<script>x</script>后",
                    text_en="[link](javascript:alert(1)) $x$", quote="<script>x</script>")
    html = ui.render_citation(evil, "zh")
    assert "<script>" not in html and "<b>" not in html and "**" not in html and "](" not in html
    assert "<mark>&#60;script&#62;x&#60;/script&#62;</mark>" in html
    answer = canned("info", "en").model_copy(update={"answer": "<img src=x onerror=alert(1)>\nline 2"})
    rendered = ui.render_answer(answer)
    assert "<img" not in rendered and "&#60;img src=x onerror=alert(1)&#62;<br>line 2" in rendered


def test_answer_html_is_one_line_so_markdown_leaves_it_alone():
    assert "\n" not in ui.render_answer(canned("no", "zh").model_copy(update={"answer": "a\n\n# b\n- c"}))


def test_error_answer_is_shown_as_a_notice():
    refused = canned().model_copy(update={"error": "问题太长 <b>"})
    assert ui.render_answer(refused) == '<div class="la-answer la-error">⚠️ 问题太长 &#60;b&#62;</div>'


# --- respond ---------------------------------------------------------------------------------------------------

def test_respond_renders_the_answer_and_clears_the_box():
    double = Double()
    history, exchange, box = ui.respond("公司可以做即时通讯吗？", [], "2026-01-01", double)
    assert double.calls == [("公司可以做即时通讯吗？", date(2026, 1, 1))]
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert history[0]["content"] == '<div class="la-q">公司可以做即时通讯吗？</div>'
    assert "❌ 不可以" in reply_text(history) and f"<mark>{IM_QUOTE}</mark>" in reply_text(history)
    assert box == "" and exchange["question"] == "公司可以做即时通讯吗？"
    assert exchange["answer"]["verdict"] == "no" and exchange["answer"]["as_of"] == "2026-01-01"


def test_respond_in_english_keeps_earlier_turns():
    earlier = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    history, _, _ = ui.respond("Can the company offer instant messaging?", earlier, "", Double())
    assert history[:2] == earlier and len(history) == 4
    assert "❌ No" in reply_text(history) and "English translation" in reply_text(history)
    assert f"As of {date.today().isoformat()}" in reply_text(history)


@pytest.mark.parametrize("message", ["", "   \n\t ", None, "\x00\x07\x1b"])
def test_empty_input_gets_a_clear_message_without_asking_the_engine(message):
    double = Double()
    history, exchange, _ = ui.respond(message, [], "2026-01-01", double)
    assert double.calls == [] and exchange is None
    assert [m["role"] for m in history] == ["assistant"]
    assert "Please type a question" in reply_text(history)


@pytest.mark.parametrize("message", ["a" * 102_400, "问" * 102_400])
def test_100_kb_is_refused_clearly_and_not_echoed_in_full(message):
    double = Double()
    history, exchange, box = ui.respond(message, [], "2026-01-01", double)
    assert double.calls == [] and exchange is None and box == ""
    assert "102,400" in reply_text(history)
    assert ("too long" if message[0] == "a" else "问题太长") in reply_text(history)
    assert len(history[0]["content"]) < 1000 and "(102,400 chars)" in history[0]["content"]


def test_control_characters_are_removed_and_reported():
    double = Double()
    history, _, _ = ui.respond("公司\x00可以\x07做即时\u202e通讯吗？\x1b", [], "2026-01-01", double)
    assert double.calls[0][0] == "公司可以做即时通讯吗？"
    assert "已删除 4 个控制字符" in reply_text(history)
    assert "\x00" not in json.dumps(history)


@pytest.mark.parametrize("message", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "**bold** _it_ [link](javascript:alert(1)) `code` # head ${1+1} {{value}} $$x$$ | a | b |",
])
def test_html_and_markdown_input_is_shown_literally(message):
    history, _, _ = ui.respond(message, [], "2026-01-01", Double())
    for turn in history:
        for raw in ("<script", "<img", "**", "](", "`", "${", "{{", "$$"):
            assert raw not in turn["content"]
    assert history[0]["content"] == f'<div class="la-q">{ui.esc(message)}</div>'
    assert ui.esc(message) in reply_text(history)  # the double echoes the question inside its answer


@pytest.mark.parametrize("as_of", ["2026-13-45", "tomorrow", "2026/01/01", "20260101", "<b>1</b>"])
def test_bad_as_of_date_is_explained_and_the_question_kept(as_of):
    double = Double()
    history, exchange, box = ui.respond("When does the license expire?", [], as_of, double)
    assert double.calls == [] and exchange is None and box == "When does the license expire?"
    assert "YYYY-MM-DD" in reply_text(history) and "<b>" not in reply_text(history)


def test_chinese_bad_date_message_is_in_chinese():
    history, _, _ = ui.respond("许可证什么时候到期？", [], "明天", Double())
    assert "截至日期「明天」无效" in reply_text(history)


def test_engine_failure_becomes_a_message_not_a_crash():
    def broken(question: str, as_of: date) -> Answer:
        raise RuntimeError("index <missing>")

    history, exchange, _ = ui.respond("Can the company offer instant messaging?", [], "2026-01-01", broken)
    assert "Internal error, no answer: RuntimeError: index &#60;missing&#62;" in reply_text(history)
    assert exchange == {"question": "Can the company offer instant messaging?", "answer": None}


def test_engine_refusal_is_shown():
    def refusing(question: str, as_of: date) -> Answer:
        return canned().model_copy(update={"error": "The question looks like binary data."})

    history, _, _ = ui.respond("\ufffd\ufffd", [], "2026-01-01", refusing)
    assert "⚠️ The question looks like binary data." in reply_text(history)


# --- feedback --------------------------------------------------------------------------------------------------

def test_feedback_is_appended_to_the_jsonl_in_the_data_dir(home):
    _, exchange, _ = ui.respond("公司可以做即时通讯吗？", [], "2026-01-01", Double())
    assert "已记录" in ui.record_feedback(exchange, "down", "应该引用第十五条\x00 <b>")
    ui.record_feedback(exchange, "up", None)
    lines = (home / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    first, second = map(json.loads, lines)
    assert set(first) == {"timestamp", "question", "answer", "rating", "note"}
    assert first["question"] == "公司可以做即时通讯吗？" and first["rating"] == "down"
    assert first["note"] == "应该引用第十五条 <b>" and first["answer"]["citations"][0]["clause_id"] == "main.scope"
    assert second["rating"] == "up" and second["note"] == ""
    assert ui.feedback_path() == home / "feedback.jsonl"


def test_feedback_before_any_question_writes_nothing(home, tmp_path):
    assert "Ask a question first" in ui.record_feedback(None, "up", "note")
    assert not (home / "feedback.jsonl").exists()


def test_feedback_to_an_unwritable_place_is_reported(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    status = ui.record_feedback({"question": "q", "answer": None}, "up", "", blocker / "feedback.jsonl")
    assert "Feedback not saved" in status


# --- License tab -----------------------------------------------------------------------------------------------

def test_license_view_lists_every_clause_with_an_anchor_zh_beside_en():
    lic = license_()
    html = ui.render_license(lic)
    assert html.count('<section class="la-clause"') == len(lic.clauses) == 42
    assert " hidden>" not in html and "共 42 条 · 42 clauses" in html
    for c in lic.clauses:
        assert f'id="{ui.anchor_id(c.id)}"' in html
    assert len({ui.anchor_id(c.id) for c in lic.clauses}) == 42


def test_license_search_hides_non_matching_clauses_and_marks_hits():
    html = ui.render_license(license_(), "即时交互")
    assert "2 / 42 条匹配" in html
    assert html.count(" hidden>") == 40
    assert '<section class="la-clause" id="clause-main_scope">' in html and "<mark>即时交互</mark>" in html
    english = ui.render_license(license_(), "INSTANT messaging")
    assert '<section class="la-clause" id="clause-main_scope">' in english and "<mark>instant</mark>" in english


def test_license_search_text_is_escaped():
    html = ui.render_license(license_(), "<script>alert(1)</script> ${x}")
    assert "<script>" not in html and "${" not in html and "0 / 42" in html


def test_obligations_tab_lists_every_rule_with_its_period_and_anchor():
    from assistant.reason.norms import compile_norms

    norms = compile_norms(license_())
    html = ui.render_norms(norms)
    rules = [n for n in norms if n.kind != "fact"]
    assert html.count("<tr>") == len(rules) + 1  # a header and a row per rule, facts left out
    assert "10个工作日内" in html and "起算 · from: 处置" in html and "禁止 · prohibited" in html
    assert html.count("The Company shall not carry out fixed-network telephone") == 1  # once per sentence
    assert "<script>" not in ui.render_norms([rules[0].model_copy(update={"act_zh": "<script>x</script>"})])


# --- the served app --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """The app with the real engine on a loopback port; warmed up so the index is built before asking."""
    ui.warm_up()
    demo = ui.build_app()
    port = free_port()
    ui.launch(demo, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def test_app_build_sets_queue_concurrency():
    demo = ui.build_app(Double())
    assert demo._queue.default_concurrency_limit == 4


@pytest.mark.slow
@pytest.mark.parametrize(("question", "badge"), [
    ("公司可以做即时通讯吗？", "❌ 不可以"),
    ("Can the company offer instant messaging?", "❌ No"),
])
def test_served_app_answers_through_gradio_client(served, question, badge):
    from gradio_client import Client

    client = Client(served, verbose=False)
    history, box = client.predict(question, [], "2026-01-01", api_name="/ask")
    assert box == ""
    reply = history[-1]["content"][0]["text"]
    assert badge in reply and 'data-verdict="no"' in reply
    assert '<details class="la-cite" open>' in reply and "信息即时交互服务" in reply
    assert "main.scope" in reply


@pytest.mark.slow
def test_several_users_at_once(served):
    from gradio_client import Client

    questions = ["公司可以做即时通讯吗？", "Can the company offer instant messaging?", "网站有哪些域名？",
                 "When does the license expire?"]

    def ask(question: str) -> str:
        history, _ = Client(served, verbose=False).predict(question, [], "2026-01-01", api_name="/ask")
        return history[-1]["content"][0]["text"]

    with ThreadPoolExecutor(len(questions)) as pool:
        replies = list(pool.map(ask, questions))
    assert all('class="la-badge' in reply for reply in replies)
    assert "www.kongzhong.com" in replies[2] and "2026-12-28" in replies[3]
