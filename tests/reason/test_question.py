"""Questions read as structure: act, polarity (negations that bear on the act only), asked attribute, dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.reason.question import asked_part, dated_event, negators, parse_question


@pytest.mark.parametrize(("question", "act"), [
    ("Can we run a search engine?", "may"),
    ("we want to add a chat feature, ok?", "may"),
    ("公司可以做即时通讯吗？", "may"),
    ("Do we have to keep user logs?", "must"),
    ("要不要做年报？", "must"),
    ("Is the license still valid on 2027-01-03?", "true"),
    ("Has the renewal deadline passed?", "true"),
    ("www.kongzhong.net 在证上吗？", "true"),
    ("When must we apply for renewal?", "when"),
    ("We took down posts on 2026-09-25, report by when?", "when"),
    ("请问许可证什么时候要续期？", "when"),
    ("公司要合并了，要做什么？", "what_do"),
    ("Whose name is on the permit as legal rep?", "what"),
    ("做信息服务广告的时候，广告里必须写明什么？", "what"),
    ("How many domains are listed?", "how_many"),
    ("How far ahead of expiry must we apply for renewal?", "when"),
    # a span of time asked with 之内/以内 or in working days asks by when, whatever its modal
    ("系统信息变更后，多长时间之内要更新？", "when"),
    ("年报要在几个月以内交？", "when"),
    ("After the assessment, how many working days do we have to send the report?", "when"),
    # a yes/no question may open with a phrase before its comma, and "which" inside it asks nothing
    ("For our app store, can we just not tell users which permissions the apps take?", "may"),
    # a clause with no comma before the inverted auxiliary; a greeting first; a statement asked back
    ("when we roll out a new product do we need a security assessment?", "must"),
    ("hey is our permit still valid on 2027-01-03", "true"),
    ("please confirm: kongzhong.com is on our licence too?", "true"),
    ("Our servers are in Haidian?", "true"),
    ("ok to lease capacity from him?", "may"),
    ("Can subscribers forward their inbox to any address they like?", "may"),  # what we let others do
    # …but a wh-word anywhere before the auxiliary asks that
    ("By what date do we have to file it?", "when"),
    ("For our app store, what checks do we need?", "what"),
    ("boss asks if the homepage needs the license number or the company name?", "what"),
    ("We want to merge with another company. Does that need approval?", "must"),
])
def test_act(question: str, act: str) -> None:
    assert parse_question(question).act == act


@pytest.mark.parametrize(("question", "negated"), [
    ("Is it OK not to keep user logs at all?", True),
    ("能不能不配专职的网络安全管理人员？", True),
    ("Can we skip the pre-listing check for app updates?", True),
    ("可以不做年报吗？", True),
    ("Must we refrain from reselling bandwidth?", True),
    # negations that describe something else, not the asked act
    ("Can we hand spare phone numbers to a firm that runs telecom services without a licence?", False),
    ("A partner without a telecom license wants our bandwidth. Can we let them?", False),
    ("结账时偷偷加一笔价目表上没有的费用可以吗？", False),
    ("Can we tell users our service is government-certified when it is not?", False),
    ("能不能把带宽转租给别的公司？", False),
    ("如果我们不打算续证了，现在报告还来得及吗？", False),
    ("提供搜索服务时，必须不推送、不推荐违法信息吗？", True),  # parallel negations negate one act
    # a negation bears on the act only in the asking sentence, or in the sentence it points back to
    ("It's 2026-12-01 and we haven't applied yet. Has the renewal deadline passed?", False),
    ("We don't want to keep user logs. Is that OK?", True),
    ("我们不想保存用户日志。这样可以吗？", True),
    # a degree-negated adjective and a negated noun phrase describe; they do not negate the act
    ("可以用一些不太准确的宣传语吸引用户吗？", False),
    ("We're only testing with a few users, not a public release. Does that still need a security assessment?", False),
    # a bare tag question ("— fine?") asks about the sentence before it
    ("Marketing wants banner ads w/o the license no. — fine?", True),
    # doing the act first and the step afterwards, across a comma
    ("能不能先上线，等批准下来再补手续？", True),
    ("公司合并能不能先实施，等以后再向原发证机关补申请？", True),
    ("拿到批准之前可以上线吗？", True),
    # "or not" offers the alternative; "not just" adds to the act; a party that lacks a licence is no refusal
    ("do we have to put the license number on our homepage or not", False),
    ("does our license cover 搜索引擎 or not? we wanna build search", False),
    ("must we also notify users, not just the regulator?", False),
    ("有个合作方自己没有任何电信牌照，我们能把服务器借给他用吗？", False),
    # the clause with the modal asks, and a tail with no modal of its own continues it
    ("团队不大，能不能不配专职的安全管理人员，让运维兼着干？", True),
    ("评估报告能不能不交书面的，口头汇报一下就算了？", True),
    ("审批还没办下来，能不能先上线？", True),
    ("Can we turn off user log retention to save storage?", True),
    # putting the act off
    ("Can we hold off telling the regulator until we've fixed everything?", True),
    ("can we wait till next week to tell the regulator?", True),
])
def test_polarity(question: str, negated: bool) -> None:
    assert parse_question(question).negated is negated, negators(question)


@pytest.mark.parametrize(("question", "attribute"), [
    ("How long must we keep the records of illegal content we removed?", "retention"),
    ("What is the fine for not filing the annual report?", "penalty"),
    ("逾期没续证要罚多少钱？", "penalty"),
    ("我们需要配几个安全管理人员？", "staff_count"),
    ("How often must we file the annual report?", "frequency"),
    ("What's the fee for renewing the license?", "fee"),
    ("What is the company's registered address?", "address"),
    ("Which encryption algorithm must we use?", "algorithm"),
    ("What is the street address of the issuing authority?", "address"),
    ("What's the minimum registered capital we must keep?", "fee"),
    ("续期申请要准备哪些材料？", "documents"),
    ("Is there a fine if we file the annual report late?", "penalty"),
    ("We'd print the brochure without the license number. Is that fine?", None),  # "fine" is "OK" here
    ("Can we charge users a fee that is not on the price list?", None),
    ("Who is the access provider?", None),
    ("What government fee do we pay when applying to renew the license?", "fee"),
    ("应用商店里应用软件的历史版本需要留存多少年？", "retention"),
    ("What commission rate does the license set for billing through a carrier?", "rate"),
    ("外资持股比例上限是多少？", "rate"),
    ("What fee rules apply when we charge users?", None),
    ("Does the license say how many affected users make a leak large-scale?", "count"),
    ("How many domains are listed?", None),  # a count of what the license lists is asked by how_many, not missing
    ("许可证有没有规定系统要定到几级？", "count"),
])
def test_attribute(question: str, attribute: str | None) -> None:
    assert parse_question(question).attribute == attribute


def test_dates_claims_and_premise() -> None:
    form = parse_question("We changed shareholders on 2026-06-15 — by when must the system be updated?")
    assert form.dates == (date(2026, 6, 15),)
    assert parse_question("许可证规定用户日志保存6个月，对吧？").claims == ("6个月",)
    assert parse_question("既然我们的许可证可以做搜索，要遵守什么规定？").premise
    assert parse_question("Because our license lets us run a search engine, we only need a filing, right?").premise
    assert parse_question("clause 16 says we can resell bandwidth, right?").references == ("special.16",)


@pytest.mark.parametrize(("question", "stepless"), [
    ("Can we launch without approval?", True),
    ("我们可以不经用户同意给他开通付费服务吗？", True),
    ("能不能先上线，等批准下来再补手续？", True),
    ("说是只要对方正规就能租，不用管对方有没有许可，对吧？", True),
    ("Can we skip the annual report?", False),  # the act itself is dropped, not a step of it
    ("可以不做年报吗？", False),
    # a negated modal before the step: "can't we launch before approval?" asks whether it is barred until then
    ("是不是在拿到批准之前就不能上线这项服务？", True),
    # leaving out the telling is a step dropped too: the act itself is still done
    ("续费的时候能不能先扣钱，不通知用户？", True),
    ("Could we raise the monthly price, not informing existing subscribers?", True),
    ("可以不告诉用户吗？", True),  # whether that is itself a duty skipped is the norm's to say (a duty stays "no")
    # the step left out in a 「…的情况下」 clause; waiting for a step is doing without it, not a party that lacks it
    ("没报批的情况下，能不能先把这项服务开起来？", True),
    ("Can we change the operating entity without waiting for approval from the authority?", True),
])
def test_a_negation_that_drops_a_step(question: str, stepless: bool) -> None:
    assert parse_question(question).stepless is stepless


def test_a_party_that_lacks_a_licence_is_no_negation_of_the_act() -> None:
    assert not parse_question("A vendor with no basic telecom operating license offers lines. Can we lease from them?").negated
    assert not parse_question("Can we buy capacity from a firm without a valid licence?").negated


def test_an_abbreviation_ends_no_sentence() -> None:
    form = parse_question("do we have to put the license no. in our ads??")
    assert form.act == "must" and not form.negated  # "no." is the number, not a "no"


def test_the_asking_sentence_carries_the_act() -> None:
    assert parse_question("Today is June 1, 2026. Have we missed the renewal deadline?").act == "true"
    assert parse_question("Is www.kongzhong.org one of our domains?").act == "true"


@pytest.mark.parametrize("question", [
    "Isn't search excluded from the scope?",
    "Doesn't the license require a yearly report?",
    "Aren't we licensed for internet information services?",
])
def test_a_leading_negative_auxiliary_is_no_negation(question: str) -> None:
    assert not parse_question(question).negated  # a biased question asks whether it is so


@pytest.mark.parametrize(("question", "inverse", "negated"), [
    ("So we can never change our shareholders?", True, False),  # is it impossible? — the inverse of may
    ("我们是不是根本不能开展固定网电话信息服务？", True, False),
    ("The license does not permit us to run a forum, right?", True, False),
    ("可以不做年报吗？", False, True),  # the act is negated, not the modal
    ("Can we not keep user logs?", False, True),
    ("能不能不配专职的网络安全管理人员？", False, True),
])
def test_a_negated_modal_asks_the_inverse(question: str, inverse: bool, negated: bool) -> None:
    form = parse_question(question)
    assert (form.inverse, form.negated) == (inverse, negated)


def test_words_that_do_not_ask() -> None:
    assert parse_question("Can we resell bandwidth, no matter what?").act == "may"  # "no matter what" is no what
    assert not parse_question("Can we resell bandwidth, no matter what?").negated
    assert parse_question("Does the license limit the prices we may charge?").act == "true"  # a relative clause
    assert parse_question("Is it true that we can run a forum?").act == "may"


def test_claims_keep_their_kind_of_day_and_months_named_are_no_claims() -> None:
    assert parse_question("Reports are due in 10 calendar days, right?").claims == ("10 calendar days",)
    assert parse_question("证是2021年12月拿到的，有效期五年，对吧？").claims == ("五年",)


def test_a_figure_is_a_rule_claim_only_in_a_clause_that_states_a_rule() -> None:
    assert parse_question("既然续期要提前60天申请，那最晚哪天交材料？").rule_claims == ("60天",)
    assert parse_question("Under clause 12 we have to file 60 days before expiry. What date is that?").rule_claims \
        == ("60 days",)
    assert parse_question("We changed shareholders 10 days ago, by when must we update?").rule_claims == ()
    assert parse_question("我们10天前变更了股东，要在多少天内更新？").rule_claims == ()


@pytest.mark.parametrize("question", [
    "注册时默认给用户开通付费推送，用户不主动退订就一直扣费，可以吗？",
    "Can we bill for the newsletter unless users don't opt out?",
])
def test_what_the_user_does_not_do_is_no_negation_of_our_act(question: str) -> None:
    assert not parse_question(question).negated


def test_more_ways_to_ask() -> None:
    assert parse_question("Does the license expect us to keep user logs?").act == "must"
    assert parse_question("Before we launch: do we have to file anything?").act == "must"  # a lead-in before a colon
    assert parse_question("We archive old app versions. For how many years must we keep them?").attribute == "retention"


def test_a_day_without_its_year_is_in_the_year_asked() -> None:
    form = parse_question("11月13日下架的，今天12月2日补报，还来得及吗？", date(2026, 12, 2))
    assert form.dates == (date(2026, 11, 13), date(2026, 12, 2))
    assert parse_question("11月13日下架的，还来得及吗？").dates == ()


def test_a_claim_frame_around_a_ban_asks_the_inverse() -> None:
    assert parse_question("Is it true that we're not allowed to resell bandwidth?").inverse
    assert not parse_question("Is it true that we can run a forum?").inverse


def test_a_clause_that_points_back_carries_the_negation_before_it() -> None:
    assert parse_question("我们从来不把带宽转租给别人，这样做是符合要求的吧？").negated
    assert not parse_question("我们把带宽转租给别人，这样做是符合要求的吧？").negated


def test_reported_speech_before_the_question_is_not_asked() -> None:

    assert asked_part("审计的同事问：我们公司需要做用户日志留存吗？") == "我们公司需要做用户日志留存吗？"
    assert asked_part("Legal wants to know: must we keep logs?") == "must we keep logs?"
    assert asked_part("Note: must we keep logs?") == "Note: must we keep logs?"


@pytest.mark.parametrize("question", [
    "kongzhong.net这个域名在不在证上",  # 在不在: no 「不在…上」 inverse
    "这条规定对我们适用不适用？",  # a two-character A-not-A
    "我们的服务器地址在不在海淀区",
])
def test_an_a_not_a_question_asks_yes_or_no_and_negates_nothing(question: str) -> None:
    form = parse_question(question)
    assert form.yes_no and not form.negated and not form.inverse


def test_an_a_not_a_around_an_exclusion_still_reads_the_exclusion() -> None:
    assert parse_question("搜索引擎不在许可范围内吧？").inverse
    assert not parse_question("搜索引擎服务在不在许可范围内？").inverse


@pytest.mark.parametrize(("question", "act", "negated", "inverse"), [
    ("Am I right that we cannot resell bandwidth?", "may", False, True),  # a first-person check asks yes or no
    ("Our ad copy leaves out the license number. Is that acceptable?", "may", True, False),
    ("Is it compliant to skip the annual report?", "may", True, False),
    ("Is it all right to keep logs for a week?", "may", False, False),
])
def test_everyday_ways_to_ask_whether_an_act_is_allowed(question: str, act: str, negated: bool, inverse: bool) -> None:
    form = parse_question(question)
    assert (form.act, form.negated, form.inverse) == (act, negated, inverse)


def test_a_scene_set_off_by_a_dash_is_not_asked() -> None:
    assert not parse_question("We don't plan to renew — do we need to tell anyone?").negated
    assert parse_question("Can we launch - without approval?").negated  # a dash inside the question itself


def test_a_relative_clause_is_no_premise_and_left_out_of_is_an_exclusion() -> None:
    form = parse_question("Is search left out of what our license covers?")
    assert form.inverse and not form.premise
    assert parse_question("Since our license covers forums, must we moderate posts?").premise


def test_we_cannot_asks_may_inverted() -> None:
    form = parse_question("A partner wants our spare bandwidth. Am I right that we cannot resell it to them?")
    assert (form.act, form.inverse) == ("may", True)


def test_keyi_before_mian_is_a_negation_not_lest() -> None:
    assert parse_question("应用商店里的App更新版本可以免做上架前检测吗？").negators == ("免",)
    assert not parse_question("为了以免出错，要做检测吗？").negated  # 以免 "lest"


@pytest.mark.parametrize(("question", "attribute"), [
    ("我们在准备银行开户材料，银行要求核对许可证上登记的法定代表人，许可证上写的法定代表人是谁？", None),  # the scene's 材料
    ("续期要交哪些材料，多久内交？", "documents"),  # the first asking clause on
    ("客户开票要用，许可证上写的公司住所是哪里？", "address"),
])
def test_the_attribute_is_what_the_asking_clauses_want(question: str, attribute: str | None) -> None:
    assert parse_question(question).attribute == attribute


@pytest.mark.parametrize(("question", "about"), [
    ("Does the license have rules on labelling AI-generated content?", True),
    ("Does the licence say anything about cookie banners?", True),
    ("许可证对防沉迷系统有要求吗？", True),
    ("许可证有没有要求我们做用户日志留存？", False),  # asks whether the act is required of us
    ("Do we have to keep user logs?", False),
    ("What rules does the license have on fees?", False),  # not a yes/no question
])
def test_asking_whether_the_license_has_a_rule_on_a_topic(question: str, about: bool) -> None:
    assert parse_question(question).about is about


def test_an_embedded_whether_is_what_a_bare_tag_asks() -> None:

    question = "A partner won't sign until we confirm whether our license requires ISO certification. Does it?"
    assert asked_part(question) == "whether our license requires ISO certification. Does it?"
    assert not parse_question(question).negated  # the partner's "won't" is the scene


@pytest.mark.parametrize("question", [
    "Can we invest in building our own telecom transmission network with just this license?",
    "我们想在两个机房之间自己铺一条光纤，公司只有这张ICP证，现在就能动工吗？",  # across the clause cut
    "We only hold our ICP license. May we build a backbone network?",
])
def test_holding_only_this_license_is_said_of_the_company(question: str) -> None:
    form = parse_question(question)
    assert form.only_this and not form.negated  # no negation: a licensed act stays licensed


def test_holding_only_this_license_answers_no_only_where_another_approval_is_needed() -> None:
    from assistant.corpus import load_license
    from assistant.reason.decide import table_verdict
    from assistant.reason.norms import compile_norms

    norms = compile_norms(load_license(Path(__file__).resolve().parents[2] / "corpus", "kongzhong-icp-020001"))
    build = next(n for n in norms if n.clause_id == "special.3" and n.kind == "needs_approval")
    forum = next(n for n in norms if n.kind == "applies_when")
    form = parse_question("We only hold our ICP license. May we build a backbone network?")
    assert table_verdict(form, build) == "no"
    assert table_verdict(form, forum) == table_verdict(parse_question("May we run a forum?"), forum)


@pytest.mark.parametrize(("question", "request_"), [
    ("有关部门发函要求我们提供日志。按许可证我们必须配合吗？", "有关部门发函要求我们提供日志。"),
    ("The regulator asked for our access logs. Do we have to comply?", "The regulator asked for our access logs."),
])
def test_going_along_with_a_request_asks_about_the_request(question: str, request_: str) -> None:
    assert asked_part(question).startswith(request_)


def test_cooperating_with_an_object_of_its_own_points_nowhere() -> None:
    question = "监管部门来了。我们必须配合监督检查吗？"
    assert asked_part(question) == "我们必须配合监督检查吗？"


@pytest.mark.parametrize(("question", "act", "negated"), [
    # a tag question asks its statement, with the statement's polarity, not the tag's
    ("We don't have to tell users which permissions the apps take, do we?", "must", True),
    ("We must keep logs of what users post, mustn't we?", "must", False),
    ("We can run a forum with this license, can't we?", "may", False),
    # a bare tag set off by a dash asks whether the scene before it is acceptable
    ("Legal wants the ads to go out without the licence number to keep them clean — fine?", "may", True),
    ("We will publish the price list on the homepage — ok?", "may", False),
])
def test_a_tag_asks_its_statement(question: str, act: str, negated: bool) -> None:
    form = parse_question(question)
    assert (form.act, form.negated) == (act, negated)


@pytest.mark.parametrize(("question", "negated"), [
    # what the license leaves out describes the object; the act asked is not negated
    ("Can we add a business category that our license does not list yet?", False),
    ("Can we run services our licence doesn't cover?", False),
    # …but a negated verb with an object of its own is what is asked
    ("Is it true that the license does not require logs?", True),
    ("So the license does not cover IM, right?", True),
])
def test_a_gap_after_the_license_s_negated_verb_describes_the_object(question: str, negated: bool) -> None:
    assert parse_question(question).negated is negated


@pytest.mark.parametrize(("question", "act", "attribute"), [
    # a Chinese question asks in its last clause; the scene's 几家 / 几个 asks for no count
    ("我们打算先找几家客户小范围试用，这样也要做安全评估吗？", "must", None),
    ("公司有几个股东变了，要报备吗？", "must", None),
    ("证上写了几个域名？", "how_many", None),
    # the yes/no clauses run from the first with a yes/no marker: a trailing clause still belongs to the question
    ("有几个账号老是违规，我们能不能限制它们发布，严重的关号？", "may", None),
])
def test_a_chinese_question_asks_in_its_yes_no_clauses(question: str, act: str, attribute: str | None) -> None:
    form = parse_question(question)
    assert (form.act, form.attribute) == (act, attribute)


@pytest.mark.parametrize(("question", "claims"), [
    ("It's a five-year term, correct?", ("five-year",)),  # a hyphenated length is a figure too
    ("We get a 30-day window after the change, right?", ("30-day",)),
    # a scene sentence's figure is asserted only where it states a rule
    ("We're running a two-week pilot. Can we skip the security assessment?", ()),
    ("Our PM read that the report is due 15 days after the assessment. Is that right?", ("15 days",)),
])
def test_claims_are_what_the_question_asserts(question: str, claims: tuple[str, ...]) -> None:
    assert parse_question(question).claims == claims


def test_the_wanted_part_of_a_chinese_yes_no_question_starts_at_its_yes_no_marker() -> None:
    from assistant.reason.question import wanted_part

    assert wanted_part("有几个账号老是违规，我们能不能限制它们发布，严重的关号？", "may") == "我们能不能限制它们发布，严重的关号"
    assert wanted_part("公司有几个股东变了，要报备吗？", "must") == "要报备吗"
    # the questions after the first are asked too
    assert wanted_part("公司注册地址搬了，要去哪个系统改信息？多长时间内得改完？", "what").endswith("多长时间内得改完？")


@pytest.mark.parametrize(("question", "deceiving"), [
    ("Can the landing page claim we were rated No. 1 by a government agency?", False),  # a claim, not said untrue
    ("Can the landing page claim we were rated No. 1 when we actually weren't?", True),
    ("The team wants to invent fake customer reviews for the app page. Allowed?", True),
    ("Could support pretend a refund is impossible so people give up?", True),
    ("能不能在活动页上编造一些中奖用户名单？", True),
    ("宣传册上写我们有五个机房，其实只有一个，这样行吗？", True),
    ("Can we take down fake accounts that impersonate celebrities?", False),  # someone else's fakes
    ("发现仿冒我们的网站，可以要求关停吗？", False),
])
def test_presenting_something_untrue_is_read_from_the_question(question: str, deceiving: bool) -> None:
    assert parse_question(question).deceiving is deceiving


@pytest.mark.parametrize(("question", "event"), [
    ("We blocked a batch of illegal videos on 2026-11-23. Are we still in time to report them?",
     "We blocked a batch of illegal videos on 2026-11-23."),
    ("董事会10月9日决定合并，现在去申请还来得及吗？", "董事会10月9日决定合并"),
    ("Yesterday our legal representative changed, what now?", "Yesterday our legal representative changed"),
    ("Are we still in time to report?", None),
])
def test_the_dated_event_is_the_clause_that_names_the_day(question: str, event: str | None) -> None:
    assert dated_event(question, date(2026, 12, 1)) == event


@pytest.mark.parametrize(("question", "negated"), [
    # a bare 「可以吗」 asks about the whole plan, from the clause that says what we plan to do
    ("我们计划先不做安全评估，等用户多了再说，行吗？", True),
    ("公司准备不配投诉受理人员，全交给机器人，可以吗？", True),
    # …and a scene before the plan stays the scene
    ("用户不太满意，我们打算把客服电话换成在线表单，可以吗？", False),
])
def test_a_bare_particle_asks_about_the_whole_plan(question: str, negated: bool) -> None:
    assert parse_question(question).negated is negated


def test_what_we_say_we_do_not_provide_is_read() -> None:
    assert parse_question("我们根本没做应用商店，上架检测要做吗？").not_provided == ("我们根本没做应用商店",)
    assert parse_question("We don't run a forum. Must we vet accounts?").not_provided == ("We don't run a forum",)
    assert parse_question("We run a forum. Must we vet accounts?").not_provided == ()


@pytest.mark.parametrize("question", ["没拿到许可之前，我们是不是不能开展这项业务？", "还未取得批准前，是不是就不可以上线？"])
def test_the_not_of_before_the_step_is_the_steps(question: str) -> None:
    # 「没拿到批准之前」 is "before approval": its 没 negates no act, so 「不能」 still asks the inverse of may
    form = parse_question(question)
    assert form.inverse and form.stepless and not form.negated


@pytest.mark.parametrize(("question", "delays"), [
    ("Can we wait till next month to report it?", True),
    ("能不能等修好了再通知用户？", True),
    ("先暂缓处置可以吗？", True),
    ("Can we report it now?", False),
    ("现在就处置可以吗？", False),
    ("昨晚数据库被拖库了，可以先内部调查吗？", False),
    ("这事能不能往后拖一拖？", True),
])
def test_putting_the_act_off_is_read(question: str, delays: bool) -> None:
    assert parse_question(question).delays is delays
