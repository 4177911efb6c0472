"""Facts read from the license's labelled fields, and dates computed from them for an as-of date
(issue, expiry, validity, renewal deadline = expiry minus the notice period read from the renewal clause)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from . import template as tpl
from .corpus import GlossaryEntry
from .evidence import Sentence, time_limits
from .findings import Finding, SentenceIndex, quote_line
from .intents import IN_TIME, OVERDUE, PART_OF, RENEWAL, VALID_STATUS, WIND_DOWN, DateAsk
from .parser import Clause
from .reason.question import asked_part
from .schema import Language
from .text import dates_in, fold, periods_in


def field_clause(entry: GlossaryEntry) -> str | None:
    """The template field a glossary 'field' entry names (「有效期」 → main.expiry), if the template has it."""
    for spec in tpl.FIELDS:
        if fold(spec.label_zh) in fold(entry.zh) or fold(entry.zh) in fold(spec.label_zh):
            return spec.clause_id
    return None


def fmt_date(day: date, lang: Language) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else f"{day:%B} {day.day}, {day.year} ({day.isoformat()})"


def _value(text: str) -> str:
    for sep in ("：", ": ", ":"):
        if sep in text:
            return text.split(sep, 1)[1].strip()
    return text


def _both_values(clause: Clause) -> str:
    """A field's value in both languages, folded, for finding what a question names in it."""
    return fold(_value(clause.text_zh) + " " + _value(clause.text_en))


def _not_the_value(clause: Clause, asked: str, zh: bool) -> str:
    value = _value(clause.text_zh) if zh else _value(clause.text_en)
    return f"不对，是{value}，不是{asked}。" if zh else f"No, it is {value}, not {asked}."


_CLAIM_ZH = re.compile(r"是([\u4e00-\u9fff]{2,4}?)(?:吧|吗|对吧|对不对|没错吧)")
_CLAIM_EN = re.compile(r"\b(?:is|are)\s+([A-Z][\w-]+(?:\s+[A-Z][\w-]+){0,3})\s*,?\s*(?:right|correct)\b")
# 京ICP证020001号, 沪B2-20230456, and the romanised "Jing ICP Zheng 020001" of the translation
_ASKED_NUMBER = re.compile(r"[\u4e00-\u9fff]?ICP[\u4e00-\u9fff]?\s*\d+\s*号?|[A-Z]\d-\d{8}|(?:\b[A-Z][a-z]+\s+)?ICP\s+[A-Z][a-z]+\s+\d+")


def _membership(index: SentenceIndex, clause_id: str, question: str, lang: Language) -> tuple[str, bool | None]:
    """"Is www.x.cn one of our domains?" / "Our number is …, right?": say yes or no before stating the field."""
    zh = lang == "zh"
    if clause_id == "annex.domains":
        listed = {d.lower().removeprefix("www."): d for d in index.license.fields.domains}
        lines = []
        # "kongzhong.com" names the site www.kongzhong.com: the host is compared without its www.
        named = {d.lower().removeprefix("www."): d.lower() for d in tpl.DOMAIN.findall(question)}
        asked = list(named)
        for bare in asked:
            domain = listed.get(bare, named[bare])
            if bare in listed:
                lines.append(f"是，{domain}在许可证列明的网站域名中。" if zh else f"Yes, {domain} is one of the licensed domains.")
            else:
                lines.append(f"不，{domain}不在许可证列明的网站域名中。" if zh else
                             f"No, {domain} is not among the licensed domains.")
        return " ".join(lines), (all(d in listed for d in asked) if asked else None)
    claim = _CLAIM_ZH.search(question) or _CLAIM_EN.search(question)
    if clause_id in ("main.company", "main.legal-rep", "annex.site-name", "annex.access-provider") and claim:
        clause = index.license.clause(clause_id)
        asked = claim.group(1).strip()
        if fold(asked) not in fold(clause.text_zh) and fold(asked) not in fold(clause.text_en):
            return _not_the_value(clause, asked, zh), False
    if clause_id == "main.number":
        number = index.license.fields.license_number
        english = fold(_value(index.license.clause(clause_id).text_en))  # "jing icp zheng 020001 (京icp证020001号)"
        written = {fold(number), *(part.strip(" ()") for part in english.split("("))}
        for asked in _ASKED_NUMBER.findall(question):
            if fold(asked).strip() not in written:
                return (f"不对，许可证编号是{number}，不是{asked.strip()}。" if zh else
                        f"No, the license number is {number}, not {asked.strip()}."), False
            return ("是的。" if zh else "Yes."), True
    if tpl.field_by_id(clause_id) and tpl.field_by_id(clause_id).kind == "text":
        quoted = _quoted_values(question, lang)
        if quoted:  # 「网站名称我们写成了“空中网”，一致吧？」, "records our site name as 空中快递, right?"
            clause = index.license.clause(clause_id)
            wrong = [q for q in quoted if fold(q) not in _both_values(clause)]
            return (_not_the_value(clause, wrong[0], zh), False) if wrong else ("", True)
        return "", _names_in_value(index, clause_id, question)
    return "", None


