"""The decision: an explicit table act × norm kind × polarity → verdict, and the checks that come before it.

Order (each step may settle the answer):
1. a clause reference that does not exist is said not to exist, and a value the question asserts for a field
   that the field does not hold is corrected (upstream, in the engine);
2. an asked attribute the evidence lacks (a fee, a penalty, a number of staff, a retention period…) → not stated,
   saying what the nearest clause does say;
3. a yes/no question gets yes/no from the table, by the kind of the norm its evidence rests on and the
   question's polarity — including a question the clause lookup left silent, when a norm matches it clearly;
   a "yes" needs the rule to be about what was asked (coverage), else the license is silent beside that rule;
4. a yes/no question only the lookup's loose fallback answered is not stated;
5. a day named in the question and a period with an anchor event give a computed deadline;
6. a question that is not a yes/no question gets no yes/no verdict.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from ..evidence import Sentence, time_limits
from ..findings import Finding, SentenceIndex, quote_line
from ..intents import IN_TIME, OVERDUE
from ..schema import Language, Verdict
from ..template import field_by_id
from ..text import cn_to_int
from .deadlines import deadline
from .match import NormMatch
from .norms import Norm, NormKind
from .question import CLAIM, DECEIVING, Act, Attribute, QuestionForm, asking_sentence, negators

#: act × norm kind × negated → verdict. A missing key means the norm does not answer that act.
TABLE: dict[tuple[Act, NormKind, bool], Verdict] = {
    # "may we *not* do what is forbidden?" is logically yes, but a negation in a may-question almost always
    # belongs to a required step the match missed: no cell, so the clause lookup's answer stands.
    ("may", "prohibition", False): "no",
    ("may", "duty", False): "yes", ("may", "duty", True): "no",
    ("may", "applies_when", False): "yes", ("may", "applies_when", True): "no",
    ("may", "needs_approval", False): "conditional", ("may", "needs_approval", True): "no",
    ("may", "exclusion", False): "no",
    ("may", "grant", False): "yes",
    ("must", "duty", False): "yes", ("must", "duty", True): "no",
    ("must", "applies_when", False): "yes", ("must", "applies_when", True): "no",
    # "must we X?" matched to 「不得X'」 is nearly always "must we stay within / keep to X'?" — no cell
    ("must", "prohibition", True): "yes",
    ("must", "needs_approval", False): "yes", ("must", "needs_approval", True): "no",
    ("true", "duty", False): "yes", ("true", "duty", True): "no",
    ("true", "applies_when", False): "yes", ("true", "applies_when", True): "no",
    ("true", "prohibition", False): "no", ("true", "prohibition", True): "yes",
    ("true", "needs_approval", False): "yes", ("true", "needs_approval", True): "no",
    ("true", "exclusion", False): "no", ("true", "exclusion", True): "yes",
}
# The strongest kind wins when one sentence holds several units.
_STRENGTH: tuple[NormKind, ...] = ("prohibition", "needs_approval", "exclusion", "applies_when", "duty", "grant", "fact")

#: what a clause must carry to answer an asked attribute (units and words of the language, not of the license)
ATTRIBUTE_VALUES: dict[Attribute, re.Pattern[str]] = {
    "fee": re.compile(r"\d+(?:\.\d+)?\s*(?:元|万元|yuan|RMB)|收费标准为"),
    "penalty": re.compile(r"罚款|罚金|处罚|吊销|没收|责令停业"),
    "staff_count": re.compile(r"\d+\s*(?:名|人)|[一二三四五六七八九十两]+\s*(?:名|人)(?!民)"),
    "frequency": re.compile(r"每年|每季|每月|每周|每日|每天|定期|每.{0,2}次"),
    "retention": re.compile(r"(?:保存|留存|保留)[^，。；]{0,12}(?:\d|[一二三四五六七八九十])+\s*(?:日|天|个月|月|年)"),
    "grace": re.compile(r"宽限|顺延"),
    "algorithm": re.compile(r"算法|SM\d|AES|RSA"),
    "address": re.compile(r"(?:住所|地址|注册地)\s*[:：]|[\u4e00-\u9fff]{2,}[市区县][\u4e00-\u9fffA-Za-z0-9]{2,}[街路道号室座]"),
    "contact": re.compile(r"@|(?:电话|邮箱)\s*[:：]|\d{3,4}-\d{7,8}"),
    "documents": re.compile(r"(提交|提供|报送|准备)[^，。；]{0,12}(材料|资料|申请书|证明)|材料|资料"),
    "time_limit": re.compile(r"\d+\s*个?(?:工作日|日|天|月|年|小时)|立即|第一时间|及时|提前|季度|\d{4}\s*年"),
    "response_time": re.compile(r"\d+\s*(?:小时|分钟)"),  # 「第一时间」 and 「立即」 name no number of hours
    "rate": re.compile(r"\d+(?:\.\d+)?\s*%|百分之|比例(?:不得|不)?(?:超过|低于|为)"),
    "count": re.compile(r"(?:\d+|[一二三四五六七八九十百千万两]+)\s*(?:个|名|家|人|户|条|位|项|万|级)(?!工作日|月|小时|自然日)"),
}
ATTRIBUTE_NAMES: dict[Attribute, tuple[str, str]] = {
    "fee": ("费用或金额", "any fee or amount"), "penalty": ("罚则或后果", "any penalty or consequence"),
    "staff_count": ("具体人数", "a number of staff"), "frequency": ("频率", "how often"),
    "retention": ("保存期限", "a retention period"), "grace": ("宽限期", "a grace period"),
    "algorithm": ("具体算法或技术标准", "an algorithm or technical standard"),
    "address": ("地址", "an address"), "contact": ("联系方式", "contact details"),
    "documents": ("所需提交的材料", "which documents to submit"),
    "time_limit": ("具体时限", "a time limit"), "response_time": ("响应时限", "a response time"),
    "rate": ("具体比例或费率", "a percentage or rate"), "count": ("具体数量", "a number"),
}
_LEADS: dict[tuple[Verdict, Language], str] = {
    ("yes", "zh"): "是的。", ("yes", "en"): "Yes. ", ("no", "zh"): "不可以。", ("no", "en"): "No. ",
    ("conditional", "zh"): "有条件：须先取得批准。", ("conditional", "en"): "Only with prior approval. ",
}
_TRUE_LEADS: dict[tuple[Verdict, Language], str] = {("no", "zh"): "不是。", ("no", "en"): "No. ", ("yes", "zh"): "是的。",
                                                    ("yes", "en"): "Yes. "}
#: a match of the norm table alone decides a question the clause lookup found no rule for only when it is
#: this similar (e5 cosine + word bonuses) and shares at least one word or term with the question.
MIN_MATCH = 0.86
CITED_MARGIN = 0.05  # how much better a matched rule must be to replace the rule the clause lookup cited
#: …and shares specific words (idf-weighted: one word found in about one clause in seven, log 7 ≈ 2, or two
#: rarer-than-common ones), not 「许可证」「公司」 that most clauses have
MIN_SPECIFIC = 2.0
#: a "yes" needs more than a third of the question's content (idf-weighted) in the rule's sentence: one asked word
#: of three (「要做公安联网备案吗」 against 「定级备案」) leaves the rest of what is asked unanswered
MIN_COVERAGE = 0.34
MIN_ABOUT_COVERAGE = 0.6  # …of a question whether the license has any rule on a topic
# The question asks about telling users; the rule's sentence must itself tell users (「明示…用户」) to answer it.
_USERS_TOLD = re.compile(r"\b(notify|notifies|notifying|tell|telling|inform|informing|alert|alerting|email|emailing|"
                         r"contact|contacting)\s+(each |every |all |the |our |any )?(affected |impacted )?"
                         r"(users?|customers?|subscribers?|members?|victims?)\b|"
                         r"(通知|告知|告诉|提醒|联系)[^，。？?]{0,6}(用户|客户|会员)", re.IGNORECASE)
_TELLS_USERS = re.compile(r"(告知|通知|明示|提示|公布|说明)[^，。；]{0,12}(用户|客户|会员)|向(用户|客户|会员)[^，。；]{0,4}(告知|通知|明示|提示|说明)")


def sentence_of(index: SentenceIndex, norm: Norm) -> Sentence:
    group = index.by_clause[norm.clause_id]
    return next((s for s in group if norm.quote in s.text), group[min(norm.sentence_index, len(group) - 1)])


def norm_for(sentences: list[Sentence], norms: list[Norm], matches: list[NormMatch]) -> Norm | None:
    """The unit the evidence rests on: the best-matching norm of a cited sentence, else its strongest one."""
    keys = {(s.clause_id, s.text) for s in sentences}
    ranked = [m.norm for m in matches if (m.norm.clause_id, m.norm.sentence) in keys
              or any(m.norm.clause_id == c and m.norm.quote in t for c, t in keys)]
    rules = [n for n in ranked if n.kind not in ("grant", "fact")]  # a rule of a cited sentence beats the scope
    if rules or ranked:
        return (rules or ranked)[0]
    inside = [n for n in norms if any(n.clause_id == c and n.quote in t for c, t in keys)]
    return min(inside, key=lambda n: _STRENGTH.index(n.kind)) if inside else None


_INVERTED: dict[Verdict, Verdict] = {"yes": "no", "no": "yes", "conditional": "conditional"}
#: the scope step's answers about a named service (licensed, excluded, not among the licensed services)
_SCOPE_DECISIONS = ("permission:licensed", "permission:excluded", "permission:not-licensed")


def table_verdict(form: QuestionForm, norm: Norm) -> Verdict | None:
    """The table's verdict; a question whether something is forbidden or excluded is the inverse of "may".
    A negation that drops a step ("without consent") leaves a forbidden act forbidden.
    A keep-from negation ("must we avoid…", 「避免…」) negates only a forbidden act: against a duty it names
    what the duty keeps from (「加强权限管理、防止信息泄露」), not a refusal to do it."""
    negated = form.negated and (not form.avoiding or norm.kind == "prohibition")
    if negated and form.stepless and norm.kind == "prohibition" and form.act in ("may", "true") and not form.inverse:
        return "no"  # the forbidden act done without a step ("…without the user's consent") is still forbidden
    if form.only_this and norm.kind == "needs_approval" and form.act == "may" and not form.inverse:
        return "no"  # 「公司只有这张ICP证，能自己铺光纤吗」: the approval the act needs is one the company lacks
    if form.inverse and form.stepless and norm.kind == "needs_approval":
        return "yes"  # 「是不是在拿到批准之前就不能上线？」: without its approval the act cannot be done
    if form.inverse:
        verdict = TABLE.get(("may", norm.kind, negated))
        return _INVERTED[verdict] if verdict else None
    return TABLE.get((form.act, norm.kind, negated))


#: a prohibition that matches a may-question this much better than the rule the clause lookup relied on
#: overrides a "yes" or "conditional" (「可以向未经许可的经营者提供电信资源吗」 is forbidden, not licensed).
PROHIBITION_MARGIN = 0.02
MIN_ACT_SHARED = 2  # …and shares this many words with the forbidden act itself, not only with its condition


#: …or, in words of its own, is the most similar unit of all by this much at this similarity (e5 cosine)
CLEAR_LEAD, CLEAR_DENSE = 0.01, 0.885


# A prohibition of only a restricted form of an act (「收取…明码标价外的…费用」, fees *other than* the marked price):
# the question must name the restriction — its words, or a word of going beyond a limit — to be forbidden by it.
_RESTRICTED = re.compile(r"([\u4e00-\u9fff]{2,6})(?:以外|之外|外)的")
_BEYOND = re.compile(r"额外|另外|另收|再收|多收|多扣|加收|之外|以外|其他|(没|未|不)(写|标|告诉|告知|说明|公示)|不在[^，。？?]{0,8}上|偷偷|隐藏|"
                     r"\b(extra|additional|hidden|beyond|on top|other than|surcharges?)\b|(\bnot|n't) (listed|marked|shown|on|in)\b|"
                     r"\b(without|not) (showing|listing|marking|disclosing|displaying|telling|saying|informing)\b",
                     re.IGNORECASE)


def _names_the_restriction(form: QuestionForm, norm: Norm) -> bool:
    restricted = _RESTRICTED.search(norm.act_zh)
    if not restricted:
        return True
    words = {restricted.group(1)[i:i + 2] for i in range(len(restricted.group(1)) - 1)}
    return bool(_BEYOND.search(form.text)) or any(w in form.text for w in words)


def _names_the_act(match: NormMatch) -> bool:
    return match.act_shared >= MIN_ACT_SHARED or (match.dense_lead >= CLEAR_LEAD and match.dense >= CLEAR_DENSE)


def _decisive(match: NormMatch) -> bool:
    """A match close and specific enough to decide by itself (see :data:`MIN_MATCH`, :data:`MIN_SPECIFIC`)."""
    return match.score >= MIN_MATCH and (
        (match.act_shared >= 1 and match.specific >= MIN_SPECIFIC) or _names_the_act(match)
        or (match.described >= MIN_DESCRIBED and match.described_lead >= DESCRIBED_LEAD))


#: how many of the best rules must agree, and how much of the question the first must hold, for a refraining
#: question to be decided by a duty that no single match decides
AGREEING, MIN_REFRAIN_COVERAGE = 3, 0.5


def _one_duty_refrained(form: QuestionForm, rules: list[NormMatch], coverage: Callable[[Norm], float]) -> bool:
    """"Can we just not tell the regulator?" where every one of the best rules is a duty of one clause, and that
    clause holds much of what is asked: not doing what that clause requires is the question, whatever its words."""
    top = rules[:AGREEING]
    return (form.act == "may" and form.negated and not form.inverse and len(top) == AGREEING
            and len({m.norm.clause_id for m in top}) == 1 and all(m.norm.kind == "duty" for m in top)
            and top[0].score >= MIN_MATCH and coverage(top[0].norm) >= MIN_REFRAIN_COVERAGE)


def _overriding_prohibition(form: QuestionForm, decided: list[Finding], matches: list[NormMatch]) -> NormMatch | None:
    """A "yes"/"conditional" of the clause lookup that a forbidding unit matches better. A negated question
    (「默认开通推送，不让他们退订」, "…without telling users") describes the forbidden manner in its negation,
    so the unit's act needs fewer of its words — but the unit must lead every enabling one all the same."""
    if form.act != "may" or form.inverse or form.avoiding or not matches:
        return None
    if not decided or decided[0].verdict not in ("yes", "conditional"):
        return None
    if _LACKS_LICENCE.search(form.text):
        # "his company has no carrier license — can we lease from him?": the ban on dealing with an unlicensed
        # party is the unit the question's own restriction names, among the closest units whatever their order
        party_ban = next((m for m in matches[:PARTY_BAN_RANKS] if m.norm.kind == "prohibition" and _decisive(m)
                          and _UNLICENSED_PARTY.search(m.norm.act_zh)), None)
        if party_ban is not None:
            return party_ban
    best = matches[0]
    # a negation names the forbidden manner; so does an everyday description of the unit closest of all
    described = best.described >= MIN_DESCRIBED and best.described_lead >= DESCRIBED_LEAD and \
        best.described >= max(m.described for m in matches)
    needed = 1 if form.negated or described else MIN_ACT_SHARED
    if best.norm.kind != "prohibition" or best.score < MIN_MATCH or best.act_shared < needed \
            or not _names_the_restriction(form, best.norm):
        return None  # overriding the clause lookup takes the forbidden act's own words
    enabling = [m for m in matches if m.norm.kind in ("grant", "applies_when", "needs_approval", "duty")]
    if enabling and enabling[0].score + PROHIBITION_MARGIN > best.score:
        return None
    return best


