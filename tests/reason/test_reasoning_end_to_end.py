"""The issue's eight failure classes, end to end through ``answer()`` (real model and index): yes/no verdicts,
paraphrased facts, polarity, forbidden acts in everyday words, near-miss not-stated, computed deadlines,
false premises and missing clauses, surface variation. The examples are the issue's, not an eval set's."""

from __future__ import annotations

import pytest

from assistant import answer

pytestmark = pytest.mark.slow
AS_OF = "2026-12-01"


@pytest.mark.parametrize(("question", "verdict"), [
    # 1. yes/no questions get yes/no
    ("Is the license still valid on 2027-01-03?", "no"),
    ("Do we have to keep user logs?", "yes"),
    ("Has the renewal deadline passed?", "yes"),
    ("www.kongzhong.net 在证上吗？", "yes"),
    ("Is www.kongzhong.org one of our domains?", "no"),
    ("许可证上登记的服务器放置地在北京市海淀区吗？", "yes"),
    # 3. polarity: not doing a required act, doing it without a required step
    ("Is it OK not to keep user logs at all?", "no"),
    ("能不能不配专职的网络安全管理人员？", "no"),
    ("Can we skip the pre-listing check for app updates?", "no"),
    ("可以不管数据访问权限吗？", "no"),
    ("Can we start landline phone information services with no approval at all?", "no"),
    ("未经批准，我们可以开展固定网电话信息服务吗？", "no"),
    ("Can we start fixed-line telephone information services?", "conditional"),
    # 4. forbidden acts in everyday words
    ("Can we hand spare phone numbers to a firm that runs telecom services without a licence?", "no"),
    ("结账时偷偷加一笔价目表上没有的费用可以吗？", "no"),
    ("Can we offer VoIP calls over the internet?", "no"),
    ("我们可以超出许可的业务覆盖范围开展经营吗？", "no"),
    ("Are we prohibited from reselling bandwidth to ISPs?", "yes"),
    ("Can our sales page say the product is endorsed by the ministry when it never was?", "no"),
    ("为了拉新，能不能编一些用户中了大奖的故事放在首页？", "no"),
    ("续费时能不能多扣一笔服务费，不在账单上写出来？", "no"),
    # 5. near-miss: the asked attribute is not in the clause
    ("How long must we keep the records of illegal content we removed?", "not_stated"),
    ("我们需要配几个安全管理人员？", "not_stated"),
    ("What is the fine for not filing the annual report?", "not_stated"),
    ("许可证规定用户日志保存6个月，对吧？", "not_stated"),
    ("许可证要求我们设立首席隐私官吗？", "not_stated"),  # 「用户信息保护」 holds one asked word of three
    # 6. in time or not, counted from the event the scene dates (the asking sentence names no rule)
    ("Moderators deleted an illegal livestream clip on Monday 2026-11-16 and nobody told the regulator. If the "
     + "report goes out today, are we still in time?", "no"),
    ("运营在11月26日删掉了一段违法直播片段，一直没上报。今天报的话，还来得及吗？", "yes"),
    # 7. false premises and missing clauses
    # asked whether a clause that does not exist says something: no (asked what it says: not stated)
    ("clause 16 says we can resell bandwidth, right?", "no"),
    ("What does clause 19 say about data exports?", "not_stated"),
    ("第十七条是不是要求我们买网络安全保险？", "no"),
    ("The license expires in 2030, right?", "no"),
    ("We can apply for renewal as late as 30 days before expiry, right?", "no"),
    # polarity: the act done first and its step afterwards, or without the step
    ("我们能先上线固定电话信息服务，等批准下来再补手续吗？", "no"),
    ("For our app store, can we list apps without telling users what permissions they take?", "no"),
    ("It's 2026-12-01 and we haven't applied yet. Has the renewal deadline passed?", "yes"),
    # a ban on fees beyond the marked price is no ban on charging
    ("可以收取明码标价以外的费用吗？", "no"),
    # silent: the nearest rule is about something else
    ("Must we publish our office opening hours under the licence?", "not_stated"),
    ("许可证对员工的年假天数有要求吗？", "not_stated"),
    ("Does the license require us to plant trees around the data centre?", "not_stated"),
    # near-miss attributes
    ("What's the minimum registered capital we must keep?", "not_stated"),
    ("续期申请要准备哪些材料？", "not_stated"),
    ("What is the street address of the issuing authority?", "not_stated"),
    ("What's the street address of our servers?", "info"),  # the server location is an address
    # a name the scene gives ("Class 9") is no claim about the field the question asks of
    ("We'd like to trademark our site name in Class 9. Does the license say anything about trademarks for it?", "info"),
    ("Our servers are in Shanghai, correct?", "no"),
    # a negated modal asks whether the act is impossible: possible with approval, impossible when excluded
    ("So we can never change our shareholders, is that right?", "conditional"),
    ("我们是不是根本不能开展固定网电话信息服务？", "conditional"),
    ("Aren't search services excluded from what we're licensed for?", "yes"),
    ("Is it correct that the license does not permit us to provide internet information services?", "no"),
    # a claimed figure must have the license's kind of day; the term is computed from the license's dates
    ("Illegal content has to be reported within 10 business days after handling, right?", "yes"),
    ("Illegal content has to be reported within 10 calendar days after handling, right?", "no"),
    ("许可证有效期是五年，对吗？", "yes"),
    ("Is the license valid for three years?", "no"),
    # an order number paired with a title is checked against the license's own pairing
    ("《通信网络安全防护管理办法》是工信部第24号令吧？", "no"),
    ("Is Order No. 24 the Provisions on Protecting the Personal Information of Telecommunications and Internet Users?",
     "yes"),
    # an information service a regulation the license refers to puts under prior approval (glossary data)
    ("Could we launch an e-learning section with online courses?", "conditional"),
    ("我们想开个在线问诊的栏目，现在的证能直接做吗？", "conditional"),
    # a false premise about a field is corrected before the question is answered
    ("法定代表人是张伟，换法人需要做什么？", "no"),
    ("Our legal representative is Wang Qiang — what must we update when he leaves?", "no"),
    # a domain without its www., or running straight into Chinese
    ("Is kongzhong.com one of our domains?", "yes"),
    ("kong.net在许可证上吗", "yes"),
    # a day the question claims for the license's own dates, or compares with them
    ("The permit is good until 30 June 2027, isn't it?", "no"),
    ("Is our license still good on 2027-02-01?", "no"),
    ("证是2021年12月28日发的吧？", "yes"),
    ("Does the license lapse before 2027-03-01?", "yes"),
    # a deadline met or missed: against today, the day the act is planned, or the day it was done
    ("Our registered address changed on 2026-11-10; we plan to update the system on 2026-12-18. Is that in time?",
     "no"),
    ("Our registered address changed on 2026-11-20. Are we still within the time limit to update the system?",
     "yes"),
    ("今年的许可证年报我们是2026年5月6日才参加的，算按时吗？", "no"),
    # …with the event's year said as 「今年」: reported on the tenth working day after (清明 in between)
    ("今年4月1日我们处置了一批违法信息，4月16日才上报，算按时吗？", "yes"),
    ("今年4月1日我们处置了一批违法信息，4月17日才上报，算按时吗？", "no"),
    # …the deadline of the matched sentence's own period: 「立即处置…并在处置后的10个工作日内上报」
    ("We handled some illegal posts on 2026-11-24 — are we still within the reporting window today?", "yes"),
    # a year or a month claimed for one of the license's dates
    ("Was our license issued in 2021?", "yes"),
    ("许可证是2023年发的吧？", "no"),
    ("Does the license expire in 2027?", "no"),
    # a value claimed for a field: the whole name, not a place inside it
    ("The license lists our website name as 空中快递, correct?", "no"),
    # …which, named in a must-question, says nothing of a duty
    ("“空中信使”这个网站名称需要我们去注册成商标吗？", "not_stated"),
    ("附件上的接入服务提供单位是中国联通北京分公司吗？", "no"),
    # an attribute the nearest clause lacks; doing the act before the approval it needs, and the inverse
    ("What fee does the ministry charge for the annual report?", "not_stated"),
    ("拿到批准之前能不能先开通固定网电话信息服务？", "no"),
    ("Is it true we cannot launch fixed-line phone information services before getting approval?", "yes"),
    ("do we need to display the license number on the homepage or not?", "yes"),
    # a false premise about the license's own dates, periods or cited orders is corrected first
    ("Since the license is valid until 2028-01-01, when do we need to apply for renewal?", "no"),
    ("Is the license valid until 2027-12-28?", "no"),
    ("Given that the license expires in 2028, when do we apply to renew it?", "no"),
    ("Since the license allows 45 days to update the system after a shareholder change, when is it due for 2026-11-10?",
     "no"),
    ("许可证要求我们按第24号令做网络单元的定级备案，对吧？", "no"),
    # 「第一时间」 is no number of hours
    ("用户信息大量泄露了，许可证要求几小时内报告主管部门？", "not_stated"),
    ("Is it true that we are not allowed to sublet our bandwidth to an internet access provider?", "yes"),
    # a presumed service the scope excludes is corrected before the rule the question asks about
    ("Because our license lets us run a search engine, we only need to keep user logs for it, right?", "no"),
    # a duty to report to the authority says nothing of telling users
    ("We lost a lot of user records in a breach. Do we have to email every affected customer?", "not_stated"),
    ("We lost a lot of user records in a breach. Do we have to tell the telecom authority?", "yes"),
    # a field asked for in everyday words, when nothing else named a topic
    ("Who's the big boss written on our permit?", "info"),
    # a validity question with the renewal in the scene asks validity; a year asked of a yearly duty is a when
    ("We've already sent in the renewal paperwork. Is the license itself still in force on 20 December 2026?", "yes"),
    ("The annual report is a yearly thing — do we have to file it again in 2027?", "yes"),
    # a negation inside a relative clause describes the charge, not the act; an omission asked as "compliant?"
    ("Can we slip an extra charge onto the user's bill that was never on our published price list?", "no"),
    ("Our homepage leaves out the license number. Is that compliant?", "no"),
    ("kongzhong.net这个域名在不在证上", "yes"),
    # the notice due before expiry when the business stops; a scene's negation is no negation of the asked act
    ("我们决定证到期后就不做了，今天才打算去跟原发证机关说一声，还来得及吗？", "no"),
    ("We've decided not to carry on after the license ends. Is telling the authority today still on time?", "no"),
    ("We don't plan to renew — do we need to tell anyone?", "yes"),
    # whether a section is part of the license, from the license's own words; an exclusion asked inverted
    ("附页上的内容也属于许可证的组成部分吗？", "yes"),
    ("Isn't search left out of what our license covers?", "yes"),
    ("Our partner is an ISP and wants spare bandwidth from us. We cannot resell it to them, correct?", "yes"),
    # whether the license has a rule on a topic: yes where a rule holds it, silent otherwise — never "no"
    ("Does the license have any rules on charging users fees beyond the marked price?", "yes"),
    ("Does the licence lay down rules on live-streaming e-commerce?", "not_stated"),
    ("Does the license say anything about keeping user logs?", "yes"),
    ("Does the license say anything about age verification for minors?", "not_stated"),  # a rule on users, not this
    ("Does clause 16 say anything about foreign shareholders?", "no"),  # …unless the clause asked of is missing
    ("what is our licence number", "info"),
    # 8. surface variation
    ("can we run a serch engin?", "no"),
    ("我们能做 IM 吗", "no"),
    # a standard the license never names: a duty that sounds alike does not make it required
    ("Does the license say our security team must be SOC 2 certified?", "not_stated"),
    ("许可证要求我们的数据中心通过TIA-942认证吗？", "not_stated"),
    # putting off a duty to act at once is not doing it
    ("Someone posted illegal content on our forum. Can we leave it up until the weekend and deal with it then?", "no"),
    ("发现违法信息后，能不能先放一放，过几天再处置？", "no"),
])
def test_verdict(question: str, verdict: str) -> None:
    result = answer(question, AS_OF)
    assert result.verdict == verdict, (result.intent, result.answer[:200])


