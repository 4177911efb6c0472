"""What must the company do, by when, under which regulation: the sentences that mention the question's terms,
ranked by how specific the matched terms are, with their time limits and cited regulations spelled out."""

from __future__ import annotations

import re

from .corpus import GlossaryEntry
from .evidence import Sentence, TimeLimit, regulations, time_limits
from .findings import Finding, SentenceIndex, quote_line
from .schema import Language
from .text import fold

_OBLIGED = re.compile(r"应当|应按照|应依照|必须|不得|须")
_UNITS_EN = {"日": "days", "工作日": "working days", "月": "months", "年": "years"}
_WORDS_EN = {"立即": "immediately", "第一时间": "at the earliest possible moment", "及时": "in a timely manner"}
MAX_SENTENCES = 3


def render_limit(limit: TimeLimit, lang: Language) -> str:
    if lang == "zh":
        return limit.text
    if limit.kind == "within":
        return f"within {limit.number} {_UNITS_EN.get(limit.unit or '日', 'days')}"
    if limit.kind == "advance":
        return f"at least {limit.number} {_UNITS_EN.get(limit.unit or '日', 'days')} in advance"
    if limit.kind == "quarter":
        return f"in quarter {limit.number} (Q{limit.number}) of each year" if limit.number != 1 else \
            "in the first quarter (Q1) of each year"
    return _WORDS_EN.get(limit.text, limit.text)


def _regulation_names(index: SentenceIndex, sentence: Sentence, lang: Language) -> list[str]:
    names = []
    by_zh = {fold(e.zh): e for e in index.license.glossary.entries}
    for title, order in regulations(sentence.text):
        if lang == "zh":
            names.append(f"《{title}》" + (f"（{order}）" if order else ""))
        else:
            en = by_zh.get(fold(title))
            order_en = by_zh.get(fold(order)) if order else None
            names.append((en.en if en else f"《{title}》") + (f" ({order_en.en if order_en else order})" if order else ""))
    return names


def find_obligations(index: SentenceIndex, entries: list[GlossaryEntry], lang: Language, *, quantity: bool,
                     when: bool, ranks: dict[str, int]) -> Finding | None:
    """None when no sentence mentions any of the terms."""
    scored: list[tuple[float, Sentence]] = []
    for sentence in {s for e in entries for s in index.mentions(e)}:
        covered = [e for e in entries if sentence in index.mentions(e)]
        score = sum(index.idf(e.zh) for e in covered)
        score += 0.3 * bool(_OBLIGED.search(sentence.text))
        score += 0.6 * bool(when and time_limits(sentence.text))
        score += 0.4 / ranks.get(sentence.clause_id, 10)
        scored.append((score, sentence))
    if not scored:
        return None
    scored.sort(key=lambda pair: (-pair[0], pair[1].clause_id, pair[1].index))
    top = scored[0][0]
    chosen = [s for score, s in scored if score >= 0.85 * top][:MAX_SENTENCES]
    clauses = list(dict.fromkeys(s.clause_id for s in chosen))[:2]
    chosen = sorted((s for s in chosen if s.clause_id in clauses), key=lambda s: (clauses.index(s.clause_id), s.index))
    if quantity and not any(re.search(r"\d|[一二三四五六七八九十百]+[个名人日天年月]", s.text) for s in chosen):
        text = ("许可证未载明具体数字；相关条款只作一般性要求。" if lang == "zh" else
                "The license states no figure for this; the related clause only sets a general requirement.")
        return Finding("not_stated", text, [], clauses, confidence=0.7, intent="not_stated:quantity")
    limits = list(dict.fromkeys(render_limit(t, lang) for s in chosen for t in time_limits(s.text)))
    regs = list(dict.fromkeys(n for s in chosen for n in _regulation_names(index, s, lang)))
    quotes = " ".join(quote_line(index, s, lang) for s in chosen)
    if lang == "zh":
        text = f"许可证的要求如下。{quotes}" + (f" 时限：{'、'.join(limits)}。" if limits else "") + \
            (f" 依据的规定：{'、'.join(regs)}。" if regs else "")
    else:
        text = f"The license requires the following. {quotes}" + (f" Time limit: {'; '.join(limits)}." if limits else "") + \
            (f" Under: {'; '.join(regs)}." if regs else "")
    return Finding("info", text, chosen, confidence=0.8, intent="obligation")
