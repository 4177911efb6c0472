"""Parse the scanned text of a license into clauses with stable ids, source spans and typed fields.

Works on the layout described in :mod:`assistant.template`: running page heads are dropped, lines are
re-joined (a clause broken by a page break, a label wrapped over three lines, a domain list wrapped mid-name),
and each clause remembers the character spans of the source it came from so that the UI can highlight it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel

from . import template as tpl
from .text import clean_zh, cn_to_int, squeeze_spaces


class LicenseParseError(ValueError):
    """The text is not a license of the known template; the message names what is missing."""


class Clause(BaseModel):
    id: str
    section: tpl.Section
    label_zh: str
    label_en: str
    text_zh: str
    spans: list[tuple[int, int]]


class ScopeItem(BaseModel):
    """One licensed service, e.g. 信息服务业务 restricted to 互联网信息服务."""

    category: str
    restricted_to: list[str] = []
    text: str


class Scope(BaseModel):
    items: list[ScopeItem]
    excluded: list[str]
    approval_note: str | None = None


class LicenseFields(BaseModel):
    company: str
    legal_rep: str
    license_number: str
    issue_date: date
    expiry: date
    site_name: str
    domains: list[str]
    server_location: str
    access_provider: str
    scope: Scope


class ParsedLicense(BaseModel):
    clauses: list[Clause]
    fields: LicenseFields

    def clause(self, clause_id: str) -> Clause:
        for c in self.clauses:
            if c.id == clause_id:
                return c
        raise KeyError(clause_id)


@dataclass
class _Line:
    text: str
    start: int  # offsets of the stripped text in the source


@dataclass
class _Stream:
    """Lines of one section joined without separators, each character mapped back to the source."""

    text: str = ""
    origin: list[int] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    def add(self, line: _Line) -> None:
        self.line_starts.append(len(self.text))
        self.text += line.text
        self.origin.extend(range(line.start, line.start + len(line.text)))

    def spans(self, start: int, end: int) -> list[tuple[int, int]]:
        runs: list[tuple[int, int]] = []
        for pos in self.origin[start:end]:
            if runs and runs[-1][1] == pos:
                runs[-1] = (runs[-1][0], pos + 1)
            else:
                runs.append((pos, pos + 1))
        return runs

    def line_end_after(self, pos: int) -> int:
        return next((s for s in self.line_starts if s > pos), len(self.text))


_BLANKS = " \t\u3000\u00a0\ufeff\r\n\x0b\x0c"


def _lines(source: str) -> list[_Line]:
    out = []
    for m in re.finditer(r"[^\r\n]+", source):
        raw = m.group()
        stripped = raw.strip(_BLANKS)
        if stripped:
            out.append(_Line(stripped, m.start() + raw.index(stripped)))
    return out


def _split_sections(source: str) -> dict[tpl.Section, list[_Line]]:
    sections: dict[tpl.Section, list[_Line]] = {"main": [], "annex": [], "special": []}
    current: tpl.Section = "main"
    for line in _lines(source):
        key = squeeze_spaces(line.text)
        if tpl.ANNEX_TITLE.match(key):
            current = "annex"
        elif tpl.DOCUMENT_TITLE.match(key):
            continue
        elif tpl.SPECIAL_TITLE.match(key):
            current = "special"  # the first is the section title, the rest are page heads
        elif current != "main" and tpl.NUMBER_HEAD.match(key):
            continue  # running page head; main.number is read in the main section
        else:
            sections[current].append(line)
    return sections


def _field_clauses(section: tpl.Section, lines: list[_Line]) -> tuple[list[Clause], dict[str, str]]:
    """Labelled fields of a section, plus its unlabelled text as the section preamble."""
    stream = _Stream()
    for line in lines:
        stream.add(line)
    specs = [f for f in tpl.FIELDS if f.section == section]
    starts = set(stream.line_starts)
    hits = []
    for spec in specs:
        for m in re.finditer(rf"{spec.label}\s*[:：]", stream.text):
            if m.start() in starts:
                hits.append((m.start(), m.end(), spec))
    hits.sort(key=lambda h: h[0])

    loose: list[tuple[int, int]] = []
    cursor = 0
    found: dict[str, tuple[list[tuple[int, int]], str, str, int]] = {}
    for i, (start, label_end, spec) in enumerate(hits):
        if start > cursor:
            loose.append((cursor, start))
        segment_end = hits[i + 1][0] if i + 1 < len(hits) else len(stream.text)
        value_end = segment_end
        if spec.kind == "number":  # a one-line value; whatever follows is running text
            first = next((p for p in range(label_end, segment_end) if not stream.text[p].isspace()), segment_end)
            value_end = min(stream.line_end_after(first), segment_end)
            if value_end < segment_end:
                loose.append((value_end, segment_end))
        cursor = segment_end
        value = clean_zh(stream.text[label_end:value_end])
        text = clean_zh(stream.text[start:value_end])
        if spec.clause_id in found:  # printed more than once (the license number): one clause, more spans
            spans, first_value, first_text, order = found[spec.clause_id]
            found[spec.clause_id] = (spans + stream.spans(start, value_end), first_value, first_text, order)
        else:
            found[spec.clause_id] = (stream.spans(start, value_end), value, text, start)
    if cursor < len(stream.text):
        loose.append((cursor, len(stream.text)))

    clauses: list[tuple[int, Clause]] = []
    preamble = "".join(stream.text[a:b] for a, b in loose)
    if clean_zh(preamble):
        label_zh, label_en = tpl.PREAMBLES[section]
        spans = [s for a, b in loose for s in stream.spans(a, b)]
        clauses.append((-1, Clause(id=f"{section}.preamble", section=section, label_zh=label_zh,
                                   label_en=label_en, text_zh=clean_zh(preamble), spans=spans)))
    values: dict[str, str] = {}
    for spec in specs:
        if spec.clause_id not in found:
            continue
        spans, value, text, order = found[spec.clause_id]
        values[spec.clause_id] = value
        # A field printed twice (the number) sorts by its last print, after the fields it closes.
        order = spans[-1][0] if spec.kind == "number" else order
        clauses.append((order, Clause(id=spec.clause_id, section=section, label_zh=spec.label_zh,
                                      label_en=spec.label_en, text_zh=text, spans=spans)))
    clauses.sort(key=lambda pair: pair[0] if pair[0] >= 0 else -1)
    return [c for _, c in clauses], values


def _special_clauses(lines: list[_Line]) -> list[Clause]:
    """The preamble, articles 「一、」… and their items 「（一）」…, recognised only in sequence at a line start."""
    groups: list[tuple[str, list[_Line]]] = [("special.preamble", [])]
    article, item = 0, 0
    for line in lines:
        key = squeeze_spaces(line.text)
        m_article, m_item = tpl.ARTICLE.match(key), tpl.ITEM.match(key)
        if m_article and cn_to_int(m_article.group(1)) == article + 1:
            article, item = article + 1, 0
            groups.append((f"special.{article}", [line]))
        elif m_item and article and cn_to_int(m_item.group(1)) == item + 1:
            item += 1
            groups.append((f"special.{article}.{item}", [line]))
        else:
            groups[-1][1].append(line)
    clauses = []
    for clause_id, group in groups:
        if not group:
            continue
        label_zh, label_en = tpl.clause_labels(clause_id)
        text = clean_zh("".join(g.text for g in group))
        spans = [(g.start, g.start + len(g.text)) for g in group]
        clauses.append(Clause(id=clause_id, section="special", label_zh=label_zh, label_en=label_en,
                              text_zh=text, spans=spans))
    return clauses


def _parse_date(clause_id: str, value: str) -> date:
    m = tpl.CN_DATE.search(value) or tpl.ISO_DATE.search(value)
    if not m:
        raise LicenseParseError(f"{clause_id}: no date in {value[:40]!r}")
    try:
        return date(*(int(g) for g in m.groups()))
    except ValueError as exc:
        raise LicenseParseError(f"{clause_id}: invalid date {m.group()!r}: {exc}") from None


def _split_top_level(text: str, separators: str) -> list[str]:
    """Split on separators outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "（(" 
        depth -= ch in "）)" and depth > 0
        if ch in separators and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def parse_scope(value: str) -> Scope:
    """「信息服务业务（仅限互联网信息服务）不含A、B。【依法须经批准的项目…】」 → items, exclusions, approval note."""
    note = re.search(r"【([^】]*)】", value)
    body = re.sub(r"【[^】]*】", "", value)
    excluded: list[str] = []
    for m in re.finditer(r"不含([^。；;）)]+)", body):
        excluded += _split_top_level(m.group(1), "、，,和及")
    body = re.sub(r"[（(]?不含[^。；;）)]+[）)]?", "", body)
    items = []
    for part in _split_top_level(body, "、；;。"):
        m = re.match(r"([^（(]+)(?:[（(]([^）)]*)[）)])?", part)
        if not m:
            continue
        qualifier = m.group(2) or ""
        restricted = _split_top_level(qualifier[2:], "、，,和及") if qualifier.startswith("仅限") else []
        items.append(ScopeItem(category=m.group(1).strip(), restricted_to=restricted, text=part))
    return Scope(items=items, excluded=excluded, approval_note=note.group(1) if note else None)


