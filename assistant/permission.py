"""May the company do X? Decided from the scope clause's licensed items and exclusions and from the
sentences of the special provisions that forbid (不得), condition (未经批准…不得, 经批准后方可) or regulate
(提供X时, 适用于X) the activity."""

from __future__ import annotations

from .corpus import GlossaryEntry
from .evidence import Sentence, modality, sentence_modality
from .findings import Finding, SentenceIndex, quote_line
from .schema import Language, Verdict
from .text import fold

_RANK: dict[Verdict, int] = {"no": 3, "conditional": 2, "yes": 1, "not_stated": 0, "info": 0}
_DECISIVE = ("prohibited", "conditional", "applies")
# Words for the procedure itself (approval, filing, change): context for the asked activity, not an activity.
_PROCEDURAL = {"审批", "批准", "审核同意", "变更", "报告", "上报", "报备", "备案", "申请", "许可", "未经许可", "依法须经批准的项目"}


def _scope_sentence(index: SentenceIndex, needle: str) -> Sentence:
    scope = index.by_clause["main.scope"]
    return next((s for s in scope if needle and fold(needle) in fold(s.text)), scope[0])


def _name(entry: GlossaryEntry, lang: Language) -> str:
    return entry.zh if lang == "zh" else f"{entry.en} ({entry.zh})"


def _excluded(index: SentenceIndex, entry: GlossaryEntry, lang: Language) -> Finding | None:
    for item in index.license.fields.scope.excluded:
        if fold(entry.zh) == fold(item) or fold(entry.zh) in fold(item):
            sentence = _scope_sentence(index, "不含")
            text = (f"不可以。许可的业务范围明确不含{entry.zh}。{quote_line(index, sentence, lang)}" if lang == "zh"
                    else f"No. The licensed scope expressly excludes {_name(entry, lang)}. "
                         f"{quote_line(index, sentence, lang)}")
            return Finding("no", text, [sentence], confidence=0.95, intent="permission:excluded")
    return None


def _licensed_by_scope(index: SentenceIndex, entry: GlossaryEntry) -> bool:
    term = fold(entry.zh)
    return any(term == fold(i.category) or term in (fold(r) for r in i.restricted_to) or term in fold(i.text)
               for i in index.license.fields.scope.items)


def _governed_by_licensed_article(index: SentenceIndex, sentence: Sentence) -> bool:
    """「提供X时…」 regulates X as part of the licence when its article is about a licensed category."""
    parts = sentence.clause_id.split(".")
    if len(parts) < 3:
        return True
    lead = index.license.clause(".".join(parts[:2])).text_zh
    return any(fold(i.category) in fold(lead) for i in index.license.fields.scope.items)


def _from_sentence(index: SentenceIndex, sentence: Sentence, entries: list[GlossaryEntry], mode: str,
                   lang: Language) -> Finding:
    names = "、".join(e.zh for e in entries) if lang == "zh" else ", ".join(_name(e, lang) for e in entries)
    quote = quote_line(index, sentence, lang)
    if mode == "prohibited":
        text = (f"不可以。许可证禁止{names}。{quote}" if lang == "zh"
                else f"No. The license prohibits this ({names}). {quote}")
        return Finding("no", text, [sentence], confidence=0.9, intent="permission:prohibited")
    if mode == "conditional":
        text = (f"有条件：须先取得批准或满足条件后方可（{names}）。{quote}" if lang == "zh"
                else f"Only with prior approval or once a condition is met ({names}). {quote}")
        return Finding("conditional", text, [sentence], confidence=0.85, intent="permission:conditional")
    scope = _scope_sentence(index, index.license.fields.scope.items[0].category
                            if index.license.fields.scope.items else "")
    text = (f"可以，属于许可的业务范围，但须遵守相应规定（{names}）。{quote_line(index, scope, lang)}；{quote}"
            if lang == "zh" else
            f"Yes, within the licensed scope, subject to the obligations that apply to it ({names}). "
            f"{quote_line(index, scope, lang)}; {quote}")
    return Finding("yes", text, [scope, sentence], confidence=0.85, intent="permission:licensed-with-duties")


_PRIOR_APPROVAL = "前置审批"  # the template's sentence on items a regulation puts under prior approval


def _prior_approval(index: SentenceIndex, entry: GlossaryEntry, lang: Language) -> Finding | None:
    """News, medical care…: an Internet information service that a regulation the license refers to puts under
    prior approval is conditional on that approval and the license's addition procedure (its 前置审批 sentence)."""
    if entry.source != "approval":
        return None
    sentence = next((s for s in index.all if _PRIOR_APPROVAL in s.text), None)
    if sentence is None:
        return None
    text = (f"有条件：按{entry.basis_zh}，{entry.zh}须经有关主管部门审核同意（前置审批）；许可证要求依法办理审批手续，"
            f"审核同意后再办理经营许可证增项手续。{quote_line(index, sentence, lang)}" if lang == "zh" else
            f"Only with prior approval: under {entry.basis_en}, {entry.en} need the approval of the competent "
            f"authority first, and the license requires that approval and then adding the item to the operating "
            f"license. {quote_line(index, sentence, lang)}")
    return Finding("conditional", text, [sentence], confidence=0.8, intent="permission:prior-approval")


def _forms_in(sentence: Sentence, entry: GlossaryEntry) -> list[str]:
    """The entry's license term, or the Chinese alias the question used, as printed in the sentence (a sentence
    is judged by the words asked about: 「明码标价」 only if the question said 明码标价)."""
    asked = entry.asked_as if entry.asked_as in entry.aliases_zh else None
    forms = [entry.zh] + ([asked] if asked and len(asked) > 2 and fold(asked) not in fold(entry.zh) else [])
    return [t for t in forms if fold(t) in fold(sentence.plain)]