_QUOTED = re.compile(r"[“「『\"‘]([^”」』\"’]{2,40})[”」』\"’]")
_CJK_WORD = re.compile(r"(?<![A-Za-z0-9\u4e00-\u9fff])[\u4e00-\u9fff]{2,}(?![A-Za-z0-9\u4e00-\u9fff])")  # not 「ICP证的access」


def _quoted_values(question: str, lang: Language) -> list[str]:
    """The values a question sets apart as its claim: what it quotes, and a Chinese word standing on its own in an
    English question."""
    asked = asked_part(question)
    return _QUOTED.findall(asked) + (_CJK_WORD.findall(_QUOTED.sub(" ", asked)) if lang == "en" else [])


#: words jieba tags as names that name the document itself
_NOT_NAMES = frozenset({"许可证", "经营许可证", "营业执照"})


def _proper_names(question: str) -> list[str]:
    """Places, people and organisations the question names: jieba's part-of-speech tags for Chinese
    (ns/nr/nt/nz), capitalised words for English (the first word of the sentence left out)."""
    import jieba.posseg

    names: list[str] = []
    run = ""  # adjacent names are one name: 「中国电信」「北京」 in 「中国电信北京分公司」
    for w in [*jieba.posseg.lcut(question), None]:
        if w is not None and w.flag[:2] in ("ns", "nr", "nt", "nz") and len(w.word) > 1 and w.word not in _NOT_NAMES:
            run += w.word
            continue
        if run:
            names.append(run)
        run = ""
    names += re.findall(r"(?<=[a-z,] )[A-Z][a-z]{2,}(?: [A-Z][a-z]+)*(?!\w| ?\d)", question)  # "Class 9" is a label
    return names


def _names_in_value(index: SentenceIndex, clause_id: str, question: str) -> bool | None:
    """"Are our servers in Haidian?": True when a name the question gives is in the field's value, False when
    it names something else only, None when it names nothing to check."""
    clause = index.license.clause(clause_id)
    value = _both_values(clause)
    label = fold(clause.label_zh + " " + clause.label_en)
    # the names the asking sentence gives, not the scene's ("…as a trademark in Class 38. Does the license say…?")
    names = [n for n in _proper_names(asked_part(question)) if fold(n) not in label]
    if not names:
        return None
    return any(fold(n) in value for n in names)


def contradicted_field(index: SentenceIndex, clause_id: str, term: str, question: str,
                       lang: Language) -> Finding | None:
    """「许可证上的法定代表人是王强，换法人要走什么流程？」: a value the question asserts for a field (its term, then
    是/为/is and a value) that the field does not hold — a false premise, corrected before anything else."""
    claim = re.search(re.escape(term) + r"[^，。？?,.]{0,4}?(是|为|叫|写的是|\bis\b|\bwas\b|\bare\b)\s*([^，。？?,.;—–]+?)(?=\s+[-—–]|[，。？?,.;—–]|$)",
                      question, re.IGNORECASE)
    if not claim or not index.license.has(clause_id):
        return None
    lead, holds = _membership(index, clause_id, claim.group(0), lang)
    if holds is not False:
        return None
    clause = index.license.clause(clause_id)
    value = _value(clause.text_zh) if lang == "zh" else _value(clause.text_en) or _value(clause.text_zh)
    asked = claim.group(2).strip()
    lead = lead or (f"不对，{clause.label_zh}是{value}，不是{asked}。" if lang == "zh" else
                    f"No — the {clause.label_en.lower()} is {value}, not {asked}.")
    quotes = " ".join(quote_line(index, s, lang) for s in index.by_clause[clause_id])
    return Finding("no", f"{lead} {quotes}", list(index.by_clause[clause_id]), confidence=0.85,
                   intent=f"premise:{clause_id}")


