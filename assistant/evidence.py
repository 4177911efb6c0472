"""Sentence-level evidence in clause text: where a term occurs, whether a sentence forbids, conditions or
regulates it, and which time limits and regulations it names. Pure functions over the parsed Chinese text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .text import cn_to_int, fold

Modality = Literal["prohibited", "conditional", "applies", "obliged", "mention"]

_SENTENCE = re.compile(r"[^。]+。?")
_TITLE = re.compile(r"《[^》]*》")
_PROHIBIT = re.compile(r"不得|禁止|严禁")
# A condition that opens the sentence: 「未经批准，」「在未取得…许可时，」 (but not 「不得向未经许可的经营者…」).
_CONDITION_LEAD = re.compile(
    r"^(?:[（(][^）)]*[）)]|[一二三四五六七八九十百]+、)*(?:你公司)?在?(?:未经|未取得)[^，不]*?(?:批准|许可|同意|审批)[^，]*$"
)
# An approval that follows the act: 「…经批准后方可实施」, 「应当…办理审批手续」.
_APPROVAL_AFTER = re.compile(
    r"经[^。；，]{0,12}(?:批准|审核同意|同意)后方可|方可[^。；]*?实施|应当[^。；]*?(?:提出申请|审批手续|审核同意|增项手续)"
)
_PARTY_AFTER = re.compile(r"(?:业务)?的?(?:经营者|经营许可者|运营企业|提供单位)")
_OBLIGED = re.compile(r"应当|应按照|应依照|必须|须")

_TIME_LIMIT = re.compile(
    r"(自[^。；，]{0,16}之日起)?(?P<n>\d+|[一二三四五六七八九十百]+)\s*(?P<unit>个工作日|工作日|日|天|个月|月|年)内"
    r"|提前(?P<adv>\d+|[一二三四五六七八九十百]+)\s*(?P<advunit>日|天|个月)"
    r"|每年第(?P<q>[一二三四1-4])季度"
    r"|(?P<word>立即|第一时间|及时)"
)
_REGULATION = re.compile(r"《([^》]+)》(?:[（(]([^）)]*令第\d+号)[）)])?")


@dataclass(frozen=True)
class Sentence:
    clause_id: str
    index: int
    text: str  # verbatim from the clause's text_zh

    @property
    def plain(self) -> str:
        """The sentence with cited titles blanked, so 《互联网信息服务管理办法》 does not count as the service."""
        return _TITLE.sub("《》", self.text)


@dataclass(frozen=True)
class TimeLimit:
    text: str  # as printed, e.g. 「30日内」, 「提前90日」, 「每年第一季度」, 「立即」
    kind: Literal["within", "advance", "quarter", "immediate"]
    number: int | None = None
    unit: str | None = None  # 日 | 工作日 | 月 | 年


def sentences(clause_id: str, text_zh: str) -> list[Sentence]:
    return [Sentence(clause_id, i, m.group()) for i, m in enumerate(_SENTENCE.finditer(text_zh)) if m.group().strip()]


def contains(sentence: Sentence, term: str, *, raw: bool = False) -> bool:
    return bool(term) and fold(term) in fold(sentence.text if raw else sentence.plain)


def _segments(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for piece in text.split("，"):
        out.append((pos, piece))
        pos += len(piece) + 1
    return out


def modality(sentence: Sentence, term: str, *, party: bool = False) -> Modality:
    """How ``sentence`` treats ``term``: forbidden, allowed only after approval, regulated (「提供X时」,
    「适用于X」), or merely an obligation or mention. Every occurrence counts; the strongest wins. With
    ``party`` the term names who the company deals with (「无基础电信业务经营许可者」), so dealings with it that
    are forbidden make it forbidden."""
    plain, key = fold(sentence.plain), fold(term)
    positions = [m.start() for m in re.finditer(re.escape(key), plain)] if key else []
    if not positions:
        return sentence_modality(sentence)
    found = [_modality_at(plain, key, pos, party) for pos in positions]
    return next(m for m in ("prohibited", "conditional", "applies", "obliged", "mention") if m in found)


def _modality_at(plain: str, key: str, pos: int, party: bool) -> Modality:
    segments = _segments(plain)
    k = max(i for i, (start, _) in enumerate(segments) if start <= pos)
    start, segment = segments[k]
    head = segment[: pos - start]
    if not party and _PARTY_AFTER.match(plain[pos + len(key):]):
        return "mention"  # 「向互联网接入服务业务经营者转售」: the term names a party, not the act
    if any(_CONDITION_LEAD.match(seg) for _, seg in segments[:k]) or _CONDITION_LEAD.match(head) \
            or _APPROVAL_AFTER.search(plain[pos:]):
        return "conditional"
    if _PROHIBIT.search(head):
        return "prohibited"
    if re.search(rf"适用于{re.escape(key)}|提供[^。；，]*{re.escape(key)}[^。；，]*时", plain):
        return "applies"
    return "obliged" if _OBLIGED.search(plain) else "mention"


def sentence_modality(sentence: Sentence) -> Modality:
    """The strongest treatment anywhere in the sentence."""
    plain = fold(sentence.plain)
    if any(_CONDITION_LEAD.match(seg) for _, seg in _segments(plain)) or _APPROVAL_AFTER.search(plain):
        return "conditional"
    if _PROHIBIT.search(plain):
        return "prohibited"
    return "obliged" if _OBLIGED.search(plain) else "mention"


_EN_FORBID = re.compile(r"\b(?:shall not|must not|may not|is prohibited from|are prohibited from|shall prohibit)\b([^.;]*)",
                        re.IGNORECASE)


def forbidden_parts(text_zh: str, text_en: str) -> dict[str, list[str]]:
    """The stretches of a sentence that a 不得 / "shall not" governs, in each language."""
    zh = [m.group(1) for m in re.finditer(r"(?:不得|禁止|严禁)([^，。；]*)", text_zh)]
    en = [m.group(1) for m in _EN_FORBID.finditer(text_en)]
    return {"zh": zh, "en": en}


def regulates_provision(sentence: Sentence) -> bool:
    """「（十）（适用于…）你公司提供…时，…」: rules for a service the company may provide."""
    return bool(re.search(r"适用于|提供[^。；，]*时", sentence.plain))


def provided_service(text: str) -> str:
    """X in 「你公司提供X时」 / "When providing X," — the service a provision regulates."""
    m = re.search(r"提供([^。；，]*?)时", text) or re.search(r"\b[Ww]hen providing ([^,;.]+)", text)
    return m.group(1) if m else ""


def time_limits(text: str) -> list[TimeLimit]:
    out = []
    for m in _TIME_LIMIT.finditer(text):
        if m.group("n"):
            unit = m.group("unit").replace("个", "").replace("天", "日")
            out.append(TimeLimit(m.group(), "within", cn_to_int(m.group("n")), unit))
        elif m.group("adv"):
            out.append(TimeLimit(m.group(), "advance", cn_to_int(m.group("adv")),
                                 m.group("advunit").replace("个", "").replace("天", "日")))
        elif m.group("q"):
            out.append(TimeLimit(m.group(), "quarter", cn_to_int(m.group("q"))))
        else:
            out.append(TimeLimit(m.group(), "immediate"))
    return out


def regulations(text: str) -> list[tuple[str, str | None]]:
    """(title, order number) pairs, e.g. ('通信网络安全防护管理办法', '工业和信息化部令第11号')."""
    return [(m.group(1), m.group(2)) for m in _REGULATION.finditer(text)]


_EN_SENTENCE = re.compile(r"(?<!\bNo\.)(?<!\bLtd\.)(?<!\bCo\.)(?<=[a-z0-9)\]”\"]\.)\s+(?=[A-Z\[])")
_EN_NUMBERING = re.compile(r"^(\d+\.|\(\d+\))\s+")


def align_english(text_zh: str, text_en: str, index: int) -> str:
    """The English sentence matching Chinese sentence ``index`` when both split alike, else the whole clause."""
    zh = [s for s in _SENTENCE.findall(text_zh) if s.strip()]
    body = _EN_NUMBERING.sub("", text_en)
    en = [s for s in _EN_SENTENCE.split(body) if s.strip()]
    return en[index].strip() if len(zh) == len(en) and 0 <= index < len(en) else text_en
