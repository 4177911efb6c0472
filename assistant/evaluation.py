"""Batch evaluation against known answers: load a question file, answer every question, score and aggregate.

Any JSONL whose lines carry ``id`` and ``question`` runs; the gold fields (``lang``, ``type``, ``answerable``,
``expected_verdict``, ``expected``, ``gold_clauses``, ``as_of``) switch on the metrics that need them, so an outside
question file still runs and simply gets fewer metrics. Files and plots are written by :mod:`assistant.report`.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .schema import Answer, Citation
from .text import CN_DIGITS, DATE_PATTERNS, clean_zh, cn_to_int, date_of, fold

AnswerFn = Callable[..., Answer]
Row = dict[str, Any]
HIT_KS = (1, 3, 5)
UNKNOWN = "unknown"


# ---------------------------------------------------------------------------------------------- question files


class QuestionFileError(ValueError):
    """A question file line is not a JSON object with ``id`` and ``question``; the message names the line."""


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL question file, keeping every field as is, so outside question files run unchanged."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(item, dict):
            raise QuestionFileError(f"{where}: expected a JSON object, got {type(item).__name__}")
        missing = [key for key in ("id", "question") if key not in item]
        if missing:
            raise QuestionFileError(f"{where}: missing field(s) {', '.join(missing)}")
        if not isinstance(item["question"], str):
            raise QuestionFileError(f"{where}: 'question' must be a string")
        if str(item["id"]) in seen:
            raise QuestionFileError(f"{where}: duplicate id {item['id']!r}")
        seen.add(str(item["id"]))
        items.append(item)
    if not items:
        raise QuestionFileError(f"{path}: no questions")
    return items


# ---------------------------------------------------------------------------------------------- normalisation

_CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百]+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def _iso_date(match: re.Match[str]) -> str:
    when = date_of(match)
    return when.isoformat() if when else match.group()


def _cn_numeral(match: re.Match[str]) -> str:
    run = match.group()
    if run == "百":  # 百度, 百分之 … : a lone 百 is rarely a number
        return run
    if "十" in run or "百" in run:
        return str(cn_to_int(run))
    return "".join(str(CN_DIGITS[ch]) for ch in run)  # 二〇二六 → 2026


def _normalise_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().translate(_QUOTES)
    text = _CN_NUMERAL.sub(_cn_numeral, text)
    for pattern in DATE_PATTERNS:
        text = pattern.sub(_iso_date, text)
    return re.sub(r"\s+", "", text)


def normalise(text: str) -> str:
    """Comparison key for answer keywords: width, case, blanks, Chinese numerals and every date form folded, so
    「2026年9月29日」, "Sep 29, 2026" and 2026/9/29 all read 2026-09-29. Repeated to a fixed point (idempotent)."""
    for _ in range(8):
        folded = _normalise_once(text)
        if folded == text:
            break
        text = folded
    return text


# ---------------------------------------------------------------------------------------------- scoring one item


def _groups(expected: object) -> list[list[str]]:
    """``expected`` is a list of groups of alternatives; a bare string stands for a group of one."""
    if not isinstance(expected, list):
        return []
    return [[group] if isinstance(group, str) else [str(alt) for alt in group] for group in expected]


def missing_keyword_groups(expected: object, answer_text: str) -> list[list[str]]:
    """Groups none of whose alternatives occurs in the answer (empty list: the answer has every keyword)."""
    text = normalise(answer_text)
    return [group for group in _groups(expected)
            if not any((key := normalise(alt)) and key in text for alt in group)]


def _quote_key(text: str) -> str:
    return fold(clean_zh(text))


def citation_problems(citations: Iterable[Citation], clause_texts: Mapping[str, str]) -> list[dict[str, str]]:
    """Citations a reader cannot verify: unknown clause id, empty quote, or a quote not in the clause's text_zh
    (compared after width/blank folding; an elided quote 「…」 must have every piece in the clause)."""
    problems = []
    for citation in citations:
        reason = None
        pieces = [p for p in re.split(r"…+|\.{3,}", citation.quote) if _quote_key(p)]
        if citation.clause_id not in clause_texts:
            reason = "unknown clause id"
        elif not pieces:
            reason = "empty quote"
        elif not all(_quote_key(p) in _quote_key(clause_texts[citation.clause_id]) for p in pieces):
            reason = "quote not in clause"
        if reason:
            problems.append({"clause_id": citation.clause_id, "reason": reason})
    return problems


def score_item(item: Mapping[str, Any], response: Answer | None, clause_texts: Mapping[str, str],
               error: str | None = None) -> dict[str, Any]:
    """Per-item flags (``None`` where the item has no gold for that check) and the readable list of problems,
    each ``"<kind>: <detail>"`` so the report can count them by kind."""
    gold = [str(c) for c in item.get("gold_clauses") or []]
    retrieved = response.retrieved if response else []
    cited = list(dict.fromkeys(c.clause_id for c in response.citations)) if response else []
    rank = next((i for i, cid in enumerate(retrieved, 1) if cid in gold), None) if gold else None
    expected_verdict = item.get("expected_verdict")
    verdict = response.verdict if response else None
    verdict_ok = None if expected_verdict is None else verdict == expected_verdict
    groups = _groups(item.get("expected"))
    missing = missing_keyword_groups(groups, response.answer if response else "") if groups else []
    answer_ok = (response is not None and not missing) if groups else None
    checks = [flag for flag in (verdict_ok, answer_ok) if flag is not None]
    correct = all(checks) if checks else None
    abstained = verdict == "not_stated"
    # a not-stated answer cites nothing: the clause nearest to the question is listed as related instead
    pointed = cited + [r.clause_id for r in response.related] if response and expected_verdict == "not_stated" \
        and abstained else cited
    overlap = len(set(pointed) & set(gold))
    invalid = citation_problems(response.citations, clause_texts) if response else []
    lang = item.get("lang")
    language_ok = None if lang is None else (response is not None and response.language == lang)

    problems = []
    if error:
        problems.append(f"error: {error}")
    if verdict_ok is False and response is not None:
        problems.append(f"verdict: expected {expected_verdict}, got {verdict}")
    if missing and response is not None:
        problems.append("missing keywords: " + "; ".join(" / ".join(group) for group in missing))
    if gold and response is not None and not overlap and not abstained:
        problems.append("citations: none of the gold clauses cited")
    problems += [f"invalid citation: {p['clause_id']} ({p['reason']})" for p in invalid]
    if language_ok is False and response is not None:
        problems.append(f"language: answered in {response.language}, asked in {lang}")
    return {
        "gold_rank": rank,
        "hit_at": {str(k): rank is not None and rank <= k for k in HIT_KS} if gold else None,
        "verdict_ok": verdict_ok,
        "answer_ok": answer_ok,
        "missing_keywords": missing,
        "correct": correct,
        "abstained": abstained,
        "citation_precision": len(set(cited) & set(gold)) / len(cited) if gold and cited else None,
        "citation_recall": overlap / len(gold) if gold else None,
        "citations": len(cited),
        "invalid_citations": invalid,
        "language_ok": language_ok,
        "crag": None if correct is None else 1 if correct else 0 if abstained else -1,
        "problems": problems,
        "error": error,
    }


# ---------------------------------------------------------------------------------------------- aggregation


def _mean(values: Iterable[float | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0–100), the same definition as numpy's default."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _share(rows: list[Row], where: Callable[[Row], bool], hit: Callable[[Row], bool]) -> float | None:
    selected = [row for row in rows if where(row)]
    return sum(hit(row) for row in selected) / len(selected) if selected else None


def aggregate(rows: list[Row]) -> dict[str, Any]:
    """Metrics over scored rows (each with ``eval``); a metric is ``None`` when no row has the gold it needs."""
    evals = [row["eval"] for row in rows]
    ranked = [e for e in evals if e["hit_at"] is not None]
    latencies = [e["latency_ms"] for e in evals if e.get("latency_ms") is not None]
    known = [row for row in rows if isinstance(row.get("answerable"), bool)]
    metrics: dict[str, Any] = {"n": len(rows), "n_retrieval": len(ranked)}
    for k in HIT_KS:
        metrics[f"hit@{k}"] = _mean(e["hit_at"][str(k)] for e in ranked)
    metrics["mrr"] = _mean(1 / e["gold_rank"] if e["gold_rank"] else 0.0 for e in ranked)
    metrics |= {
        "verdict_accuracy": _mean(e["verdict_ok"] for e in evals),
        "n_verdict": sum(e["verdict_ok"] is not None for e in evals),
        "answer_correctness": _mean(e["answer_ok"] for e in evals),
        "n_answer": sum(e["answer_ok"] is not None for e in evals),
        "accuracy": _mean(e["correct"] for e in evals),
        "citation_precision": _mean(e["citation_precision"] for e in evals),
        "citation_recall": _mean(e["citation_recall"] for e in evals),
        "citations": sum(e["citations"] for e in evals),
        "invalid_citations": sum(len(e["invalid_citations"]) for e in evals),
        "abstention_precision": _share(known, lambda r: r["eval"]["abstained"], lambda r: not r["answerable"]),
        "abstention_recall": _share(known, lambda r: not r["answerable"], lambda r: r["eval"]["abstained"]),
        "false_refusal_rate": _share(known, lambda r: r["answerable"], lambda r: r["eval"]["abstained"]),
        "crag_score": _mean(e["crag"] for e in evals),
        "language_match": _mean(e["language_ok"] for e in evals),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "errors": sum(e.get("error") is not None for e in evals),
    }
    return metrics


def _by(rows: list[Row], field: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[str(row.get(field) or UNKNOWN)].append(row)
    return {name: aggregate(groups[name]) for name in sorted(groups)}


def confusion(rows: list[Row]) -> dict[str, dict[str, int]]:
    """Expected verdict × predicted verdict counts (``error`` when the engine raised)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row.get("expected_verdict") is not None:
            predicted = row["response"]["verdict"] if row.get("response") else "error"
            counts[str(row["expected_verdict"])][predicted] += 1
    return {expected: dict(counts[expected]) for expected in sorted(counts)}


