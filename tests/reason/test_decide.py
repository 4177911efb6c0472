"""The decision table's safety properties (polarity flips yes↔no, nothing forbidden is ever conditional, an
exclusion never grants) and the steps around it: a step-dropping negation, verdicts by question form, and the
yes/no question nothing decided."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from assistant.corpus import License, load_license
from assistant.findings import Finding, SentenceIndex
from assistant.reason.decide import (
    EVENT_LEAD,
    TABLE,
    _names_the_restriction,
    _overriding_prohibition,
    computed_deadline,
    deceiving,
    described_prohibition,
    stated_period,
    table_verdict,
    undecided_is_silent,
    verdict_for_form,
)
from assistant.reason.match import NormMatch
from assistant.reason.norms import Norm, compile_norms
from assistant.reason.question import parse_question


@pytest.mark.parametrize(("act", "kind"), [(a, k) for a in ("may", "must", "true")
                                            for k in ("duty", "prohibition", "applies_when")
                                            if (a, k) not in (("may", "prohibition"), ("must", "prohibition"))])
def test_negation_flips(act: str, kind: str) -> None:
    pos, neg = TABLE.get((act, kind, False)), TABLE.get((act, kind, True))
    assert {pos, neg} == {"yes", "no"}


def test_no_yes_from_a_negated_may_on_a_prohibition() -> None:
    # "may we not do X?" with X forbidden: the negation usually belongs to a required step the match missed
    assert TABLE[("may", "prohibition", False)] == "no"
    assert ("may", "prohibition", True) not in TABLE


def test_must_against_a_prohibition_answers_only_the_refraining_form() -> None:
    # "must we refrain from X?" → yes; "must we X?" matched to 「不得X'」 is usually "must we keep to X'?": no cell
    assert TABLE[("must", "prohibition", True)] == "yes"
    assert ("must", "prohibition", False) not in TABLE


def test_forbidden_is_never_conditional() -> None:
    assert all(v != "conditional" for (act, kind, neg), v in TABLE.items() if kind == "prohibition")


def test_approval_and_exclusion() -> None:
    assert TABLE[("may", "needs_approval", False)] == "conditional"
    assert TABLE[("may", "needs_approval", True)] == "no"  # doing it without the approval
    assert TABLE[("may", "exclusion", False)] == "no"
    assert ("must", "grant", False) not in TABLE  # a grant is no duty: the table has no answer


# -- the steps around the table -----------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lic() -> License:
    return load_license(ROOT / "corpus", "kongzhong-icp-020001")


@pytest.fixture(scope="module")
def norms(lic: License) -> list[Norm]:
    return compile_norms(lic)


def _norm(norms: list[Norm], clause_id: str, kind: str) -> Norm:
    return next(n for n in norms if n.clause_id == clause_id and n.kind == kind)


def test_a_forbidden_act_done_without_its_step_is_still_forbidden(norms: list[Norm]) -> None:
    forced = _norm(norms, "special.15.10", "prohibition")
    assert table_verdict(parse_question("我们可以不经用户同意给他订购别的服务吗？"), forced) == "no"
    assert table_verdict(parse_question("Can we push offers to users without their consent?"), forced) == "no"
    # "may we not do the forbidden thing?" has no cell: its negation is no step of the act
    assert table_verdict(parse_question("Can we not push offers to users?"), forced) is None


def test_a_what_question_gets_no_yes_or_conditional() -> None:
    found = [Finding("conditional", "须先申请并经批准后方可实施。"), Finding("no", "不含即时通讯。")]
    what = verdict_for_form(parse_question("公司要合并了，要向谁申请？"), found)
    assert [f.verdict for f in what] == ["info", "no"]  # a "no" corrects the question and stays
    assert verdict_for_form(parse_question("合并需要批准吗？"), found) == found


def _renewal_finding(lic: License) -> list[Finding]:
    index = SentenceIndex(lic)
    renewal = next(s for s in index.by_clause["special.12"] if "提前90日" in s.text)
    return [Finding("info", "续期申请须在有效期届满前90日提出。", [renewal], intent="date:renewal")]


@pytest.mark.parametrize("question", ["续期要提前60天申请，最晚哪天交？",
                                      "We have to apply for renewal 30 days before expiry. Which day is that?"])
def test_a_wrong_period_stated_as_the_rule_is_corrected_first(lic: License, norms: list[Norm], question: str) -> None:
    corrected = stated_period(parse_question(question), _renewal_finding(lic), norms, [], "zh")
    assert corrected[0].verdict == "no" and "提前90日" in corrected[0].text


@pytest.mark.parametrize("question", [
    "续期要提前90天申请，最晚哪天交？",  # the right period
    "我们10天前开过会，续期最晚哪天交？",  # a figure of the scene, not of the rule
    "续期要提前60天申请，对吗？",  # a yes/no claim is the yes/no step's
])
def test_a_right_period_or_a_scene_figure_is_no_premise(lic: License, norms: list[Norm], question: str) -> None:
    found = _renewal_finding(lic)
    assert stated_period(parse_question(question), found, norms, [], "zh") == found


def test_a_yes_no_question_only_the_fallback_answered_is_not_stated(lic: License) -> None:
    index = SentenceIndex(lic)
    sentence = index.by_clause["main.legal-rep"][0]
    loose = [Finding("info", "Legal representative: Li Yi", [sentence], intent="fallback:main.legal-rep")]
    silent = undecided_is_silent(parse_question("Do we need an EU representative?"), loose, index, "en")
    assert silent[0].verdict == "not_stated" and not silent[0].cited and silent[0].related == ["main.legal-rep"]
    # a what-question keeps the clause the fallback found
    assert undecided_is_silent(parse_question("Who is our representative?"), loose, index, "en") == loose


def test_a_forbidding_unit_that_leads_overrides_a_licensed_yes(norms: list[Norm]) -> None:
    forced = _norm(norms, "special.15.10", "prohibition")
    duty = _norm(norms, "special.15.10", "applies_when")
    licensed = [Finding("yes", "可以，属于许可的业务范围。", intent="permission:licensed-with-duties")]
    leads = [NormMatch(forced, 0.99, 0.90, 2, act_shared=1), NormMatch(duty, 0.95, 0.90, 1)]
    behind = [NormMatch(forced, 0.96, 0.90, 2, act_shared=1), NormMatch(duty, 0.95, 0.90, 1)]
    negated = parse_question("能不能默认给用户开通推送，不让他们退订？")
    assert _overriding_prohibition(negated, licensed, leads) is leads[0]  # the negation names the forbidden manner
    assert _overriding_prohibition(negated, licensed, behind) is None  # not ahead of the enabling unit
    plain = parse_question("能不能默认给用户开通推送？")
    assert _overriding_prohibition(plain, licensed, leads) is None  # without a negation it takes two act words


def test_a_ban_on_a_restricted_form_needs_the_restriction_named(norms: list[Norm]) -> None:
    fees = _norm(norms, "special.15.5", "prohibition")  # fees other than the clearly marked price
    assert not _names_the_restriction(parse_question("我们可以向用户收取信息服务费吗？"), fees)
    assert not _names_the_restriction(parse_question("Can we charge users for our information services?"), fees)
    assert _names_the_restriction(parse_question("可以收取明码标价以外的费用吗？"), fees)
    assert _names_the_restriction(parse_question("Can we add a hidden surcharge at checkout?"), fees)
    assert _names_the_restriction(parse_question("Can we add a fee that isn't on our price list?"), fees)
    assert _names_the_restriction(parse_question("可以强行推送吗？"), _norm(norms, "special.15.10", "prohibition"))


def test_an_act_described_in_everyday_words_is_forbidden_only_when_its_description_leads(
        lic: License, norms: list[Norm]) -> None:
    index = SentenceIndex(lic)
    fees = _norm(norms, "special.15.5", "prohibition")
    duty = _norm(norms, "special.15.5", "duty")
    silent = [Finding("not_stated", "The license does not say whether this is allowed.", intent="permission:silent")]
    ask = parse_question("At checkout, can we quietly add a hidden service charge on top of the listed price?")
    leads = [NormMatch(duty, 0.9, 0.85, 0, described=0.88), NormMatch(fees, 0.88, 0.84, 0, described=0.92,
                                                                       described_lead=0.03)]
    answered = described_prohibition(ask, silent, leads, index, "en")
    assert answered[0].verdict == "no" and answered[0].cited[0].clause_id == "special.15.5"
    close = [NormMatch(fees, 0.88, 0.84, 0, described=0.92, described_lead=0.001)]
    assert described_prohibition(ask, silent, close, index, "en") == silent  # another clause's act is as close
    weak = [NormMatch(fees, 0.88, 0.84, 0, described=0.80, described_lead=0.03)]
    assert described_prohibition(ask, silent, weak, index, "en") == silent
    decided = [Finding("yes", "Yes.", intent="permission:licensed")]
    assert described_prohibition(ask, decided, leads, index, "en") == decided  # only what nothing answered
    # a ban on dealing with an unlicensed party needs the question to say the party lacks a licence
    lease = _norm(norms, "special.3", "prohibition")
    match = [NormMatch(lease, 0.9, 0.88, 0, described=0.93, described_lead=0.03)]
    plain = parse_question("能不能从别的公司那儿租传输线路？")
    assert described_prohibition(plain, silent, match, index, "zh") == silent
    unlicensed = parse_question("能不能从一家没有基础电信牌照的公司那儿租传输线路？")
    assert described_prohibition(unlicensed, silent, match, index, "zh")[0].verdict == "no"


def test_close_descriptions_that_all_forbid_answer_no_from_the_one_whose_restriction_is_named(
        lic: License, norms: list[Norm]) -> None:
    index = SentenceIndex(lic)
    fees = _norm(norms, "special.15.5", "prohibition")  # fees beyond the marked price: its restriction is unnamed
    forced = _norm(norms, "special.15.10", "prohibition")
    duty = _norm(norms, "special.15.10", "applies_when")
    silent = [Finding("not_stated", "The license does not say whether this is allowed.", intent="permission:silent")]
    ask = parse_question("注册时默认勾选付费订阅，用户不取消就一直扣费，可以吗？")
    both = [NormMatch(fees, 0.9, 0.85, 0, described=0.917, described_lead=0.003),
            NormMatch(forced, 0.9, 0.85, 0, described=0.914, described_lead=-0.003)]
    answered = described_prohibition(ask, silent, both, index, "zh")
    assert answered[0].verdict == "no" and answered[0].cited[0].clause_id == "special.15.10"
    mixed = [both[0], NormMatch(duty, 0.9, 0.85, 0, described=0.915, described_lead=-0.002)]
    assert described_prohibition(ask, silent, mixed, index, "zh") == silent  # a close rival that does not forbid
    unseen = [both[0]]  # the close rival clause was not retrieved: its kind is unknown
    assert described_prohibition(ask, silent, unseen, index, "zh") == silent
    # a negation that drops a step still does the forbidden act
    hidden = parse_question("Can we add a platform fee to the listed price without showing it on the price page?")
    lead = [NormMatch(fees, 0.9, 0.85, 0, described=0.9, described_lead=0.03)]
    assert described_prohibition(hidden, silent, lead, index, "en")[0].verdict == "no"


def test_a_unit_whose_everyday_description_clearly_leads_is_decisive(norms: list[Norm]) -> None:
    from assistant.reason.decide import _decisive

    report = _norm(norms, "special.8", "duty")
    vague = NormMatch(report, 0.95, 0.87, 2)  # shares no word of the act ("tell the regulator" ≠ 「报告」)
    assert not _decisive(vague)
    assert _decisive(replace(vague, described=0.89, described_lead=0.02))
    assert not _decisive(replace(vague, described=0.89, described_lead=0.001))  # another clause's act is as close


def test_a_description_far_closer_than_any_other_needs_no_restriction_named(lic: License, norms: list[Norm]) -> None:
    index = SentenceIndex(lic)
    fees = _norm(norms, "special.15.5", "prohibition")
    duty = _norm(norms, "special.15.5", "duty")
    silent = [Finding("not_stated", "The license does not say whether this is allowed.", intent="permission:silent")]
    ask = parse_question("Can we add a surprise charge to the user's bill?")
    assert not _names_the_restriction(ask, fees)
    clear = [NormMatch(fees, 0.0, 0.0, 0, described=0.93, described_lead=0.05),
             NormMatch(duty, 0.0, 0.0, 0, described=0.88, described_lead=0.0)]
    answered = described_prohibition(ask, silent, clear, index, "en")
    assert answered[0].verdict == "no" and answered[0].cited[0].clause_id == "special.15.5"
    # as close, but the clause's own other sentence is nearly as close: the restriction must be named
    sibling = [clear[0], NormMatch(duty, 0.0, 0.0, 0, described=0.92, described_lead=0.04)]
    assert described_prohibition(ask, silent, sibling, index, "en") == silent
    # far ahead of the other clauses, but not close enough to name the act exactly
    loose = [NormMatch(fees, 0.0, 0.0, 0, described=0.88, described_lead=0.05), clear[1]]
    assert described_prohibition(ask, silent, loose, index, "en") == silent


def test_a_refraining_question_is_decided_by_one_clause_whose_duties_all_lead(norms: list[Norm]) -> None:
    from assistant.reason.decide import _one_duty_refrained

    duties = [n for n in norms if n.clause_id == "special.8" and n.kind == "duty"]
    other = next(n for n in norms if n.clause_id == "special.9" and n.kind == "duty")
    agree = [NormMatch(duties[0], 0.95, 0.9, 1), NormMatch(duties[0], 0.94, 0.9, 1), NormMatch(duties[-1], 0.92, 0.9, 0)]
    refrain = parse_question("Can we just not tell the regulator about the leak?")
    assert _one_duty_refrained(refrain, agree, lambda n: 0.5)
    assert not _one_duty_refrained(refrain, agree, lambda n: 0.3)  # the clause holds too little of the question
    assert not _one_duty_refrained(refrain, agree[:2] + [NormMatch(other, 0.92, 0.9, 0)], lambda n: 0.5)
    assert not _one_duty_refrained(parse_question("Can we tell the regulator about the leak?"), agree, lambda n: 0.5)


def test_a_party_said_to_lack_a_licence_names_the_ban_on_dealing_with_it(norms: list[Norm]) -> None:
    duty = _norm(norms, "special.3", "duty")
    ban = next(n for n in norms if n.clause_id == "special.3" and n.kind == "prohibition")
    matches = [NormMatch(duty, 0.998, 0.9, 1), NormMatch(ban, 0.99, 0.9, 2, act_shared=2, specific=7.5)]
    conditional = [Finding("conditional", "Only with prior approval.", intent="permission:conditional")]
    lacking = parse_question("His company has no carrier license. Can we lease fiber from him?")
    assert _overriding_prohibition(lacking, conditional, matches) is matches[1]
    plain = parse_question("Can we lease fiber from a carrier?")
    assert _overriding_prohibition(plain, conditional, matches) is None  # the duty to use licensed carriers leads


def test_presenting_something_untrue_is_the_one_ban_on_deceiving_users(lic: License, norms: list[Norm]) -> None:
    index = SentenceIndex(lic)
    silent = [Finding("not_stated", "The license does not say whether this is allowed.", intent="permission:silent")]
    lie = parse_question("Can we tell customers the offer ends tonight when it actually doesn't?")
    answered = deceiving(lie, silent, norms, index, "en")
    assert answered[0].verdict == "no" and answered[0].cited[0].clause_id == "special.15.3"
    # what another step decided stands; a question with no lie in it, or a what-question, is not this step's
    decided = [Finding("yes", "Yes.", intent="permission:licensed")]
    assert deceiving(lie, decided, norms, index, "en") == decided
    assert deceiving(parse_question("Can we tell customers the offer ends tonight?"), silent, norms, index, "en") == silent
    assert deceiving(parse_question("What happens if we mislead users?"), silent, norms, index, "en") == silent
    # a license without such a ban gives no answer from this step
    others = [n for n in norms if n.clause_id != "special.15.3"]
    assert deceiving(lie, silent, others, index, "en") == silent


def test_a_dated_event_names_the_period_when_nothing_else_has_one(lic: License, norms: list[Norm]) -> None:
    index = SentenceIndex(lic)
    report = next(n for n in norms if n.clause_id == "special.9" and n.period and n.period.kind == "within")
    silent = [Finding("not_stated", "The license does not say so.", intent="not_stated:rule-elsewhere")]
    form = parse_question("We blocked a batch of illegal videos on 2026-11-23. If we report them on 2026-12-04, "
                          "are we still in time?")
    asked: list[list[Norm]] = []

    def closest(lead: float):
        def by_event(timed: list[Norm]) -> tuple[Norm, float]:
            asked.append(timed)
            return report, lead
        return by_event

    done = computed_deadline(form, silent, norms, [], index, lic.fields.expiry, date(2026, 12, 1), "en",
                             closest(EVENT_LEAD + 0.005))
    # ten working days from Monday 23 November: Monday 7 December; the report on the 4th is in time
    assert done[0].verdict == "yes" and done[0].cited[0].clause_id == "special.9" and "2026-12-07" in done[0].text
    assert all(n.period is not None for n in asked[0])  # only units with a period are candidates
    # an event about as close to another timed unit decides nothing
    assert computed_deadline(form, silent, norms, [], index, lic.fields.expiry, date(2026, 12, 1), "en",
                             closest(EVENT_LEAD / 2)) == silent
    # a yes/no question that asks nothing about time does not look for a period
    plain = parse_question("We blocked a batch of illegal videos on 2026-11-23. Do we need to keep records?")
    assert computed_deadline(plain, silent, norms, [], index, lic.fields.expiry, date(2026, 12, 1), "en",
                             closest(1.0)) == silent
