"""Evaluation run → files a compliance lead can read: ``results.jsonl``, ``metrics.json``, ``report.md`` and a
self-contained ``report.html`` (plots embedded as base64, also saved as PNG next to it).

The summary comes first (headline numbers against the bars of issue 5), then per-type and per-language tables,
the retriever ablation, the plots, and every item that went wrong with what the assistant actually said.
"""

from __future__ import annotations

import base64
import html
import json
import math
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager, rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .evaluation import HEADLINE, Headline, Row
from .schema import VERDICTS

GROUP_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n", "n"), ("accuracy", "accuracy"), ("verdict_accuracy", "verdict"), ("answer_correctness", "keywords"),
    ("citation_recall", "cit. recall"), ("citation_precision", "cit. precision"), ("hit@5", "hit@5"),
    ("invalid_citations", "invalid cit."),
)
ABLATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("hit@1", "hit@1"), ("hit@3", "hit@3"), ("hit@5", "hit@5"), ("mrr", "MRR"), ("verdict_accuracy", "verdict"),
    ("accuracy", "accuracy"), ("latency_p50_ms", "latency p50"),
)


# ---------------------------------------------------------------------------------------------- plots


@lru_cache(maxsize=1)
def cjk_font() -> bool:
    """Register the first installed Chinese font with matplotlib; without one, plot labels stay ASCII."""
    try:
        listing = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10,
                                 check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    for line in listing.splitlines():
        path = line.split(":")[0].strip()
        try:
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
        rcParams["font.sans-serif"] = [name, *rcParams["font.sans-serif"]]
        return True
    return False


def _labels(names: Sequence[str]) -> list[str]:
    if cjk_font():
        return list(names)
    return [n if n.isascii() else (n.encode("ascii", "ignore").decode().strip() or f"group {i}")
            for i, n in enumerate(names, 1)]


def _figure(width: float = 7, height: float = 3.6) -> Figure:
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _grouped_bars(groups: Mapping[str, Mapping[str, Any]], series: Sequence[tuple[str, str]], title: str,
                  scale: float = 100, unit: str = "%") -> Figure:
    fig = _figure(max(6.0, 1.1 * len(groups) + 3))
    ax = fig.add_subplot()
    names = list(groups)
    width = 0.8 / len(series)
    for i, (key, label) in enumerate(series):
        values = [math.nan if groups[g].get(key) is None else scale * groups[g][key] for g in names]
        positions = [x + (i - (len(series) - 1) / 2) * width for x in range(len(names))]
        bars = ax.bar(positions, values, width, label=label)
        # Label every measured bar so a 0 reads differently from "not measured" (no bar, no label).
        ax.bar_label(bars, ["" if math.isnan(v) else f"{v:.0f}" if scale == 100 else f"{v:.2f}" for v in values],
                     fontsize="x-small", padding=1)
    ax.set_xticks(range(len(names)), _labels([f"{n} ({groups[n].get('n', '?')})" for n in names]),
                  rotation=20 if len(names) > 4 else 0)
    ax.set_ylim(0, 110 if scale == 100 else 1.1)
    ax.set_ylabel(unit)
    ax.set_title(title)
    fig.legend(fontsize="small", ncols=len(series), loc="outside lower center")
    ax.grid(axis="y", alpha=0.3)
    return fig


