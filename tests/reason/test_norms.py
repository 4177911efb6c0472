"""The norm compiler on the real license and on the synthetic second license: kinds, periods and anchors come
from the template's legal grammar, and every quote is verbatim."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.corpus import License, load_license
from assistant.reason.norms import Norm, compile_norms

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "synthetic-license" / "license.zh.txt"


@pytest.fixture(scope="module")
def lic() -> License:
    return load_license(ROOT / "corpus", "kongzhong-icp-020001")


@pytest.fixture(scope="module")
def norms(lic: License) -> list[Norm]:
    return compile_norms(lic)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> License:
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "xinghe").mkdir()
    shutil.copy(FIXTURE, corpus / "xinghe" / "license.zh.txt")
    shutil.copy(ROOT / "corpus" / "glossary.json", corpus / "glossary.json")
    return load_license(corpus, "xinghe")


def _of(norms: list[Norm], clause_id: str, kind: str | None = None) -> list[Norm]:
    return [n for n in norms if n.clause_id == clause_id and (kind is None or n.kind == kind)]


def test_ids_unique_and_quotes_verbatim(lic: License, norms: list[Norm]) -> None:
    assert len({n.id for n in norms}) == len(norms)
    for n in norms:
        assert n.quote and n.quote in lic.clause(n.clause_id).text_zh, n.id


def test_scope_gives_grant_and_exclusions(norms: list[Norm]) -> None:
    assert [n.act_zh for n in _of(norms, "main.scope", "exclusion")] == ["信息搜索查询服务", "信息即时交互服务"]
    assert _of(norms, "main.scope", "grant")[0].act_zh.startswith("信息服务业务")


@pytest.mark.parametrize(("clause_id", "kind", "words"), [
    ("special.2", "prohibition", "未经许可的其他电信业务"),
    ("special.3", "needs_approval", "投资建设电信传输网络设施"),  # 在未取得…许可时，不得…
    ("special.4", "prohibition", "转售或转租"),
    ("special.15.2", "needs_approval", "固定网电话信息服务业务"),  # 未经批准，不得…
    ("special.15.5", "prohibition", "明码标价外"),
    ("special.15.6", "duty", "专职网络与信息安全管理人员"),
    ("special.15.10", "prohibition", "强行推送"),
    ("special.15.11", "applies_when", "上架前检测"),
    ("special.11", "needs_approval", "实施"),  # 经批准后方可实施
])
def test_kinds_from_legal_grammar(norms: list[Norm], clause_id: str, kind: str, words: str) -> None:
    assert any(words in n.act_zh for n in _of(norms, clause_id, kind)), [(n.kind, n.act_zh) for n in _of(norms, clause_id)]


@pytest.mark.parametrize(("clause_id", "text", "number", "unit", "anchor", "anchor_zh"), [
    ("special.9", "10个工作日内", 10, "working_day", "event", "处置"),
    ("special.11", "自公司作出决定之日起30日内", 30, "day", "event", "公司作出决定"),
    ("special.12", "30日内", 30, "day", "event", "变更"),
    ("special.12", "提前90日", 90, "day", "expiry", None),
    ("special.15.8", "30日内", 30, "day", "event", "安全评估完成"),
    ("special.13", "30日内", 30, "day", "event", "取得我部颁发的许可证"),
])
def test_periods_and_anchors(norms: list[Norm], clause_id: str, text: str, number: int, unit: str, anchor: str,
                             anchor_zh: str | None) -> None:
    periods = [n.period for n in _of(norms, clause_id) if n.period and n.period.text == text]
    assert periods, [n.period for n in _of(norms, clause_id)]
    p = periods[0]
    assert (p.number, p.unit, p.anchor) == (number, unit, anchor)
    if anchor_zh:
        assert p.anchor_zh == anchor_zh


def test_yearly_and_immediate(norms: list[Norm]) -> None:
    assert _of(norms, "special.14")[0].period.kind == "yearly"
    assert any(n.period and n.period.kind == "immediate" for n in _of(norms, "special.8"))


def test_recipient_and_condition(norms: list[Norm]) -> None:
    apply = next(n for n in _of(norms, "special.11") if n.period)
    assert apply.recipient_zh == "原发证机关"
    assert "合并" in (apply.condition_zh or "")
    stop = [n for n in _of(norms, "special.12") if n.condition_zh == "不再继续经营的"]
    assert stop, "a new trigger starts a fresh condition"


def test_applies_when_names_its_service(norms: list[Norm]) -> None:
    assert {n.applies_to for n in _of(norms, "special.15.12")} == {"信息搜索查询服务"}


def test_synthetic_license_yields_its_own_norms(synthetic: License) -> None:
    norms = compile_norms(synthetic)
    excluded = [n.act_zh for n in norms if n.kind == "exclusion"]
    assert excluded == ["信息社区平台服务", "应用软件发布平台服务"]
    report = next(n for n in norms if n.period and n.period.unit == "working_day")
    assert (report.period.number, report.period.anchor_zh) == (5, "处置")
    renew = [n.period.number for n in norms if n.period and n.period.kind == "advance"]
    assert renew and set(renew) == {60}
