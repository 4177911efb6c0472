"""The layout of the 增值电信业务经营许可证 template: sections, labelled fields, article numbering, labels.

The parser knows the template only through this module, so a second license of the same template parses
unchanged, and a new template means a new table here rather than new parsing code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .text import int_to_cn

Section = Literal["main", "annex", "special"]
FieldKind = Literal["text", "date", "number", "domains", "scope"]


@dataclass(frozen=True)
class FieldSpec:
    """A labelled field 「标签：值」; ``label`` is a regex tolerant of wrapping inside the label."""

    clause_id: str
    section: Section
    label: str
    label_zh: str
    label_en: str
    kind: FieldKind = "text"


def _wrapped(*parts: str) -> str:
    """A label regex that tolerates line breaks and stray spaces anywhere inside it (「公司 名称」, 「业务种类」/
    「(服务项目)」/「及覆盖范围」 on three lines); a part starting with ``[`` is a character class, kept whole."""
    pieces: list[str] = []
    for part in parts:
        pieces += [part] if part.startswith("[") else list(part)
    return r"\s*".join(pieces)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("main.company", "main", _wrapped("公司名称"), "公司名称", "Company name"),
    FieldSpec("main.legal-rep", "main", _wrapped("法定代表人"), "法定代表人", "Legal representative"),
    FieldSpec(
        "main.scope",
        "main",
        _wrapped("业务种类", r"[(（]", "服务项目", r"[)）]", "及覆盖范围"),
        "业务种类及覆盖范围",
        "Scope of licensed services",
        "scope",
    ),
    FieldSpec("main.issue-date", "main", _wrapped("发证日期"), "发证日期", "Date of issue", "date"),
    FieldSpec("main.expiry", "main", _wrapped("有效期至"), "有效期至", "Valid until", "date"),
    FieldSpec("main.number", "main", _wrapped("经营许可证编号"), "经营许可证编号", "License number", "number"),
    FieldSpec("annex.site-name", "annex", _wrapped("网站名称"), "网站名称", "Website name"),
    FieldSpec("annex.domains", "annex", _wrapped("网站域名"), "网站域名", "Website domains", "domains"),
    FieldSpec("annex.server-location", "annex", _wrapped("服务器放置地"), "服务器放置地", "Server location"),
    FieldSpec(
        "annex.access-provider", "annex", _wrapped("网站接入服务提供单位"), "网站接入服务提供单位",
        "Website access service provider",
    ),
)

PREAMBLES: dict[Section, tuple[str, str]] = {
    "main": ("许可证正文（序言）", "License — preamble"),
    "annex": ("附页（序言）", "Annex — preamble"),
    "special": ("特别规定事项（序言）", "Special Provisions — preamble"),
}

# How people name the sections whose preamble says what they are.
SECTION_NAMES: dict[Section, tuple[str, ...]] = {
    "special": ("特别规定事项", "特别规定", "special provisions", "special conditions"),
    "annex": ("附页", "附件", "annex", "appendix", "attachment"),
}

# Lines that open a section; anything that repeats them later is a running page head.
DOCUMENT_TITLE = re.compile(r"^中华人民共和国\s*增值电信业务经营许可证$")
ANNEX_TITLE = re.compile(r"^中华人民共和国\s*增值电信业务经营许可证\s*[(（]\s*附\s*页\s*[)）]$")
SPECIAL_TITLE = re.compile(r"^特别规定事项$")
_NUMBER = r"(?:\S*ICP\S*证\s*\d+\s*号|[\u4e00-\u9fff]?[A-Z]\d-\d{6,10})"  # 京ICP证020001号, 沪B2-20230456
NUMBER_HEAD = re.compile(rf"^经营许可证编号\s*[:：]?\s*{_NUMBER}$")

# Article 「一、」 and item 「（一）」/「(六)」 markers, only at the start of a line.
ARTICLE = re.compile(r"^([一二三四五六七八九十百]+)\s*、")
ITEM = re.compile(r"^[(（]\s*([一二三四五六七八九十百]+)\s*[)）](?!\s*项)")  # not 「（三）项的规定」

CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# ASCII boundaries, not \b: in 「kong.net在证上吗」 the domain runs straight into Chinese, which \b counts as a word
DOMAIN = re.compile(r"(?<![A-Za-z0-9-])(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.)+[a-zA-Z]{2,}(?![A-Za-z0-9-])")
LICENSE_NUMBER = re.compile(_NUMBER)


def field_by_id(clause_id: str) -> FieldSpec | None:
    return next((f for f in FIELDS if f.clause_id == clause_id), None)


def article_labels(article: int, item: int | None = None) -> tuple[str, str]:
    """「特别规定事项第十二条」/"Special Provision 12"; with an item, 「…第十五条第（十四）项」/"Special Provision 15(14)"."""
    if item is None:
        return f"特别规定事项第{int_to_cn(article)}条", f"Special Provision {article}"
    return (
        f"特别规定事项第{int_to_cn(article)}条第（{int_to_cn(item)}）项",
        f"Special Provision {article}({item})",
    )


def clause_labels(clause_id: str) -> tuple[str, str]:
    """Display labels for any clause id of the template."""
    spec = field_by_id(clause_id)
    if spec:
        return spec.label_zh, spec.label_en
    section, _, rest = clause_id.partition(".")
    if rest == "preamble" and section in PREAMBLES:
        return PREAMBLES[section]  # type: ignore[index]
    numbers = [int(n) for n in rest.split(".") if n.isdigit()]
    if section == "special" and 1 <= len(numbers) <= 2:
        return article_labels(*numbers)
    raise KeyError(f"not a clause id of this template: {clause_id!r}")
