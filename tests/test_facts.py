"""Facts read from the license itself: the notices due before expiry (each part of its sentence), and whether a
section is part of the license."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.corpus import License, load_license
from assistant.facts import advance_rule, state_field
from assistant.findings import SentenceIndex

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "tests" / "fixtures" / "synthetic-license" / "license.zh.txt"


@pytest.fixture(scope="module")
def lic() -> License:
    return load_license(ROOT / "corpus", "kongzhong-icp-020001")


def test_the_renewal_and_the_wind_down_notice_are_each_read_from_their_part(lic: License) -> None:
    index = SentenceIndex(lic)
    for ask in ("renewal", "wind_down"):
        rule = advance_rule(index, ask)
        assert rule is not None and rule[0].clause_id == "special.12" and rule[1] == 90


def test_a_license_with_different_notices_gives_each_its_own(tmp_path: Path) -> None:
    text = SYNTHETIC.read_text(encoding="utf-8")
    assert "不再继续经营的，应当提前60日" in text
    (tmp_path / "variant").mkdir()
    (tmp_path / "variant" / "license.zh.txt").write_text(text.replace("不再继续经营的，应当提前60日", "不再继续经营的，应当提前45日"),
                                                           encoding="utf-8")
    shutil.copy(ROOT / "corpus" / "glossary.json", tmp_path / "glossary.json")
    index = SentenceIndex(load_license(tmp_path, "variant"))
    assert advance_rule(index, "renewal")[1] == 60  # type: ignore[index]
    assert advance_rule(index, "wind_down")[1] == 45  # type: ignore[index]


def test_a_section_is_part_of_the_license_only_where_the_license_says_so(lic: License) -> None:
    index = SentenceIndex(lic)
    special = state_field(index, "special.preamble", "zh", "特别规定事项算不算许可证的一部分？")
    assert special.holds is True and "组成部分" in special.cited[0].text  # its own sentence says so
    annex = state_field(index, "annex.preamble", "en", "Is the annex part of the license?")
    assert annex.holds is True and "main.preamble" in [s.clause_id for s in annex.cited]  # 「（正文和附件）」
    assert state_field(index, "annex.preamble", "en", "What does the annex list?").holds is None


@pytest.mark.parametrize(("clause_id", "question", "lang", "holds"), [
    # the number as the translation romanises it, and a digit off
    ("main.number", "Our license number is Jing ICP Zheng 020001, right?", "en", True),
    ("main.number", "Our license number is Jing ICP Zheng 020010, right?", "en", False),
    ("main.number", "我们的许可证编号是京ICP证020011号吧？", "zh", False),
    # a value the question quotes, or writes in Chinese inside English
    ("annex.site-name", "备案材料里网站名称我们写成了“空中网”，跟许可证上一致吧？", "zh", False),
    ("annex.site-name", "备案材料里网站名称我们写成了“空中信使”，跟许可证上一致吧？", "zh", True),
    ("annex.site-name", "The license records our website name as 空中快递, right?", "en", False),
    # Chinese glued to English words is part of the question, not a value it claims
    ("annex.access-provider", "ICP证的access provider是谁", "en", None),
])
def test_a_value_the_question_claims_for_a_field_is_held_against_it(lic: License, clause_id: str, question: str,
                                                                   lang: str, holds: bool | None) -> None:
    finding = state_field(SentenceIndex(lic), clause_id, lang, question)  # type: ignore[arg-type]
    assert finding.holds is holds
    if holds is False:
        assert finding.text.startswith(("No", "不对"))
