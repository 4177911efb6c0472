"""Schema and balance checks for the evaluation gold set (evals/gold.jsonl) and its smoke subset.

These tests check the *data*, not the assistant: every failure message says which item (id / line) is wrong
and why, so the JSONL files can be fixed by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLD_PATH = ROOT / "evals" / "gold.jsonl"
SMOKE_PATH = ROOT / "evals" / "smoke.jsonl"
LICENSE_DOC_ID = "kongzhong-icp-020001"

# The 42 clause ids of the license template (license.zh.txt of kongzhong-icp-020001).
SCHEMA_CLAUSE_IDS: tuple[str, ...] = (
    "main.preamble",
    "main.company",
    "main.legal-rep",
    "main.scope",
    "main.issue-date",
    "main.expiry",
    "main.number",
    "annex.preamble",
    "annex.site-name",
    "annex.domains",
    "annex.server-location",
    "annex.access-provider",
    "special.preamble",
    *(f"special.{i}" for i in range(1, 16)),
    *(f"special.15.{i}" for i in range(1, 15)),
)
assert len(SCHEMA_CLAUSE_IDS) == 42 and len(set(SCHEMA_CLAUSE_IDS)) == 42

TYPES = ("fact", "scope", "prohibition", "date", "multi", "not_stated", "adversarial")
VERDICTS = ("yes", "no", "conditional", "not_stated", "info")
LANGS = ("zh", "en")

# Target share of each type (fraction of all items); allowed deviation is +-6 percentage points.
TYPE_TARGETS = {
    "fact": 0.30,
    "scope": 0.15,
    "prohibition": 0.10,
    "date": 0.10,
    "multi": 0.10,
    "not_stated": 0.15,
    "adversarial": 0.10,
}
TYPE_TOLERANCE = 0.06

MIN_ITEMS = 150
MIN_LANG_SHARE = 0.40
MIN_TWIN_PAIRS = 30
MIN_DATE_QUESTIONS = 16

REQUIRED_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "question": str,
    "lang": str,
    "type": str,
    "answerable": bool,
    "expected_verdict": str,
    "expected": list,
    "gold_clauses": list,
}
OPTIONAL_FIELDS: dict[str, type | tuple[type, ...]] = {
    "as_of": str,
    "twin": str,
    "note": str,
}


# --------------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------------
def _load_jsonl(path: Path) -> list[dict]:
    assert path.is_file(), f"{path} does not exist"
    items: list[dict] = []
    errors: list[str] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            errors.append(f"{path.name}:{lineno}: blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path.name}:{lineno}: invalid JSON ({exc})")
            continue
        if not isinstance(obj, dict):
            errors.append(f"{path.name}:{lineno}: line is not a JSON object")
            continue
        obj["__line__"] = lineno
        items.append(obj)
    assert not errors, "malformed lines:\n" + "\n".join(errors)
    return items


def _strip(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k != "__line__"}


def _where(obj: dict) -> str:
    return f"{obj.get('id', '?')} (line {obj.get('__line__', '?')})"


def _ids_of(value: object) -> set[str] | None:
    """Clause ids from a mapping keyed by id, or an iterable of ids / objects with an ``id``."""
    if isinstance(value, dict):
        ids = {str(k) for k in value}
    else:
        try:
            ids = {v if isinstance(v, str) else str(v.id) for v in value}  # type: ignore[union-attr]
        except (TypeError, AttributeError):
            return None
    return ids or None


def _clause_ids_from_corpus() -> set[str] | None:
    """Clause ids exposed by ``assistant.corpus`` if that module exists and exposes them, else None.

    Tries a module-level id list first, then parses the license on disk with ``load_license``.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        from assistant import corpus  # type: ignore[import-not-found]
    except ImportError:
        return None
    for name in ("CLAUSE_IDS", "clause_ids"):
        value = getattr(corpus, name, None)
        if value is not None:
            ids = _ids_of(value() if callable(value) else value)
            if ids:
                return ids
    load_license = getattr(corpus, "load_license", None)
    if callable(load_license):
        try:
            license_ = load_license(ROOT / "corpus", LICENSE_DOC_ID)
            return _ids_of(getattr(license_, "clauses", None) or [])
        except (OSError, ValueError, RuntimeError, KeyError):  # corpus missing or unparsable: use the schema
            return None
    return None


CORPUS_CLAUSE_IDS = _clause_ids_from_corpus()
VALID_CLAUSE_IDS: set[str] = CORPUS_CLAUSE_IDS or set(SCHEMA_CLAUSE_IDS)


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return _load_jsonl(GOLD_PATH)


@pytest.fixture(scope="module")
def smoke() -> list[dict]:
    return _load_jsonl(SMOKE_PATH)


