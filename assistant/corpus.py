"""The corpus on disk: one folder per license (``license.zh.txt`` as issued, ``translation.en.json`` keyed by
clause id) and a shared ``glossary.json``. Loading joins the parsed clauses with their translations."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, ValidationError

from .errors import ExpectedError
from .parser import Clause, LicenseFields, LicenseParseError, parse_license
from .text import fold

LICENSE_FILE = "license.zh.txt"
TRANSLATION_FILE = "translation.en.json"
GLOSSARY_FILE = "glossary.json"
#: everyday descriptions of the acts of the template's rule units, keyed by the unit's exact Chinese words
DESCRIPTIONS_FILE = "norm_descriptions.json"
#: everyday questions for the value of each of the template's labelled fields, keyed by field clause id
FIELD_QUESTIONS_FILE = "field_questions.json"


class CorpusError(ExpectedError):
    """The corpus folder is missing or inconsistent; the message says which file and what to do."""


class GlossaryEntry(BaseModel):
    """A license term (``zh`` as printed) and the words people use for it. ``source: catalogue`` marks a
    service category of the national catalogue that this license does not print (IDC, CDN…), so the engine can
    say it is not licensed; ``source: approval`` an information service item that a regulation the license
    refers to puts under prior approval (news, medical care…; ``basis_zh``/``basis_en`` name the article)."""

    id: str
    kind: str
    zh: str
    en: str
    aliases_zh: list[str] = []
    aliases_en: list[str] = []
    source: Literal["license", "catalogue", "approval"] = "license"
    basis_zh: str | None = Field(None, description="The regulation article that requires the prior approval.")
    basis_en: str | None = Field(None, description="The same article, in English.")
    asked_as: str | None = Field(None, description="The term or alias a question used (set per question).")

    def terms(self, lang: Literal["zh", "en"] | None = None) -> list[str]:
        zh, en = [self.zh, *self.aliases_zh], [self.en, *self.aliases_en]
        return zh if lang == "zh" else en if lang == "en" else zh + en


_DETERMINERS = re.compile(r"\b(?:the|our|my|your|its|their|this|a|an)\s+")


def match_key(text: str) -> str:
    """What glossary terms are matched against: folded, English determiners dropped ("name of our website" and
    "name of the website" are the same words)."""
    return _DETERMINERS.sub("", fold(text))


@cache
def _term_pattern(term: str) -> re.Pattern[str]:
    """Latin terms match whole words (so 'IM' does not fire inside 'claim'); Chinese terms match as substrings."""
    folded = re.escape(match_key(term))
    if re.search(r"[a-z0-9]", folded[:1]) or re.search(r"[a-z0-9]", folded[-1:]):
        return re.compile(rf"(?<![a-z0-9]){folded}(?![a-z0-9])")
    return re.compile(folded)


MATCH_MEMO = 256  # texts whose matches are remembered: one answer matches the same question several times


class Glossary(BaseModel):
    entries: list[GlossaryEntry]
    _keys: list[tuple[GlossaryEntry, str, str]] | None = PrivateAttr(None)
    _memo: dict[str, list[tuple[GlossaryEntry, str]]] = PrivateAttr(default_factory=dict)

    def _terms(self) -> list[tuple[GlossaryEntry, str, str]]:
        """(entry, term, its match key). A term's pattern is compiled only once a text contains the key, which
        any match needs: compiling all ~2,300 up front took a new process 0.25 s."""
        if self._keys is None:
            self._keys = [(e, t, match_key(t)) for e in self.entries for t in e.terms() if t.strip()]
        return self._keys

    def matches(self, text: str) -> list[tuple[GlossaryEntry, str]]:
        """Entries whose term or alias occurs in ``text``, with the longest matched term; longest first.
        Maximal munch: an entry found only inside another entry's longer match (「网络接入」 inside
        「网络接入服务」) is dropped."""
        if text in self._memo:
            return list(self._memo[text])
        found = self._matches(text)
        if len(self._memo) >= MATCH_MEMO:
            self._memo.pop(next(iter(self._memo)))
        self._memo[text] = found
        return list(found)

    def _matches(self, text: str) -> list[tuple[GlossaryEntry, str]]:
        folded = match_key(text)
        found: dict[str, tuple[GlossaryEntry, str, list[tuple[int, int]]]] = {}
        for entry, term, key in self._terms():
            if key not in folded:
                continue
            spans = [m.span() for m in _term_pattern(term).finditer(folded)]
            if spans:
                best = found.get(entry.id)
                if best is None or len(term) > len(best[1]):
                    found[entry.id] = (entry, term, spans)
        covering = [span for _, _, spans in found.values() for span in spans]

        def swallowed(span: tuple[int, int]) -> bool:
            return any(a <= span[0] and span[1] <= b and (b - a) > (span[1] - span[0]) for a, b in covering)

        kept = [(e, t) for e, t, spans in found.values() if not all(swallowed(sp) for sp in spans)]
        return sorted(kept, key=lambda pair: -len(pair[1]))


class LicenseClause(Clause):
    text_en: str


class ActDescriptions(BaseModel):
    """How users put a rule unit's act in their own words (「结账时多收价目表上没有的费用」 for the ban on fees
    beyond the marked price): data written from the license text alone, matched by similarity, never quoted."""

    zh: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class License(BaseModel):
    doc_id: str
    source: str
    clauses: list[LicenseClause]
    fields: LicenseFields
    glossary: Glossary
    corpus_hash: str
    descriptions: dict[str, ActDescriptions] = Field(default_factory=dict)
    field_questions: dict[str, ActDescriptions] = Field(
        default_factory=dict, description="How users ask for a field's value (「这本证是谁签的字」…), by clause id.")

    def clause(self, clause_id: str) -> LicenseClause:
        for c in self.clauses:
            if c.id == clause_id:
                return c
        raise KeyError(clause_id)

    def has(self, clause_id: str) -> bool:
        return any(c.id == clause_id for c in self.clauses)


def list_documents(corpus_dir: Path) -> list[str]:
    return sorted(p.parent.name for p in corpus_dir.glob(f"*/{LICENSE_FILE}"))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorpusError(f"missing {path}") from None
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def _read_json(path: Path) -> object:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{path} is not valid JSON: {exc}") from None


def load_glossary(corpus_dir: Path) -> Glossary:
    path = corpus_dir / GLOSSARY_FILE
    if not path.exists():
        return Glossary(entries=[])
    try:
        return Glossary.model_validate(_read_json(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise CorpusError(f"{path}: {where}: {first['msg']} ({exc.error_count()} problem(s)); each entry needs "
                          "id, kind, zh and en strings") from None


def load_descriptions(corpus_dir: Path, name: str = DESCRIPTIONS_FILE) -> dict[str, ActDescriptions]:
    """A data file of zh/en phrasings keyed by a rule unit's words (or, for field questions, a clause id)."""
    path = corpus_dir / name
    if not path.exists():
        return {}
    data = _read_json(path)
    if not isinstance(data, dict):
        raise CorpusError(f"{path} must map each key to its zh/en phrasings")
    try:
        return {unit: ActDescriptions.model_validate(entry) for unit, entry in data.items()}
    except ValidationError as exc:
        raise CorpusError(f"{path}: {exc.errors()[0]['msg']}; each entry needs zh and en lists of text") from None