@pytest.mark.parametrize(("question", "day"), [
    ("We changed shareholders on 2026-06-15 — by when must the system be updated?", "2026-07-15"),
    ("assessment finished 2026-03-31, report due?", "2026-04-30"),
    # 10 working days: Oct 1–7 are holidays, Saturday Oct 10 is a make-up working day
    ("we took down illegal posts on Friday 2026-09-25 — report by?", "2026-10-15"),
])
def test_deadline_computed_from_the_day_named(question: str, day: str) -> None:
    result = answer(question, AS_OF)
    assert day in result.answer and result.citations, result.answer


def test_a_wrong_expiry_is_corrected_and_the_deadline_given_from_the_real_one() -> None:
    result = answer("Since our licence runs until 2028-12-28, can we file for renewal in autumn 2028?", AS_OF)
    assert result.verdict == "no" and "2026-12-28" in result.answer and "2026-09-29" in result.answer


def test_a_choice_of_quarters_is_read_in_the_license_own_words() -> None:
    result = answer("annual license report: q1 or q4?", AS_OF)
    assert result.verdict != "not_stated" and "第一季度" in result.answer


@pytest.mark.parametrize(("question", "field", "value"), [
    # 2. a field asked in words no glossary entry has: read by the field reader over the query vector
    ("Under whose name does the permit say the company is legally represented?", "main.legal-rep", "李翊"),
    ("On which day did the ministry grant us this permit?", "main.issue-date", "2021"),
    ("What URLs is our permit good for?", "annex.domains", "kongzhong.com"),
])
def test_a_field_asked_in_other_words_is_read(question: str, field: str, value: str) -> None:
    result = answer(question, AS_OF)
    assert result.verdict == "info" and field in [c.clause_id for c in result.citations]
    assert value in result.answer