#: an act the question describes is the forbidden act of a unit when one of that unit's everyday descriptions is
#: this similar to the question (e5 cosine) and closer by this much than any description of another clause's units
MIN_DESCRIBED, DESCRIBED_LEAD = 0.86, 0.005
PARTY_BAN_RANKS = 3  # how far down the matches a ban on dealing with an unlicensed party is looked for
CLEAR_DESCRIBED, CLEAR_DESCRIBED_LEAD = 0.9, 0.03  # …so close and so far ahead that it names the act exactly
# A ban on dealing with a party that lacks a licence (「不得…向未取得…许可的单位…」) forbids the act only when the
# question says the other party lacks it.
_UNLICENSED_PARTY = re.compile(r"未取得|未经|无[^，。；]{0,12}许可")
_LACKS_LICENCE = re.compile(r"\b(no|without|unlicen[cs]ed|lacks?|lacking|doesn'?t (hold|have)|does not (hold|have)|"
                            r"don'?t (hold|have)|not licen[cs]ed)\b[^,.?;]{0,30}(licen[cs]|permit|authori[sz])|"
                            r"\bunlicen[cs]ed\b|(没有?|无|未取得|不具备|不持有)[^，。？?；]{0,14}(牌照|许可|资质|执照)", re.IGNORECASE)