def summarise(rows: list[Row]) -> dict[str, Any]:
    """Overall, per-language and per-type metrics plus the confusion matrix; the zh/en accuracy gap goes into
    ``overall`` because it is a bar of its own."""
    by_lang = _by(rows, "lang")
    overall = aggregate(rows)
    zh, en = (by_lang.get(lang, {}).get("accuracy") for lang in ("zh", "en"))
    overall["lang_gap"] = abs(zh - en) if zh is not None and en is not None else None
    return {"overall": overall, "by_lang": by_lang, "by_type": _by(rows, "type"), "confusion": confusion(rows)}


# ---------------------------------------------------------------------------------------------- running

ABLATION_KEYS = ("n", "hit@1", "hit@3", "hit@5", "mrr", "verdict_accuracy", "accuracy", "latency_p50_ms")


@dataclass
class EvalRun:
    """The primary retriever's scored rows (input fields + ``response`` + ``eval``) and the metrics.json body."""

    rows: list[Row]
    metrics: dict[str, Any]


def _engine_answer() -> AnswerFn:
    from assistant import answer  # imported on first use: the engine loads the corpus, index and model

    return answer


def git_commit() -> str:
    """Short commit of the working tree, so a metrics file says which code produced it."""
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10,
                              check=False, cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else UNKNOWN


