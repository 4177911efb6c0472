"""Text normalisation shared by the parser, retrieval and the answer engine.

The license is a text dump of a scan: half- and full-width punctuation are mixed, Chinese words carry spurious
spaces, numbering switches between 「（一）」 and 「(六)」. Everything that compares or displays Chinese text goes
through :func:`clean_zh` so that the same clause always has the same text.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff1f\uff3b-\uff40\uff5b-\uff65\u2018-\u201d\u2014\u2026【】《》"
_WIDE = _CJK + _CJK_PUNCT

_SPACES = re.compile(r"[ \t\u00a0\u3000\ufeff]+")
# A run of spaces with a CJK character or CJK punctuation on at least one side carries no meaning.
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_WIDE}])[ ]+|[ ]+(?=[{_WIDE}])")
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_HALF_PUNCT_NEAR_CJK = re.compile(rf"(?<=[{_CJK}）】》”])([,:;?!])|([,:;?!])(?=[{_CJK}（【《“])")
_PAREN_WITH_CJK = re.compile(rf"[(（]([^()（）]*[{_CJK}][^()（）]*)[)）]")

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def squeeze_spaces(text: str) -> str:
    """Fold every kind of blank (full-width, NBSP, BOM) to one ASCII space and drop it next to Chinese."""
    text = _SPACES.sub(" ", text)
    return _SPACE_NEAR_CJK.sub("", text).strip()


def clean_zh(text: str) -> str:
    """Canonical form of Chinese license text: no stray spaces, full-width punctuation around Chinese.

    Idempotent: ``clean_zh(clean_zh(t)) == clean_zh(t)``.
    """
    text = text.replace("\r", "").replace("\n", "")
    previous = None
    while previous != text:
        previous = text
        text = squeeze_spaces(unicodedata.normalize("NFC", text))
        text = _HALF_PUNCT_NEAR_CJK.sub(lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)], text)
        text = unicodedata.normalize("NFC", _PAREN_WITH_CJK.sub(r"（\1）", text))
    return text


def fold(text: str) -> str:
    """Loose comparison key: NFKC (full/half width), lower case, blanks squeezed (and dropped next to Chinese).

    For matching, never for display."""
    return squeeze_spaces(re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))).lower()


def cn_to_int(numeral: str) -> int | None:
    """Convert a Chinese numeral up to the hundreds (「十五」, 「二十一」, 「九十」) or ASCII digits to int."""
    numeral = numeral.strip()
    if numeral.isdigit():
        return int(unicodedata.normalize("NFKC", numeral))
    if not numeral or any(ch not in CN_DIGITS and ch not in "十百" for ch in numeral):
        return None
    total, current = 0, 0
    for ch in numeral:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = CN_DIGITS[ch]
    return total + current


def int_to_cn(number: int) -> str:
    """Inverse of :func:`cn_to_int` for 1–99, as used in article numbering (「十四」, 「二十一」)."""
    digits = "零一二三四五六七八九"
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "")


def is_cjk(ch: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", ch))


_EN_SIGNAL = {
    "what", "how", "when", "who", "whom", "which", "where", "why", "can", "could", "may", "might", "must", "should",
    "shall", "will", "would", "is", "are", "was", "does", "do", "did", "has", "have", "the", "we", "our", "us",
    "you", "your", "it", "its", "if", "please", "license", "licence", "company",
}


_DOMAIN_OR_CODE = re.compile(r"\b(?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}\b|ICP|B2")


def detect_language(text: str) -> str:
    """'en' or 'zh' by weight: a Latin word counts 1 (an English function word 4), a Chinese character ½
    (a word is about two). ALL-CAPS acronyms (IM, IT, US, ICP) count for neither, so 「我们能提供 IT 服务吗」
    and 「我们能做chat app吗」 stay Chinese while "What is 信息即时交互服务?" is English."""
    text = _DOMAIN_OR_CODE.sub(" ", text)  # www.kongzhong.net or 京ICP证020001号 says nothing of the language
    words = [w for w in re.findall(r"[A-Za-z][a-z]+|[a-z]{2,}", text)]
    english = sum(4 if w.lower() in _EN_SIGNAL else 1 for w in words)
    chinese = 0.5 * sum(1 for ch in text if is_cjk(ch))
    if not english and not chinese:
        return "en"
    return "en" if english >= chinese else "zh"


_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
    "jun": 6, "jul": 7, "aug": 8, "sept": 9, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
# Every way users and the license write a day: 2026年9月29日, 2026-09-29, 2026/9/29, Sep 29, 2026, 29 September 2026.
DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    re.compile(r"(?<!\d)(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)"),
    re.compile(rf"(?<![a-z])(?P<m>{_MONTH})\.?\s*(?P<d>\d{{1,2}})(?!\d){_ORD}\s*,?\s*(?P<y>\d{{4}})(?!\d)", re.IGNORECASE),
    re.compile(rf"(?<!\d)(?P<d>\d{{1,2}}){_ORD}\s*(?:of\s*)?(?P<m>{_MONTH})\.?\s*,?\s*(?P<y>\d{{4}})(?!\d)", re.IGNORECASE),
)


def month_number(name: str) -> int:
    """「9」, "Sep", "September" → 9."""
    return _MONTHS.get(name.lower()) or int(name)


def month_end(year: int, month: int) -> date:
    """The last day of a month (of a quarter: its third month)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def date_of(match: re.Match[str], year: int | None = None) -> date | None:
    """The calendar day a DATE_PATTERNS match names (a YEARLESS_PATTERNS match: in ``year``), or None when it is
    no real day (2026-02-30)."""
    try:
        return date(int(match["y"]) if "y" in match.re.groupindex else year, month_number(match["m"]), int(match["d"]))
    except ValueError:
        return None


