"""The evaluation gate: the smoke subset and the whole gold set, answered by the real engine, must not fall
below the committed baseline (evals/baseline/metrics.json) by more than the stated tolerance.

Regenerate the baseline deliberately, after a reviewed improvement:
    license-assistant eval --questions evals/gold.jsonl --as-of 2026-11-28 --retriever hybrid,dense,bm25 \
        --out evals/runs/gold && cp evals/runs/gold/metrics.json evals/baseline/metrics.json

Questions without their own ``as_of`` are answered as of the day the baseline was taken (AS_OF), so the gate
does not drift as the calendar passes the license's expiry.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation import compare_to_baseline, load_baseline, load_questions, run_eval

pytestmark = pytest.mark.slow

EVALS = Path(__file__).resolve().parent.parent / "evals"
AS_OF = "2026-11-28"
TOLERANCE = 0.02  # absolute drop allowed on any gated rate; counts (invalid citations, errors) may not rise


@pytest.fixture(scope="module")
def gold_metrics() -> dict:
    return run_eval(load_questions(EVALS / "gold.jsonl"), retrievers=("hybrid",), as_of=AS_OF).metrics


def test_smoke_subset_meets_the_bars() -> None:
    metrics = run_eval(load_questions(EVALS / "smoke.jsonl"), retrievers=("hybrid",), as_of=AS_OF).metrics["overall"]
    assert metrics["verdict_accuracy"] >= 0.9, metrics
    assert metrics["invalid_citations"] == 0, metrics
    assert metrics["errors"] == 0, metrics


def test_gold_set_does_not_regress_against_baseline(gold_metrics: dict) -> None:
    baseline = load_baseline(EVALS / "baseline" / "metrics.json")
    failed = [d for d in compare_to_baseline(gold_metrics, baseline, TOLERANCE) if d.failed]
    assert not failed, "dropped beyond tolerance: " + ", ".join(
        f"{d.metric.key} {d.baseline} → {d.current}" for d in failed)


def test_gold_set_never_cites_a_missing_clause(gold_metrics: dict) -> None:
    assert gold_metrics["overall"]["invalid_citations"] == 0