def _corpus() -> tuple[dict[str, str], str]:
    from .config import get_settings
    from .corpus import cached_license

    settings = get_settings()
    lic = cached_license(settings.corpus_dir, settings.document)
    return {c.id: c.text_zh for c in lic.clauses}, lic.corpus_hash


def _settings_hash(retriever: str) -> str:
    from .config import get_settings

    settings = get_settings()
    retrieval = settings.retrieval.model_copy(update={"retriever": retriever})
    return settings.model_copy(update={"retrieval": retrieval}).fingerprint()


def answer_all(items: Sequence[Mapping[str, Any]], answer_fn: AnswerFn, clause_texts: Mapping[str, str], *,
               retriever: str | None = None, as_of: date | str | None = None,
               progress: Progress | None = None, warm_up: bool = True) -> list[Row]:
    """Answer and score every item. An item's own ``as_of`` wins over ``as_of`` (its expected answer was written
    for that date); an engine exception is recorded on the row and scored as wrong instead of ending the run.
    ``warm_up`` answers the first question once, untimed, so loading models and indexes is not counted as the
    latency of one question."""
    task = progress.add_task(f"{retriever or 'default'}", total=len(items)) if progress else None
    if warm_up and items:
        with contextlib.suppress(Exception):  # a failing question is recorded below, where it is scored
            answer_fn(items[0]["question"], items[0].get("as_of") or as_of, retriever=retriever)
    rows = []
    for item in items:
        when = item.get("as_of") or as_of
        response, error = None, None
        start = time.perf_counter()
        try:
            response = answer_fn(item["question"], when, retriever=retriever)
        except Exception as exc:  # noqa: BLE001 - one broken question must not hide the other results
            error = f"{type(exc).__name__}: {exc}"
        latency = (time.perf_counter() - start) * 1000
        flags = score_item(item, response, clause_texts, error)
        flags |= {"latency_ms": round(latency, 3), "as_of": str(when) if when else None}
        rows.append({**item, "response": response.model_dump(mode="json") if response else None, "eval": flags})
        if progress is not None and task is not None:
            progress.advance(task)
    return rows


