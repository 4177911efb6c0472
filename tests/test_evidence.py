"""assistant.evidence: sentence splitting, how a sentence treats a term (modality) on the license's real sentences,
time limits, cited regulations, English alignment and the 不得/"shall not" stretches. No model needed: the license
is parsed from the corpus on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.corpus import License, load_license
from assistant.evidence import (
    Sentence,
    align_english,
    contains,
    forbidden_parts,
    modality,
    provided_service,
    regulates_provision,
    regulations,
    sentence_modality,
    sentences,
    time_limits,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def lic() -> License:
    return load_license(CORPUS, "kongzhong-icp-020001")


def sentence(lic: License, clause_id: str, index: int = 0) -> Sentence:
    return sentences(clause_id, lic.clause(clause_id).text_zh)[index]


def english(lic: License, s: Sentence) -> str:
    clause = lic.clause(s.clause_id)
    return align_english(clause.text_zh, clause.text_en, s.index)


# -- sentences() -------------------------------------------------------------------------------------------------
def test_sentences_split_on_the_chinese_full_stop_and_keep_it() -> None:
    got = sentences("special.x", "甲乙。丙丁，戊。己")
    assert [s.text for s in got] == ["甲乙。", "丙丁，戊。", "己"]
    assert [s.index for s in got] == [0, 1, 2]
    assert {s.clause_id for s in got} == {"special.x"}


def test_sentences_of_empty_text_are_none() -> None:
    assert sentences("main.x", "") == []


def test_sentences_do_not_split_on_commas_semicolons_or_ascii_dots() -> None:
    text = "你公司应当提前90日申请；不再继续经营的，应当报告。www.kongzhong.com是域名。"
    assert [s.text for s in sentences("c", text)] == ["你公司应当提前90日申请；不再继续经营的，应当报告。",
                                                      "www.kongzhong.com是域名。"]


def test_every_clause_is_partitioned_into_its_sentences(lic: License) -> None:
    """Quotes are joined sentences: they are verbatim only if the sentences tile the clause text exactly."""
    for clause in lic.clauses:
        parts = sentences(clause.id, clause.text_zh)
        assert parts, clause.id
        assert "".join(s.text for s in parts) == clause.text_zh, clause.id
        assert all(s.text in clause.text_zh for s in parts)


def test_real_clauses_split_where_expected(lic: License) -> None:
    assert len(sentences("special.12", lic.clause("special.12").text_zh)) == 2
    renewal = sentence(lic, "special.12", 1)
    assert renewal.text.startswith("你公司经营许可证有效期届满需要继续经营的")
    assert "提前90日" in renewal.text
    assert len(sentences("special.15.2", lic.clause("special.15.2").text_zh)) == 1


def test_plain_blanks_cited_titles() -> None:
    s = Sentence("special.15.3", 0, "你公司发布《互联网信息服务管理办法》第十五条所列内容。")
    assert "互联网信息服务" not in s.plain
    assert "《》" in s.plain
    assert not contains(s, "互联网信息服务")
    assert contains(s, "互联网信息服务", raw=True)


# -- modality() on real sentences ------------------------------------------------------------------------------
def test_fixed_line_phone_information_needs_approval(lic: License) -> None:
    s = sentence(lic, "special.15.2")
    assert "固定网电话信息服务" in s.text
    assert modality(s, "固定网电话信息服务") == "conditional"
    assert sentence_modality(s) == "conditional"


def test_reselling_bandwidth_is_prohibited(lic: License) -> None:
    s = sentence(lic, "special.4")
    assert modality(s, "带宽") == "prohibited"
    assert modality(s, "转售") == "prohibited"


def test_internet_access_service_in_special_4_is_a_party_not_the_act(lic: License) -> None:
    s = sentence(lic, "special.4")
    assert modality(s, "互联网接入服务") == "mention"
    # asked about as a party the company deals with, the forbidden dealing makes it forbidden
    assert modality(s, "互联网接入服务", party=True) == "prohibited"


def test_app_store_provision_applies(lic: License) -> None:
    s = sentence(lic, "special.15.11")
    assert modality(s, "应用软件发布平台服务") == "applies"
    assert regulates_provision(s)
    assert provided_service(s.text) == "应用软件发布平台服务"


def test_forum_provision_applies(lic: License) -> None:
    s = sentence(lic, "special.15.13")
    assert modality(s, "信息社区平台服务") == "applies"


def test_building_transmission_facilities_needs_a_licence_first(lic: License) -> None:
    s = sentence(lic, "special.3", 0)
    assert "电信传输网络设施" in s.text
    assert modality(s, "电信传输网络设施") == "conditional"
    assert sentence_modality(s) == "conditional"


def test_public_telephone_service_is_prohibited(lic: License) -> None:
    s = sentence(lic, "special.15.14", 1)
    assert "公共电话业务" in s.text
    assert modality(s, "公共电话业务") == "prohibited"


def test_merger_is_conditional_on_approval(lic: License) -> None:
    s = sentence(lic, "special.11")
    assert modality(s, "合并") == "conditional"


def test_plain_obligation_and_mention() -> None:
    obliged = Sentence("special.14", 0, "十四、你公司应当在每年第一季度参加电信主管部门组织的经营许可证年报。")
    assert sentence_modality(obliged) == "obliged"
    assert modality(obliged, "年报") == "obliged"
    mention = Sentence("main.company", 0, "公司名称：北京空中信使信息技术有限公司")
    assert sentence_modality(mention) == "mention"


def test_a_term_missing_from_the_sentence_gets_the_sentence_modality(lic: License) -> None:
    s = sentence(lic, "special.15.2")
    assert modality(s, "应用商店") == sentence_modality(s) == "conditional"


def test_title_does_not_count_as_the_service(lic: License) -> None:
    """special.1 cites 《互联网信息服务管理办法》; that is not a rule about 互联网信息服务 itself."""
    s = sentence(lic, "special.1")
    assert "《互联网信息服务管理办法》" in s.text
    assert not contains(s, "互联网信息服务")


# -- time_limits() ---------------------------------------------------------------------------------------------
def test_time_limit_within_30_days() -> None:
    [limit] = time_limits("应当自公司作出决定之日起30日内向原发证机关提出申请")
    assert (limit.kind, limit.number, limit.unit) == ("within", 30, "日")
    assert limit.text.endswith("30日内")


def test_time_limit_within_10_working_days() -> None:
    [limit] = time_limits("并在处置后的10个工作日内向电信主管部门上报")
    assert (limit.text, limit.kind, limit.number, limit.unit) == ("10个工作日内", "within", 10, "工作日")


def test_time_limit_90_days_in_advance() -> None:
    [limit] = time_limits("应当提前90日向原发证机关提出延续经营许可证的申请")
    assert (limit.text, limit.kind, limit.number, limit.unit) == ("提前90日", "advance", 90, "日")


def test_time_limit_first_quarter_of_each_year() -> None:
    [limit] = time_limits("你公司应当在每年第一季度参加电信主管部门组织的经营许可证年报。")
    assert (limit.text, limit.kind, limit.number) == ("每年第一季度", "quarter", 1)


def test_time_limit_immediately_and_at_the_first_moment() -> None:
    limits = time_limits("立即采取应急措施，控制影响范围，并第一时间向电信主管部门报告")
    assert [(t.text, t.kind) for t in limits] == [("立即", "immediate"), ("第一时间", "immediate")]


def test_time_limits_in_chinese_numerals_and_days() -> None:
    assert [(t.number, t.unit) for t in time_limits("三十天内")] == [(30, "日")]
    assert [(t.kind, t.number, t.unit) for t in time_limits("提前三个月")] == [("advance", 3, "月")]


def test_no_time_limit_in_a_sentence_without_one() -> None:
    assert time_limits("公司名称：北京空中信使信息技术有限公司") == []


def test_time_limits_of_real_clauses(lic: License) -> None:
    def kinds(clause_id: str) -> list[tuple[str, int | None]]:
        return [(t.kind, t.number) for t in time_limits(lic.clause(clause_id).text_zh)]

    assert ("within", 30) in kinds("special.11")
    assert ("within", 10) in kinds("special.9")
    assert ("advance", 90) in kinds("special.12")
    assert ("quarter", 1) in kinds("special.14")
    assert [t.text for t in time_limits(lic.clause("special.8").text_zh)] == ["立即", "第一时间"]


# -- regulations() ---------------------------------------------------------------------------------------------
def test_regulation_with_its_order_number(lic: License) -> None:
    assert regulations(lic.clause("special.6").text_zh) == [("通信网络安全防护管理办法", "工业和信息化部令第11号")]
    assert regulations(lic.clause("special.7").text_zh) == [("电信和互联网用户个人信息保护规定", "工业和信息化部令第24号")]


def test_regulations_without_order_numbers(lic: License) -> None:
    assert regulations(lic.clause("special.1").text_zh) == [("中华人民共和国电信条例", None), ("互联网信息服务管理办法", None)]
    assert regulations("没有书名号的句子。") == []


# -- align_english() -------------------------------------------------------------------------------------------
def test_align_english_picks_the_matching_sentence_when_counts_agree(lic: License) -> None:
    clause = lic.clause("special.15.14")
    assert len(sentences("special.15.14", clause.text_zh)) == 2
    second = align_english(clause.text_zh, clause.text_en, 1)
    assert second != clause.text_en
    assert second in clause.text_en
    assert "public telephone" in second
    assert "instant information interaction" not in second


def test_align_english_on_special_12_renewal_sentence(lic: License) -> None:
    clause = lic.clause("special.12")
    renewal = align_english(clause.text_zh, clause.text_en, 1)
    assert renewal in clause.text_en
    assert "90 days" in renewal
    assert "registered capital" not in renewal


def test_align_english_synthetic() -> None:
    assert align_english("甲。乙。", "First one. Second one.", 0) == "First one."
    assert align_english("甲。乙。", "First one. Second one.", 1) == "Second one."
    assert align_english("甲。乙。", "1. First one. Second one.", 0) == "First one."  # numbering dropped


def test_align_english_falls_back_to_the_whole_clause_when_counts_differ() -> None:
    assert align_english("甲。乙。", "Only one sentence here.", 1) == "Only one sentence here."
    assert align_english("甲。乙。", "First one. Second one.", 5) == "First one. Second one."


def test_align_english_does_not_split_after_abbreviations() -> None:
    en = "Beijing Kongzhong Co. Ltd. holds it. License No. 5 is issued. Third."
    assert align_english("甲。乙。丙。", en, 0) == "Beijing Kongzhong Co. Ltd. holds it."
    assert align_english("甲。乙。丙。", en, 1) == "License No. 5 is issued."


# -- forbidden_parts() -----------------------------------------------------------------------------------------
def test_forbidden_parts_of_special_4(lic: License) -> None:
    s = sentence(lic, "special.4")
    parts = forbidden_parts(s.text, english(lic, s))
    assert len(parts["zh"]) == 2
    assert any("带宽" in p and "转售" in p for p in parts["zh"])
    assert any("resell" in p and "bandwidth" in p for p in parts["en"])
    # what precedes 不得 (应当…规范各类电信资源的使用管理) is not forbidden
    assert not any("规范各类电信资源" in p for p in parts["zh"])


def test_forbidden_parts_stop_at_the_clause_break() -> None:
    parts = forbidden_parts("未经批准，你公司不得开展固定网电话信息服务业务。",
                            "The Company shall not carry out fixed-network telephone information services.")
    assert parts["zh"] == ["开展固定网电话信息服务业务"]
    assert [p.strip() for p in parts["en"]] == ["carry out fixed-network telephone information services"]


def test_forbidden_parts_empty_without_a_prohibition() -> None:
    assert forbidden_parts("你公司应当遵守规定。", "The Company shall comply.") == {"zh": [], "en": []}
