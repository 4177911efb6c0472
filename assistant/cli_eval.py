"""``license-assistant eval``: run a question file, write the report, gate on a baseline.

Kept out of :mod:`assistant.cli` so the runner can evolve on its own; the main CLI registers it with
``app.command("eval")(eval_command)``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, get_args

import typer
from rich.console import Console
from rich.table import Table

from .config import RetrieverName
from .evaluation import (
    QuestionFileError,
    compare_to_baseline,
    delta_table,
    headline_table,
    load_baseline,
    load_questions,
    run_eval,
)
from .report import ABLATION_COLUMNS, ablation_rows, write_report

console = Console()


def _retrievers(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    known = get_args(RetrieverName)
    unknown = [name for name in names if name not in known]
    if not names or unknown:
        raise typer.BadParameter(f"use one or more of {', '.join(known)} separated by commas, got {value!r}",
                                 param_hint="--retriever")
    return list(dict.fromkeys(names))


def _as_of(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise typer.BadParameter(f"expected an ISO date like 2026-06-01, got {value!r}",
                                 param_hint="--as-of") from None


def _ablation_table(by_retriever: dict[str, dict[str, float | None]]) -> Table:
    table = Table(title="Retriever ablation")
    table.add_column("retriever")
    for _, label in ABLATION_COLUMNS:
        table.add_column(label, justify="right")
    for row in ablation_rows(by_retriever):
        table.add_row(*row)
    return table


def eval_command(
    questions: Annotated[Path, typer.Option("--questions", help="JSONL file; each line needs id and question.",
                                            exists=True, dir_okay=False, readable=True)],
    out: Annotated[Path, typer.Option("--out", help="Folder for results.jsonl, metrics.json, report.md/.html.",
                                      file_okay=False)],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (ISO) for questions without their own "
                                              "as_of; default today.")] = None,
    retriever: Annotated[str, typer.Option("--retriever", help="hybrid, dense or bm25; a comma-separated list "
                                           "runs an ablation (the first is the primary run).")] = "hybrid",
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Stored metrics.json to compare with; exit "
                                                  "1 on a drop.", exists=True, dir_okay=False)] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", min=0.0, help="Allowed absolute drop of a rate "
                                             "before the baseline gate fails.")] = 0.02,
) -> None:
    """Answer every question in a file, score against the known answers and write the report."""
    names, when = _retrievers(retriever), _as_of(as_of)
    try:
        items = load_questions(questions)
        reference = load_baseline(baseline) if baseline else None
    except (QuestionFileError, ValueError, TypeError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    run = run_eval(items, retrievers=names, as_of=when, questions=questions, console=console)
    files = write_report(out, run.rows, run.metrics)
    console.print(headline_table(run.metrics, title=f"Evaluation of {questions.name} ({len(items)} questions)"))
    if len(names) > 1:
        console.print(_ablation_table(run.metrics["by_retriever"]))
    console.print(f"report: {files['html']}  ·  results: {files['results']}")
    if reference is None:
        return
    deltas = compare_to_baseline(run.metrics, reference, tolerance)
    console.print(delta_table(deltas, title=f"Against {baseline}"))
    dropped = [d for d in deltas if d.failed]
    if dropped:
        console.print("[red]baseline gate failed:[/red] " + ", ".join(
            f"{d.metric.label} {d.metric.show(d.baseline)} → {d.metric.show(d.current)}" for d in dropped))
        raise typer.Exit(1)
    console.print(f"[green]baseline gate passed[/green] (tolerance {tolerance:g})")