def described_prohibition(form: QuestionForm, findings: list[Finding], matches: list[NormMatch],
                          index: SentenceIndex, lang: Language) -> list[Finding]:
    """Step 3b: "may we do X?" that nothing answered, where X is, in everyday words, what a unit forbids
    (「结账时悄悄加一笔价目表上没有的费用」 ↔ 「不得…收取…明码标价外的任何其他费用」): no, from that unit.
    Only a question left not stated is answered so; a prohibition never grants, so nothing is made a yes.
    ``matches`` are the units by their descriptions (:meth:`NormMatcher.by_description`)."""
    if form.act != "may" or (form.negated and not form.stepless) or form.inverse or not matches:
        return findings  # "…without showing it on the price page" still does the forbidden act
    if findings and any(f.verdict != "not_stated" for f in findings):
        return findings
    best, *rest = sorted(matches, key=lambda m: -m.described)
    if best.described < MIN_DESCRIBED or best.described_lead < 0:
        return findings
    # each other clause's closest unit within the lead, closest first: all must forbid, or the act is unclear
    rivals: dict[str, NormMatch] = {}
    for m in rest:
        if m.norm.clause_id != best.norm.clause_id and m.described > best.described - DESCRIBED_LEAD:
            rivals.setdefault(m.norm.clause_id, m)
    candidates = [best, *rivals.values()]
    closest_other = best.described - best.described_lead  # over every clause, retrieved or not
    if best.described_lead < DESCRIBED_LEAD and (len(candidates) == 1 or candidates[1].described < closest_other - 1e-6):
        return findings  # the closest rival clause is not among the matches: its kind is unknown
    if any(m.norm.kind != "prohibition" for m in candidates):
        return findings
    # a description this much closer than every other unit's (its own sentence's included) was written for the
    # restricted act itself (「结账时悄悄加一笔价目表上没有的费用」): the question need not name the restriction
    siblings = [m.described for m in rest if m.norm.clause_id == best.norm.clause_id]
    clear = best.described >= CLEAR_DESCRIBED and best.described - max(siblings + [closest_other]) >= CLEAR_DESCRIBED_LEAD
    norm = next((m.norm for m in candidates if (clear and m is best or _names_the_restriction(form, m.norm)) and not (
        _UNLICENSED_PARTY.search(m.norm.act_zh) and not _LACKS_LICENCE.search(form.text))), None)
    if norm is None:
        return findings
    return [_forbidden_by(norm, form, index, lang, "decide:may:prohibition:described")]