def state_field(index: SentenceIndex, clause_id: str, lang: Language, question: str = "") -> Finding:
    clause = index.license.clause(clause_id)
    cited = index.by_clause[clause_id]
    part_of = _part_of_license(index, clause_id) if clause_id.endswith(".preamble") and PART_OF.search(question) else []
    cited = list(dict.fromkeys([*cited, *part_of]))
    quotes = " ".join(quote_line(index, s, lang) for s in cited)
    if clause_id.endswith(".preamble"):
        return Finding("info", quotes, cited, confidence=0.9, intent=f"fact:{clause_id}", holds=True if part_of else None)
    label = clause.label_zh if lang == "zh" else clause.label_en
    if clause_id == "annex.domains":
        domains = index.license.fields.domains
        value = "、".join(domains) if lang == "zh" else ", ".join(domains)
        value = f"共{len(domains)}个：{value}" if lang == "zh" else f"{len(domains)} in all: {value}"
    else:
        value = _value(clause.text_zh) if lang == "zh" else _value(clause.text_en) or _value(clause.text_zh)
    lead, holds = _membership(index, clause_id, question, lang)
    text = f"{label}：{value}。{quotes}" if lang == "zh" else f"{label}: {value}. {quotes}"
    return Finding("info", f"{lead} {text}".strip(), list(cited), confidence=0.95, intent=f"fact:{clause_id}",
                   holds=holds)


def _part_of_license(index: SentenceIndex, clause_id: str) -> list[Sentence]:
    """The sentences that make a section part of the license: its own (「《特别规定事项》是经营许可证重要组成部分」) or
    the grant's naming it (「按照本经营许可证（正文和附件）载明的内容」). None found: the license does not say."""
    section = clause_id.split(".")[0]
    names = "|".join(re.escape(n) for n in tpl.SECTION_NAMES.get(section, ()))
    if not names:
        return []
    own = [s for s in index.by_clause[clause_id] if "组成部分" in s.text]
    named = [s for s in index.by_clause.get("main.preamble", []) if re.search(rf"[（(][^）)]*({names})[^）)]*[）)]", s.text)]
    return own or named


def referenced_clause(index: SentenceIndex, clause_id: str, lang: Language) -> Finding:
    """A clause the question names ("Special Provision 12", 「第十五条第（十二）项」); one that does not exist is
    said not to exist rather than cited."""
    if not index.license.has(clause_id):
        label = tpl_label(clause_id, lang)
        text = (f"许可证中没有{label}：该条款不存在，许可证未载明。" if lang == "zh" else
                f"The license has no {label} — that clause does not exist, so the license does not say.")
        return Finding("not_stated", text, [], confidence=0.9, intent="reference:missing")
    cited = index.by_clause[clause_id][:1]
    quotes = " ".join(quote_line(index, s, lang) for s in cited)
    return Finding("info", quotes, cited, confidence=0.9, intent=f"reference:{clause_id}")


def tpl_label(clause_id: str, lang: Language) -> str:
    try:
        zh, en = tpl.clause_labels(clause_id)
    except KeyError:
        return clause_id
    return zh if lang == "zh" else en


def absent_field(index: SentenceIndex, entry: GlossaryEntry, lang: Language) -> Finding:
    """A field people expect on a license (registered capital, address) that this one does not state."""
    related = list(dict.fromkeys(s.clause_id for s in index.find(entry.zh)))[:3]
    labels = "、".join(index.label(c, "zh") for c in related) if lang == "zh" else ", ".join(
        index.label(c, "en") for c in related)
    if lang == "zh":
        text = f"许可证未载明{entry.zh}的具体内容。" + (f"相关条款（仅涉及其变更等事项，不载明具体内容）：{labels}。" if related else "")
    else:
        text = (f"The license does not state the {entry.en}." +
                (f" It is only mentioned, never given, in {labels} (e.g. what to do when it changes)." if related else ""))
    return Finding("not_stated", text, [], related, confidence=0.85, intent="not_stated:field")