def _confusion_plot(matrix: Mapping[str, Mapping[str, int]]) -> Figure:
    predicted = sorted({p for row in matrix.values() for p in row},
                       key=lambda v: (VERDICTS.index(v) if v in VERDICTS else len(VERDICTS), v))
    expected = sorted(matrix, key=lambda v: (VERDICTS.index(v) if v in VERDICTS else len(VERDICTS), v))
    counts = [[matrix[e].get(p, 0) for p in predicted] for e in expected]
    fig = _figure(6, 4.5)
    ax = fig.add_subplot()
    image = ax.imshow(counts, cmap="Blues")
    peak = max((c for row in counts for c in row), default=0)
    for r, row in enumerate(counts):
        for c, count in enumerate(row):
            ax.text(c, r, str(count), ha="center", va="center",
                    color="white" if count > peak / 2 else "black", fontsize="small")
    ax.set_xticks(range(len(predicted)), _labels(predicted), rotation=20)
    ax.set_yticks(range(len(expected)), _labels(expected))
    ax.set_xlabel("assistant's verdict")
    ax.set_ylabel("expected verdict")
    ax.set_title("Verdict confusion matrix")
    fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def _latency_plot(latencies: Sequence[float], p50: float | None, p95: float | None) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    ax.hist(latencies, bins=min(40, max(5, len(latencies) // 4)), color="tab:gray")
    for value, label, style in ((p50, "p50", "--"), (p95, "p95", ":")):
        if value is not None:
            ax.axvline(value, color="tab:red", linestyle=style, label=f"{label} {value:.1f} ms")
    ax.set_xlabel("latency per question (ms, wall clock)")
    ax.set_ylabel("questions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Answer latency")
    ax.legend(fontsize="small")
    return fig


def render_plots(out_dir: Path, rows: Sequence[Row], metrics: Mapping[str, Any]) -> dict[str, Path]:
    """Save every plot the data allows as PNG; returns title → path in report order."""
    accuracy = (("accuracy", "accuracy"), ("verdict_accuracy", "verdict"), ("answer_correctness", "keywords"))
    figures: dict[str, tuple[str, Figure]] = {}
    if metrics.get("by_type"):
        figures["Accuracy per question type"] = ("accuracy_by_type.png", _grouped_bars(
            metrics["by_type"], accuracy, "Accuracy per question type (n)"))
    if metrics.get("by_lang"):
        figures["Accuracy per language"] = ("accuracy_by_language.png", _grouped_bars(
            metrics["by_lang"], accuracy, "Accuracy per question language (n)"))
    if metrics.get("confusion"):
        figures["Verdict confusion matrix"] = ("confusion.png", _confusion_plot(metrics["confusion"]))
    latencies = [row["eval"]["latency_ms"] for row in rows if row["eval"].get("latency_ms") is not None]
    if latencies:
        overall = metrics.get("overall", {})
        figures["Latency"] = ("latency.png", _latency_plot(
            latencies, overall.get("latency_p50_ms"), overall.get("latency_p95_ms")))
    if metrics.get("by_retriever"):
        figures["Retriever ablation"] = ("ablation.png", _grouped_bars(
            metrics["by_retriever"], (("hit@1", "hit@1"), ("hit@3", "hit@3"), ("hit@5", "hit@5"), ("mrr", "MRR")),
            "Retrieval by retriever (n)", scale=1, unit="hit rate / MRR"))
    paths = {}
    for title, (name, fig) in figures.items():
        fig.savefig(out_dir / name)
        paths[title] = out_dir / name
    return paths


# ---------------------------------------------------------------------------------------------- content


def _value(key: str, value: Any) -> str:
    metric = next((m for m in HEADLINE if m.key == key), None)
    if metric is not None:
        return metric.show(value)
    return "n/a" if value is None else f"{value:g}" if isinstance(value, int | float) else str(value)


def _bar(metric: Headline) -> str:
    return "" if metric.bar is None else ("≥ " if metric.higher_is_better else "≤ ") + metric.show(metric.bar)


def _status(metric: Headline, value: Any) -> str:
    return {True: "met", False: "NOT MET", None: ""}[metric.meets_bar(value)]


def _stamp_lines(run: Mapping[str, Any]) -> list[str]:
    return [
        f"Questions: {run.get('questions') or 'n/a'} ({run.get('n')} items), run {run.get('date')}",
        f"Retriever: {run.get('retriever')}" + (f" (ablation: {', '.join(run['retrievers'])})"
                                                if len(run.get("retrievers", [])) > 1 else ""),
        f"As-of default: {run.get('as_of') or 'today (items with their own as_of keep it)'}",
        f"Code {run.get('git_commit')} · settings {run.get('settings_hash')} · corpus {run.get('corpus_hash')}"
        + (f" · license {run['doc_id']}" if run.get("doc_id") else ""),
    ]


def _headline_rows(overall: Mapping[str, Any]) -> list[list[str]]:
    return [[m.label, m.show(overall.get(m.key)), _bar(m), _status(m, overall.get(m.key))] for m in HEADLINE]


def _group_rows(groups: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    return [[name, *(_value(key, values.get(key)) for key, _ in GROUP_COLUMNS)] for name, values in groups.items()]


def ablation_rows(by_retriever: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    """One formatted row per retriever, in ABLATION_COLUMNS order (shared with the terminal summary)."""
    return [[name, *(_value(key, values.get(key)) for key, _ in ABLATION_COLUMNS)]
            for name, values in by_retriever.items()]


def _bars_verdict(overall: Mapping[str, Any]) -> str:
    judged = [m.meets_bar(overall.get(m.key)) for m in HEADLINE if m.bar is not None and m.kind != "ms"]
    met = sum(flag is True for flag in judged)
    missing = sum(flag is None for flag in judged)
    return f"{met} of {len(judged)} quality bars met" + (f" ({missing} not measurable on this set)" if missing
                                                        else "")


def failures(rows: Sequence[Row]) -> list[Row]:
    """Rows with at least one problem (wrong verdict, missing keyword, bad citation, engine error …)."""
    return [row for row in rows if row["eval"]["problems"]]


def _failure_count(rows: Sequence[Row], wrong: Sequence[Row]) -> str:
    return f"{len(wrong)} of {len(rows)} questions have a problem (listed under Failures)."


def _expected_keywords(row: Row) -> str:
    groups = row.get("expected") or []
    return " AND ".join(" / ".join(g) if isinstance(g, list) else str(g) for g in groups) or "—"


def _failure_facts(row: Row) -> list[tuple[str, str]]:
    response = row.get("response") or {}
    cited = [f"{c['clause_id']}{f' ({label})' if (label := c['label_en'] or c['label_zh']) else ''}: "
             f"“{c['quote']}”" for c in response.get("citations", [])]
    return [
        ("Question", row["question"]),
        ("What went wrong", "; ".join(row["eval"]["problems"])),
        ("Verdict", f"expected {row.get('expected_verdict', '—')}, assistant said {response.get('verdict', '—')}"),
        ("Expected keywords", _expected_keywords(row)),
        ("Assistant answer", response.get("answer", "—")),
        ("Gold clauses", ", ".join(row.get("gold_clauses") or []) or "—"),
        ("Cited", "; ".join(cited) or "—"),
        ("Retrieved (top 5)", ", ".join(response.get("retrieved", [])[:5]) or "—"),
        ("Type / language", f"{row.get('type', 'unknown')} / {row.get('lang', 'unknown')}"
                            + (f" · as of {row['eval']['as_of']}" if row["eval"].get("as_of") else "")),
    ]


def problem_counts(rows: Sequence[Row]) -> dict[str, int]:
    """How many items have each kind of problem (an item with two wrong keywords groups counts once)."""
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update({problem.split(":")[0] for problem in row["eval"]["problems"]})
    return dict(counts.most_common())


# ---------------------------------------------------------------------------------------------- markdown


def _md_cell(text: Any) -> str:
    """Table-safe and inert: pipes escaped, and markup escaped so a question's HTML never renders."""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def render_markdown(rows: Sequence[Row], metrics: Mapping[str, Any], plots: Mapping[str, Path]) -> str:
    overall = metrics["overall"]
    wrong = failures(rows)
    out = ["# License assistant — evaluation report", ""]
    out += [f"- {line}" for line in _stamp_lines(metrics["run"])] + [""]
    out += ["## Summary", "", f"**{_bars_verdict(overall)}.** {_failure_count(rows, wrong)}", ""]
    out += _md_table(["Metric", "Value", "Bar", "Status"], _headline_rows(overall))
    group_header = ["", *(label for _, label in GROUP_COLUMNS)]
    out += ["## By question type", ""] + _md_table(["type", *group_header[1:]], _group_rows(metrics["by_type"]))
    out += ["## By language", ""] + _md_table(["language", *group_header[1:]], _group_rows(metrics["by_lang"]))
    out += ["## Retriever ablation", ""] + _md_table(["retriever", *(label for _, label in ABLATION_COLUMNS)],
                                                      ablation_rows(metrics["by_retriever"]))
    out += ["## Plots", ""] + [f"![{title}]({path.name})" for title, path in plots.items()] + [""]
    out += [f"## Failures ({len(wrong)})", ""]
    out += _md_table(["problem", "items"], list(problem_counts(wrong).items())) if wrong else []
    for row in wrong:
        out += [f"### {_md_cell(row['id'])}", ""]
        out += [f"- **{label}:** {_md_cell(text)}" for label, text in _failure_facts(row)] + [""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- html

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:70rem;
margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;
text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}
.met{color:#176917;font-weight:600}.notmet{color:#b00020;font-weight:700}.stamp{color:#555;font-size:.9rem}
.failure{border-left:4px solid #b00020;padding:.2rem 1rem;margin:1rem 0;background:#fdf6f6}
.failure dl{display:grid;grid-template-columns:10rem 1fr;gap:.15rem .8rem}.failure dt{font-weight:600}
.failure dd{margin:0;white-space:pre-wrap}.failure dd:nth-of-type(2){color:#b00020}img{max-width:100%}
"""


def _html_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(_html_cell(c) for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_cell(text: Any) -> str:
    css = {"met": "met", "NOT MET": "notmet"}.get(str(text))
    return f'<td class="{css}">{html.escape(str(text))}</td>' if css else f"<td>{html.escape(str(text))}</td>"


def render_html(rows: Sequence[Row], metrics: Mapping[str, Any], plots: Mapping[str, Path]) -> str:
    """The same content as the Markdown, standalone: plots inlined as data URIs, every data string escaped."""
    overall = metrics["overall"]
    wrong = failures(rows)
    esc = html.escape
    group_header = [label for _, label in GROUP_COLUMNS]
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             "<title>License assistant — evaluation report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>License assistant — evaluation report</h1>",
             "<p class='stamp'>" + "<br>".join(esc(line) for line in _stamp_lines(metrics["run"])) + "</p>",
             "<h2>Summary</h2>",
             f"<p><strong>{esc(_bars_verdict(overall))}.</strong> {_failure_count(rows, wrong)}</p>",
             _html_table(["Metric", "Value", "Bar", "Status"], _headline_rows(overall)),
             "<h2>By question type</h2>", _html_table(["type", *group_header], _group_rows(metrics["by_type"])),
             "<h2>By language</h2>", _html_table(["language", *group_header], _group_rows(metrics["by_lang"])),
             "<h2>Retriever ablation</h2>",
             _html_table(["retriever", *(label for _, label in ABLATION_COLUMNS)],
                         ablation_rows(metrics["by_retriever"])),
             "<h2>Plots</h2>"]
    for title, path in plots.items():
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        parts.append(f"<figure><img alt='{esc(title)}' src='data:image/png;base64,{data}'>"
                     f"<figcaption>{esc(title)}</figcaption></figure>")
    parts.append(f"<h2>Failures ({len(wrong)})</h2>")
    if wrong:
        parts.append(_html_table(["problem", "items"], list(problem_counts(wrong).items())))
    for row in wrong:
        facts = "".join(f"<dt>{esc(label)}</dt><dd>{esc(str(text))}</dd>" for label, text in _failure_facts(row))
        parts.append(f"<section class='failure'><h3>{esc(str(row['id']))}</h3><dl>{facts}</dl></section>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------- files


def write_report(out_dir: Path, rows: Sequence[Row], metrics: Mapping[str, Any]) -> dict[str, Path]:
    """Write results.jsonl, metrics.json, the PNG plots, report.md and report.html into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"results": out_dir / "results.jsonl", "metrics": out_dir / "metrics.json",
             "markdown": out_dir / "report.md", "html": out_dir / "report.html"}
    files["results"].write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                                encoding="utf-8")
    files["metrics"].write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    plots = render_plots(out_dir, rows, metrics)
    files["markdown"].write_text(render_markdown(rows, metrics, plots), encoding="utf-8")
    files["html"].write_text(render_html(rows, metrics, plots), encoding="utf-8")
    return files | {f"plot:{path.stem}": path for path in plots.values()}
