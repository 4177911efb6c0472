"""``license-assistant clauses``: the JSON list of the 42 clauses, one clause by id, an unknown id."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import get_settings

ROOT = Path(__file__).resolve().parents[1]
IDS = [
    "main.preamble", "main.company", "main.legal-rep", "main.scope", "main.issue-date", "main.expiry", "main.number",
    "annex.preamble", "annex.site-name", "annex.domains", "annex.server-location", "annex.access-provider",
    "special.preamble",
    *(f"special.{i}" for i in range(1, 16)),
    *(f"special.15.{i}" for i in range(1, 15)),
]
REQUIRED = ("id", "label_zh", "label_en", "text_zh", "text_en")


@pytest.fixture(autouse=True)
def real_corpus(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the CLI at the repository's corpus whatever the environment says."""
    monkeypatch.setenv("LICENSE_ASSISTANT_CORPUS_DIR", str(ROOT / "corpus"))
    monkeypatch.delenv("LICENSE_ASSISTANT_DOCUMENT", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_clauses_json_lists_exactly_the_42_ids() -> None:
    result = _run("clauses", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == IDS
    for row in rows:
        for key in REQUIRED:
            assert isinstance(row[key], str) and row[key].strip(), (row["id"], key)


def test_clauses_json_carries_labels_and_spans() -> None:
    rows = {row["id"]: row for row in json.loads(_run("clauses", "--json").stdout)}
    assert rows["special.12"]["label_zh"] == "特别规定事项第十二条"
    assert rows["special.15.14"]["label_en"] == "Special Provision 15(14)"
    assert rows["main.scope"]["label_en"] == "Scope of licensed services"
    assert rows["main.number"]["text_zh"] == "经营许可证编号：京ICP证020001号"
    assert len(rows["main.number"]["spans"]) > 1
    assert rows["special.15.5"]["section"] == "special"


def test_one_clause_as_json() -> None:
    result = _run("clauses", "special.12", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == ["special.12"]
    assert "提前90日" in rows[0]["text_zh"]
    assert "90 days" in rows[0]["text_en"]


def test_one_clause_as_a_table() -> None:
    result = _run("clauses", "special.12")
    assert result.exit_code == 0, result.output
    assert "special.12" in result.output
    assert "特别规定事项第十二条" in result.output and "Special Provision 12" in result.output
    assert "special.11" not in result.output and "special.13" not in result.output


def test_all_clauses_as_a_table_show_both_languages() -> None:
    result = _run("clauses")
    assert result.exit_code == 0, result.output
    assert "京ICP证020001号" in result.output
    for clause_id in ("main.preamble", "special.15.14"):
        assert clause_id in result.output
    assert "中文" in result.output and "English" in result.output


def test_unknown_clause_id_exits_2_with_a_message() -> None:
    result = _run("clauses", "special.99")
    assert result.exit_code == 2
    output = re.sub(r"\s+", " ", result.output)
    assert "no clause 'special.99'" in output
    assert "special.15.14" in output, "the message lists the ids there are"


def test_missing_corpus_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LICENSE_ASSISTANT_CORPUS_DIR", str(tmp_path))
    get_settings.cache_clear()
    result = _run("clauses", "--json")
    assert result.exit_code == 2
    assert "error" in result.output


def test_norms_json_lists_kinds_periods_and_anchors() -> None:
    result = _run("norms", "--json")
    assert result.exit_code == 0, result.output
    norms = json.loads(result.output)
    assert {n["clause_id"] for n in norms} <= set(IDS)
    assert {"grant", "exclusion", "duty", "prohibition", "needs_approval", "applies_when", "fact"} <= {n["kind"] for n in norms}
    report = next(n for n in norms if n["period"] and n["period"]["unit"] == "working_day")
    assert (report["clause_id"], report["period"]["number"], report["period"]["anchor_zh"]) == ("special.9", 10, "处置")


def test_norms_table_filters_by_kind() -> None:
    result = _run("norms", "--kind", "prohibition")
    assert result.exit_code == 0 and "special.4#" in result.output and "main.scope#" not in result.output


def test_help_lists_the_lazy_commands_without_importing_them() -> None:
    """``--help`` must stay fast: eval and serve are listed by summary, their modules (matplotlib, FastAPI) are not
    imported until one of them runs, and neither are the settings (pydantic-settings) nor the corpus parser."""
    script = ("import sys; from assistant.cli import app\n"
              "try: app(['--help'])\nexcept SystemExit: pass\n"
              "print(sorted(m for m in ('assistant.server', 'assistant.cli_eval', 'fastapi', 'matplotlib',"
              " 'pydantic_settings', 'assistant.config', 'assistant.corpus') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    assert done.stdout.strip().endswith("[]"), done.stdout[-300:]
    assert "eval" in done.stdout and "serve" in done.stdout


@pytest.mark.parametrize("name", ["eval", "serve"])
def test_lazy_command_summary_is_the_commands_own(name: str) -> None:
    from importlib import import_module

    from assistant.cli import LAZY_COMMANDS

    module, function, summary = LAZY_COMMANDS[name]
    assert (getattr(import_module(module), function).__doc__ or "").strip().splitlines()[0] == summary
    result = _run(name, "--help")
    assert result.exit_code == 0 and "--help" in result.output
