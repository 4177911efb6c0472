"""assistant.parser on the real license (kongzhong-icp-020001), on a second, synthetic license of the same
template (tests/fixtures/synthetic-license), on bad input, and as hypothesis properties: never anything but
LicenseParseError, ids and texts stable under CRLF / BOM / full-width spaces, cross-references never open a
clause."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import template as tpl
from assistant.parser import LicenseParseError, ParsedLicense, parse_license, parse_scope
from assistant.text import clean_zh

ROOT = Path(__file__).resolve().parents[1]
REAL_PATH = ROOT / "corpus" / "kongzhong-icp-020001" / "license.zh.txt"
SYNTHETIC_PATH = Path(__file__).resolve().parent / "fixtures" / "synthetic-license" / "license.zh.txt"
REAL = REAL_PATH.read_text(encoding="utf-8")
SYNTHETIC = SYNTHETIC_PATH.read_text(encoding="utf-8")

REAL_IDS = [
    "main.preamble", "main.company", "main.legal-rep", "main.scope", "main.issue-date", "main.expiry", "main.number",
    "annex.preamble", "annex.site-name", "annex.domains", "annex.server-location", "annex.access-provider",
    "special.preamble",
    *(f"special.{i}" for i in range(1, 15)),
    "special.15",
    *(f"special.15.{i}" for i in range(1, 15)),
]
# The synthetic license: 12 articles, the last with 9 items.
SYNTHETIC_IDS = [
    *REAL_IDS[:13],
    *(f"special.{i}" for i in range(1, 13)),
    *(f"special.12.{i}" for i in range(1, 10)),
]
PAGE_HEADS = ("经营许可证编号京ICP证020001号", "经营许可证编号:京ICP证020001号", "经营许可证编号：京ICP证020001号")


@pytest.fixture(scope="module")
def real() -> ParsedLicense:
    return parse_license(REAL)


@pytest.fixture(scope="module")
def synthetic() -> ParsedLicense:
    return parse_license(SYNTHETIC)


def _span_text(source: str, spans: list[tuple[int, int]]) -> str:
    return clean_zh("".join(source[a:b] for a, b in spans))


def _marker_free(text: str) -> str:
    """The clause text without its label (「公司名称：」) or numbering marker (「十二、」, 「（三）」)."""
    text = re.sub(r"^[^：]{1,20}：", "", text) if not re.match(r"^[一二三四五六七八九十百]+、|^（", text) else text
    return re.sub(r"^(?:[一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）)", "", text)


# -- the real license: ids, labels, texts ---------------------------------------------------------------------


def test_real_license_has_exactly_the_42_ids_in_order(real: ParsedLicense) -> None:
    assert [c.id for c in real.clauses] == REAL_IDS
    assert len(REAL_IDS) == 42


@pytest.mark.parametrize("clause_id", REAL_IDS)
def test_every_clause_is_non_empty_and_labelled(real: ParsedLicense, clause_id: str) -> None:
    clause = real.clause(clause_id)
    assert clause.text_zh.strip()
    assert clause.label_zh.strip() and clause.label_en.strip()
    assert clause.spans, "every clause keeps the source spans it came from"
    assert clause.section == clause_id.split(".")[0]
    assert (clause.label_zh, clause.label_en) == tpl.clause_labels(clause_id)


@pytest.mark.parametrize(
    ("clause_id", "label_zh", "label_en"),
    [
        ("special.12", "特别规定事项第十二条", "Special Provision 12"),
        ("special.15", "特别规定事项第十五条", "Special Provision 15"),
        ("special.15.14", "特别规定事项第十五条第（十四）项", "Special Provision 15(14)"),
        ("special.15.1", "特别规定事项第十五条第（一）项", "Special Provision 15(1)"),
        ("main.scope", "业务种类及覆盖范围", "Scope of licensed services"),
        ("main.number", "经营许可证编号", "License number"),
        ("annex.server-location", "服务器放置地", "Server location"),
    ],
)
def test_labels(real: ParsedLicense, clause_id: str, label_zh: str, label_en: str) -> None:
    clause = real.clause(clause_id)
    assert (clause.label_zh, clause.label_en) == (label_zh, label_en)


def test_clause_texts_start_with_their_marker_or_label(real: ParsedLicense) -> None:
    assert real.clause("special.1").text_zh.startswith("一、你公司应当按照《中华人民共和国电信条例》")
    assert real.clause("special.14").text_zh.startswith("十四、你公司应当在每年第一季度")
    assert real.clause("special.15").text_zh == "十五、你公司在经营信息服务业务时应当遵守下列规定："
    assert real.clause("special.15.1").text_zh.startswith("（一）你公司应当按本经营许可证")
    # half-width 「(六) 」 numbering is normalised to the full-width form
    assert real.clause("special.15.6").text_zh.startswith("（六）你公司应当按照电信主管部门要求")
    assert real.clause("special.15.14").text_zh.startswith("（十四）（适用于信息即时交互服务）你公司")
    assert real.clause("main.company").text_zh == "公司名称：北京空中信使信息技术有限公司"
    assert real.clause("main.preamble").text_zh.startswith("根据《中华人民共和国电信条例》")
    assert real.clause("main.preamble").text_zh.endswith("特颁发增值电信业务经营许可证。")
    assert real.clause("annex.preamble").text_zh == "北京空中信使信息技术有限公司获准经营信息服务业务（仅限互联网信息服务）相关信息："
    assert real.clause("special.preamble").text_zh.startswith("《特别规定事项》是经营许可证重要组成部分")


def test_clause_broken_across_page_break_is_rejoined(real: ParsedLicense) -> None:
    c155 = real.clause("special.15.5").text_zh
    assert "明码标价外的任何其他费用" in c155
    assert c155.endswith("并采取措施避免引发收费纠纷。")
    assert len(real.clause("special.15.5").spans) == 2, "two runs of source, one on each side of the page head"
    c1513 = real.clause("special.15.13").text_zh
    assert c1513.endswith("配合电信主管部门建立应急处置机制。")
    assert "配合电信主管部门建立应急处置机制" in c1513
    # the tail after the page break belongs to 15(13), not to the next item
    assert not real.clause("special.15.14").text_zh.startswith("部门")


def test_wrapped_fields_are_rejoined(real: ParsedLicense) -> None:
    assert real.clause("annex.server-location").text_zh.endswith("902室")
    assert real.clause("annex.domains").text_zh == (
        "网站域名：www.kongzhong.com(www.kongzhong.net;www.kongzhong.com.cn;www.kongzhong.net.cn;www.kong.net)"
    )
    assert real.clause("main.scope").text_zh.startswith("业务种类（服务项目）及覆盖范围：信息服务业务（仅限互联网信息服务）")
    assert "不含信息搜索查询服务、信息即时交互服务。" in real.clause("main.scope").text_zh
    assert real.clause("main.scope").text_zh.endswith("【依法须经批准的项目，经相关部门批准后方可开展相应经营活动】")
    assert "仅限互联网信息服务" in real.clause("annex.preamble").text_zh


def test_no_page_head_text_inside_any_clause(real: ParsedLicense) -> None:
    for clause in real.clauses:
        text = clause.text_zh
        if clause.id != "main.number":
            assert "京ICP证020001号" not in text, clause.id
            for head in PAGE_HEADS:
                assert head not in text, (clause.id, head)
        # 《特别规定事项》 is the document's own title, cited in special.preamble; the bare heading is a page head.
        assert "特别规定事项" not in text.replace("《特别规定事项》", ""), clause.id
    assert "《特别规定事项》" in real.clause("special.preamble").text_zh


def test_spurious_spaces_inside_chinese_words_are_removed(real: ParsedLicense) -> None:
    everything = "".join(c.text_zh for c in real.clauses)
    for word in ("管理人员", "技术保障", "网站仿冒", "充分", "安全评估制度", "处置措施"):
        assert word in everything, word
    for broken in ("管理人 员", "技术保 障", "网站仿 冒", "充 分"):
        assert broken not in everything
    assert "专职网络与信息安全管理人员" in real.clause("special.15.6").text_zh
    assert "技术保障措施" in real.clause("special.15.7").text_zh
    assert "网站仿冒" in real.clause("special.15.9").text_zh
    assert "充分保障用户权益" in real.clause("special.15.10").text_zh
    # no blank is left next to a Chinese character anywhere
    for clause in real.clauses:
        assert not re.search(r"[\u4e00-\u9fff] |[ \u3000][\u4e00-\u9fff]", clause.text_zh), clause.id
        assert "\n" not in clause.text_zh


def test_half_width_punctuation_next_to_chinese_is_normalised(real: ParsedLicense) -> None:
    text = real.clause("special.15.14").text_zh
    assert "服务时，对公众帐号" in text
    assert ", " not in text and "(" not in text
    assert real.clause("main.issue-date").text_zh == "发证日期：2021年12月28日"


def test_cross_reference_in_real_text_does_not_open_a_clause(real: ParsedLicense) -> None:
    assert "《互联网信息服务管理办法》第十五条所列内容" in real.clause("special.15.3").text_zh


# -- typed fields ------------------------------------------------------------------------------------------------


def test_real_typed_fields(real: ParsedLicense) -> None:
    f = real.fields
    assert f.company == "北京空中信使信息技术有限公司"
    assert f.legal_rep == "李翊"
    assert f.license_number == "京ICP证020001号"
    assert f.issue_date == date(2021, 12, 28) and f.issue_date.isoformat() == "2021-12-28"
    assert f.expiry == date(2026, 12, 28) and f.expiry.isoformat() == "2026-12-28"
    assert f.site_name == "空中信使"
    assert f.domains == ["www.kongzhong.com", "www.kongzhong.net", "www.kongzhong.com.cn", "www.kongzhong.net.cn",
                         "www.kong.net"]
    assert f.server_location == "北京市海淀区苏州街长远天地C座3单元902室"
    assert f.access_provider == "北京华夏雅库网络科技有限公司"


def test_real_scope(real: ParsedLicense) -> None:
    scope = real.fields.scope
    assert [(i.category, i.restricted_to) for i in scope.items] == [("信息服务业务", ["互联网信息服务"])]
    assert scope.excluded == ["信息搜索查询服务", "信息即时交互服务"]
    assert scope.approval_note == "依法须经批准的项目，经相关部门批准后方可开展相应经营活动"


def test_parse_scope_on_its_own() -> None:
    scope = parse_scope("信息服务业务（仅限互联网信息服务）不含信息社区平台服务、应用软件发布平台服务。")
    assert scope.items[0].category == "信息服务业务"
    assert scope.items[0].restricted_to == ["互联网信息服务"]
    assert scope.excluded == ["信息社区平台服务", "应用软件发布平台服务"]
    assert scope.approval_note is None
    two = parse_scope("信息服务业务（仅限互联网信息服务）、在线数据处理与交易处理业务。")
    assert [i.category for i in two.items] == ["信息服务业务", "在线数据处理与交易处理业务"]
    assert two.excluded == []


# -- spans -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "source"), [("real", REAL), ("synthetic", SYNTHETIC)])
def test_spans_point_at_the_source_of_every_clause(name: str, source: str) -> None:
    parsed = parse_license(source)
    for clause in parsed.clauses:
        spans = clause.spans
        assert all(0 <= a < b <= len(source) for a, b in spans), clause.id
        assert spans == sorted(spans), clause.id
        assert all(b1 <= a2 for (_, b1), (a2, _) in pairwise(spans)), f"{clause.id}: overlapping spans"
        covered = _span_text(source, spans)
        # The clause is exactly the cleaned source at its spans; the license number, printed twice, contains it.
        if clause.id == "main.number":
            assert clause.text_zh in covered
        else:
            assert covered == clause.text_zh, clause.id
        assert _marker_free(clause.text_zh) in covered, clause.id
        # a span never starts or ends on a blank
        for a, b in spans:
            assert not source[a].isspace() and not source[b - 1].isspace(), clause.id


def test_spans_skip_the_page_heads(real: ParsedLicense) -> None:
    for clause in real.clauses:
        covered = "".join(REAL[a:b] for a, b in clause.spans)
        if clause.id != "main.number":
            assert "ICP证" not in covered, clause.id
        assert "特别规定事项" not in covered.replace("《特别规定事项》", ""), clause.id
    c155 = real.clause("special.15.5").spans
    gap = REAL[c155[0][1]:c155[1][0]]
    assert "经营许可证编号" in gap and "特别规定事项" in gap


def test_license_number_has_spans_at_more_than_one_place(real: ParsedLicense) -> None:
    spans = real.clause("main.number").spans
    assert len(spans) > 1
    company = real.clause("main.company").spans[0][0]
    expiry = real.clause("main.expiry").spans[-1][1]
    assert spans[0][0] < company < expiry < spans[-1][0], "printed under the title and again after the dates"
    for a, b in spans:
        assert REAL[a:b] in ("经营许可证编号：京ICP证020001号", "经营许可证编号：", "京ICP证020001号")


# -- the synthetic license of the same template --------------------------------------------------------------


def test_synthetic_fixture_is_as_messy_as_the_real_one() -> None:
    """Guards the fixture itself: it must keep the traps the parser is meant to handle."""
    lines = SYNTHETIC.splitlines()
    assert lines.count("特别规定事项") == 3
    assert "经营许可证编号沪ICP证230456号" in lines and "经营许可证编号:沪ICP证230456号" in lines
    assert "明码标" in SYNTHETIC and "\n价外的任何其他费用" in SYNTHETIC
    assert "业务种类\n(服务项目)\n及覆盖范围：" in SYNTHETIC
    assert "www.\nxinghe-yunshu.net)" in SYNTHETIC
    assert "50\n1室" in SYNTHETIC
    for broken in ("管理人 员", "技术保 障", "网站仿 冒", "充 分"):
        assert broken in SYNTHETIC
    assert "（一）" in SYNTHETIC and "(六) " in SYNTHETIC
    assert "\n第十五条所列内容" in SYNTHETIC, "a cross-reference at a line start inside a clause"


def test_synthetic_license_parses_into_its_own_ids(synthetic: ParsedLicense) -> None:
    assert [c.id for c in synthetic.clauses] == SYNTHETIC_IDS
    assert len(SYNTHETIC_IDS) == 34
    assert not any(c.id.startswith(("special.13", "special.15")) for c in synthetic.clauses)
    for clause in synthetic.clauses:
        assert clause.text_zh and clause.spans and clause.label_zh and clause.label_en
    assert synthetic.clause("special.12.9").label_zh == "特别规定事项第十二条第（九）项"
    assert synthetic.clause("special.12.9").label_en == "Special Provision 12(9)"


def test_synthetic_typed_fields(synthetic: ParsedLicense) -> None:
    f = synthetic.fields
    assert f.company == "上海星河云数网络科技有限公司"
    assert f.legal_rep == "王敏"
    assert f.license_number == "沪ICP证230456号"
    assert f.issue_date == date(2023, 3, 15)
    assert f.expiry == date(2028, 3, 15)
    assert f.site_name == "星河云数"
    assert f.domains == ["www.xinghe-yunshu.com", "www.xhys.cn", "www.xinghe-yunshu.net"]
    assert f.server_location == "上海市浦东新区张江高科技园区碧波路690号2号楼501室"
    assert f.access_provider == "上海云联数据网络有限公司"
    assert f.scope.excluded == ["信息社区平台服务", "应用软件发布平台服务"]
    assert "信息即时交互服务" not in f.scope.excluded
    assert [(i.category, i.restricted_to) for i in f.scope.items] == [("信息服务业务", ["互联网信息服务"])]
    assert f.scope.approval_note == "依法须经批准的项目，经相关部门批准后方可开展相应经营活动"


def test_synthetic_clauses_are_cleaned_and_rejoined(synthetic: ParsedLicense) -> None:
    assert synthetic.clause("special.12.5").text_zh.endswith("明码标价外的任何其他费用。")
    assert len(synthetic.clause("special.12.5").spans) == 2
    assert "第十五条所列内容" in synthetic.clause("special.12.3").text_zh
    assert "专职网络与信息安全管理人员" in synthetic.clause("special.12.6").text_zh
    assert "技术保障措施" in synthetic.clause("special.12.7").text_zh
    assert "网站仿冒" in synthetic.clause("special.12.8").text_zh
    assert synthetic.clause("special.12.9").text_zh.startswith("（九）（适用于信息即时交互服务）你公司提供信息即时交互服务时，充分")
    assert "提前60日" in synthetic.clause("special.10").text_zh
    for clause in synthetic.clauses:
        if clause.id != "main.number":
            assert "ICP证" not in clause.text_zh, clause.id
        assert "特别规定事项" not in clause.text_zh.replace("《特别规定事项》", ""), clause.id


def test_synthetic_number_printed_twice_in_main_is_one_clause(synthetic: ParsedLicense) -> None:
    assert [c.id for c in synthetic.clauses].count("main.number") == 1
    assert synthetic.clause("main.number").text_zh == "经营许可证编号：沪ICP证230456号"
    assert len(synthetic.clause("main.number").spans) > 1


# -- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "",
        "   \n\n\t  ",
        "The quick brown fox jumps over the lazy dog. " * 20,
        "今天天气很好，我们去公园散步吧。公园里有很多人在跑步。\n明天可能会下雨。",
        "\x00\x01\x02binary\xff\xfe\x00" * 10,
        REAL.encode("utf-16").decode("latin-1"),
    ],
    ids=["empty", "blank", "english-prose", "chinese-prose", "binary-nul", "utf16-as-latin1"],
)
def test_bad_input_raises_license_parse_error(source: str) -> None:
    with pytest.raises(LicenseParseError) as err:
        parse_license(source)
    assert str(err.value).strip()


def test_empty_input_names_what_is_missing() -> None:
    with pytest.raises(LicenseParseError) as err:
        parse_license("")
    message = str(err.value)
    for clause_id in ("main.company", "main.legal-rep", "main.number", "annex.domains", "special.1"):
        assert clause_id in message


def test_binary_input_says_so() -> None:
    with pytest.raises(LicenseParseError, match="binary|NUL"):
        parse_license("公司名称：x\x00\x00")


def test_non_text_input_raises_license_parse_error() -> None:
    with pytest.raises(LicenseParseError):
        parse_license(REAL.encode("utf-8"))  # type: ignore[arg-type]


def test_missing_company_line_is_named() -> None:
    source = REAL.replace("公司名称：北京空中信使信息技术有限公司\n", "")
    assert source != REAL
    with pytest.raises(LicenseParseError) as err:
        parse_license(source)
    message = str(err.value)
    assert "main.company" in message
    assert "main.legal-rep" not in message and "annex.domains" not in message


def test_missing_special_provisions_are_named() -> None:
    head, _, _ = REAL.partition("一、你公司应当按照")
    with pytest.raises(LicenseParseError, match=r"special\.1"):
        parse_license(head)


@pytest.mark.parametrize(
    ("old", "new"),
    [("2021年 12月 28日", "二〇二一年十二月"), ("2021年 12月 28日", "2021年 2月 30日")],
    ids=["no-date", "impossible-date"],
)
def test_bad_issue_date_is_named(old: str, new: str) -> None:
    with pytest.raises(LicenseParseError, match=r"main\.issue-date"):
        parse_license(REAL.replace(old, new))


def test_empty_field_is_named() -> None:
    with pytest.raises(LicenseParseError, match=r"main\.legal-rep"):
        parse_license(REAL.replace("法定代表人：李翊", "法定代表人："))


# -- regressions found by these tests ---------------------------------------------------------------------


def test_b2_numbered_license_drops_its_page_heads() -> None:
    parsed = parse_license(SYNTHETIC.replace("沪ICP证230456号", "沪B2-20230456"))
    assert parsed.fields.license_number == "沪B2-20230456"
    assert parsed.fields.access_provider == "上海云联数据网络有限公司"
    for clause in parsed.clauses:
        if clause.id != "main.number":
            assert "B2-20230456" not in clause.text_zh, clause.id


def test_spurious_space_inside_a_field_label_is_tolerated() -> None:
    parsed = parse_license(REAL.replace("公司名称：", "公司 名称："))
    assert parsed.fields.company == "北京空中信使信息技术有限公司"


def test_wrapped_item_cross_reference_does_not_open_an_item() -> None:
    old = "（二）未经批准，你公司不得开展固定网电话信息服务业务。"
    parsed = parse_license(REAL.replace(old, old[:-1] + "，依照本规定第十五条第\n（三）项的规定处理。"))
    assert parsed.clause("special.15.2").text_zh.endswith("依照本规定第十五条第（三）项的规定处理。")
    assert parsed.clause("special.15.3").text_zh.startswith("（三）你公司制作、复制、发布、传播")


# -- hypothesis properties -------------------------------------------------------------------------------------

REAL_LINES = REAL.split("\n")
LICENSE_CHARS = sorted(set(REAL + SYNTHETIC) | set("\r\t\u3000\ufeff\x00"))
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse_or_error(source: str) -> ParsedLicense | None:
    try:
        return parse_license(source)
    except LicenseParseError as exc:
        assert str(exc).strip()
        return None


@PROPERTY
@given(st.text())
def test_never_raises_anything_else_on_arbitrary_text(source: str) -> None:
    _parse_or_error(source)


@PROPERTY
@given(st.text(alphabet=st.sampled_from(LICENSE_CHARS), max_size=400))
def test_never_raises_anything_else_on_text_made_of_license_characters(source: str) -> None:
    _parse_or_error(source)


@PROPERTY
@given(st.lists(st.sampled_from(REAL_LINES + SYNTHETIC.split("\n")), max_size=80))
def test_never_raises_anything_else_on_shuffled_license_lines(lines: list[str]) -> None:
    _parse_or_error("\n".join(lines))


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "swap"]), st.integers(0, len(REAL_LINES) - 1)),
                min_size=1, max_size=12))
def test_never_raises_anything_else_on_mutated_real_license(ops: list[tuple[str, int]]) -> None:
    lines = list(REAL_LINES)
    for op, index in ops:
        i = index % len(lines) if lines else 0
        if not lines:
            break
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        else:
            j = (i + 1) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
    parsed = _parse_or_error("\n".join(lines))
    if parsed is not None:
        assert all(c.text_zh for c in parsed.clauses)
        assert parsed.fields.company and parsed.fields.license_number


def _snapshot(parsed: ParsedLicense) -> tuple[list[tuple[str, str, str]], dict]:
    return [(c.id, c.label_zh, c.text_zh) for c in parsed.clauses], parsed.fields.model_dump()


EXPECTED = {"real": _snapshot(parse_license(REAL)), "synthetic": _snapshot(parse_license(SYNTHETIC))}
SOURCES = {"real": REAL, "synthetic": SYNTHETIC}


@PROPERTY
@given(
    name=st.sampled_from(sorted(SOURCES)),
    crlf=st.booleans(),
    bom=st.booleans(),
    indent=st.sets(st.integers(0, 200)),
    width=st.integers(1, 3),
)
def test_ids_and_texts_unchanged_by_crlf_bom_and_full_width_indents(name: str, crlf: bool, bom: bool,
                                                                   indent: set[int], width: int) -> None:
    lines = SOURCES[name].split("\n")
    lines = ["\u3000" * width + line if i in indent else line for i, line in enumerate(lines)]
    source = ("\r\n" if crlf else "\n").join(lines)
    if bom:
        source = "\ufeff" + source
    assert _snapshot(parse_license(source)) == EXPECTED[name]


@pytest.mark.parametrize("variant", ["crlf", "bom-first-line", "all-lines-indented"])
def test_ids_unchanged_examples(real: ParsedLicense, variant: str) -> None:
    source = {
        "crlf": REAL.replace("\n", "\r\n"),
        "bom-first-line": "\ufeff" + REAL.lstrip(),
        "all-lines-indented": "\n".join("\u3000\u3000" + line for line in REAL.split("\n")),
    }[variant]
    assert source != REAL
    assert _snapshot(parse_license(source)) == _snapshot(real)


CROSS_REFERENCES = [
    "第十五条所列内容",
    "《互联网信息服务管理办法》第十二条",
    "《特别规定事项》第十四条",
    "本规定第十五条第（十四）项",
    "第十二条",
    "依照第二条、第三条",
]
# Clauses a reference can be inserted into without touching a typed field.
FREE_TEXT = {"main.preamble", "annex.preamble"}


def _insertion_points(source: str, parsed: ParsedLicense) -> list[tuple[str, int]]:
    points = []
    for clause in parsed.clauses:
        if not (clause.section == "special" or clause.id in FREE_TEXT):
            continue
        first_start = clause.spans[0][0]
        line_end = source.find("\n", first_start)
        first_line = source[first_start:line_end if line_end >= 0 else len(source)]
        marker = tpl.ARTICLE.match(first_line) or tpl.ITEM.match(first_line)
        skip = marker.end() if marker else 1
        for a, b in clause.spans:
            lo = a + skip if a == first_start else a + 1
            points += [(clause.id, pos) for pos in range(lo, b + 1)]
    return points


POINTS = {name: _insertion_points(src, parse_license(src)) for name, src in SOURCES.items()}


@PROPERTY
@given(data=st.data(), name=st.sampled_from(sorted(SOURCES)), reference=st.sampled_from(CROSS_REFERENCES),
       at_line_start=st.booleans())
def test_cross_reference_inside_a_clause_does_not_open_a_clause(data: st.DataObject, name: str, reference: str,
                                                                  at_line_start: bool) -> None:
    clause_id, pos = data.draw(st.sampled_from(POINTS[name]))
    source = SOURCES[name]
    inserted = ("\n" if at_line_start else "") + reference
    parsed = parse_license(source[:pos] + inserted + source[pos:])
    expected_clauses, _ = EXPECTED[name]
    assert [c.id for c in parsed.clauses] == [cid for cid, _, _ in expected_clauses]
    for (cid, _, text), clause in zip(expected_clauses, parsed.clauses):
        if cid == clause_id:
            assert clean_zh(reference) in clause.text_zh
            assert len(clause.text_zh) == len(text) + len(clean_zh(reference))
        else:
            assert clause.text_zh == text, cid


@pytest.mark.parametrize("reference", CROSS_REFERENCES)
def test_cross_reference_at_a_line_start_in_article_twelve(real: ParsedLicense, reference: str) -> None:
    anchor = "应当在变更之日起30日内"
    source = REAL.replace(anchor, "\n" + reference + anchor)
    parsed = parse_license(source)
    assert [c.id for c in parsed.clauses] == REAL_IDS
    assert reference in parsed.clause("special.12").text_zh or clean_zh(reference) in parsed.clause("special.12").text_zh
    assert parsed.clause("special.13").text_zh == real.clause("special.13").text_zh