def advance_rule(index: SentenceIndex, ask: DateAsk) -> tuple[Sentence, int] | None:
    """The sentence requiring a notice N days before expiry, and N: the renewal application (「需要继续经营的，
    应当提前90日…申请」) or, for ``wind_down``, the report that the business stops (「不再继续经营的，应当提前90日…报告」).
    One sentence may hold both, each in its own 「；」 part."""
    for sentence in index.find("提前", sections=("special",)):
        for part in re.split(r"[；;]", sentence.text):
            stops = bool(WIND_DOWN.search(part))
            if (stops if ask == "wind_down" else RENEWAL.search(part) and not stops):
                advance = [t for t in time_limits(part) if t.kind == "advance" and t.number]
                if advance:
                    return sentence, int(advance[0].number or 0)
    return None


def _term_years(issue: date, expiry: date) -> str:
    """The license's term in years ("5", "2.5")."""
    return f"{round((expiry - issue).days / 365.25, 1):g}"


def _days(n: int, lang: Language) -> str:
    return f"{n}天" if lang == "zh" else f"{n} day{'s' if n != 1 else ''}"


_EXPIRED = re.compile(r"\bexpired\b|\blapsed\b|\bno longer valid\b|过期|失效|作废", re.IGNORECASE)
_LAST_DAY = re.compile(r"\blast day\b|\bfinal day\b|最后一天|最后一日|最后期限", re.IGNORECASE)  # 「截止日」 is any deadline
_BEFORE = re.compile(r"\b(before|prior to|earlier than|by)\b|之前|以前", re.IGNORECASE)
_AFTER = re.compile(r"\b(after|later than|beyond|past)\b|之后|以后", re.IGNORECASE)


def _claim_holds(field_day: date, named: tuple[date, date], question: str) -> bool:
    """Whether the license's date lies in the day, month or year the question names (its first and last day) —
    or before / after it, as the question asks."""
    first, last = named
    if _BEFORE.search(question):
        return field_day <= last if re.search(r"\bby\b", question, re.IGNORECASE) else field_day < first
    if _AFTER.search(question):
        return field_day > last
    return first <= field_day <= last


# The license's own date stated by the question: "our license runs until 28 December 2027", 「有效期到2027年…」.
_STATED_DATE = {
    "expiry": re.compile(r"\b(runs?|valid|good|in force|lasts?)\s+(until|till|through|to)\b|\bexpir\w*\s+(on|at)?\b|"
                         r"有效期(至|到|截至|截止到?)|(到期|届满)(日期?)?(是|为|在)?", re.IGNORECASE),
    "issue": re.compile(r"\bissued\s+(on|at)?\b|\bissue date (is|was|of)\b|(发证|颁发)(日期)?(是|为|在|于)", re.IGNORECASE),
}


_DATE_SAYS = {"expiry": ("许可证有效期至", "the license runs until"), "issue": ("许可证的发证日期是", "the license was issued on")}


def _period_name(first: date, last: date, lang: Language) -> str:
    """「2027年」 / "2027", 「2027年1月」 / "January 2027"."""
    if (first.month, last.month) == (1, 12):
        return f"{first.year}年" if lang == "zh" else str(first.year)
    return f"{first.year}年{first.month}月" if lang == "zh" else f"{first:%B} {first.year}"


def contradicted_date(index: SentenceIndex, question: str, lang: Language) -> Finding | None:
    """"Since our license runs until 28 December 2027, …": a day stated right after a phrase that names the
    license's expiry (or issue) date, when it is not that date — a false premise, corrected first."""
    fields = {"expiry": ("main.expiry", index.license.fields.expiry),
              "issue": ("main.issue-date", index.license.fields.issue_date)}
    for kind, cue in _STATED_DATE.items():
        for m in cue.finditer(question):
            window = question[m.end():m.end() + 24]
            clause_id, own = fields[kind]
            # the day stated, or else the year or month ("expires in 2027"): either way it must hold the date
            stated = [(d, d, fmt_date(d, lang)) for d in dates_in(window)] or [
                (first, last, _period_name(first, last, lang)) for first, last in periods_in(window)]
            if not stated or not window.lstrip(" ：:")[:1].isalnum() or stated[0][0] <= own <= stated[0][1] \
                    or not index.license.has(clause_id):
                continue
            cited = index.by_clause[clause_id]
            said = stated[0][2]
            zh_says, en_says = _DATE_SAYS[kind]
            text = (f"不对，{zh_says}{fmt_date(own, lang)}，不是{said}。" if lang == "zh" else
                    f"No — {en_says} {fmt_date(own, lang)}, not {said}. ")
            quotes = " ".join(quote_line(index, s, lang) for s in cited)
            return Finding("no", f"{text}{quotes}", list(cited), confidence=0.85, intent=f"premise:{clause_id}")
    return None