# --------------------------------------------------------------------------------------------------------------
# schema
# --------------------------------------------------------------------------------------------------------------
def _schema_errors(items: list[dict]) -> list[str]:
    errors: list[str] = []
    for obj in items:
        w = _where(obj)
        for field, typ in REQUIRED_FIELDS.items():
            if field not in obj:
                errors.append(f"{w}: missing required field {field!r}")
            elif not isinstance(obj[field], typ) or (typ is not bool and isinstance(obj[field], bool)):
                errors.append(f"{w}: field {field!r} should be {typ}, got {type(obj[field]).__name__}")
        for field, typ in OPTIONAL_FIELDS.items():
            if field in obj and not isinstance(obj[field], typ):
                errors.append(
                    f"{w}: optional field {field!r} should be {typ}, got {type(obj[field]).__name__}"
                )
        unknown = set(obj) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS) - {"__line__"}
        if unknown:
            errors.append(f"{w}: unknown fields {sorted(unknown)}")
        if isinstance(obj.get("question"), str) and not obj["question"].strip():
            errors.append(f"{w}: empty question")
        if obj.get("lang") not in LANGS:
            errors.append(f"{w}: lang {obj.get('lang')!r} not in {LANGS}")
        if obj.get("type") not in TYPES:
            errors.append(f"{w}: type {obj.get('type')!r} not in {TYPES}")
        if obj.get("expected_verdict") not in VERDICTS:
            errors.append(f"{w}: expected_verdict {obj.get('expected_verdict')!r} not in {VERDICTS}")
        expected = obj.get("expected")
        if isinstance(expected, list):
            for gi, group in enumerate(expected):
                if not isinstance(group, list) or not group:
                    errors.append(
                        f"{w}: expected[{gi}] must be a non-empty list of alternatives, got {group!r}"
                    )
                    continue
                for alt in group:
                    if not isinstance(alt, str) or not alt.strip():
                        errors.append(f"{w}: expected[{gi}] has a non-string or empty alternative {alt!r}")
        gold_clauses = obj.get("gold_clauses")
        if isinstance(gold_clauses, list):
            for cid in gold_clauses:
                if not isinstance(cid, str):
                    errors.append(f"{w}: gold_clauses entry {cid!r} is not a string")
            if len(set(map(str, gold_clauses))) != len(gold_clauses):
                errors.append(f"{w}: duplicate entries in gold_clauses {gold_clauses}")
        if "as_of" in obj:
            try:
                dt.date.fromisoformat(obj["as_of"])
            except (TypeError, ValueError):
                errors.append(f"{w}: as_of {obj['as_of']!r} is not an ISO date (YYYY-MM-DD)")
    return errors


def test_gold_schema(gold):
    errors = _schema_errors(gold)
    assert not errors, f"{len(errors)} schema problem(s) in gold.jsonl:\n" + "\n".join(errors)


def test_smoke_schema(smoke):
    errors = _schema_errors(smoke)
    assert not errors, f"{len(errors)} schema problem(s) in smoke.jsonl:\n" + "\n".join(errors)


def test_ids_unique(gold, smoke):
    for name, items in (("gold.jsonl", gold), ("smoke.jsonl", smoke)):
        dup = [i for i, n in Counter(o.get("id") for o in items).items() if n > 1]
        assert not dup, f"duplicate ids in {name}: {dup}"


def test_smoke_is_verbatim_subset_of_gold(gold, smoke):
    by_id = {o["id"]: _strip(o) for o in gold}
    missing = [o["id"] for o in smoke if o["id"] not in by_id]
    assert not missing, f"smoke ids not in gold.jsonl: {missing}"
    differing = [o["id"] for o in smoke if _strip(o) != by_id[o["id"]]]
    assert not differing, f"smoke items differ from their gold.jsonl copy: {differing}"


def test_smoke_coverage(smoke):
    assert 15 <= len(smoke) <= 30, f"smoke.jsonl should hold ~20 items, has {len(smoke)}"
    types = {o["type"] for o in smoke}
    assert types >= set(TYPES), f"smoke.jsonl lacks types {sorted(set(TYPES) - types)}"
    langs = {o["lang"] for o in smoke}
    assert langs >= set(LANGS), f"smoke.jsonl lacks languages {sorted(set(LANGS) - langs)}"
    verdicts = {o["expected_verdict"] for o in smoke}
    assert verdicts >= set(VERDICTS), f"smoke.jsonl lacks verdicts {sorted(set(VERDICTS) - verdicts)}"


# --------------------------------------------------------------------------------------------------------------
# size and balance
# --------------------------------------------------------------------------------------------------------------
def test_gold_size(gold):
    assert len(gold) >= MIN_ITEMS, f"gold.jsonl has {len(gold)} items, needs >= {MIN_ITEMS}"


def test_type_mix(gold):
    n = len(gold)
    counts = Counter(o["type"] for o in gold)
    problems = []
    for typ, target in TYPE_TARGETS.items():
        share = counts.get(typ, 0) / n
        if abs(share - target) > TYPE_TOLERANCE + 1e-9:
            problems.append(
                f"type {typ!r}: {counts.get(typ, 0)}/{n} = {share:.1%}, allowed "
                f"{target - TYPE_TOLERANCE:.0%}..{target + TYPE_TOLERANCE:.0%}"
            )
    assert not problems, "type mix out of range:\n" + "\n".join(problems)


