"""What Slack and Mattermost replies share: verdict emoji and word, localized UI strings, and an answer *view*
with citations selected and every text clipped to the platform's limits. Each front end only adds its own
markup (Block Kit or Markdown) around the view, so the two cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .schema import Answer, Language, Verdict

ELLIPSIS = "…"

VERDICT_EMOJI: dict[Verdict, str] = {
    "yes": ":white_check_mark:",
    "no": ":no_entry:",
    "conditional": ":warning:",
    "not_stated": ":grey_question:",
    "info": ":information_source:",
}
VERDICT_WORD: dict[Language, dict[Verdict, str]] = {
    "en": {
        "yes": "Yes",
        "no": "No",
        "conditional": "Yes, with conditions",
        "not_stated": "Not stated in the license",
        "info": "Answer",
    },
    "zh": {
        "yes": "可以",
        "no": "不可以",
        "conditional": "有条件可以",
        "not_stated": "许可证未说明",
        "info": "答复",
    },
}
REFUSED_EMOJI = ":x:"

STRINGS: dict[Language, dict[str, str]] = {
    "en": {
        "refused": "Cannot answer",
        "question": "Question",
        "as_of": "As of {as_of} · {doc_id}",
        "more": "{n} more citation(s) not shown",
        "working": "Looking that up…",
        "help": "Ask me about the telecom business license, e.g. `Can we run an app store?` "
        "Add `as-of:YYYY-MM-DD` to ask about another date.",
        "too_long": "That question is {n} characters long; please keep it under {cap}.",
        "rate_limited": "You have asked {limit} questions in a short time; please try again in {wait} s.",
        "failed": "Sorry, something went wrong while answering. Please try again later.",
    },
    "zh": {
        "refused": "无法回答",
        "question": "问题",
        "as_of": "截至 {as_of} · {doc_id}",
        "more": "另有 {n} 条引文未显示",
        "working": "正在查询……",
        "help": "请问关于增值电信业务经营许可证的问题，例如 `我们能做应用商店吗？` "
        "加上 `as-of:YYYY-MM-DD` 可按其他日期回答。",
        "too_long": "问题长度为 {n} 个字符，请控制在 {cap} 个字符以内。",
        "rate_limited": "您在短时间内已提问 {limit} 次，请 {wait} 秒后再试。",
        "failed": "抱歉，回答时出错，请稍后再试。",
    },
}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def language_of(text: str) -> Language:
    """Notices are written before the engine runs, so guess the language as a reader would: any Han → zh."""
    return "zh" if _CJK.search(text) else "en"


def ui(key: str, lang: Language, **params: object) -> str:
    """A localized UI string with its placeholders filled."""
    return STRINGS[lang][key].format(**params)


def slack_escape(text: str) -> str:
    """Slack mrkdwn control characters; also defuses `<!channel>`-style mentions hidden in user text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(raw: str, limit: int, escape: Callable[[str], str] = str) -> str:
    """Escape ``raw``, then clip it to ``limit`` characters, never cutting an escaped entity in half."""
    out = escape(raw)
    if len(out) <= limit:
        return out
    keep = limit - 1
    while True:
        out = escape(raw[:keep])
        if len(out) <= limit - 1:
            return out.rstrip() + ELLIPSIS
        keep -= len(out) - (limit - 1)


@dataclass(frozen=True)
class CitationView:
    heading: str
    quote: str
    translation: str

    def size(self) -> int:
        return len(self.heading) + len(self.quote) + len(self.translation)


@dataclass(frozen=True)
class AnswerView:
    """An answer as plain (already escaped and clipped) strings, ready for any chat markup."""

    question: str
    verdict: str
    body: str
    citations: list[CitationView]
    omitted: int
    footer: str
    lang: Language


def answer_view(
    answer: Answer,
    *,
    escape: Callable[[str], str],
    max_citations: int,
    budget: int,
    section_chars: int = 3000,
    excerpt_chars: int = 600,
) -> AnswerView:
    """Select and clip so the reply fits: at most ``max_citations`` citations and about ``budget`` characters
    in total; citations that do not fit are counted in ``omitted`` instead of being cut mid-list."""
    lang = answer.language
    if answer.error:
        verdict, body = f"{REFUSED_EMOJI} {ui('refused', lang)}", answer.error
    else:
        verdict, body = f"{VERDICT_EMOJI[answer.verdict]} {VERDICT_WORD[lang][answer.verdict]}", answer.answer
    question = f"{ui('question', lang)}: {fit(answer.question, excerpt_chars, escape)}"
    footer = escape(ui("as_of", lang, as_of=answer.as_of.isoformat(), doc_id=answer.doc_id or "-"))
    body = fit(body, section_chars - len(verdict) - 8, escape)
    used = len(question) + len(verdict) + len(body) + len(footer) + 100
    citations: list[CitationView] = []
    for citation in answer.citations:
        view = CitationView(
            heading=fit(
                f"{citation.clause_id} · {citation.label_zh} / {citation.label_en}", excerpt_chars, escape
            ),
            quote=fit(citation.quote, excerpt_chars, escape),
            translation=fit(citation.text_en, excerpt_chars, escape),
        )
        if len(citations) == max_citations or used + view.size() > budget:
            break
        citations.append(view)
        used += view.size() + 20
    return AnswerView(
        question=question,
        verdict=verdict,
        body=body,
        citations=citations,
        omitted=len(answer.citations) - len(citations),
        footer=footer,
        lang=lang,
    )