# The notices due before expiry: (none set, zh), (none set, en), (due, zh: {days}, {day}), (due, en)
_NOTICES: dict[str, tuple[str, str, str, str]] = {
    "renewal": ("许可证未规定续期申请的提前期限。", "The license sets no renewal notice period.",
                "续期（延续）申请须在有效期届满前{days}日提出，即最迟{day}前向原发证机关申请", "The renewal application is due"),
    "wind_down": ("许可证未规定不再经营时的提前报告期限。", "The license sets no notice period for not continuing.",
                  "到期不再继续经营的，须在有效期届满前{days}日向原发证机关报告，即最迟{day}前报告",
                  "If the business will not continue after expiry, the report to the authority is due"),
}


def _about_deadline(cue: re.Pattern[str], question: str) -> bool:
    """A still-in-time or overdue cue that is not part of asking whether the license is in force ("still in
    force on 20 December?" asks validity, not whether the renewal is still in time)."""
    status = [m.span() for m in VALID_STATUS.finditer(question)]
    return any(not any(a < m.end() and m.start() < b for a, b in status) for m in cue.finditer(question))


def date_finding(index: SentenceIndex, asks: list[DateAsk], as_of: date, lang: Language,
                 question: str = "", named: tuple[date, date] | None = None) -> Finding:
    """Dates of the license and what they mean on ``as_of``; ``holds`` answers "still valid?" / "deadline
    passed?" (or "still in time?") for a yes/no question, and whether the day the question ``named`` is the
    license's own issue or expiry date, or holds it ("it runs until 28 Dec 2027, right?", 「是2021年发的吧」)."""
    f = index.license.fields
    issue, expiry = f.issue_date, f.expiry
    claimed = {"expiry": expiry, "issue": issue}
    holds_claim = None
    if named is not None and len(asks) == 1 and asks[0] in claimed:
        other = issue if asks[0] == "expiry" else expiry
        # 「2021年12月拿到的，有效期五年，对吧」: a day or month that holds the other date is said of that one
        if not named[0] <= other <= named[1]:
            holds_claim = _claim_holds(claimed[asks[0]], named, question)
    lines: list[str] = []
    cited: list[Sentence] = []
    zh = lang == "zh"
    when = fmt_date(as_of, lang)
    holds: bool | None = None
    for ask in asks:
        if ask in _NOTICES:
            missing_zh, missing_en, due_zh, due_en = _NOTICES[ask]
            rule = advance_rule(index, ask)
            if rule is None:
                lines.append(missing_zh if zh else missing_en)
                continue
            sentence, days = rule
            deadline = expiry - timedelta(days=days)
            cited.append(sentence)
            gap = (deadline - as_of).days
            if holds is None and _LAST_DAY.search(question):
                holds = gap == 0
            elif holds is None and _about_deadline(IN_TIME, question):
                holds = gap >= 0
            elif holds is None and _about_deadline(OVERDUE, question):
                holds = gap < 0  # "has the deadline passed?"
            if zh:
                status = (f"截至{when}，该期限已过（已过去{-gap}天）" if gap < 0 else
                          f"截至{when}，今天是最后一天" if gap == 0 else f"截至{when}，尚未到期（还有{gap}天）")
                lines.append(due_zh.format(days=days, day=fmt_date(deadline, lang)) + f"；{status}。")
            else:
                status = (f"as of {when} that deadline has passed ({_days(-gap, lang)} ago)" if gap < 0 else
                          f"as of {when} today is the last day" if gap == 0 else
                          f"as of {when} it has not passed yet ({_days(gap, lang)} left)")
                lines.append(f"{due_en} at least {days} days before expiry, i.e. by {fmt_date(deadline, lang)}, to the "
                             f"original issuing authority; {status}.")
        elif ask == "valid":
            in_force = issue <= as_of <= expiry
            holds = (not in_force if _EXPIRED.search(question) else in_force) if holds is None else holds
            if as_of < issue:
                state = "尚未生效" if zh else "not yet valid"
            elif as_of <= expiry:
                state = "有效（在有效期内）" if zh else "valid (in force)"
            else:
                state = f"已过期（已过期{(as_of - expiry).days}天），不再有效" if zh else \
                    f"no longer valid: it expired {_days((as_of - expiry).days, lang)} ago"
            lines.append(f"截至{when}，许可证{state}；有效期自{fmt_date(issue, lang)}至{fmt_date(expiry, lang)}"
                         f"（{_term_years(issue, expiry)}年）。" if zh
                         else f"As of {when}, the license is {state}; it runs from {fmt_date(issue, lang)} "
                              f"to {fmt_date(expiry, lang)} ({_term_years(issue, expiry)} years).")
        elif ask == "days_left":
            left = (expiry - as_of).days
            lines.append((f"截至{when}，距许可证到期（{fmt_date(expiry, lang)}）还有{_days(left, lang)}。" if left >= 0
                          else f"截至{when}，许可证已于{fmt_date(expiry, lang)}到期，已过去{_days(-left, lang)}。") if zh else
                         (f"As of {when}, {_days(left, lang)} remain until the license expires on {fmt_date(expiry, lang)}."
                          if left >= 0 else f"As of {when}, the license expired {_days(-left, lang)} ago, on "
                                            f"{fmt_date(expiry, lang)}."))
        elif ask == "term":
            years_text = _term_years(issue, expiry)
            lines.append(f"许可证有效期为{years_text}年：自{fmt_date(issue, lang)}起至{fmt_date(expiry, lang)}止。" if zh
                         else f"The license is valid for {years_text} years: issued {fmt_date(issue, lang)}, valid "
                              f"until {fmt_date(expiry, lang)}.")
        elif ask == "age":
            held = (as_of - issue).days
            years, days = divmod(held, 365)
            lines.append((f"截至{when}，许可证自{fmt_date(issue, lang)}发证以来已{held}天（约{years}年）。" if held >= 0 else
                          f"截至{when}，许可证尚未发证（{fmt_date(issue, lang)}发证）。") if zh else
                         (f"As of {when}, the license has been in force for {held} days (about {years} years) since "
                          f"{fmt_date(issue, lang)}." if held >= 0 else
                          f"As of {when}, the license had not been issued yet (issued {fmt_date(issue, lang)})."))
        elif ask == "issue":
            lines.append(f"发证日期为{fmt_date(issue, lang)}。" if zh else f"The license was issued on {fmt_date(issue, lang)}.")
        elif ask == "expiry":  # with its term, which "valid for five years, right?" checks
            years = _term_years(issue, expiry)
            lines.append(f"许可证有效期至{fmt_date(expiry, lang)}（自{fmt_date(issue, lang)}发证起{years}年）。" if zh else
                         f"The license is valid until {fmt_date(expiry, lang)} ({years} years from its issue on "
                         f"{fmt_date(issue, lang)}).")
    before_issue = "valid" in asks and as_of < issue
    if any(a in asks for a in ("issue", "term", "age")) or before_issue:
        cited += index.by_clause["main.issue-date"]
    if any(a in asks for a in ("expiry", "term", "days_left", "renewal")) or ("valid" in asks and not before_issue):
        cited += index.by_clause["main.expiry"]
    cited = list(dict.fromkeys(cited))
    quotes = " ".join(quote_line(index, s, lang) for s in cited)
    return Finding("info", " ".join(lines) + " " + quotes, cited, confidence=0.95, intent="date:" + ",".join(asks),
                   holds=holds if holds is not None else holds_claim)