@pytest.mark.parametrize("question", ["What is the stock ticker of the company?", "Which bank holds our deposit account?",
                                      "Who is our company auditor?"])
def test_a_what_question_about_something_the_license_has_no_field_for_is_not_stated(question: str) -> None:
    assert answer(question, AS_OF).verdict == "not_stated"


def test_a_wrong_period_in_a_what_question_is_corrected_before_the_day_is_given() -> None:
    result = answer("Our lawyer says we have to apply for renewal 45 days before expiry. Which day is that?", AS_OF)
    assert result.verdict == "no" and "90" in result.answer and "2026-09-29" in result.answer


def test_adding_what_the_license_does_not_list_yet_needs_its_procedure() -> None:
    # the relative clause's "does not" describes the new category; it does not negate adding it
    result = answer("Can we add a business category that our license does not list yet?", AS_OF)
    assert result.verdict == "conditional"


def test_illegal_content_others_post_is_the_scene_not_the_act_asked() -> None:
    # the asking sentence names its own act (closing accounts); the illegal content is what the account posts
    result = answer("A public account in our forum keeps posting illegal content. Can we restrict its posting or "
                    "close the account?", AS_OF)
    assert result.verdict == "yes" and "special.15.13" in [c.clause_id for c in result.citations]
    assert answer("Can we publish illegal content?", AS_OF).verdict == "no"