def deceiving(form: QuestionForm, findings: list[Finding], norms: list[Norm], index: SentenceIndex,
              lang: Language) -> list[Finding]:
    """Step 3c: "may we X?" where X presents something untrue ("tell users we're government-certified when we
    aren't", 「编个限时大奖骗用户注册」) that nothing answered: whatever the lie, it is the license's one ban on
    deceiving users. The ban is found by the same words of deceit in the unit's own act (「提供虚假信息…欺骗用户」)."""
    if form.act != "may" or form.negated or form.inverse or not form.deceiving:
        return findings
    if findings and any(f.verdict != "not_stated" for f in findings):
        return findings
    bans = [n for n in norms if n.kind == "prohibition" and DECEIVING.search(n.act_zh)]
    return [_forbidden_by(bans[0], form, index, lang, "decide:may:prohibition:deceiving")] if len(bans) == 1 else findings


def _forbidden_by(norm: Norm, form: QuestionForm, index: SentenceIndex, lang: Language, intent: str) -> Finding:
    sentence = sentence_of(index, norm)
    return Finding("no", f"{_LEADS[('no', lang)]}{_why(norm, form, lang)}{quote_line(index, sentence, lang)}",
                   [sentence], confidence=0.65, intent=intent)


def _evidence_text(findings: list[Finding], best: NormMatch | None) -> str:
    texts = [s.text for f in findings for s in f.cited]
    return " ".join(texts) if texts else (best.norm.sentence if best else "")


def _not_stated(lead: tuple[str, str], nearest: Sentence | None, related: list[str], intent: str, confidence: float,
                index: SentenceIndex, lang: Language) -> Finding:
    """"The license does not say …", then what the nearest clause does say; that clause is related, not cited."""
    zh_lead, en_lead = lead
    if lang == "zh":
        text = zh_lead + (f"最相关的条款只规定了：{quote_line(index, nearest, lang)}" if nearest else "")
    else:
        text = en_lead + (f" The nearest clause only says: {quote_line(index, nearest, lang)}" if nearest else "")
    return Finding("not_stated", text, [], related, confidence=confidence, intent=intent)


def missing_clause(form: QuestionForm, missing: list[Finding], lang: Language) -> list[Finding]:
    """Step 1: the question is about a clause the license does not have. Asked what it says, the license does not
    say (``not_stated``); asked whether it says something ("clause 18 requires yearly pen tests, right?"), no."""
    if not form.yes_no:
        return missing
    text = " ".join(f.text for f in missing)
    return [replace(missing[0], verdict="no", text=_TRUE_LEADS[("no", lang)] + text, intent="reference:missing:yes-no")]


def missing_attribute(form: QuestionForm, findings: list[Finding], best: NormMatch | None, index: SentenceIndex,
                      lang: Language) -> Finding | None:
    """Step 2: the question wants an attribute its evidence does not carry."""
    if form.attribute is None or form.act == "may" or any(f.intent.startswith("premise:") for f in findings):
        return None  # a false premise is corrected before anything else
    if ATTRIBUTE_VALUES[form.attribute].search(_evidence_text(findings, best)):
        return None
    zh_name, en_name = ATTRIBUTE_NAMES[form.attribute]
    # the license's dates are no nearest rule for "how many years must we keep old app versions?"
    rules = [f for f in findings if not f.intent.startswith("date:")] if form.attribute != "time_limit" else findings
    cited = [s for f in rules for s in f.cited][:1] or ([sentence_of(index, best.norm)] if best else [])
    related = list(dict.fromkeys([s.clause_id for s in cited] + [c for f in findings for c in f.related]))[:3]
    return _not_stated((f"许可证未载明{zh_name}。", f"The license does not state {en_name}."),
                       cited[0] if cited else None, related, f"not_stated:{form.attribute}", 0.75, index, lang)