def run_eval(items: Sequence[Mapping[str, Any]], answer_fn: AnswerFn | None = None, *,
             retrievers: Sequence[str] = ("hybrid",), as_of: date | str | None = None,
             clause_texts: Mapping[str, str] | None = None, questions: Path | None = None,
             console: Console | None = None, warm_up: bool = True) -> EvalRun:
    """Answer every question with each retriever; keep the first (primary) run in full and the retrieval and
    verdict metrics of every retriever side by side (``by_retriever``), stamped with what produced them."""
    if not retrievers:
        raise ValueError("at least one retriever is needed")
    answer_fn = answer_fn or _engine_answer()
    corpus_hash = UNKNOWN
    if clause_texts is None:
        clause_texts, corpus_hash = _corpus()
    runs: dict[str, list[Row]] = {}
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console or Console(stderr=True)) as progress:
        for name in retrievers:
            runs[name] = answer_all(items, answer_fn, clause_texts, retriever=name, as_of=as_of,
                                    progress=progress, warm_up=warm_up)
    primary = retrievers[0]
    rows = runs[primary]
    responses = [row["response"] for row in rows if row["response"]]
    stamp = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "questions": str(questions) if questions else None,
        "n": len(rows),
        "retriever": primary,
        "retrievers": list(retrievers),
        "as_of": str(as_of) if as_of else None,
        "settings_hash": next((r["settings_hash"] for r in responses if r.get("settings_hash")), None)
        or _settings_hash(primary),
        "corpus_hash": next((r["corpus_hash"] for r in responses if r.get("corpus_hash")), corpus_hash),
        "doc_id": next((r["doc_id"] for r in responses if r.get("doc_id")), None),
        "git_commit": git_commit(),
    }
    by_retriever = {}
    for name, run in runs.items():
        metrics = aggregate(run)
        by_retriever[name] = {key: metrics[key] for key in ABLATION_KEYS}
    return EvalRun(rows=rows, metrics={"run": stamp, **summarise(rows), "by_retriever": by_retriever})


# ---------------------------------------------------------------------------------------------- headline and gate