# -- the regulations the license cites by order number ----------------------------------------------------------
_CITED_ORDER = re.compile(r"《([^》]+)》（[^（）]{0,20}令第(\d+)号）")
_ASKED_ORDER = re.compile(r"第\s*(\d+)\s*号\s*令|令\s*第\s*(\d+)\s*号|\b(?:order|decree)\s+no\.?\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class CitedOrder:
    """A regulation the license cites by order number: its title as printed, the translation's name for it, and
    the sentence that cites it."""

    title: str
    title_en: str
    sentence: Sentence


def cited_orders(index: SentenceIndex) -> dict[int, CitedOrder]:
    """Each order number the license cites (read once, when the license loads)."""
    out: dict[int, CitedOrder] = {}
    for sentence in index.all:
        for m in _CITED_ORDER.finditer(sentence.text):
            title = m.group(1)
            out.setdefault(int(m.group(2)), CitedOrder(title, _english_title(index, sentence, title), sentence))
    return out


def order_claim(index: SentenceIndex, orders: dict[int, CitedOrder], question: str, lang: Language) -> Finding | None:
    """"Order No. 24 is the network security measures, right?": a question that pairs an order number with a
    title the license cites is checked against the license's own pairing."""
    numbers = {int(next(g for g in m.groups() if g)) for m in _ASKED_ORDER.finditer(question)}
    folded, english = fold(question), question.lower()
    named = {n for n, o in orders.items() if fold(o.title) in folded or o.title_en.lower() in english}
    if len(numbers) != 1 or len(named) != 1:
        return None
    number, own = numbers.pop(), named.pop()
    title = orders[own].title
    cited = [orders[own].sentence] + ([orders[number].sentence] if number in orders and number != own else [])
    quotes = " ".join(quote_line(index, s, lang) for s in dict.fromkeys(cited))
    if own == number:
        text = f"是的。《{title}》即工业和信息化部令第{own}号。" if lang == "zh" else \
            f"Yes. {orders[own].title_en} (《{title}》) is MIIT Order No. {own}. "
        return Finding("yes", f"{text}{quotes}", cited, confidence=0.9, intent="fact:order:holds")
    other = f"；第{number}号令是《{orders[number].title}》" if number in orders else ""
    other_en = f"; Order No. {number} is 《{orders[number].title}》" if number in orders else ""
    text = f"不对。《{title}》是工业和信息化部令第{own}号{other}。" if lang == "zh" else \
        f"No. 《{title}》 is MIIT Order No. {own}, not No. {number}{other_en}. "
    return Finding("no", f"{text}{quotes}", cited, confidence=0.9, intent="fact:order:claim-differs")


def order_of_rule(index: SentenceIndex, findings: list[Finding], orders: dict[int, CitedOrder], question: str,
                  lang: Language) -> list[Finding]:
    """"The license cites Order No. 24 for grading and filing our networks, right?": a "yes" whose rule cites
    other orders than the one the question names is a false premise — no, with the order the rule does cite."""
    numbers = {int(next(g for g in m.groups() if g)) for m in _ASKED_ORDER.finditer(question)}
    cited = [s for f in findings if f.verdict == "yes" for s in f.cited]
    own = sorted(n for n, o in orders.items() if o.sentence in cited)
    if len(numbers) != 1 or not own or numbers & set(own):
        return findings
    number = numbers.pop()
    sentence = orders[own[0]].sentence
    titles = "、".join(f"《{orders[n].title}》（第{n}号令）" for n in own)
    titles_en = ", ".join(f"{orders[n].title_en} (Order No. {n})" for n in own)
    text = (f"不对。这一规定依据的是{titles}，不是第{number}号令。" if lang == "zh" else
            f"No. This rule rests on {titles_en}, not Order No. {number}. ")
    return [Finding("no", f"{text}{quote_line(index, sentence, lang)}", [sentence], confidence=0.8, intent="fact:order:rule-cites-another")]


def _english_title(index: SentenceIndex, sentence: Sentence, title: str) -> str:
    """The translation's name for a cited title: the words before its 《…》 in the clause's English."""
    text_en = index.license.clause(sentence.clause_id).text_en
    m = re.search(r"([A-Z][\w'-]*(?:\s+(?:[A-Z][\w'-]*|of|on|for|the|and|to|in))*)\s*\(《" + re.escape(title) + "》",
                  text_en)
    return m.group(1) if m else title