@pytest.mark.parametrize(("question", "field"), [
    # the scene's 要做 is no duty asked about: the field the asking clause wants answers
    ("审计要做年度核查，许可证上登记的网站名称是什么？", "annex.site-name"),
    ("我们要做供应商准入，证上写的公司名称全称是什么？", "main.company"),
])
def test_a_duty_in_the_scene_does_not_turn_a_field_question_into_a_duty(question: str, field: str) -> None:
    assert [c.clause_id for c in answer(question, AS_OF).citations] == [field]


def test_a_report_deadline_counts_from_a_day_named_relative_to_today() -> None:
    result = answer("We took down illegal content yesterday. By what date do we have to report it?", "2026-12-02")
    assert "2026-12-15" in result.answer and "special.9" in [c.clause_id for c in result.citations]


def test_the_cut_off_of_a_report_is_not_the_license_expiry() -> None:
    result = answer("2026年6月15日我们处理掉了违法信息，上报的截止日期是哪天？", AS_OF)
    assert "special.9" in [c.clause_id for c in result.citations] and "main.expiry" not in [
        c.clause_id for c in result.citations]


def test_an_idiom_with_numbers_asks_for_no_figure() -> None:
    # 「三天两头」 ("again and again") names no period: the measures of 15(13) answer, not "no figure stated"
    result = answer("论坛里有个用户三天两头发违法帖子，按许可证我们可以怎么处理他？", AS_OF)
    assert result.verdict != "not_stated" and "special.15.13" in [c.clause_id for c in result.citations]