def _check_translation(path: Path, translation: object, clause_ids: list[str]) -> dict[str, str]:
    """The translation must give every clause a non-empty English text: a missing or non-text entry would be
    cited as an empty or meaningless translation."""
    if not isinstance(translation, dict):
        raise CorpusError(f"{path} must map clause ids to English text")
    unknown = set(translation) - set(clause_ids)
    if unknown:
        raise CorpusError(f"{path} has ids the license does not: {', '.join(sorted(unknown))}")
    missing = [cid for cid in clause_ids if cid not in translation]
    if missing:
        raise CorpusError(f"{path} has no translation for clause {', '.join(missing)}; add it (or remove the file "
                          "to load the license untranslated)")
    bad = [cid for cid in clause_ids if not isinstance(translation[cid], str) or not translation[cid].strip()]
    if bad:
        raise CorpusError(f"{path}: the translation of clause {', '.join(bad)} must be non-empty text, not "
                          f"{translation[bad[0]]!r}")
    return translation


def load_license(corpus_dir: Path, doc_id: str | None = None) -> License:
    """Parse ``corpus_dir/<doc_id>/license.zh.txt`` and attach its translation, which must cover every clause
    (without a translation file every English text is empty)."""
    docs = list_documents(corpus_dir)
    if not docs:
        raise CorpusError(f"no */{LICENSE_FILE} under {corpus_dir}")
    doc_id = doc_id or docs[0]
    if doc_id not in docs:
        raise CorpusError(f"no license {doc_id!r} under {corpus_dir}; have: {', '.join(docs)}")
    folder = corpus_dir / doc_id
    source = _read_text(folder / LICENSE_FILE)
    try:
        parsed = parse_license(source)
    except LicenseParseError as exc:
        raise CorpusError(f"{folder / LICENSE_FILE}: {exc}; restore the license text as issued") from None
    translation_path = folder / TRANSLATION_FILE
    translation = (_check_translation(translation_path, _read_json(translation_path), [c.id for c in parsed.clauses])
                   if translation_path.exists() else {})
    glossary = load_glossary(corpus_dir)
    digest = hashlib.sha256()
    for path in (folder / LICENSE_FILE, translation_path, corpus_dir / GLOSSARY_FILE, corpus_dir / DESCRIPTIONS_FILE,
                 corpus_dir / FIELD_QUESTIONS_FILE):
        digest.update(path.read_bytes() if path.exists() else b"")
    clauses = [LicenseClause(**c.model_dump(), text_en=translation.get(c.id, "")) for c in parsed.clauses]
    ids = {c.id for c in clauses}
    return License(doc_id=doc_id, source=source, clauses=clauses, fields=parsed.fields, glossary=glossary,
                   corpus_hash=digest.hexdigest()[:12], descriptions=load_descriptions(corpus_dir),
                   field_questions={k: v for k, v in load_descriptions(corpus_dir, FIELD_QUESTIONS_FILE).items()
                                    if k in ids})


@lru_cache(maxsize=4)
def cached_license(corpus_dir: Path, doc_id: str | None = None) -> License:
    return load_license(corpus_dir, doc_id)
