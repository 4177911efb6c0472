"""The license compiled into norms: one typed statement per deontic unit of a clause.

A norm is read from the legal grammar of the template, not from this license's words: 不得/禁止 make a
prohibition, 应当/应/必须 a duty (and the segments it governs), 未经…不得 / 经…批准后方可 / 在未取得…许可时 an
act that needs approval, 提供X时 / （适用于X） a rule that applies when providing X, 遇有…的情形 / …的， a
trigger, 自…之日起N日内 / …后N个工作日内 / 提前N日 / 每年第一季度 a period and its anchor, 向…提出/报告 a
recipient. The scope field yields grants and exclusions, every other field a fact. A second license of the
same template therefore yields its own norms with no code change.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from .. import template as tpl
from ..corpus import License
from ..evidence import align_english, regulations, sentences, time_limits

NormKind = Literal["grant", "exclusion", "duty", "prohibition", "needs_approval", "applies_when", "fact"]
Unit = Literal["day", "working_day", "month", "year"]
AnchorKind = Literal["event", "expiry", "yearly", "none"]

_UNITS: dict[str, Unit] = {"日": "day", "工作日": "working_day", "月": "month", "年": "year"}
_ARTICLE = re.compile(r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[）)])\s*")
_APPLIES = re.compile(r"^[（(]\s*适用于([^）)]+)[）)]\s*")
_PROHIBIT = re.compile(r"不得|禁止|严禁")
# 应 as a modal, not inside 相应/响应/对应/适应/供应/效应/回应, 应用 (application) or 应急 (emergency).
_DUTY = re.compile(r"应当|必须|(?<![相响对适反供效回])应(?![用急对])")
_APPROVAL_LEAD = re.compile(r"^(?:你公司)?在?(?:未经|未取得)[^，]*?(?:批准|许可|同意|审批)")
_APPROVAL_AFTER = re.compile(r"经[^，。；]{0,12}?(?:批准|审核同意|同意)后(?:方可)?")
_CONDITION = re.compile(r"时$|的$|的项目$|情形$|^(?:遇有|如果|如|若|涉及|凡|拟)")
_CONTINUES_CONDITION = re.compile(r"^(?:且|或者|或)")
# A segment that only says how, when or by which standard (「按照电信主管部门要求」, 「在取得…后30日内」) belongs
# to the act that follows it.
_ADVERBIAL = re.compile(r"^(?:(?:按照|依照|根据|针对|按)[^，]*(?:要求|标准|规定|威胁|范围|事项|办法|条例)|[^，]*(?:\d|[一二三四五六七八九十])\s*个?(?:工作)?日内"
                        r"|在[^，]*后)$")
_SUBJECT_ONLY = re.compile(r"^(?:你公司)?(?:或者?[^，]*)?(?:子公司|你公司)$")
_LEAD_WORDS = re.compile(r"^(?:并且|并|且|同时|你公司|在)+")
_RECIPIENT = re.compile(r"向([^，。；]{2,16}?)(?:提出|报告|上报|报备|提交|办理)")
_ANCHORS = (
    re.compile(r"自([^，。；]{1,20}?)之日起"),
    re.compile(r"在?([^，。；在]{1,12}?)之日起"),
    re.compile(r"([^，。；在]{1,12}?完成)(?:后)?\s*(?:的)?\s*(?:\d|[一二三四五六七八九十])"),
    re.compile(r"(取得[^，。；]{1,16}?)后\s*(?:\d|[一二三四五六七八九十])"),
    re.compile(r"在?([^，。；在]{1,8}?)后的?\s*(?:\d|[一二三四五六七八九十])"),
)
_EXPIRY_EVENT = re.compile(r"([^，。；]{0,10}(?:届满|到期))")


class Period(BaseModel):
    """A time limit: N (working) days after an anchor event, N days before expiry, a quarter of every year."""

    kind: Literal["within", "advance", "yearly", "immediate"]
    number: int | None = None
    unit: Unit | None = None
    anchor: AnchorKind = "none"
    anchor_zh: str | None = Field(None, description="The event the period runs from, as printed (「公司作出决定」).")
    text: str = Field(description="The period as printed: 「30日内」, 「提前90日」, 「每年第一季度」, 「立即」.")


class Norm(BaseModel):
    id: str = Field(description="<clause id>#<n>, stable for a given license text.")
    clause_id: str
    kind: NormKind
    act_zh: str = Field(description="What is granted, excluded, required or forbidden, with its object.")
    act_en: str = Field("", description="The English translation of the sentence the act stands in.")
    condition_zh: str | None = Field(None, description="Trigger or condition: 「遇有…的情形」, 「提供X时」.")
    applies_to: str | None = Field(None, description="The service a rule applies to (「适用于X」, 「提供X时」).")
    period: Period | None = None
    recipient_zh: str | None = Field(None, description="Whom to apply or report to (「原发证机关」).")
    basis: list[str] = Field([], description="Regulations the sentence cites.")
    quote: str = Field(description="The unit's words, verbatim from the clause.")
    sentence_index: int = 0
    sentence: str = Field("", description="The whole sentence, verbatim.")

    def text(self, lang: str) -> str:
        """What the question is matched against in a language."""
        if lang == "en" and self.act_en:
            return self.act_en
        return "，".join(p for p in (self.condition_zh, self.act_zh) if p)


def _period(segment: str, sentence: str) -> Period | None:
    limits = time_limits(segment)
    if not limits:
        return None
    limit = limits[0]
    if limit.kind == "quarter":
        return Period(kind="yearly", number=limit.number, anchor="yearly", anchor_zh="每年", text=limit.text)
    if limit.kind == "immediate":
        return Period(kind="immediate", text=limit.text)
    unit = _UNITS.get(limit.unit or "日", "day")
    if limit.kind == "advance":
        event = _EXPIRY_EVENT.search(sentence)
        return Period(kind="advance", number=limit.number, unit=unit, anchor="expiry",
                      anchor_zh=event.group(1).strip() if event else None, text=limit.text)
    anchor = next((m.group(1).strip() for p in _ANCHORS if (m := p.search(segment))), None)
    return Period(kind="within", number=limit.number, unit=unit, anchor="event" if anchor else "none",
                  anchor_zh=anchor, text=limit.text)


def _act(segment: str, modal: re.Pattern[str] | None) -> str:
    text = _LEAD_WORDS.sub("", segment.strip())
    if modal is not None:
        m = modal.search(text)
        if m:
            text = text[m.end():]
    return _LEAD_WORDS.sub("", text).strip(" 。；")


def _sentence_norms(clause_id: str, index: int, sentence: str, text_en: str, applies: str | None) -> list[Norm]:
    """Walk a sentence's comma segments: conditions accumulate (and start afresh after a unit), a modal opens a
    unit and governs the bare segments after it, an adverbial segment joins the unit after it."""
    body = sentence
    for pattern in (_ARTICLE, _APPLIES, _ARTICLE):
        m = pattern.match(body)
        if m:
            applies = m.group(1).strip() if pattern is _APPLIES else applies
            body = body[m.end():]
    norms: list[Norm] = []
    conditions: list[str] = []
    approval = False
    governing: NormKind | None = None
    basis = [title for title, _ in regulations(sentence)]
    pending: str = ""  # an adverbial segment waiting for its act
    last_was_condition = False
    for raw in re.split(r"(?<=[，；：])", body):
        segment = raw.strip("，；：。 ")
        if not segment:
            continue
        stripped = _LEAD_WORDS.sub("", segment)
        modal = bool(_PROHIBIT.search(stripped) or _DUTY.search(stripped))
        provided = re.search(r"提供(.+?)时$", stripped)
        if _SUBJECT_ONLY.match(segment):
            continue
        is_condition = (
            (_APPROVAL_LEAD.match(stripped) and not _PROHIBIT.search(stripped))
            or (provided and not modal)
            or (_CONDITION.search(stripped) and not _PROHIBIT.search(stripped)
                and (not modal or stripped.endswith(("的", "的项目", "情形"))))
            or (last_was_condition and _CONTINUES_CONDITION.match(segment) and not modal)
        )
        if is_condition:
            if norms and not last_was_condition:
                conditions = []  # a new trigger: 「…需要继续经营的，…；不再继续经营的，…」
            approval = approval or bool(_APPROVAL_LEAD.match(stripped))
            applies = applies or (provided.group(1) if provided else None)
            conditions.append(segment)
            last_was_condition = True
            continue
        last_was_condition = False
        if _ADVERBIAL.match(_act(segment, _DUTY)) and not _PROHIBIT.search(stripped):
            governing = governing or ("duty" if _DUTY.search(stripped) else None)
            pending = f"{pending}，{segment}" if pending else segment
            continue
        unit = f"{pending}，{segment}" if pending and f"{pending}，{segment}" in sentence else segment
        pending = ""
        after = _APPROVAL_AFTER.search(stripped)
        if _PROHIBIT.search(stripped):
            kind: NormKind = "needs_approval" if approval else "prohibition"
            act = _act(segment, _PROHIBIT)
            governing = "prohibition"
        elif after:
            kind, act = "needs_approval", _act(stripped[after.end():], None)
            if act in ("", "实施", "开展", "执行") and conditions:
                act = f"{act or '从事'}（{'，'.join(conditions)}）"
        elif _DUTY.search(stripped):
            kind, act, governing = "duty", _act(segment, _DUTY), "duty"
        else:
            kind, act = governing or ("duty" if conditions else "fact"), _act(segment, None)
        if applies and kind == "duty":
            kind = "applies_when"
        recipient = _RECIPIENT.search(unit)
        norms.append(Norm(
            id="", clause_id=clause_id, kind=kind, act_zh=act, act_en=text_en,
            condition_zh="，".join(conditions) or None, applies_to=applies, period=_period(unit, sentence),
            recipient_zh=recipient.group(1) if recipient else None, basis=basis,
            quote=unit, sentence_index=index, sentence=sentence,
        ))
    return norms


def _field_norms(lic: License) -> list[Norm]:
    out: list[Norm] = []
    scope = lic.fields.scope
    scope_clause = lic.clause("main.scope")
    for item in scope.items:
        out.append(Norm(id="", clause_id="main.scope", kind="grant", act_zh=item.text, act_en=scope_clause.text_en,
                        quote=item.text, sentence=scope_clause.text_zh))
    for item in scope.excluded:
        out.append(Norm(id="", clause_id="main.scope", kind="exclusion", act_zh=item, act_en=scope_clause.text_en,
                        quote=item, sentence=scope_clause.text_zh))
    if scope.approval_note:
        out.append(Norm(id="", clause_id="main.scope", kind="needs_approval", act_zh=scope.approval_note,
                        act_en=scope_clause.text_en, quote=scope.approval_note, sentence=scope_clause.text_zh))
    for clause in lic.clauses:
        if clause.section == "special" or clause.id == "main.scope":
            continue
        if tpl.field_by_id(clause.id) or clause.id.endswith(".preamble"):
            out.append(Norm(id="", clause_id=clause.id, kind="fact", act_zh=clause.text_zh, act_en=clause.text_en,
                            quote=clause.text_zh, sentence=clause.text_zh))
    return out


def compile_norms(lic: License) -> list[Norm]:
    """Every norm of the license, in document order, with stable ids."""
    norms = _field_norms(lic)
    for clause in lic.clauses:
        if clause.section != "special":
            continue
        applies = None
        for s in sentences(clause.id, clause.text_zh):
            english = align_english(clause.text_zh, clause.text_en, s.index)
            found = _sentence_norms(clause.id, s.index, s.text, english, applies)
            applies = next((n.applies_to for n in found if n.applies_to), applies)
            norms += found
    counts: dict[str, int] = {}
    for norm in norms:
        counts[norm.clause_id] = counts.get(norm.clause_id, 0) + 1
        norm.id = f"{norm.clause_id}#{counts[norm.clause_id]}"
    return norms
