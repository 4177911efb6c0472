"""What must the company do, by when, under which regulation: the sentences that mention the question's terms,
ranked by how specific the matched terms are, with their time limits and cited regulations spelled out."""

from __future__ import annotations

import re
from collections.abc import Callable

from .corpus import GlossaryEntry
from .evidence import Sentence, TimeLimit, modality, regulations, time_limits
from .findings import Finding, SentenceIndex, quote_line
from .schema import Language
from .text import fold

_OBLIGED = re.compile(r"应当|应按照|应依照|必须|不得|须")
_UNITS_EN = {"日": "days", "工作日": "working days", "月": "months", "年": "years"}
_WORDS_EN = {"立即": "immediately", "第一时间": "at the earliest possible moment", "及时": "in a timely manner"}


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


_NUMBER = re.compile(r"\d|[一二三四五六七八九十百]+\s*(?:个|名|人|日|天|年|月|季度|工作日)")
SPECIFIC_IDF = 2.0  # a term in at most ~8 of the license's sentences is a topic of its own


_EVENT_DUTY = re.compile(r"发生|遇有|出现")
_PREVENTION = re.compile(r"防止|避免|预防|防范")


def _score(index: SentenceIndex, sentence: Sentence, entries: list[GlossaryEntry], when: bool,
           ranks: dict[str, int], lexical: Callable[[Sentence], float],
           event: bool = False) -> tuple[float, list[GlossaryEntry]]:
    weights = {e.id: index.weight(sentence, e) for e in entries}
    covered = [e for e in entries if weights[e.id] > 0]
    # Who to tell (authorities) and what document: context, weighed lightly against what the duty is about.
    score = sum(weights[e.id] * (0.3 if e.kind in ("authority", "document") else 1.0) for e in covered)
    score += 0.3 * bool(_OBLIGED.search(sentence.text))
    score += 0.6 * bool(when and time_limits(sentence.text))
    score += 0.8 / ranks.get(sentence.clause_id, 10)
    score += 0.5 * lexical(sentence)
    if event:  # "after a breach": what to do once it happened, not how to prevent it
        score += 1.5 if _EVENT_DUTY.search(sentence.text) else -1.5 if _PREVENTION.search(sentence.text) else 0.0
    return score, covered


def _states_number(sentence: Sentence, entries: list[GlossaryEntry]) -> bool:
    """Is there a figure in the part of the sentence that talks about the asked topic?"""
    for segment in re.split(r"[，；]", sentence.text):
        if any(fold(e.zh) in fold(segment) for e in entries) and _NUMBER.search(segment):
            return True
    return False


def _states_duration(sentence: Sentence) -> bool:
    """Does the sentence set a time limit counted in days, months or years ("within 10 working days")? One to be
    met "at once" answers no "how many days"."""
    return any(t.kind in ("within", "advance") and t.number for t in time_limits(sentence.text))


def find_obligations(index: SentenceIndex, entries: list[GlossaryEntry], lang: Language, *, quantity: bool,
                     when: bool, ranks: dict[str, int], duration: bool = False,
                     lexical: Callable[[Sentence], float] = lambda s: 0.0, event: bool = False) -> Finding | None:
    """None when no sentence mentions any of the terms. Each specific topic of the question gets its own
    best sentence (greedy cover), so 「违法信息和重大安全事件的时限」 cites both clauses."""
    candidates = {s for s in index.all if s.clause_id.startswith("special.") and any(index.weight(s, e) for e in entries)}
    if not candidates:
        return None
    # What retrieval ranks first may word the topic differently from the glossary (「用户个人信息泄露事件」 for
    # "a leak of users' personal data"): its sentences compete too, on rank, wording and time limits.
    candidates |= {s for c, r in ranks.items() if r <= 2 and c.startswith("special.") for s in index.by_clause[c]}
    scored = sorted(((*_score(index, s, entries, when, ranks, lexical, event), s) for s in candidates),
                    key=lambda t: (-t[0], index.position(t[2])))
    top_score, top_covered, top = scored[0]
    chosen = [top] + [s for score, _, s in scored[1:] if s.clause_id == top.clause_id and score >= 0.9 * top_score]
    covered_ids = {e.id for e in top_covered}
    # Procedural verbs (file, report, change) and authorities are how, not what: they do not open a topic.
    specific = [e for e in entries if index.idf(e.zh) >= SPECIFIC_IDF and e.kind not in ("authority", "document", "action")]
    while len({s.clause_id for s in chosen}) < 3:
        uncovered = [e for e in specific if e.id not in covered_ids]
        options = []
        for sentence in sorted(candidates.difference(chosen), key=index.position):
            gained = [e for e in uncovered if sentence in index.mentions(e, sections=("special",))]
            gain = sum(index.idf(e.zh) for e in gained)
            if gain >= SPECIFIC_IDF:
                options.append((gain + 0.5 * _score(index, sentence, entries, when, ranks, lexical, event)[0],
                                sentence, gained))
        if not options:
            break
        _, sentence, gained = max(options, key=lambda t: (t[0], -index.position(t[1])))
        chosen.append(sentence)
        covered_ids |= {e.id for e in gained}
    order = list(dict.fromkeys(s.clause_id for s in chosen))
    chosen = sorted(set(chosen), key=lambda s: (order.index(s.clause_id), s.index))
    if quantity and not any(_states_duration(s) if duration else _states_number(s, entries) for s in chosen):
        text = ("许可证未载明具体数字；相关条款只作一般性要求。" if lang == "zh" else
                "The license does not state a figure for this; the related clause only sets a general requirement.")
        return Finding("not_stated", text, [], order, confidence=0.7, intent="not_stated:quantity")
    gated = any(e.kind in ("action", "concept", "service") and modality(top, e.zh) == "conditional"
                for e in top_covered)
    limits = list(dict.fromkeys(render_limit(t, lang) for s in chosen for t in time_limits(s.text)))
    regs = list(dict.fromkeys(n for s in chosen for n in _regulation_names(index, s, lang)))
    quotes = " ".join(quote_line(index, s, lang) for s in chosen)
    if lang == "zh":
        lead = "须先申请并经批准后方可实施。" if gated else "许可证的要求如下。"
        text = f"{lead}{quotes}" + (f" 时限：{'、'.join(limits)}。" if limits else "") + \
            (f" 依据的规定：{'、'.join(regs)}。" if regs else "")
    else:
        lead = "Only after applying and obtaining approval. " if gated else "The license requires the following. "
        text = f"{lead}{quotes}" + (f" Time limit: {'; '.join(limits)}." if limits else "") + \
            (f" Under: {'; '.join(regs)}." if regs else "")
    return Finding("conditional" if gated else "info", text, chosen, confidence=0.8,
                   intent="obligation:approval" if gated else "obligation")