def yes_no(form: QuestionForm, findings: list[Finding], norms: list[Norm], matches: list[NormMatch],
           index: SentenceIndex, lang: Language, coverage: Callable[[Norm], float]) -> list[Finding]:
    """Step 3: a verdict for a yes/no question, from the evidence's norm kind and the question's polarity.
    A "yes" needs the rule to be about what was asked: ``coverage`` (how much of the question's content the
    rule's sentence holds, see :meth:`NormMatcher.coverage`) below :data:`MIN_COVERAGE` means the license is
    silent on it and the rule is only its nearest neighbour."""
    if not form.yes_no or not findings or findings[0].intent.startswith("premise:") or (
            form.premise and findings[0].verdict == "no" and findings[0].intent.startswith("permission:")):
        return findings  # a false premise is corrected before anything else ("since our license lets us run IM…")
    main = findings[0]
    evidence_text = _evidence_text(findings, None)
    # what the date step computed from the license's dates (its term in years) is evidence too
    checked = " ".join([evidence_text] + [f.text for f in findings if f.intent.startswith("date:")])
    # a quarter claimed ("in Q4, right?") is held only against evidence that names a quarter
    claims = [c for c in form.claims if (_figure(c) or 0) >= 0 or any((f or 0) < 0 for f in _figures(checked))]
    # a year is held only against evidence that names a year ("again in 2027?" against a yearly duty is a when)
    names_years = any((f or 0) >= 1900 for f in _figures(checked))
    claims = [c for c in claims if (_figure(c) or 0) < 1900 or names_years]
    unmatched = [c for c in claims if _figure(c) not in _figures(checked)
                 or _day_kind(c) not in (None, *_day_kinds(checked, _figure(c)))]
    if unmatched:  # "logs are kept 6 months, right?": the figure is not the license's
        if _figures(evidence_text) or time_limits(evidence_text):  # 「24小时内报告」 against 「第一时间报告」 differs too
            lead = "不对。" if lang == "zh" else "No — not as stated. "
            return [replace(main, verdict="no", text=lead + main.text, intent=main.intent + ":claim-differs")] + [
                f for f in findings[1:] if f.verdict != "not_stated"]
        return findings
    if main.holds is None and main.intent.startswith(("fact:", "date:")) and form.act == "true":
        if main.intent.startswith("date:") and any(_is_duration(c) for c in form.claims):
            # "valid for five years, right?": every figure it claims is the license's
            lead = "是的。" if lang == "zh" else "Yes. "
            return [replace(main, verdict="yes", text=lead + main.text, intent=main.intent + ":claim-holds")] + \
                findings[1:]
        return findings  # a stated fact that settles no yes/no by itself: say it, do not borrow a rule
    if main.holds is not None and form.act == "must" and main.intent.startswith(("fact:", "fallback:")) \
            and any(field_by_id(s.clause_id) for s in main.cited):
        # 「“空中信使”这个名字需要去注册商标吗？」: the field holds the name, which says nothing of a duty
        return [replace(main, holds=None)] + findings[1:]
    if main.holds is not None:  # a fact or a date that settles the question by itself
        # …asked of the license's own state: a scene's negation ("we won't renew. Is that in time?") flips nothing
        negated = form.negated and bool(negators(asking_sentence(form.text)))
        verdict: Verdict = "yes" if main.holds != (negated != form.inverse) else "no"
        lead = _TRUE_LEADS[(verdict, lang)] if verdict == "no" else ("是的。" if lang == "zh" else "Yes. ")
        said = _leads_no(main.text) if verdict == "no" else main.text.startswith(("是", "Yes"))
        return [replace(main, verdict=verdict, text=main.text if said else lead + main.text,
                        intent=main.intent + ":yes-no")] + findings[1:]
    decided = [f for f in findings if f.verdict in ("yes", "no", "conditional")]
    overriding = _overriding_prohibition(form, decided, matches)
    if overriding is not None:
        sentence = sentence_of(index, overriding.norm)
        why = _why(overriding.norm, form, lang)
        return [Finding("no", f"{_LEADS[('no', lang)]}{why}{quote_line(index, sentence, lang)}", [sentence],
                        confidence=0.7, intent="decide:may:prohibition:overrides")]
    if decided and not form.negated and not form.inverse and not form.only_this and (
            form.act == "may" or (form.act == "true" and decided[0].intent.startswith("permission"))):
        return findings  # the permission step already answered the question as asked
    if decided and form.inverse and not form.negated and decided[0].intent.startswith(_SCOPE_DECISIONS):
        # "does the license not permit us to run X?": the scope step's answer for X, inverted
        scope = decided[0]
        verdict = _INVERTED[scope.verdict]
        rest = re.sub(r"^(不可以。|可以。|No\. |Yes\. )", "", scope.text)
        return [replace(scope, verdict=verdict, text=_TRUE_LEADS[(verdict, lang)] + rest,
                        intent=scope.intent + ":inverse")] + findings[1:]
    evidence = [s for f in (decided or [main]) for s in f.cited]
    cited = norm_for(evidence, norms, matches) if evidence else None
    rules = [m for m in matches if m.norm.kind not in ("fact", "grant")]
    best = rules[0] if rules and (_decisive(rules[0]) or _one_duty_refrained(form, rules, coverage)) else None
    cited_score = next((m.score for m in matches if m.norm is cited), None)
    # the clause lookup's evidence stands unless the norm table holds a clearly better-matching rule
    if cited is not None and cited.kind not in ("fact", "grant") and (
            best is None or (cited_score is not None and cited_score + CITED_MARGIN >= best.score)):
        norm, from_match = cited, False
    elif best is not None:
        norm, from_match = best.norm, True
    else:
        return findings
    evidence = [sentence_of(index, norm)]
    verdict = table_verdict(form, norm)
    grants = form.act == "may" and (verdict == "yes") != form.inverse  # "yes, allowed" / "no, not forbidden"
    if verdict is None or (from_match and grants):
        return findings  # a similar rule alone never grants: the license may be silent on the act itself
    if verdict in ("yes", "no") and _USERS_TOLD.search(form.text) and not _TELLS_USERS.search(norm.sentence):
        # "must we email every affected customer?" against a sentence that tells users nothing: silent on it
        return [_not_stated(("许可证未规定这一点：相关条款没有要求告知用户。",
                             "The license does not say so: the rule found does not require telling users."),
                            evidence[0], [norm.clause_id], "not_stated:recipient", 0.6, index, lang)]
    # "is hosting excluded?" answered "no" from a duty holds as much of the question as a "yes" would
    permits = (verdict == "yes" and not form.negated) or (form.inverse and norm.kind in ("duty", "applies_when"))
    # "does the license have rules on X?" asks X whole: the rule must hold most of it, not only its nearest part
    needed = MIN_ABOUT_COVERAGE if form.about else MIN_COVERAGE
    if permits and coverage(norm) < needed:
        # the lookup cited a neighbour: a rule matched about as well that holds what was asked answers instead
        covering = [m for m in rules if m.norm is not norm and _decisive(m) and m.score + CITED_MARGIN >= rules[0].score
                    and table_verdict(form, m.norm) == verdict and coverage(m.norm) >= needed]
        if not covering:
            # the rule found is about something else: the license is silent on what was asked
            return [_rule_elsewhere(evidence[0], norm, index, lang)]
        norm, from_match, evidence = covering[0].norm, True, [sentence_of(index, covering[0].norm)]
    if from_match and norm.kind == "prohibition" and best is not None and not _names_the_act(best):
        return findings  # a "no" needs the forbidden act itself in the question, not only its surroundings
    if norm.kind == "prohibition" and verdict == "no" and not _names_the_restriction(form, norm):
        return findings  # "may we charge users?" is not asked about fees beyond the marked price
    if form.about and verdict == "no":
        # "does the license have rules on X?" is not "is X so?": a rule that holds X is a yes, any other is silence
        if coverage(norm) < MIN_ABOUT_COVERAGE:
            return [_rule_elsewhere(evidence[0], norm, index, lang)]
        verdict = "yes"
    lead = _LEADS[(verdict, lang)] if form.act == "may" and not form.inverse else _TRUE_LEADS.get(
        (verdict, lang), _LEADS.get((verdict, lang), ""))
    quotes = " ".join(quote_line(index, s, lang) for s in dict.fromkeys(evidence))
    why = _why(norm, form, lang)
    polarity = ("neg" if form.negated else "pos") + (":inverse" if form.inverse else "")
    return [Finding(verdict, f"{lead}{why}{quotes}", list(dict.fromkeys(evidence)), confidence=0.7,
                    intent=f"decide:{form.act}:{norm.kind}:{polarity}" + (":matched" if from_match else ""))]