_MONTH_NOT_MAY = "|".join(m for m in sorted(_MONTHS, key=len, reverse=True) if m != "may")  # "we may 5…"
# A day without its year (「12月20日」, "Dec 20", "20 December") takes the year of the full date before it.
YEARLESS_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<![年\d])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    re.compile(rf"(?<![a-z\d])(?P<m>{_MONTH_NOT_MAY})\.?\s*(?P<d>\d{{1,2}})(?!\d){_ORD}(?!\s*,?\s*\d{{4}})", re.IGNORECASE),
    re.compile(rf"(?<![\d.:/-])(?P<d>\d{{1,2}}){_ORD}\s*(?:of\s*)?(?P<m>{_MONTH_NOT_MAY})\b(?!\.?\s*,?\s*\d{{4}})",
               re.IGNORECASE),
)


# A year or a month without its day (「2021年」, 「2022年1月」, "January 2022", "in 2021"): a period a date may lie in.
_PERIOD_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*年(?:\s*(?P<m>\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号]))?(?!\s*\d{1,2}\s*月)"),
    re.compile(rf"(?<![a-z\d])(?P<m>{_MONTH})\.?\s*,?\s*(?P<y>(?:19|20)\d{{2}})(?!\d)", re.IGNORECASE),
    re.compile(r"\b(?:in|during|of|from|since|before|after|by)\s+(?P<y>(?:19|20)\d{2})\b(?![-/.]\d)", re.IGNORECASE),
)


def periods_in(text: str) -> list[tuple[date, date]]:
    """The first and last day of each year or month the text names without a day, in order of appearance
    (a full date is :func:`dates_in`'s)."""
    days = [m.span() for pattern in DATE_PATTERNS for m in pattern.finditer(text)]
    found = []
    for pattern in _PERIOD_PATTERNS:
        for m in pattern.finditer(text):
            if any(start < m.end() and m.start() < end for start, end in days):
                continue
            year = int(m["y"])
            month = m.groupdict().get("m")
            if month is None:
                found.append((m.start(), date(year, 1, 1), date(year, 12, 31)))
                continue
            number = month_number(month)
            if 1 <= number <= 12:
                found.append((m.start(), date(year, number, 1), month_end(year, number)))
    unique = {(start, end): at for at, start, end in sorted(found, reverse=True)}
    return [period for period, _ in sorted(unique.items(), key=lambda kv: kv[1])]


# Days named relative to the day the question is asked: "we took it down today", 「昨晚出了泄露」.
_RELATIVE_DAYS = {"the day before yesterday": -2, "day before yesterday": -2, "yesterday": -1, "last night": -1,
                  "today": 0, "tonight": 0, "tomorrow": 1, "前天": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "今天": 0,
                  "今日": 0, "今晚": 0, "明天": 1, "明日": 1, "后天": 2}
_RELATIVE_DAY = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(map(re.escape, _RELATIVE_DAYS), key=len, reverse=True))
                           + r")(?![A-Za-z])", re.IGNORECASE)


# A day whose year is named relative to the year the question is asked: 「今年4月1日」, 「去年12月28日」.
_RELATIVE_YEARS = {"前年": -2, "去年": -1, "今年": 0, "明年": 1}
_RELATIVE_YEAR_DAY = re.compile(r"(?P<rel>前年|去年|今年|明年)\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")


def dates_in(text: str, year: int | None = None, today: date | None = None) -> list[date]:
    """The real days named in a text, in the order they appear; a day written without its year is in the year
    of the last full date before it, or else in ``year`` (the year the question is asked; left out without),
    and 「今年/去年/明年…」 a year counted from ``year``;
    with ``today``, "today", "yesterday", 「昨天」… are days too."""
    full = [(m.start(), day) for pattern in DATE_PATTERNS for m in pattern.finditer(text)
            if (day := date_of(m)) is not None]
    if year is not None:
        full += [(m.start(), day) for m in _RELATIVE_YEAR_DAY.finditer(text)
                 if (day := date_of(m, year + _RELATIVE_YEARS[m["rel"]])) is not None]
    full.sort()
    found = list(full)
    for pattern in YEARLESS_PATTERNS:
        for m in pattern.finditer(text):
            before = [day.year for start, day in full if start < m.start()] or ([year] if year else [])
            if before and (day := date_of(m, before[-1])) is not None:
                found.append((m.start(), day))
    if today is not None:  # 「今天12月2日」 names one day twice
        named = {day for _, day in found}
        found += [(m.start(), day) for m in _RELATIVE_DAY.finditer(text)
                  if (day := today + timedelta(days=_RELATIVE_DAYS[m.group().lower()])) not in named]
    return [day for _, day in sorted(found)]