@dataclass(frozen=True)
class Headline:
    """A metric the summary shows and the baseline gate watches. ``bar`` is the target from issue 5."""

    key: str
    label: str
    higher_is_better: bool = True
    bar: float | None = None
    kind: Literal["rate", "score", "count", "ms"] = "rate"

    @property
    def gated(self) -> bool:
        return self.kind != "ms"

    def meets_bar(self, value: float | None) -> bool | None:
        if self.bar is None or value is None:
            return None
        return value >= self.bar if self.higher_is_better else value <= self.bar

    def show(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        shown = {"rate": f"{value:.1%}", "score": f"{value:.3f}", "count": f"{value:g}", "ms": f"{value:.1f} ms"}
        return shown[self.kind]

    def show_change(self, change: float | None) -> str:
        if change is None:
            return "n/a"
        shown = {"rate": f"{change:+.1%}", "score": f"{change:+.3f}", "count": f"{change:+g}",
                 "ms": f"{change:+.1f} ms"}
        return shown[self.kind]


HEADLINE: tuple[Headline, ...] = (
    Headline("verdict_accuracy", "Verdict accuracy", bar=0.95),
    Headline("answer_correctness", "Answer correctness (keywords)", bar=0.95),
    Headline("citation_recall", "Citation recall", bar=0.95),
    Headline("citation_precision", "Citation precision", bar=0.90),
    Headline("invalid_citations", "Invalid citations", higher_is_better=False, bar=0, kind="count"),
    Headline("abstention_recall", "Not-stated recall", bar=0.90),
    Headline("false_refusal_rate", "False refusals", higher_is_better=False, bar=0.05),
    Headline("lang_gap", "zh/en accuracy gap", higher_is_better=False, bar=0.03),
    Headline("errors", "Engine errors (exceptions)", higher_is_better=False, kind="count"),
    Headline("accuracy", "Accuracy (verdict and keywords)"),
    Headline("abstention_precision", "Abstention precision"),
    Headline("crag_score", "CRAG score (+1 right, 0 abstained, -1 wrong)", kind="score"),
    Headline("language_match", "Answer language matches question"),
    Headline("hit@1", "Retrieval hit@1"),
    Headline("hit@3", "Retrieval hit@3"),
    Headline("hit@5", "Retrieval hit@5"),
    Headline("mrr", "Retrieval MRR", kind="score"),
    Headline("latency_p50_ms", "Latency p50", higher_is_better=False, bar=30, kind="ms"),
    Headline("latency_p95_ms", "Latency p95", higher_is_better=False, bar=60, kind="ms"),
)


@dataclass(frozen=True)
class Delta:
    metric: Headline
    baseline: float | None
    current: float | None
    failed: bool

    @property
    def change(self) -> float | None:
        return None if self.baseline is None or self.current is None else self.current - self.baseline


def load_baseline(path: Path) -> dict[str, Any]:
    """A stored metrics.json (or just its ``overall`` part); ValueError/TypeError name the file when unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise TypeError(f"{path} must hold a metrics object")
    return data


def compare_to_baseline(current: Mapping[str, Any], baseline: Mapping[str, Any],
                        tolerance: float = 0.02) -> list[Delta]:
    """Headline deltas. A rate fails when it moved the wrong way by more than ``tolerance`` (absolute); a count
    (invalid citations) fails on any rise; latency is reported, never gated. Missing values are not compared."""
    now = current.get("overall", current)
    then = baseline.get("overall", baseline)
    deltas = []
    for metric in HEADLINE:
        old, new = then.get(metric.key), now.get(metric.key)
        failed = False
        if metric.gated and old is not None and new is not None:
            slack = 0 if metric.kind == "count" else tolerance
            worse = old - new if metric.higher_is_better else new - old
            failed = worse > slack + 1e-12
        deltas.append(Delta(metric, old, new, failed))
    return deltas


def delta_table(deltas: Sequence[Delta], title: str = "Against baseline") -> Table:
    table = Table(title=title)
    for column in ("metric", "baseline", "now", "change", ""):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for d in deltas:
        status = "[red]DROP[/red]" if d.failed else ("" if d.metric.gated else "[dim]not gated[/dim]")
        table.add_row(d.metric.label, d.metric.show(d.baseline), d.metric.show(d.current),
                      d.metric.show_change(d.change), status)
    return table


def headline_table(metrics: Mapping[str, Any], title: str = "Evaluation") -> Table:
    """The summary a terminal user sees: each headline number, its bar and whether it is met."""
    overall = metrics.get("overall", metrics)
    table = Table(title=title)
    for column in ("metric", "value", "bar", "status"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for metric in HEADLINE:
        met = metric.meets_bar(overall.get(metric.key))
        bar = "" if metric.bar is None else ("≥ " if metric.higher_is_better else "≤ ") + metric.show(metric.bar)
        status = {True: "[green]met[/green]", False: "[red]not met[/red]", None: ""}[met]
        table.add_row(metric.label, metric.show(overall.get(metric.key)), bar, status)
    return table