def _rule_elsewhere(sentence: Sentence, norm: Norm, index: SentenceIndex, lang: Language) -> Finding:
    """The rule found is about something else: the license is silent on what was asked, that rule related."""
    return _not_stated(("许可证未规定这一点。", "The license does not say so."), sentence, [norm.clause_id],
                       "not_stated:rule-elsewhere", 0.6, index, lang)


_NUMBER = re.compile(r"\d+|[一二三四五六七八九十两]+|\b[a-z]+\b", re.IGNORECASE)
_EN_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
               "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "sixty": 60, "ninety": 90,
               "first": 1, "second": 2, "third": 3, "fourth": 4}
_QUARTER = re.compile(r"季度|quarter|\bQ[1-4]\b", re.IGNORECASE)


def _figure(claim: str) -> int | None:
    """The number of a claimed figure, in days where a unit says so ("one month" → 30, 「半年」 is no figure)."""
    m = _NUMBER.search(claim.removeprefix("Q").removeprefix("q"))
    if not m:
        return None
    word = re.sub(r"(?<=\d)(st|nd|rd|th)$", "", m.group().lower())
    number = int(word) if word.isdigit() else _EN_NUMBERS.get(word) or cn_to_int(word)
    if number is not None and _QUARTER.search(claim):
        return -number  # a quarter of the year is no count of days
    if number is not None and re.search(r"month|个月|月", claim, re.IGNORECASE) and not re.search(r"年.*月", claim):
        return number * 30
    if number is not None and re.search(r"week|周", claim, re.IGNORECASE):
        return number * 7
    return number


def _is_duration(claim: str) -> bool:
    """"five years", 「30日」 — not a year such as 2021."""
    figure = _figure(claim)
    return figure is not None and figure < 1900


def _figures(text: str) -> set[int | None]:
    return {_figure(m.group()) for m in CLAIM.finditer(text)}


_WORKING = re.compile(r"working|business|工作日", re.IGNORECASE)
_CALENDAR = re.compile(r"calendar|自然日", re.IGNORECASE)


def _day_kind(claim: str) -> str | None:
    """Which days a claimed figure counts, where it says ("10 calendar days" against 「10个工作日」 differs)."""
    return "working" if _WORKING.search(claim) else "calendar" if _CALENDAR.search(claim) else None


def _day_kinds(text: str, figure: int | None) -> set[str]:
    """The kinds of day the evidence counts ``figure`` in: a plain 「30日」 counts calendar days."""
    return {"working" if _WORKING.search(m.group()) else "calendar" for m in CLAIM.finditer(text)
            if _figure(m.group()) == figure}


def _leads_no(text: str) -> bool:
    return text.startswith(("不", "No", "否"))


def _why(norm: Norm, form: QuestionForm, lang: Language) -> str:
    zh = lang == "zh"
    if norm.kind in ("duty", "applies_when"):
        when = f"（{norm.condition_zh}）" if norm.condition_zh and zh else ""
        if form.negated:
            return f"许可证要求{when}{norm.act_zh}，不能省略。" if zh else \
                "The license requires this; it cannot be skipped. "
        return f"许可证要求{when}{norm.act_zh}。" if zh else "The license requires it. "
    if norm.kind == "prohibition":
        if form.negated and form.stepless:
            return f"许可证禁止{norm.act_zh}；省去这一步，仍是被禁止的行为。" if zh else \
                "The license forbids that act; leaving the step out does not make it allowed. "
        if form.negated:
            return f"许可证禁止{norm.act_zh}，不这样做正是要求。" if zh else \
                "The license forbids that act, so refraining from it is what it requires. "
        return f"许可证禁止{norm.act_zh}。" if zh else "The license forbids this. "
    if norm.kind == "needs_approval":
        if form.only_this and not form.negated:
            return (f"仅凭本许可证不可以：须另经批准或取得相应许可后方可{norm.act_zh}。" if zh else
                    "Not with this license alone: it needs a further approval or license first. ")
        if form.negated:
            return f"未经批准不得{norm.act_zh}。" if zh else "Not without approval: the license requires it first. "
        return f"须经批准后方可{norm.act_zh}。" if zh else "It needs approval first. "
    if norm.kind == "exclusion":
        return f"许可的业务范围不含{norm.act_zh}。" if zh else "The licensed scope excludes it. "
    return ""


