"""The eval runner's arithmetic, files and CLI, driven by a canned test double (never the real engine)."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

import assistant
from assistant import evaluation
from assistant.cli_eval import eval_command
from assistant.evaluation import (
    QuestionFileError,
    aggregate,
    citation_problems,
    compare_to_baseline,
    load_questions,
    missing_keyword_groups,
    normalise,
    run_eval,
    score_item,
    summarise,
)
from assistant.report import write_report
from assistant.schema import Answer, Citation, RelatedClause

CLAUSES = {
    "main.expiry": "有效期至：2026年12月28日",
    "special.3": "公司不得经营即时通信服务。",
    "special.12": "公司应当在许可证有效期届满前90日向原发证机关提出续期申请。",
}


def cite(clause_id: str, quote: str) -> Citation:
    return Citation(clause_id=clause_id, label_zh="", label_en="", text_zh="", text_en="", quote=quote)


def reply(verdict: str = "info", text: str = "", *, citations: list[Citation] | None = None,
          retrieved: list[str] | None = None, language: str = "zh", question: str = "q") -> Answer:
    return Answer(question=question, language=language, verdict=verdict, answer=text, citations=citations or [],
                  retrieved=retrieved or [], as_of=date(2026, 6, 1), confidence=0.9)


def scored(item: dict, response: Answer | None) -> dict:
    return {**item, "response": response.model_dump(mode="json") if response else None,
            "eval": score_item(item, response, CLAUSES) | {"latency_ms": 1.0}}


class FakeEngine:
    """Same signature as ``assistant.answer``; returns canned answers keyed by question and records the calls."""

    def __init__(self, answers: dict[str, Answer]):
        self.answers = answers
        self.calls: list[tuple[str, object, str | None]] = []

    def __call__(self, question: str, as_of: date | str | None = None, *, retriever: str | None = None) -> Answer:
        self.calls.append((question, as_of, retriever))
        if question not in self.answers:
            raise RuntimeError("engine blew up")
        return self.answers[question]


GOLD = [
    {"id": "a1", "question": "能做即时通讯吗？", "lang": "zh", "type": "scope", "answerable": True,
     "expected_verdict": "no", "expected": [["不得", "不可以"]], "gold_clauses": ["special.3"], "owner": "qa"},
    {"id": "a2", "question": "When is the renewal deadline?", "lang": "en", "type": "date", "answerable": True,
     "expected_verdict": "info", "expected": [["2026-09-29"]], "gold_clauses": ["special.12"], "as_of": "2026-06-01"},
    {"id": "a3", "question": "注册资本是多少？", "lang": "zh", "type": "not_stated", "answerable": False,
     "expected_verdict": "not_stated", "expected": [], "gold_clauses": []},
    {"id": "a4", "question": "<script>alert(1)</script> may we resell bandwidth?", "lang": "en",
     "type": "adversarial", "answerable": True, "expected_verdict": "no", "expected": [["not"]],
     "gold_clauses": ["special.3"]},
]
ENGINE_ANSWERS = {
    "能做即时通讯吗？": reply("no", "不可以。许可证写明：公司不得经营即时通信服务。",
                         citations=[cite("special.3", "公司不得经营即时通信服务。")], retrieved=["special.3"]),
    "When is the renewal deadline?": reply("info", "Apply by September 29, 2026.", language="en",
                                           citations=[cite("special.12", "届满前90日")],
                                           retrieved=["main.expiry", "special.12"]),
    "注册资本是多少？": reply("not_stated", "许可证没有写明注册资本。", retrieved=["special.12"]),
    "<script>alert(1)</script> may we resell bandwidth?": reply(
        "yes", "Yes.", language="en", citations=[cite("special.99", "invented")], retrieved=["main.expiry"]),
}


@pytest.fixture(autouse=True)
def _no_git(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evaluation, "git_commit", lambda: "abc1234")


def quiet() -> Console:
    return Console(file=io.StringIO())


# ---------------------------------------------------------------------------------------------- loading


def test_load_questions_keeps_unknown_fields_and_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": 1, "question": "hi", "owner": "legal", "nested": {"x": [1]}}\n\n'
                    '{"id": "b", "question": "你好"}\n', encoding="utf-8")
    items = load_questions(path)
    assert items[0] == {"id": 1, "question": "hi", "owner": "legal", "nested": {"x": [1]}}
    assert items[1]["question"] == "你好"


@pytest.mark.parametrize(("content", "message"), [
    ('{"id": "a", "question": "ok"}\n{"id": "b", "question": oops}\n', ":2: not valid JSON"),
    ('{"id": "a"}\n', ":1: missing field(s) question"),
    ('["id", "question"]\n', ":1: expected a JSON object"),
    ('{"id": "a", "question": "x"}\n{"id": "a", "question": "y"}\n', ":2: duplicate id 'a'"),
])
def test_load_questions_names_the_bad_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QuestionFileError, match=re.escape(message)):
        load_questions(path)


# ---------------------------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("form", [
    "2026-09-29", "2026年9月29日", "2026年09月29日", "September 29, 2026", "Sep 29, 2026", "Sept. 29th, 2026",
    "29 September 2026", "2026/9/29", "2026.09.29", "２０２６年９月２９日", "二〇二六年九月二十九日", "2026 年 9 月 29 日",
])
def test_every_date_form_normalises_to_iso(form: str) -> None:
    assert normalise(f"截止 {form}。") == "截止2026-09-29。"


@pytest.mark.parametrize(("text", "expected"), [
    ("十五日内", "15日内"), ("提前九十日", "提前90日"), ("二十一", "21"), ("一百零五", "105"),
    ("ＩＣＰ　Ｌｉｃｅｎｓｅ", "icplicense"), ("haven’t", "haven't"), ("February 30, 2026", "february30,2026"),
])
def test_normalise_numerals_width_case_blanks(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_keyword_groups_all_need_an_alternative() -> None:
    expected = [["2026-09-29", "2026年9月29日"], ["90日", "90 days"]]
    assert missing_keyword_groups(expected, "续期截止日为2026年9月29日（到期前九十日）。") == []
    assert missing_keyword_groups(expected, "The deadline is Sep 29, 2026.") == [["90日", "90 days"]]
    assert missing_keyword_groups(["Li Yi"], "The legal representative is LI  YI.") == []


DATEISH = st.lists(st.sampled_from([*"0123456789年月日号-/., 十百零〇一二两九", "sep", "may", "th", "of", "２"]),
                   max_size=30).map("".join)


@given(st.one_of(st.text(), DATEISH))
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_a_date_written_three_ways_normalises_to_one_iso_string(day: date) -> None:
    forms = [f"{day.year}年{day.month}月{day.day}日", f"{day:%B} {day.day}, {day.year}",
             f"{day:%b} {day.day}, {day.year}", f"{day.year}/{day.month}/{day.day}"]
    assert {normalise(f"by {form}.") for form in forms} == {f"by{day.isoformat()}."}


# ---------------------------------------------------------------------------------------------- item metrics


def test_hit_at_k_and_mrr() -> None:
    gold = {"gold_clauses": ["g"]}
    rows = [scored({"id": i, "question": "q", **gold}, reply(retrieved=r)) for i, r in enumerate([
        ["g", "x"], ["x", "g"], ["x", "y", "z", "g"], ["x", "y", "z", "w", "v", "g"]])]
    rows.append(scored({"id": "no-gold", "question": "q"}, reply(retrieved=["x"])))
    metrics = aggregate(rows)
    assert metrics["n_retrieval"] == 4
    assert (metrics["hit@1"], metrics["hit@3"], metrics["hit@5"]) == (0.25, 0.5, 0.75)
    assert metrics["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 4 + 1 / 6) / 4)


def test_citation_validity_catches_fabricated_ids_and_quotes() -> None:
    problems = citation_problems([
        cite("special.12", "届满前 90 日向原发证机关"),  # blanks and widths differ: still verbatim
        cite("special.12", "公司应当……提出续期申请。"),  # elided quote: every piece is in the clause
        cite("special.99", "公司不得经营即时通信服务。"),  # no such clause
        cite("special.3", "公司可以经营即时通信服务。"),  # not what the clause says
        cite("special.3", "  "),
    ], CLAUSES)
    assert problems == [{"clause_id": "special.99", "reason": "unknown clause id"},
                        {"clause_id": "special.3", "reason": "quote not in clause"},
                        {"clause_id": "special.3", "reason": "empty quote"}]


def test_citation_precision_and_recall() -> None:
    item = {"id": 1, "question": "q", "gold_clauses": ["special.3", "special.12"]}
    both = scored(item, reply(citations=[cite("special.3", "不得"), cite("main.expiry", "有效期")]))
    none = scored(item, reply())
    assert (both["eval"]["citation_precision"], both["eval"]["citation_recall"]) == (0.5, 0.5)
    assert (none["eval"]["citation_precision"], none["eval"]["citation_recall"]) == (None, 0)
    metrics = aggregate([both, none])
    assert metrics["citation_precision"] == 0.5  # only items that cite something
    assert metrics["citation_recall"] == 0.25


def test_a_not_stated_answer_points_to_its_nearest_clause_by_relating_it() -> None:
    item = {"id": 1, "question": "q", "expected_verdict": "not_stated", "gold_clauses": ["special.12"]}
    related = [RelatedClause(clause_id="special.12", label_zh="第十二条", label_en="12", score=1.0)]
    silent = reply("not_stated").model_copy(update={"related": related})
    assert scored(item, silent)["eval"]["citation_recall"] == 1.0
    assert scored(item, reply("not_stated"))["eval"]["citation_recall"] == 0
    # an answer that is not "not stated" still has to cite the clause
    assert scored(item, reply("yes").model_copy(update={"related": related}))["eval"]["citation_recall"] == 0


def test_abstention_precision_recall_and_false_refusals() -> None:
    def row(answerable: bool, verdict: str) -> dict:
        return scored({"id": 1, "question": "q", "answerable": answerable}, reply(verdict))

    rows = [row(False, "not_stated"), row(False, "yes"), row(True, "not_stated"), row(True, "yes"),
            row(True, "no"), scored({"id": 9, "question": "outside file, no gold"}, reply("not_stated"))]
    metrics = aggregate(rows)
    assert metrics["abstention_precision"] == 0.5
    assert metrics["abstention_recall"] == 0.5
    assert metrics["false_refusal_rate"] == pytest.approx(1 / 3)


def test_crag_score_rewards_right_ignores_abstentions_and_punishes_wrong() -> None:
    item = {"id": 1, "question": "q", "expected_verdict": "no", "expected": [["不得"]]}
    right = scored(item, reply("no", "不得经营"))
    keywords_missing = scored(item, reply("no", "不行"))
    abstained = scored(item, reply("not_stated", "许可证没有写明"))
    refused_rightly = scored({"id": 2, "question": "q", "expected_verdict": "not_stated"}, reply("not_stated"))
    crag = [r["eval"]["crag"] for r in (right, keywords_missing, abstained, refused_rightly)]
    assert crag == [1, -1, 0, 1]
    assert aggregate([right, keywords_missing, abstained, refused_rightly])["crag_score"] == 0.25


def test_verdict_answer_and_language_flags_with_groups() -> None:
    rows = [scored(item, ENGINE_ANSWERS[item["question"]]) for item in GOLD]
    summary = summarise(rows)
    overall = summary["overall"]
    assert overall["verdict_accuracy"] == 0.75
    assert overall["answer_correctness"] == pytest.approx(2 / 3)
    assert overall["language_match"] == 1
    assert overall["invalid_citations"] == 1
    assert set(summary["by_type"]) == {"scope", "date", "not_stated", "adversarial"}
    assert summary["by_lang"]["zh"]["accuracy"] == 1 and summary["by_lang"]["en"]["accuracy"] == 0.5
    assert overall["lang_gap"] == 0.5
    assert summary["confusion"]["no"] == {"no": 1, "yes": 1}
    assert summarise([scored({"id": 1, "question": "q"}, reply())])["by_lang"].keys() == {"unknown"}
    assert rows[3]["eval"]["problems"] == ["verdict: expected no, got yes", "missing keywords: not",
                                           "citations: none of the gold clauses cited",
                                           "invalid citation: special.99 (unknown clause id)"]


# ---------------------------------------------------------------------------------------------- running


def test_run_eval_uses_item_as_of_and_runs_each_retriever() -> None:
    engine = FakeEngine(ENGINE_ANSWERS)
    run = run_eval(GOLD, engine, retrievers=("hybrid", "bm25"), as_of="2026-01-01", clause_texts=CLAUSES,
                   console=quiet(), warm_up=False)
    assert [call[2] for call in engine.calls] == ["hybrid"] * 4 + ["bm25"] * 4
    assert engine.calls[0][1] == "2026-01-01" and engine.calls[1][1] == "2026-06-01"
    assert list(run.metrics["by_retriever"]) == ["hybrid", "bm25"]
    assert run.metrics["by_retriever"]["hybrid"]["hit@1"] == pytest.approx(1 / 3)
    stamp = run.metrics["run"]
    assert stamp["git_commit"] == "abc1234" and stamp["retrievers"] == ["hybrid", "bm25"]
    assert len(stamp["settings_hash"]) == 12
    assert run.rows[0]["owner"] == "qa" and run.rows[0]["response"]["verdict"] == "no"


def test_warm_up_answers_the_first_question_once_untimed() -> None:
    engine = FakeEngine(ENGINE_ANSWERS)
    run = run_eval(GOLD[:2], engine, clause_texts=CLAUSES, console=quiet())
    assert [call[0] for call in engine.calls] == [GOLD[0]["question"], GOLD[0]["question"], GOLD[1]["question"]]
    assert len(run.rows) == 2


def test_an_engine_exception_is_recorded_not_fatal() -> None:
    run = run_eval([{"id": 1, "question": "unknown", "expected_verdict": "yes"}], FakeEngine({}),
                   clause_texts=CLAUSES, console=quiet())
    row = run.rows[0]
    assert row["response"] is None and row["eval"]["error"] == "RuntimeError: engine blew up"
    assert run.metrics["overall"]["errors"] == 1 and run.metrics["overall"]["verdict_accuracy"] == 0
    assert run.metrics["confusion"] == {"yes": {"error": 1}}


# ---------------------------------------------------------------------------------------------- baseline gate


def test_baseline_gate_fails_on_a_drop_and_passes_within_tolerance() -> None:
    baseline = {"overall": {"verdict_accuracy": 0.96, "false_refusal_rate": 0.02, "invalid_citations": 0,
                            "latency_p50_ms": 10.0, "hit@5": None}}
    within = {"verdict_accuracy": 0.945, "false_refusal_rate": 0.035, "invalid_citations": 0,
              "latency_p50_ms": 90.0, "hit@5": 0.5}
    assert not [d for d in compare_to_baseline({"overall": within}, baseline) if d.failed]
    dropped = {"verdict_accuracy": 0.93, "false_refusal_rate": 0.05, "invalid_citations": 1,
               "latency_p50_ms": 90.0}
    failed = {d.metric.key for d in compare_to_baseline(dropped, baseline) if d.failed}
    assert failed == {"verdict_accuracy", "false_refusal_rate", "invalid_citations"}
    assert not [d for d in compare_to_baseline(dropped, baseline, tolerance=0.05) if d.failed
                and d.metric.kind != "count"]


# ---------------------------------------------------------------------------------------------- report files


def test_report_writes_four_files_with_embedded_plots_and_escaped_questions(tmp_path: Path) -> None:
    run = run_eval(GOLD, FakeEngine(ENGINE_ANSWERS), retrievers=("hybrid", "dense"), clause_texts=CLAUSES,
                   questions=Path("gold.jsonl"), console=quiet())
    files = write_report(tmp_path / "out", run.rows, run.metrics)
    for name in ("results.jsonl", "metrics.json", "report.md", "report.html"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    pngs = sorted(p.name for p in (tmp_path / "out").glob("*.png"))
    assert pngs == ["ablation.png", "accuracy_by_language.png", "accuracy_by_type.png", "confusion.png",
                    "latency.png"]
    page = files["html"].read_text(encoding="utf-8")
    assert page.count("src='data:image/png;base64,iVBOR") == 5
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "NOT MET" in page and "Failures (1)" in page
    results = [json.loads(line) for line in files["results"].read_text(encoding="utf-8").splitlines()]
    assert results[0]["owner"] == "qa" and results[0]["eval"]["verdict_ok"] is True
    assert results[3]["eval"]["hit_at"] == {"1": False, "3": False, "5": False}
    metrics = json.loads(files["metrics"].read_text(encoding="utf-8"))
    assert set(metrics) == {"run", "overall", "by_lang", "by_type", "confusion", "by_retriever"}
    markdown = files["markdown"].read_text(encoding="utf-8")
    assert markdown.index("## Summary") < markdown.index("## By question type") < markdown.index("## Failures")
    assert "<script>" not in markdown


# ---------------------------------------------------------------------------------------------- CLI


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setattr(assistant, "answer", FakeEngine(ENGINE_ANSWERS), raising=False)
    monkeypatch.setattr(evaluation, "_corpus", lambda: (CLAUSES, "corpus123"))
    app = typer.Typer()
    app.command("eval")(eval_command)
    app.command("other")(lambda: None)  # two commands, so "eval" is addressed by name as in the real CLI
    return app


def _gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in GOLD), encoding="utf-8")
    return path


def test_cli_writes_the_report_and_gates_on_the_baseline(cli: typer.Typer, tmp_path: Path) -> None:
    questions, out = _gold_file(tmp_path), tmp_path / "run"
    first = CliRunner().invoke(cli, ["eval", "--questions", str(questions), "--out", str(out),
                                     "--retriever", "hybrid,bm25", "--as-of", "2026-06-01"])
    assert first.exit_code == 0, first.output
    assert "Verdict accuracy" in first.output and (out / "report.html").exists()
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["run"]["corpus_hash"] == "corpus123"

    same = CliRunner().invoke(cli, ["eval", "--questions", str(questions), "--out", str(tmp_path / "again"),
                                    "--baseline", str(out / "metrics.json")])
    assert same.exit_code == 0, same.output

    metrics["overall"]["verdict_accuracy"] = 1.0
    better = tmp_path / "better.json"
    better.write_text(json.dumps(metrics), encoding="utf-8")
    gated = CliRunner().invoke(cli, ["eval", "--questions", str(questions), "--out", str(tmp_path / "gated"),
                                     "--baseline", str(better), "--tolerance", "0.02"])
    assert gated.exit_code == 1
    assert "baseline gate failed" in gated.output and "Verdict accuracy" in gated.output


@pytest.mark.parametrize("args", [["--retriever", "vector"], ["--as-of", "tomorrow"]])
def test_cli_rejects_bad_options(cli: typer.Typer, tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["eval", "--questions", str(_gold_file(tmp_path)), "--out",
                                      str(tmp_path / "o"), *args])
    assert result.exit_code == 2


def test_cli_reports_a_malformed_question_file(cli: typer.Typer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--questions", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "missing field(s) question" in result.output
