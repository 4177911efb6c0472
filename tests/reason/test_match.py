"""Matching a question to norms: words weigh by how rare they are among the clauses, and coverage tells a rule
about the asked thing from a rule that only sounds like it."""

from __future__ import annotations

import math

import pytest

from assistant.engine import get_assistant
from assistant.reason.decide import MIN_COVERAGE
from assistant.reason.match import _idf, _pieces


def test_words_most_clauses_share_weigh_nothing() -> None:
    documents = [{"公司", "日志"}, {"公司", "年报"}, {"公司", "日志"}] + [{"公司", "域名"}] * 9
    idf = _idf(documents)
    assert idf["公司"] == 0.0 and idf["域名"] == 0.0  # in a quarter of the clauses or more
    assert idf["年报"] == pytest.approx(math.log(12))
    assert idf["年报"] > idf["日志"] > 0


@pytest.mark.slow
@pytest.mark.parametrize(("question", "clause_id", "lang", "covered"), [
    ("Do we have to keep user logs?", "special.9", "en", True),
    ("许可证要求我们每年参加年报吗？", "special.14", "zh", True),
    ("证书编号要挂在网站主页上吗？", "special.2", "zh", True),
    # the nearest rule sounds alike and shares nothing of what is asked
    ("Are we required to carry cyber insurance under this license?", "special.15.1", "en", False),
    ("许可证对员工的年假天数有要求吗？", "special.12", "zh", False),
    ("Must we publish our office opening hours?", "special.15.4", "en", False),
    # the scene a scenario sets is not what it asks
    ("We plan a big marketplace where outside developers upload Android games. Must we keep a blacklist of bad apps?",
     "special.15.11", "en", True),
    # an asking sentence that points back ("before they do that") may hold all it asks by itself
    ("Ops plan to wipe the access logs nightly. Before they do that, must we keep records of what users do?",
     "special.9", "en", True),
    # a word the license never uses weighs more than one it has once: 「系统」 alone does not cover 「防沉迷」
    ("许可证对游戏防沉迷系统有要求吗？", "special.6", "zh", False),
    # the second alternative only offers not doing it; a silent first one stays silent
    ("Must we keep user logs, or can our contractors in another city handle archiving differently?", "special.9", "en",
     True),
    ("我们要留存用户日志吗，还是外包团队按他们的习惯随便处理？", "special.9", "zh", True),
    ("Must we carry cyber insurance, or can we just skip it?", "special.15.1", "en", False),
    # a name written as a code that the license never uses: whatever else the sentences share, it is not said
    ("Must our information services comply with the CCPA?", "special.15", "en", False),
    ("Does the license require us to publish a DMARC policy for our domain?", "special.5", "en", False),
    # …but a code name the license uses is covered, and one in the scene is not what is asked
    ("Must we show the ICP license number on our homepage?", "special.2", "en", True),
    ("Our NOC spotted spoofed bank sites spreading through our service. Must we keep records of it?", "special.9",
     "en", True),
])
def test_coverage_tells_the_asked_rule_from_its_neighbours(question: str, clause_id: str, lang: str,
                                                           covered: bool) -> None:
    assistant = get_assistant()
    assistant.warm_up()
    assert assistant.matcher is not None
    rules = [n for n in assistant.norms if n.clause_id == clause_id and n.kind not in ("fact", "grant")]
    best = max(assistant.matcher.coverage(question, n, lang) for n in rules)
    assert (best >= MIN_COVERAGE) is covered, best


def test_a_translated_sentence_is_cut_where_one_duty_ends() -> None:
    sentence = ("The Company shall charge users accurately and reasonably, and shall not charge users any fees "
                "other than the clearly marked prices; keep the relevant records.")
    assert _pieces(sentence) == ["The Company", "charge users accurately and reasonably",
                                 "not charge users any fees other than the clearly marked prices",
                                 "keep the relevant records"][1:]


@pytest.mark.slow
def test_each_unit_gets_its_own_english_and_its_own_act_words() -> None:
    assistant = get_assistant()
    assistant.warm_up()
    matcher = assistant.matcher
    assert matcher is not None
    ours = [(i, n) for i, n in enumerate(assistant.norms) if n.clause_id == "special.15.5"]
    ban = next(i for i, n in ours if n.kind == "prohibition")
    duty = next(i for i, n in ours if n.kind == "duty" and "准确" in n.act_zh)
    assert matcher.unit_en[ban].startswith("not charge users") and "accurately" in matcher.unit_en[duty]
    # "charge users" is in the duty as much as in the ban: it names neither act on its own
    assert "charge" not in matcher._act_tokens[ban] and "mark" in matcher._act_tokens[ban]


def test_a_short_plural_is_stemmed() -> None:
    from assistant.overlap import stem
    assert stem("apps") == stem("app") and stem("logs") == stem("log") and stem("fees") == "fee"
    assert stem("bus") == "bus" and stem("has") == "has"  # too short to be a plural stem


@pytest.mark.slow
def test_the_closest_unit_to_a_dated_event_is_the_one_its_period_counts_from() -> None:
    assistant = get_assistant()
    assistant.warm_up()
    matcher = assistant.matcher
    timed = [n for n in assistant.norms if n.period and n.period.kind == "within" and n.period.anchor == "event"]
    event = assistant._query_vector("The security assessment of our new feature was signed off on 2026-10-19")
    norm, lead = matcher.closest(event, timed)
    assert norm.clause_id == "special.15.8" and lead > 0
    assert matcher.closest(event, []) is None
    only = matcher.closest(event, timed[:1])
    assert only is not None and only[0] is timed[0]