def not_provided(form: QuestionForm, findings: list[Finding], matches: list[NormMatch], index: SentenceIndex,
                 lang: Language, services: Callable[[str], set[str]]) -> list[Finding]:
    """Step 3d: a rule that applies only while providing a service (「你公司提供应用软件发布平台服务时」), asked
    about by a question that says we do not provide it (「我们根本没做应用商店，上架前检测可以不搞吗？」): it does
    not bind. "Must we…?" is no, "may we skip…?" yes. ``services`` names the services a text mentions."""
    negated_may = form.act == "may" and form.negated and not form.stepless
    if not form.not_provided or not (negated_may or (form.act in ("must", "true") and not form.negated)):
        return findings
    denied = set().union(*(services(p) for p in form.not_provided))
    rule = next((m for m in matches[:2] if m.norm.kind == "applies_when" and _decisive(m)), None)
    if rule is None or not denied:
        return findings
    norm = rule.norm
    if not denied & services(" ".join(p for p in (norm.applies_to, norm.condition_zh) if p)):
        return findings
    verdict: Verdict = "yes" if negated_may else "no"
    sentence = sentence_of(index, norm)
    when = norm.condition_zh or norm.applies_to or ""
    why = (f"这项要求只在{when.removeprefix('你公司')}适用；你们不提供该服务，它不约束你们。" if lang == "zh" else
           "That requirement applies only while the Company provides the service it names; you say you do not. ")
    lead = {("yes", "zh"): "可以。", ("no", "zh"): "不需要。", ("yes", "en"): "Yes. ", ("no", "en"): "No. "}[(verdict, lang)]
    return [Finding(verdict, f"{lead}{why}{quote_line(index, sentence, lang)}", [sentence], confidence=0.6,
                    intent=f"decide:{form.act}:applies_when:not-provided")]


DELAY_RANKS = 3  # how far down the rule matches a duty to act at once is looked for


def delayed_duty(form: QuestionForm, findings: list[Finding], matches: list[NormMatch], index: SentenceIndex,
                 lang: Language) -> list[Finding]:
    """Step 3e: "may we put X off?" where X is, among the closest rules, a duty to act at once (立即, 及时,
    第一时间) that shares a word of its act with the question: no — waiting is not doing what it requires then.
    A "no" already found stands."""
    if form.act not in ("may", "true") or form.inverse or not form.delays or any(f.verdict == "no" for f in findings):
        return findings
    rules = [m for m in matches if m.norm.kind not in ("fact", "grant")][:DELAY_RANKS]
    duty = next((m for m in rules if m.norm.kind in ("duty", "applies_when") and m.norm.period is not None
                 and m.norm.period.kind == "immediate" and m.score >= MIN_MATCH and m.act_shared >= 1), None)
    if duty is None:
        return findings
    norm = duty.norm
    sentence = sentence_of(index, norm)
    assert norm.period is not None
    why = (f"不可以。许可证要求{norm.act_zh}——「{norm.period.text}」，不能拖到以后。" if lang == "zh" else
           f"No. The license requires this at once (「{norm.period.text}」); putting it off is not doing it. ")
    return [Finding("no", why + quote_line(index, sentence, lang), [sentence], confidence=0.7,
                    intent=f"decide:{form.act}:duty:delayed")]


def undecided_is_silent(form: QuestionForm, findings: list[Finding], index: SentenceIndex,
                        lang: Language) -> list[Finding]:
    """Step 4: a yes/no question the steps could not decide, answered only by the lookup's loose fallback (a clause that
    shares words with it), is one the license does not answer: not stated, with that clause as related."""
    if not form.yes_no or len(findings) != 1 or findings[0].verdict != "info" \
            or not findings[0].intent.startswith("fallback"):
        return findings
    loose = findings[0]
    related = list(dict.fromkeys([s.clause_id for s in loose.cited] + loose.related))
    return [_not_stated(("许可证没有直接规定这一点。", "The license does not say so directly."),
                        loose.cited[0] if loose.cited else None, related, loose.intent + ":undecided", 0.55, index, lang)]


def _met(form: QuestionForm, due: date, today: date) -> bool | None:
    """"Are we still in time?" / "is it overdue?": the deadline against the day the act was done — the
    question's second day, or for a yearly period its only one — else today."""
    if not form.yes_no or not (IN_TIME.search(form.text) or OVERDUE.search(form.text)):
        return None
    done = form.dates[1] if len(form.dates) > 1 else form.dates[0] if due.period.kind == "yearly" else today
    in_time = done <= due.day
    return in_time if IN_TIME.search(form.text) else not in_time


_UNIT_EN = {"working_day": "working days", "day": "calendar days", "month": "months", "year": "years"}


#: a dated event closer than this (e5 cosine) to one timed unit than to any other names the period it starts
EVENT_LEAD = 0.01