def test_missing_clause_is_said_not_to_exist() -> None:
    result = answer("clause 16 says we can resell bandwidth, right?", AS_OF)
    assert "16" in result.answer and not result.citations


def test_traditional_chinese_is_read() -> None:
    result = answer("請問許可證什麼時候要續期？", AS_OF)
    assert result.verdict == "info" and "2026年9月29日" in result.answer


def test_near_miss_names_the_nearest_clause_as_related() -> None:
    result = answer("How long must we keep the records of illegal content we removed?", AS_OF)
    assert "special.9" in [r.clause_id for r in result.related] and not result.citations


def test_charging_users_is_not_forbidden() -> None:
    # 15(5) requires charging accurately and forbids only fees other than the marked price
    for question in ("我们可以向用户收取信息服务费吗？", "Can we charge users for our information services?"):
        assert answer(question, AS_OF).verdict != "no"


@pytest.mark.parametrize(("question", "limit"), [
    ("发现并处置了违法信息，几个工作日内得向主管部门上报？", "10个工作日"),
    ("How many days do we have to file the written report once a security assessment is done?", "30 days"),
    ("股东换了以后，多少天内要去信息系统里更新？", "30日"),
])
def test_a_number_of_days_asked_is_the_time_limit_of_the_duty(question: str, limit: str) -> None:
    result = answer(question, AS_OF)
    assert result.verdict == "info" and limit in result.answer, (result.intent, result.answer[:200])


@pytest.mark.parametrize("question", ["Within how many days must we answer a user complaint?",
                                      "发生大规模用户信息泄露后，几个小时内要报告？"])
def test_a_number_of_days_the_duty_does_not_set_is_not_stated(question: str) -> None:
    # 5 sets no time limit for complaints; 8 says "at once" (第一时间), which is no number of hours
    assert answer(question, AS_OF).verdict == "not_stated"


@pytest.mark.parametrize(("question", "verdict"), [
    # a rule that applies only while providing a service does not bind a company that says it does not provide it
    ("We don't operate any app store. Do we still have to keep the history versions of apps?", "no"),
    ("我们压根没做论坛，公众账号的资质审核备案可以不做吗？", "yes"),
    ("公司目前不提供即时通讯，还需要制定重大突发情况下的应急处置预案吗？", "no"),
    # …and binds one that does
    ("We run an app store. Do we have to keep the history versions of apps?", "yes"),
    ("我们做了论坛，公众账号的资质审核备案可以不做吗？", "no"),
])
def test_a_rule_for_a_service_we_do_not_provide_does_not_bind(question: str, verdict: str) -> None:
    result = answer(question, AS_OF)
    assert result.verdict == verdict, (result.intent, result.answer[:200])