def _fields(values: dict[str, str]) -> LicenseFields:
    number = values["main.number"]
    m = tpl.LICENSE_NUMBER.search(number)
    return LicenseFields(
        company=values["main.company"],
        legal_rep=values["main.legal-rep"],
        license_number=m.group().replace(" ", "") if m else number,
        issue_date=_parse_date("main.issue-date", values["main.issue-date"]),
        expiry=_parse_date("main.expiry", values["main.expiry"]),
        site_name=values["annex.site-name"],
        domains=[d.lower() for d in tpl.DOMAIN.findall(values["annex.domains"])],
        server_location=values["annex.server-location"],
        access_provider=values["annex.access-provider"],
        scope=parse_scope(values["main.scope"]),
    )


def parse_license(source: str) -> ParsedLicense:
    """Parse license text into ordered clauses and typed fields.

    Raises :class:`LicenseParseError` (and nothing else) when the text does not hold a complete license.
    """
    if not isinstance(source, str):
        raise LicenseParseError(f"expected text, got {type(source).__name__}")
    if "\x00" in source:
        raise LicenseParseError("the input is binary (contains NUL bytes), not license text")
    sections = _split_sections(source)
    main, main_values = _field_clauses("main", sections["main"])
    annex, annex_values = _field_clauses("annex", sections["annex"])
    special = _special_clauses(sections["special"])
    clauses = main + annex + special
    present = {c.id for c in clauses}
    required = [f"{s}.preamble" for s in ("main", "annex", "special")] + [f.clause_id for f in tpl.FIELDS]
    missing = [cid for cid in required if cid not in present]
    if not any(c.id.startswith("special.") and c.id != "special.preamble" for c in clauses):
        missing.append("special.1 (特别规定事项 「一、」)")
    if missing:
        raise LicenseParseError("not a complete license of the known template; missing: " + ", ".join(missing))
    empty = [f.clause_id for f in tpl.FIELDS if not {**main_values, **annex_values}.get(f.clause_id)]
    if empty:
        raise LicenseParseError("fields present but empty: " + ", ".join(empty))
    return ParsedLicense(clauses=clauses, fields=_fields({**main_values, **annex_values}))