def computed_deadline(form: QuestionForm, findings: list[Finding], norms: list[Norm], matches: list[NormMatch],
                      index: SentenceIndex, expiry: date, today: date, lang: Language,
                      by_event: Callable[[list[Norm]], tuple[Norm, float] | None] | None = None) -> list[Finding]:
    """Step 5: "we changed shareholders on 2026-06-15 — by when?" → the day, not only "within 30 days";
    "…is it still in time?" → yes or no against today (or the day the question says it was done).
    When neither the evidence nor the best match has a period ("took down a post on Nov 13 … are we still in
    time?" matches the renewal rule best), ``by_event`` names the timed unit closest to the dated event, if it
    is clearly the closest."""
    if not form.dates or form.act not in ("when", "what_do", "must", "true", "what", "may") \
            or any(f.intent.startswith("date:") for f in findings):
        return findings
    evidence = [s for f in findings for s in f.cited]
    timed = [n for n in norms if n.period and (n.period.kind == "within" and n.period.anchor == "event"
                                               or n.period.kind == "yearly")]
    cited = norm_for(evidence, timed, [m for m in matches if m.norm in timed])
    # the best match, or the timed unit of its sentence: 「立即处置…并在处置后10个工作日内上报」 is one sentence, and
    # "dealt with illegal info on Nov 20 — still within the reporting window?" matches its first unit best
    first = matches[0].norm if matches else None
    same_sentence = [n for n in timed if first is not None and (n.clause_id, n.sentence) == (first.clause_id,
                                                                                               first.sentence)]
    top = first if first in timed else next(iter(same_sentence), None)
    norm = cited or top
    if norm is None and by_event is not None and (form.act in ("when", "what_do") or form.yes_no and (
            IN_TIME.search(form.text) or OVERDUE.search(form.text))):
        closest = by_event(timed)
        norm = closest[0] if closest and closest[1] >= EVENT_LEAD else None
    if norm is None or norm.period is None:
        return findings
    if findings and findings[0].intent == "not_stated:no-topic" and cited is None and not _decisive(matches[0]):
        return findings  # a day in a question the license has no topic for ("the weather tomorrow?") computes nothing
    start = form.dates[0]
    due = deadline(norm.period, start, expiry)
    if due is None:
        return findings
    day = due.day.isoformat()
    unit = _UNIT_EN.get(norm.period.unit or "day", "days")
    if norm.period.kind == "yearly":
        line = (f"按「{norm.period.text}」，{due.day.year}年的期限是{day}（{due.day.year}年{due.day.month}月{due.day.day}日）。"
                if lang == "zh" else f"The period is 「{norm.period.text}」 (quarter {norm.period.number} of each year): "
                f"for {due.day.year} the last day is {day} ({due.day:%B} {due.day.day}, {due.day.year}).")
    elif lang == "zh":
        line = (f"按{norm.period.text}计算（自{start.isoformat()}起），最迟应在{day}（{due.day.year}年{due.day.month}月"
                f"{due.day.day}日）前完成。")
        if due.estimated:
            line += "（注：该日期超出节假日日历已知年份，工作日按周一至周五估算。）"
    else:
        line = (f"Counting {norm.period.number} {unit} from {start.isoformat()}, the deadline is {day} "
                f"({due.day:%B} {due.day.day}, {due.day.year}).")
        if due.estimated:
            line += " (Note: this lies beyond the years the holiday calendar knows; working days are counted as Mon–Fri.)"
    source = sentence_of(index, norm)
    wrong = _wrong_period(form, norm)
    if wrong:  # "since the license gives us 60 days…": the premise is corrected, then the day is given
        return [Finding("no", f"{_period_differs(norm, wrong, lang)}{line} {quote_line(index, source, lang)}",
                        [source], confidence=0.75, intent="deadline:claim-differs")]
    met = _met(form, due, today)
    if met is not None:
        verdict: Verdict = "yes" if met else "no"
        return [Finding(verdict, f"{_TRUE_LEADS[(verdict, lang)]}{line} {quote_line(index, source, lang)}", [source],
                        confidence=0.75, intent="deadline:met" if met else "deadline:missed")]
    if not findings or findings[0].verdict == "not_stated":
        first = Finding("info", quote_line(index, source, lang), [source], confidence=0.7, intent="deadline")
        return [replace(first, text=f"{line} {first.text}")]
    first = findings[0]
    cited = first.cited if source in evidence else first.cited + [source]
    return [replace(first, text=f"{line} {first.text}".strip(), intent=first.intent + ":deadline",
                    cited=cited)] + findings[1:]


def _wrong_period(form: QuestionForm, norm: Norm) -> str | None:
    """The length of time the question states as the rule's period, when it is not the period's (None if it
    states none, or the right one): a claim of 60 days against 「30日内」 or 「提前90日」."""
    period = norm.period
    if period is None or period.number is None or period.kind not in ("within", "advance"):
        return None
    days = period.number * (30 if period.unit == "month" else 365 if period.unit == "year" else 1)
    claimed = [c for c in form.rule_claims if _is_duration(c)]
    return claimed[0] if claimed and all(_figure(c) != days for c in claimed) else None


def stated_period(form: QuestionForm, findings: list[Finding], norms: list[Norm], matches: list[NormMatch],
                  lang: Language) -> list[Finding]:
    """Step 4b: a what / when question that states the rule's period wrongly ("we have to file for renewal 60 days
    before expiry — what date is that?", 「既然续期要提前60天…」) is corrected before it is answered. A question
    with a date of its own is left to step 5, which corrects it next to the day it computes."""
    if form.yes_no or form.dates or not findings or findings[0].verdict == "not_stated":
        return findings
    evidence = [s for f in findings for s in f.cited]
    timed = [n for n in norms if n.period and n.period.kind in ("within", "advance")]
    norm = norm_for(evidence, timed, [m for m in matches if m.norm in timed])
    wrong = _wrong_period(form, norm) if norm is not None else None
    if norm is None or wrong is None:
        return findings
    main = findings[0]
    return [replace(main, verdict="no", text=_period_differs(norm, wrong, lang) + main.text,
                    intent=main.intent + ":period-differs")] + findings[1:]


def _period_differs(norm: Norm, wrong: str, lang: Language) -> str:
    """The correction that leads an answer to a question stating ``norm``'s period as ``wrong``."""
    assert norm.period is not None
    if lang == "zh":
        return f"不对，许可证规定的是{norm.period.text}，不是{wrong}。"
    return f"No — the license gives {norm.period.number} {_UNIT_EN.get(norm.period.unit or 'day', 'days')}, not {wrong}. "


def verdict_for_form(form: QuestionForm, findings: list[Finding]) -> list[Finding]:
    """Step 6: a what / when / how question is answered with what the license says — the "yes" or "conditional"
    of the rule it rests on becomes "info" (the text keeps the condition); a "no" stays, it corrects the question
    (「既然许可证允许做即时通讯，要备案什么？」)."""
    if form.yes_no:
        return findings
    return [replace(f, verdict="info") if f.verdict in ("yes", "conditional") else f for f in findings]
