"""The Gradio chat UI: a bilingual chat with cited clauses, an as-of date, feedback, and a License tab.

Rendering and respond functions are pure (strings in, HTML/history out) so they are unit-tested without a
server; :func:`build_app` only wires them to components. Every piece of user or license text goes through
:func:`esc`, which also neutralises Markdown, LaTeX and template syntax, so nothing typed is ever rendered as
markup. Answers are single-line HTML blocks, which the chatbot's Markdown renderer passes through untouched.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # after the analytics switch above

from .chat_support import ChatSettings
from .config import get_settings
from .corpus import License, cached_license
from .errors import ExpectedError
from .reason.norms import Norm, compile_norms
from .schema import Answer, Citation, Language, RelatedClause, Verdict
from .text import detect_language

log = logging.getLogger(__name__)

AnswerFn = Callable[[str, date], Answer]
History = list[dict[str, Any]]
Rating = Literal["up", "down"]

# Same words as the Slack/Mattermost replies (chat_render), so every interface says the same thing.
BADGES: dict[Verdict, tuple[str, str, str]] = {
    "yes": ("✅", "可以", "Yes"),
    "no": ("❌", "不可以", "No"),
    "conditional": ("⚠️", "有条件可以", "Yes, with conditions"),
    "not_stated": ("❔", "许可证未说明", "Not stated in the license"),
    "info": ("ℹ️", "答复", "Answer"),
}
EXAMPLES: list[str] = [
    "公司可以做即时通讯吗？",
    "Can the company offer instant messaging?",
    "许可证续期申请的截止日期是哪天？",
    "When is the deadline to apply for renewal?",
    "发生用户个人信息泄露后，公司要做什么？",
    "What must the company do after a personal data breach?",
    "网站有哪些域名？",
    "Which website domains are licensed?",
    "公司可以经营搜索引擎吗？",
    "May the company run a search engine?",
    "公司什么时候参加年报？",
    "When must the company file its annual report?",
]
LICENSE_TAB = "许可证 · License"
NORMS_TAB = "义务与期限 · Obligations & deadlines"
_KIND_LABELS = {"grant": "许可 · grant", "exclusion": "不含 · excluded", "duty": "义务 · duty",
                "prohibition": "禁止 · prohibited", "needs_approval": "须批准 · needs approval",
                "applies_when": "适用时 · when providing", "fact": "事项 · fact"}
MAX_ECHO_CHARS = 500
MAX_NOTE_CHARS = 2000

# Markdown, LaTeX ($) and template (${…}, {{…}}) characters become numeric entities: they display literally.
_ESCAPES = {ord(ch): f"&#{ord(ch)};" for ch in "&<>\"'\\`*_[]{}#|~$"} | {ord("\n"): "<br>", ord("\r"): "<br>"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_feedback_lock = threading.Lock()

CSS = """
#la-chat .top-panel { display: none; }
.la-answer { line-height: 1.6; }
.la-badge { display: inline-block; padding: 1px 10px; border-radius: 999px; font-weight: 600; margin: 0 0 6px; }
.la-yes { background: #e3f4e8; color: #17612f; }
.la-no { background: #fde8e8; color: #a11b1b; }
.la-conditional { background: #fff1d6; color: #7a4a00; }
.la-not_stated { background: #eceff3; color: #38414d; }
.la-info { background: #e6effd; color: #1a4b9c; }
.la-error { color: #a11b1b; }
.la-cite { border: 1px solid var(--border-color-primary); border-radius: 8px; margin: 8px 0; padding: 4px 10px; }
.la-cite > summary { cursor: pointer; font-weight: 600; }
.la-cols { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; margin: 6px 0; }
.la-cols > div { min-width: 0; overflow-wrap: anywhere; }
@media (max-width: 720px) { .la-cols { grid-template-columns: 1fr; } }
.la-colhead { font-size: 0.78em; text-transform: uppercase; letter-spacing: 0.04em; opacity: 0.65; }
.la-answer mark, .la-clause mark { background: #ffe27a; color: #1f1f1f; padding: 0 2px; border-radius: 3px; }
.la-meta, .la-id { font-size: 0.8em; opacity: 0.65; }
.la-related { font-size: 0.9em; margin-top: 6px; }
.la-clause { padding: 10px 4px; border-bottom: 1px solid var(--border-color-primary); scroll-margin-top: 70px; }
.la-clause[hidden] { display: none; }
.la-clause h3 { margin: 0 0 4px; font-size: 1em; }
.la-flash { background: rgba(255, 226, 122, 0.35); transition: background 1.5s; }
"""

# A citation link opens the License tab, un-hides its clause (a search may hide it) and scrolls to it.
HEAD = """<script>
document.addEventListener("click", function (event) {
  const link = event.target.closest ? event.target.closest("a.la-goto") : null;
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const id = decodeURIComponent(link.getAttribute("href").slice(1));
  const tab = Array.from(document.querySelectorAll('button[role="tab"]'))
    .find(function (b) { return b.textContent.includes("License"); });
  if (tab) tab.click();
  let tries = 0;
  (function reveal() {
    const el = document.getElementById(id);
    if (!el) { if (tries++ < 60) setTimeout(reveal, 50); return; }
    el.hidden = false;
    el.scrollIntoView({ block: "start" });
    el.classList.add("la-flash");
    setTimeout(function () { el.classList.remove("la-flash"); }, 2500);
  })();
}, true);
</script>"""


def esc(text: str) -> str:
    """HTML-escape in one pass, making Markdown/LaTeX/template syntax literal too; newlines become ``<br>``."""
    return text.replace("\r\n", "\n").translate(_ESCAPES)


def highlight(text: str, needles: Iterable[str], *, ignore_case: bool = False) -> str:
    """Escaped ``text`` with every occurrence of a needle wrapped in ``<mark>`` (longest needle wins)."""
    terms = sorted({n for n in needles if n.strip()}, key=len, reverse=True)
    if not terms:
        return esc(text)
    pattern = re.compile("|".join(map(re.escape, terms)), re.IGNORECASE if ignore_case else 0)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts += [esc(text[last:match.start()]), f"<mark>{esc(match.group())}</mark>"]
        last = match.end()
    parts.append(esc(text[last:]))
    return "".join(parts)


def _say(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def anchor_id(clause_id: str) -> str:
    """The HTML id of a clause in the License tab (ids like ``special.15.1`` → ``clause-special_15_1``)."""
    return "clause-" + re.sub(r"[^A-Za-z0-9-]", "_", clause_id)


def badge_html(verdict: Verdict, lang: Language) -> str:
    icon, zh, en = BADGES[verdict]
    return f'<span class="la-badge la-{verdict}" data-verdict="{verdict}">{icon} {_say(lang, zh, en)}</span>'


def notice_html(text: str) -> str:
    """A refusal or problem message in the chat (escaped like everything else)."""
    return f'<div class="la-answer la-error">⚠️ {esc(text)}</div>'


def render_citation(citation: Citation, lang: Language, *, expanded: bool = False) -> str:
    """One cited clause: labels in both languages, Chinese original beside the English, the quote marked."""
    head_zh, head_en = _say(lang, "中文原文", "Chinese original"), _say(lang, "英文译文", "English translation")
    goto = _say(lang, "在许可证中查看 →", "View in the License tab →")
    return (
        f'<details class="la-cite"{" open" if expanded else ""}><summary>{esc(citation.label_zh)} · '
        f'{esc(citation.label_en)} <span class="la-id">{esc(citation.clause_id)}</span></summary>'
        f'<div class="la-cols"><div lang="zh-CN"><div class="la-colhead">{head_zh}</div>'
        f"{highlight(citation.text_zh, [citation.quote])}</div>"
        f'<div lang="en"><div class="la-colhead">{head_en}</div>{esc(citation.text_en) or "—"}</div></div>'
        f'<a class="la-goto" href="#{anchor_id(citation.clause_id)}">{goto}</a></details>'
    )


def render_related(related: list[RelatedClause], lang: Language) -> str:
    """Clauses retrieved but not relied on: linked, and labelled so they are never read as support."""
    links = ", ".join(
        f'<a class="la-goto" href="#{anchor_id(r.clause_id)}">{esc(_say(lang, r.label_zh, r.label_en))}</a>'
        for r in related
    )
    return f'<div class="la-related">{_say(lang, "相关条款（未作依据）：", "Related clauses (not relied on): ")}{links}</div>'


def render_answer(result: Answer) -> str:
    """The chat reply: verdict badge, answer text, cited clauses (first one open), related clauses, as-of date."""
    if result.error:
        return notice_html(result.error)
    lang = result.language
    parts = [badge_html(result.verdict, lang), f'<div class="la-text">{esc(result.answer)}</div>']
    parts += [render_citation(c, lang, expanded=i == 0) for i, c in enumerate(result.citations)]
    if result.related:
        parts.append(render_related(result.related, lang))
    day = result.as_of.isoformat()
    meta = _say(lang, f"截至 {day} · 置信度 {result.confidence:.2f}", f"As of {day} · confidence {result.confidence:.2f}")
    parts.append(f'<div class="la-meta">{meta}</div>')
    return f'<div class="la-answer" lang="{"zh-CN" if lang == "zh" else "en"}">{"".join(parts)}</div>'


def display_question(text: str) -> str:
    """The user's bubble: escaped, and cut short so a pasted 100 KB does not flood the chat."""
    if len(text) <= MAX_ECHO_CHARS:
        return f'<div class="la-q">{esc(text)}</div>'
    return f'<div class="la-q">{esc(text[:MAX_ECHO_CHARS])}… <span class="la-meta">({len(text):,} chars)</span></div>'


def check_question(raw: str, max_chars: int) -> tuple[str, str | None]:
    """Strip control/invisible characters; return the question and, if it is refused, why (in its language).
    The length is checked first, on the raw text: normalising a 10 MB paste took half a minute."""
    if len(raw) > max_chars:
        return raw, _say(
            detect_language(raw[:max_chars]),
            f"问题太长（{len(raw):,} 个字符，上限 {max_chars:,}），请缩短后再问。",
            f"The question is too long ({len(raw):,} characters; the limit is {max_chars:,}). Please shorten it.",
        )
    text = _CONTROL.sub("", unicodedata.normalize("NFC", raw)).strip()
    if not text:
        return "", "请输入一个问题。· Please type a question."
    return text, None


def parse_as_of(value: str, lang: str = "en") -> date:
    """The as-of date from the date box: empty means today; anything but YYYY-MM-DD is refused clearly."""
    value = (value or "").strip()
    if not value:
        return date.today()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(_say(
            lang,
            f"截至日期「{value}」无效，请按 YYYY-MM-DD 填写，例如 2026-09-29。",
            f"The as-of date \"{value}\" is not a valid date; use YYYY-MM-DD, e.g. 2026-09-29.",
        )) from None


def engine_answer(question: str, as_of: date) -> Answer:
    """The real engine, imported on first use so the UI loads (and is testable) independently of it."""
    from . import answer

    return answer(question, as_of)


def respond(message: str | None, history: History | None, as_of: str | None,
            answer_fn: AnswerFn = engine_answer) -> tuple[History, dict[str, Any] | None, str]:
    """Handle one question: returns the new chat history, the exchange to rate, and the new textbox value.

    Never raises: refused input, a bad date or an engine failure each become a clear message in the chat.
    """
    history = list(history or [])
    raw = message or ""
    max_chars = get_settings().answer.max_question_chars
    question, problem = check_question(raw, max_chars)
    lang = detect_language(question[:max_chars])  # a refused paste may be megabytes
    if question:
        history.append({"role": "user", "content": display_question(question)})
    if problem:
        history.append({"role": "assistant", "content": notice_html(problem)})
        return history, None, ""
    try:
        day = parse_as_of(as_of or "", lang)
    except ValueError as exc:
        history.append({"role": "assistant", "content": notice_html(str(exc))})
        return history, None, raw
    try:
        result = answer_fn(question, day)
        reply = render_answer(result)
    except Exception as exc:  # the UI must survive any engine failure
        log.exception("answer failed for %r", question[:200])
        reason = f"{type(exc).__name__}: {exc}"
        history.append({"role": "assistant", "content": notice_html(
            _say(lang, f"内部错误，未能回答：{reason}", f"Internal error, no answer: {reason}"))})
        return history, {"question": question, "answer": None}, ""
    removed = len(_CONTROL.findall(raw))
    if removed:
        reply += f'<div class="la-meta">{_say(lang, f"（已删除 {removed} 个控制字符）", f"({removed} control characters removed)")}</div>'
    history.append({"role": "assistant", "content": reply})
    return history, {"question": question, "answer": result.model_dump(mode="json")}, ""


def feedback_path() -> Path:
    return get_settings().home / "feedback.jsonl"


def record_feedback(exchange: dict[str, Any] | None, rating: Rating, note: str | None,
                    path: Path | None = None) -> str:
    """Append {timestamp, question, answer, rating, note} to the feedback JSONL so real questions can grow
    the eval set; returns the status line to show."""
    if not exchange:
        return "先提问，再评价。· Ask a question first, then rate the answer."
    path = path or feedback_path()
    record = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "question": exchange["question"],
        "answer": exchange["answer"],
        "rating": rating,
        "note": _CONTROL.sub("", note or "").strip()[:MAX_NOTE_CHARS],
    }
    try:
        with _feedback_lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    except OSError as exc:
        log.exception("cannot write feedback to %s", path)
        return f"反馈未能保存 · Feedback not saved: {exc.strerror or exc}"
    return f"{'👍' if rating == 'up' else '👎'} 已记录，谢谢！· Feedback saved, thank you."


def _mark_terms(text: str, terms: list[str]) -> str:
    return highlight(text, terms, ignore_case=True)


def render_license(lic: License, query: str = "") -> str:
    """Every clause, zh beside en, each with its anchor id; clauses not matching all query words are hidden
    (not removed) so a citation link can still reveal them."""
    terms = _CONTROL.sub("", query or "")[:200].split()
    sections, matches = [], 0
    for c in lic.clauses:
        haystack = f"{c.id} {c.label_zh} {c.label_en} {c.text_zh} {c.text_en}".casefold()
        hit = all(t.casefold() in haystack for t in terms)
        matches += hit
        sections.append(
            f'<section class="la-clause" id="{anchor_id(c.id)}"{"" if hit else " hidden"}>'
            f'<h3>{_mark_terms(c.label_zh, terms)} · {_mark_terms(c.label_en, terms)} <span class="la-id">{esc(c.id)}</span></h3>'
            f'<div class="la-cols"><div lang="zh-CN">{_mark_terms(c.text_zh, terms)}</div>'
            f'<div lang="en">{_mark_terms(c.text_en, terms) or "—"}</div></div></section>'
        )
    total = len(lic.clauses)
    summary = (f"{matches} / {total} 条匹配 · {matches} of {total} clauses match “{esc(' '.join(terms))}”"
               if terms else f"共 {total} 条 · {total} clauses")
    return f'<div class="la-license"><p class="la-meta">{summary}</p>{"".join(sections)}</div>'


def render_norms(norms: list[Norm]) -> str:
    """The obligations, prohibitions and deadlines as one printable table (facts left out), a row per norm, with
    the English of its sentence beside the first unit of that sentence."""
    rows = []
    shown_en = ""
    for n in norms:
        if n.kind == "fact":
            continue
        period = n.period
        when = "" if period is None else esc(period.text) + (
            f"<br><span class=\"la-meta\">起算 · from: {esc(period.anchor_zh or period.anchor)}</span>"
            if period.anchor != "none" else "")
        english = "" if n.act_en == shown_en else n.act_en
        shown_en = n.act_en
        rows.append(
            f"<tr><td class=\"la-id\">{esc(n.id)}</td><td>{esc(_KIND_LABELS[n.kind])}</td>"
            f"<td lang=\"zh-CN\">{esc(n.condition_zh or '')}</td><td lang=\"zh-CN\">{esc(n.act_zh)}</td>"
            f"<td>{when}</td><td lang=\"zh-CN\">{esc(n.recipient_zh or '')}</td>"
            f"<td lang=\"en\" class=\"la-meta\">{esc(english)}</td></tr>")
    head = ("<tr><th>条款 · clause</th><th>类型 · kind</th><th>条件 · when</th><th>内容 · what</th>"
            "<th>期限 · period</th><th>对象 · to whom</th><th>English</th></tr>")
    return f'<table class="la-norms">{head}{"".join(rows)}</table>'


def header_html(lic: License) -> str:
    f = lic.fields
    return (
        "<h1>许可证问答助手 · License Assistant</h1>"
        f"<p>{esc(f.company)} · {esc(f.license_number)} · "
        f"有效期至 {f.expiry.isoformat()} · valid until {f.expiry.isoformat()}</p>"
        "<p class=\"la-meta\">回答只依据许可证原文并引用条款 · Answers come only from the license and cite its "
        "clauses.</p>"
    )


def build_app(answer_fn: AnswerFn | None = None, *, license: License | None = None,
              feedback_file: Path | None = None) -> gr.Blocks:
    """The Blocks app; ``answer_fn`` is injectable so tests can use a deterministic double."""
    settings = get_settings()
    lic = license or cached_license(settings.corpus_dir, settings.document)
    ask = answer_fn or engine_answer

    with gr.Blocks(title="许可证问答 · License Assistant") as demo:
        gr.HTML(header_html(lic), js_on_load=None)
        last = gr.State(None)
        with gr.Tabs():
            with gr.Tab("问答 · Chat", id="chat"):
                chatbot = gr.Chatbot(
                    label="问答 · Chat", height=560, elem_id="la-chat", latex_delimiters=[], feedback_options=None,
                    buttons=["copy"], show_label=False,
                    placeholder="用中文或英文提问，回答会引用许可证条款。<br>Ask in Chinese or English; "
                                "every answer cites the license.",
                )
                with gr.Row(equal_height=True):
                    question = gr.Textbox(show_label=False, placeholder="输入问题… · Type a question…", lines=1,
                                          max_lines=6, scale=6, elem_id="la-question", autofocus=True)
                    as_of = gr.Textbox(label="截至 · As of", value=lambda: date.today().isoformat(),
                                       placeholder="YYYY-MM-DD", scale=1, min_width=150, elem_id="la-as-of")
                    send = gr.Button("提问 · Ask", variant="primary", scale=0, min_width=110, elem_id="la-send")
                gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], examples_per_page=len(EXAMPLES),
                            label="示例问题 · Example questions")
                with gr.Row():
                    up = gr.Button("👍 有帮助 · Helpful", size="sm", scale=0, min_width=150)
                    down = gr.Button("👎 有误 · Wrong", size="sm", scale=0, min_width=150)
                    note = gr.Textbox(show_label=False, placeholder="反馈备注（可选）· Feedback note (optional)",
                                      scale=4, max_lines=3, container=False)
                    clear = gr.Button("清空 · Clear", size="sm", scale=0, min_width=110)
                status = gr.Markdown(elem_id="la-feedback-status")
            with gr.Tab(LICENSE_TAB, id="license"):
                search = gr.Textbox(label="搜索条款 · Search clauses", placeholder="例如 即时 / e.g. renewal",
                                    elem_id="la-search")
                viewer = gr.HTML(render_license(lic), elem_id="la-license", js_on_load=None)
            with gr.Tab(NORMS_TAB, id="norms"):
                gr.HTML(render_norms(compile_norms(lic)), elem_id="la-norms", js_on_load=None)

        def ask_question(question: str, history: History, as_of: str) -> tuple[History, Any, str]:
            return respond(question, history, as_of, ask)

        gr.on([question.submit, send.click], ask_question, [question, chatbot, as_of], [chatbot, last, question],
              api_name="ask")
        up.click(lambda ex, n: (record_feedback(ex, "up", n, feedback_file), ""), [last, note], [status, note],
                 api_visibility="private")
        down.click(lambda ex, n: (record_feedback(ex, "down", n, feedback_file), ""), [last, note],
                   [status, note], api_visibility="private")
        clear.click(lambda: ([], None, ""), None, [chatbot, last, status], api_visibility="private")
        search.change(lambda q: render_license(lic, q), search, viewer, api_name="search_license",
                      show_progress="hidden")
    demo.queue(default_concurrency_limit=4)
    return demo


def launch(demo: gr.Blocks, *, host: str = "127.0.0.1", port: int = 7860, **kwargs: Any) -> Any:
    """``demo.launch`` with the app's CSS and citation-link script (Gradio 6 takes them at launch), and the
    request-body cap every HTTP entry shares (413 above ``LICENSE_ASSISTANT_CHAT__MAX_BODY_BYTES``)."""
    return demo.launch(server_name=host, server_port=port, css=CSS, head=HEAD,
                       app_kwargs={"max_body_size": ChatSettings().max_body_bytes}, **kwargs)


def warm_up() -> None:
    """Load the engine and build the index now, with its console progress, rather than on the first question."""
    print("Loading the answer engine (the first start builds the index)…", flush=True)
    started = datetime.now()
    try:
        from .engine import get_assistant

        get_assistant().warm_up()
    except Exception as exc:  # serve anyway: each question will then show the error
        if not isinstance(exc, ExpectedError):  # an expected one's message is the whole story
            log.exception("warm-up failed")
        print(f"Warm-up failed ({type(exc).__name__}: {exc}); questions will report the error.", flush=True)
        return
    print(f"Engine ready in {(datetime.now() - started).total_seconds():.1f} s.", flush=True)
