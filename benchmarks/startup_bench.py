"""Start-up benchmark (issue 12): cold CLI commands, the UI and the API server until ready, warm ``answer()``,
``index --rebuild``.

    .venv/bin/python benchmarks/startup_bench.py [--runs 5] [--build-runs 3] [--json PATH]

Each command runs ``--runs`` times in a fresh process (after one untimed run that builds the index and its warm
state if they are missing); the table gives median/min/max wall time and the median peak RSS (the child's
``ru_maxrss`` from ``wait4``). ``app.py`` and ``serve`` are timed from spawn until they answer HTTP (``/`` and
``/healthz`` = 200, both only once the engine is warm); ``import gradio`` alone, in a fresh process, is the part of
``app.py`` this project does not control. Warm ``answer()`` is timed in this process over the gold questions, each
once, with the query-embedding cache cleared. ``index --rebuild`` runs ``--build-runs`` times on a temporary index
dir (0 skips it). Uses the index the settings name (``LICENSE_ASSISTANT_INDEX__DIR``); the machine's load average
is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "evals" / "gold.jsonl"
CLI = [sys.executable, "-c", "from assistant.cli import app; app()"]
QUESTION = "公司可以做即时通讯吗？"
COMMANDS = {  # name -> (argv, goal in seconds)
    "ask": ([*CLI, "ask", QUESTION], 2.0),
    "clauses": ([*CLI, "clauses", "main.expiry"], 0.5),
    "norms": ([*CLI, "norms"], 0.5),
    "--help": ([*CLI, "--help"], 0.5),
    "import gradio": ([sys.executable, "-c", "import gradio"], None),
}
RSS_GOAL_MB = {"ask": 400}
READY_GOAL_S = 4.0


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "GRADIO_ANALYTICS_ENABLED": "False", "COLUMNS": "100", **extra}


def _run_once(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh process."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(argv, cwd=ROOT, env=env or _env(), stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{argv[3:]} exited {child.returncode}: {errors.read().decode()[-500:]}")
    return wall, usage.ru_maxrss / 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ready_once(kind: str, timeout: float = 120.0) -> tuple[float, float]:
    """Seconds from spawn until the UI (``/``) or the API (``/healthz``) answers 200; its peak RSS then."""
    port = _free_port()
    if kind == "app.py":
        argv, url = [sys.executable, "app.py", "--port", str(port)], f"http://127.0.0.1:{port}/"
    else:
        argv, url = [*CLI, "serve", "--port", str(port)], f"http://127.0.0.1:{port}/healthz"
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if time.perf_counter() - started > timeout or child.poll() is not None:
                raise RuntimeError(f"{kind} did not become ready")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        ready = time.perf_counter() - started
    finally:
        child.terminate()
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0
    return ready, usage.ru_maxrss / 1024


def _summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    walls, rss = [s[0] for s in samples], [s[1] for s in samples]
    return {"median_s": round(statistics.median(walls), 3), "min_s": round(min(walls), 3),
            "max_s": round(max(walls), 3), "rss_mb": round(statistics.median(rss))}


def warm_answers() -> dict[str, float]:
    """p50/p95 of ``answer()`` over the gold questions, each once, embedding cache cleared before each."""
    sys.path.insert(0, str(ROOT))
    from assistant.engine import get_assistant

    assistant = get_assistant()
    assistant.warm_up()
    questions = [json.loads(line)["question"] for line in GOLD.read_text("utf-8").splitlines() if line.strip()]
    samples = []
    for question in questions:
        assistant.embeddings.query_cache.cache_clear()
        started = time.perf_counter()
        assistant.answer(question, "2026-11-28")
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 2), "n": len(samples)}


def index_builds(runs: int) -> dict[str, float]:
    """``index --rebuild`` on a temporary index dir: the first run builds it, each one a new generation."""
    with tempfile.TemporaryDirectory(prefix="startup-bench-index-") as index_dir:
        env = _env(LICENSE_ASSISTANT_INDEX__DIR=index_dir)
        return _summary([_run_once([*CLI, "index", "--rebuild", "--json"], env) for _ in range(runs)])


def run(runs: int, build_runs: int) -> dict:
    result: dict = {"load_average_start": _load(), "cpus": os.cpu_count(), "runs": runs}
    first = time.perf_counter()
    _run_once(COMMANDS["ask"][0])  # builds the index and the warm state when they are missing
    result["first_ask_s"] = round(time.perf_counter() - first, 3)
    result["commands"] = {name: _summary([_run_once(argv) for _ in range(runs)])
                          for name, (argv, _) in COMMANDS.items()}
    result["ready"] = {kind: _summary([_ready_once(kind) for _ in range(runs)]) for kind in ("app.py", "serve")}
    result["answer"] = warm_answers()
    if build_runs:
        result["index_rebuild"] = index_builds(build_runs)
    result["load_average_end"] = _load()
    return result


def show(result: dict, console: Console) -> None:
    table = Table(title=f"Cold start, {result['runs']} fresh processes each · load average "
                        f"{result['load_average_start']} → {result['load_average_end']}")
    for column in ("command", "median s", "min s", "max s", "peak RSS MB", "goal", "met"):
        table.add_column(column, justify="left" if column in ("command", "goal") else "right")
    for name, stats in result["commands"].items():
        goal_s, goal_mb = COMMANDS[name][1], RSS_GOAL_MB.get(name)
        met = goal_s is None or (stats["median_s"] <= goal_s and (goal_mb is None or stats["rss_mb"] <= goal_mb))
        goal = "" if goal_s is None else f"≤ {goal_s} s" + (f", ≤ {goal_mb} MB" if goal_mb else "")
        table.add_row(name, *(f"{stats[k]:.2f}" for k in ("median_s", "min_s", "max_s")), str(stats["rss_mb"]),
                      goal, "" if goal_s is None else "yes" if met else "NO")
    for kind, stats in result["ready"].items():
        table.add_row(f"{kind} ready", *(f"{stats[k]:.2f}" for k in ("median_s", "min_s", "max_s")),
                      str(stats["rss_mb"]), f"≤ {READY_GOAL_S} s",
                      "yes" if stats["median_s"] <= READY_GOAL_S else "NO")
    if "index_rebuild" in result:
        stats = result["index_rebuild"]
        table.add_row("index --rebuild", *(f"{stats[k]:.2f}" for k in ("median_s", "min_s", "max_s")),
                      str(stats["rss_mb"]), "no slower than before", "")
    console.print(table)
    answer = result["answer"]
    console.print(f"warm answer() over {answer['n']} gold questions: p50 {answer['p50_ms']} ms, "
                  f"p95 {answer['p95_ms']} ms · first ask ever (builds what is missing): {result['first_ask_s']} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per command")
    parser.add_argument("--build-runs", type=int, default=3, help="index --rebuild runs (0: skip)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    result = run(args.runs, args.build_runs)
    show(result, Console())
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