def test_language_balance(gold):
    n = len(gold)
    counts = Counter(o["lang"] for o in gold)
    for lang in LANGS:
        share = counts.get(lang, 0) / n
        assert share >= MIN_LANG_SHARE, f"only {counts.get(lang, 0)}/{n} = {share:.1%} items are {lang!r}"


def test_date_questions(gold):
    dates = [o for o in gold if o["type"] == "date"]
    assert len(dates) >= MIN_DATE_QUESTIONS, f"only {len(dates)} date questions, need >= {MIN_DATE_QUESTIONS}"
    as_ofs = {o["as_of"] for o in gold if "as_of" in o}
    assert len(as_ofs) >= 3, f"as_of should vary over several dates, got {sorted(as_ofs)}"


# --------------------------------------------------------------------------------------------------------------
# twins
# --------------------------------------------------------------------------------------------------------------
def test_twins(gold):
    by_id = {o["id"]: o for o in gold}
    errors = []
    pairs = set()
    for o in gold:
        if "twin" not in o:
            continue
        w, t = _where(o), o["twin"]
        other = by_id.get(t)
        if other is None:
            errors.append(f"{w}: twin {t!r} does not exist")
            continue
        if other.get("twin") != o["id"]:
            errors.append(f"{w}: twin link not symmetric ({t} points to {other.get('twin')!r})")
        if other["lang"] == o["lang"]:
            errors.append(f"{w}: twin {t} has the same language {o['lang']!r}")
        for field in ("type", "expected_verdict", "answerable", "gold_clauses", "as_of"):
            a, b = o.get(field), other.get(field)
            if field == "gold_clauses" and isinstance(a, list) and isinstance(b, list):
                a, b = sorted(a), sorted(b)
            if a != b:
                errors.append(f"{w}: twin {t} disagrees on {field!r}: {a!r} vs {b!r}")
        pairs.add(frozenset((o["id"], t)))
    assert not errors, "twin problems:\n" + "\n".join(errors)
    assert len(pairs) >= MIN_TWIN_PAIRS, f"only {len(pairs)} zh/en twin pairs, need >= {MIN_TWIN_PAIRS}"


# --------------------------------------------------------------------------------------------------------------
# answerability, verdicts, clauses
# --------------------------------------------------------------------------------------------------------------
def test_not_stated_consistency(gold):
    errors = []
    for o in gold:
        w = _where(o)
        if o["type"] == "not_stated" and o["expected_verdict"] != "not_stated":
            errors.append(
                f"{w}: type not_stated must have expected_verdict not_stated, has {o['expected_verdict']!r}"
            )
        if o["type"] == "not_stated" or o["expected_verdict"] == "not_stated":
            if o["answerable"] is not False:
                errors.append(f"{w}: not_stated item must have answerable false")
            if o["gold_clauses"]:
                errors.append(f"{w}: not_stated item must have no gold_clauses, has {o['gold_clauses']}")
        if o["answerable"] is False and not (
            o["type"] == "not_stated"
            or (o["type"] == "adversarial" and o["expected_verdict"] == "not_stated")
        ):
            errors.append(
                f"{w}: answerable false is only allowed for not_stated items and adversarial items "
                f"whose verdict is not_stated (type {o['type']!r}, verdict {o['expected_verdict']!r})"
            )
    assert not errors, "answerability problems:\n" + "\n".join(errors)


def test_answerable_items_have_clauses_and_keywords(gold):
    errors = []
    for o in gold:
        if o["answerable"]:
            if not o["gold_clauses"]:
                errors.append(f"{_where(o)}: answerable item has no gold_clauses")
            if not o["expected"]:
                errors.append(f"{_where(o)}: answerable item has no expected keywords")
    assert not errors, "\n".join(errors)


def test_gold_clause_ids_valid(gold):
    source = "assistant.corpus" if CORPUS_CLAUSE_IDS else "the hard-coded 42-id schema"
    bad = [f"{_where(o)}: {cid!r}" for o in gold for cid in o["gold_clauses"] if cid not in VALID_CLAUSE_IDS]
    assert not bad, f"unknown clause ids (checked against {source}):\n" + "\n".join(bad)


def test_all_clause_ids_covered(gold):
    used = {cid for o in gold for cid in o["gold_clauses"]}
    missing = [cid for cid in SCHEMA_CLAUSE_IDS if cid not in used]
    assert not missing, f"clause ids never used in any gold_clauses: {missing}"


@pytest.mark.skipif(
    CORPUS_CLAUSE_IDS is None, reason="assistant.corpus does not exist or exposes no clause ids"
)
def test_corpus_clause_ids_match_schema():
    assert CORPUS_CLAUSE_IDS == set(SCHEMA_CLAUSE_IDS), (
        "assistant.corpus clause ids differ from the gold-set schema: "
        f"only in corpus {sorted(CORPUS_CLAUSE_IDS - set(SCHEMA_CLAUSE_IDS))}, "
        f"only in schema {sorted(set(SCHEMA_CLAUSE_IDS) - CORPUS_CLAUSE_IDS)}"
    )