def _strongest(sentence: Sentence, entry: GlossaryEntry) -> str:
    modes = [modality(sentence, t, party=entry.kind == "party") for t in _forms_in(sentence, entry)]
    for mode in ("prohibited", "conditional", "applies", "obliged"):
        if mode in modes:
            return mode
    return "mention"


def _best_decisive(index: SentenceIndex, entries: list[GlossaryEntry]) -> tuple[Sentence, list[GlossaryEntry], str] | None:
    """The sentence that decides the most specific share of the entries."""
    best: tuple[float, Sentence, list[GlossaryEntry], str] | None = None
    candidates = [s for s in index.all if s.clause_id.startswith("special.") and any(_forms_in(s, e) for e in entries)]
    for sentence in candidates:  # document order; on a tie the more restrictive reading wins
        modes = {e.id: _strongest(sentence, e) for e in entries if _forms_in(sentence, e)}
        covered = [e for e in entries if modes.get(e.id) in _DECISIVE]
        decisive = [modes[e.id] for e in covered]
        if not decisive:
            continue
        mode = "prohibited" if "prohibited" in decisive else "conditional" if "conditional" in decisive else "applies"
        if mode == "applies" and not _governed_by_licensed_article(index, sentence):
            continue
        score = sum(index.idf(e.zh) for e in covered)
        if best is None or score > best[0] or (score == best[0] and _DECISIVE.index(mode) < _DECISIVE.index(best[3])):
            best = (score, sentence, covered, mode)
    return None if best is None else best[1:]


def decide_permission(index: SentenceIndex, entries: list[GlossaryEntry], lang: Language) -> Finding:
    """Combine per-activity decisions; the most restrictive verdict wins, every deciding sentence is cited."""
    findings: list[Finding] = []
    remaining = []
    substantive = [e for e in entries if e.zh not in _PROCEDURAL]
    entries = substantive or entries
    for entry in entries:
        settled = (_excluded(index, entry, lang) if entry.kind == "service" else None) \
            or _prior_approval(index, entry, lang)
        (findings.append(settled) if settled else remaining.append(entry))
    while remaining:
        decided = _best_decisive(index, remaining)
        if decided is None:
            break
        sentence, covered, mode = decided
        findings.append(_from_sentence(index, sentence, covered, mode, lang))
        remaining = [e for e in remaining if e not in covered]
    context = {s for f in findings for s in f.cited}
    for entry in [e for e in remaining if e.kind == "service"]:
        if any(fold(entry.zh) in fold(s.plain) for s in context):
            continue  # named as a party in a sentence that already decided the question
        findings.append(_service_by_scope(index, entry, lang))
    if not findings:
        return _not_addressed(index, remaining, lang)
    findings.sort(key=lambda f: -_RANK[f.verdict])
    verdict = findings[0].verdict
    cited = [s for f in findings for s in f.cited]
    unique = list(dict.fromkeys(cited))
    return Finding(verdict, " ".join(f.text for f in findings), unique,
                   confidence=min(f.confidence for f in findings), intent=findings[0].intent)


def _service_by_scope(index: SentenceIndex, entry: GlossaryEntry, lang: Language) -> Finding:
    if _licensed_by_scope(index, entry):
        sentence = _scope_sentence(index, entry.zh)
        text = (f"可以。{entry.zh}属于许可的业务范围。{quote_line(index, sentence, lang)}" if lang == "zh"
                else f"Yes. {_name(entry, lang)} is within the licensed scope. {quote_line(index, sentence, lang)}")
        return Finding("yes", text, [sentence], confidence=0.85, intent="permission:licensed")
    scope = _scope_sentence(index, index.license.fields.scope.items[0].text if index.license.fields.scope.items else "")
    general = next((s for s in index.all if s.clause_id.startswith("special.")
                    and "未经许可" in s.text and "不得" in s.text), None)
    cited = [scope] + ([general] if general else [])
    quotes = "；".join(quote_line(index, s, lang) for s in cited) if lang == "zh" else "; ".join(
        quote_line(index, s, lang) for s in cited)
    text = (f"不可以。{entry.zh}不在许可的业务范围内，未经许可不得经营。{quotes}" if lang == "zh"
            else f"No. {_name(entry, lang)} is not among the licensed services, and unlicensed telecom services "
                 f"may not be operated. {quotes}")
    return Finding("no", text, cited, confidence=0.75, intent="permission:not-licensed")


def _not_addressed(index: SentenceIndex, entries: list[GlossaryEntry], lang: Language) -> Finding:
    """Mentioned in a clause that makes a related act conditional → conditional; otherwise silent."""
    for entry in sorted(entries, key=lambda e: -index.idf(e.zh)):
        for sentence in index.find(entry.zh, sections=("special",)):
            siblings = index.by_clause[sentence.clause_id]
            gate = next((s for s in siblings if sentence_modality(s) == "conditional"), None)
            if gate is not None:
                cited = list(dict.fromkeys([gate, sentence]))
                quotes = " ".join(quote_line(index, s, lang) for s in cited)
                text = (f"有条件：该事项须按许可证规定办理，经批准后方可实施。{quotes}" if lang == "zh"
                        else f"Only after following the procedure the license sets out (approval first). {quotes}")
                return Finding("conditional", text, cited, confidence=0.6, intent="permission:procedure")
    related = list(dict.fromkeys(s.clause_id for e in entries for s in index.find(e.zh)))[:3]
    text = ("许可证未载明是否允许，没有明确规定。" if lang == "zh" else
            "The license does not say whether this is allowed.")
    return Finding("not_stated", text, [], related, confidence=0.6, intent="permission:silent")
