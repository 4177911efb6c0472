"""A question read as structure: what it asks (its act), whether it asks about *not* doing something, which
attribute it wants, the days it names and the clauses it cites.

Only the mechanics of the two languages live here — modal verbs, question particles, negators, units and the
words for generic attributes (a fee, a penalty, a number of staff…) — never a term of the license: the content
of the question reaches the norms through :mod:`assistant.reason.match`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ..intents import clause_references
from ..text import DATE_PATTERNS, dates_in

Act = Literal["may", "must", "true", "when", "how_many", "what_do", "what"]
Attribute = Literal["fee", "penalty", "staff_count", "frequency", "retention", "grace", "algorithm", "address",
                    "contact", "documents", "time_limit", "response_time", "rate", "count"]
YES_NO_ACTS: tuple[Act, ...] = ("may", "must", "true")


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(patterns), re.IGNORECASE)


# -- acts: the order of ACTS is the order of precedence ("by when must we…" asks when, not whether) -------------
_WHAT_DO = _any(
    r"\bwhat (do|should|must|shall|would|will) (we|i|the company|they)\b(?! need to (?:know|keep))",
    r"\bwhat (steps|actions|procedures?|obligations|duties|requirements|formalities)\b", r"\bhow (do|should|must) we\b",
    r"\bwhat happens\b", r"\bwhat('s| is) (required|expected)\b", r"\bwhat are (our|the) (obligations|duties)\b",
    r"怎么办|要做什么|需要做什么|该做什么|得做什么|应该做什么|应当做什么|做哪些|怎么做|如何处理|怎么处理|怎么弄|"
    r"有什么(要求|义务|规定|手续)|哪些(义务|要求|手续|工作)|什么手续|什么流程|要干什么|要干嘛|得干啥|要办什么|如何办理",
)
_WHEN = _any(
    r"\bwhen\b", r"\bby what (date|day|time)\b", r"\bwhat (date|day)\b", r"\bwhich (date|day)\b",
    r"\bwhat('s| is) the (deadline|due date|latest)\b", r"\bdeadline\s*\W*$", r"\bdue (by|on)?\s*\W*$",
    r"\bhow (soon|fast|quickly)\b", r"\bhow long do we have\b", r"\bhow many (working |business |calendar )?days (do we have|after|before)\b",
    r"\buntil when\b", r"\bwithin how\b", r"\bhow (far|long|early|much time) (ahead|in advance|before|beforehand)\b",
    r"\bhow much (notice|lead time)\b",
    r"什么时候|何时|哪天|哪一天|几号|截止|期限|最晚|最迟|几个工作日|多少个工作日|时限|哪个季度|啥时候",
    r"(多久|多长时间|(多少|几)个?(工作日|自然日|天|日|周|星期|月|年|小时))(之|以)?内",
)
_WH_ZH = re.compile(r"什么|哪|谁|啥|几|多少|多久|多长|怎么|如何")
_HOW_MANY = _any(r"\bhow (many|much)\b", r"多少|几个|几名|几人|几次|几家|几项")
_MAY = _any(
    r"\b(can|could|may|might)(?:n?'?t)?\s+(we|i|our|the company|they|kongzhong|one|us|it)\b",
    # …or what the company lets others do on its service ("can visitors ring mobiles from our site?")
    r"\b(can|could|may|might)(?:n?'?t)?\s+(users?|customers?|visitors?|members?|subscribers?|clients?|people|players?|"
    r"merchants?|sellers?|advertisers?|partners?|employees|staff)\b",
    r"\b(we|i|the company) (can|could|may|might)(?:not|n't)?\b",
    r"\b(allowed|permitted|permissible|permission|legal|legally|lawful|acceptable|compliant|all ?right)\b", r"\b(ok|okay|possible)\b",
    r"(?<!\ba )(?<!the )(?<!any )\bfine\b",  # "is that fine?", not "is there a fine?"
    r"\bable to\b", r"\bis there anything (stopping|preventing)\b", r"\bgo ahead\b",
    r"能不能|能否|可以|可否|可不可以|允许|行不行|行吗|(?<![可功])能[^。？?]{0,30}(吗|么)|准不准|让不让|合规|违规|可行|没问题|"
    r"(?i:ok)吗|会不会违反|被禁止|禁止吗",
)
_MUST = _any(
    r"\b(must|have to|has to|need to|needs to|required|requires?|obliged|obligated|obligation|mandatory|compulsory|"
    r"supposed to|should (we|i|the company))\b", r"\bdo (we|i) need\b",
    r"\b(expects?|expected) (us|the company|licensees?|operators?) to\b",
    r"\b(does|do|will|would) (that|this|it|they|we|i|the \w+) (still |also )?(need|require)\b", r"\bis there (a|any) (requirement|duty)\b",
    r"必须|需要|要不要|需不需要|是否要|得不得|应当|应该|有没有义务|是不是要|一定要|有义务|(?<![主想])要[^，。？?]{0,20}(吗|么)|得[^，。？?]{0,12}吗",
)
_YES_NO_EN = re.compile(r"^\W*(?:[^,:?]{0,60}[,:]\s*)?(am|is|are|was|were|do|does|did|has|have|had|will|would|can|could|may|might|must|shall|"
                        r"should|isn'?t|aren'?t|doesn'?t|don'?t)\b", re.IGNORECASE)
# A tag question ("We don't have to tell users what the apps grab, do we?"): the statement before it is asked, with
# the statement's polarity — the tag's own negation ("…, mustn't we?") negates nothing.
_TAG = re.compile(r",\s*(do|does|did|is|are|was|were|can|could|may|must|should|will|would|have|has|don'?t|doesn'?t|"
                  r"isn'?t|aren'?t|can'?t|won'?t|shouldn'?t|mustn'?t|haven'?t|hasn'?t)\s+(we|i|you|they|it|there)\s*\W*$",
                  re.IGNORECASE)
_YES_NO_TAIL = _any(r"\b(right|correct|true|yes or no)\s*\W*$",
                    _TAG.pattern, r"\bor (not|no|nah|nope)(\s*\W*$|\s*[?？])", r"\bisn'?t it\b", r"(?P<a>[\u4e00-\u9fff]{1,2})[不没](?P=a)", r"(?:吗|(?<![什怎那这多])么|吧)[？?！!。.\s]*$", r"是否|是不是|有没有|对吗|对不对|真的")
_WHAT = _any(r"\b(what|which|who|whom|whose|where|list|name)\b", r"什么|哪|谁|啥|多少")

# -- polarity ----------------------------------------------------------------------------------------------------
_A_NOT_A = re.compile(r"([\u4e00-\u9fff]{1,2})[不没]\1|需不需|可不可|用不用")
_THIRD_PARTY = _any(
    r"(没有?|无|未取得|不具备|未经)[^，。？?]{0,16}(牌照|许可|资质|执照|批准)[^，。？?]{0,14}?(的)?(公司|企业|经营者|机构|单位|者|人|商|方|平台)",
    r"(公司|企业|经营者|机构|单位|商|方|平台|伙伴|他们|他|她|对方)(自己|本身|本人)?(并|也|都|还)?(没有?|无|未取得|不具备|不持有)"
    r"[^，。？?]{0,10}(牌照|许可|资质|执照|批准)",
    r"\b(firms?|compan(y|ies)|providers?|operators?|business(es)?|part(y|ies)|someone|anyone|vendors?|resellers?|isps?|"
    r"outfits?|entit(y|ies)|people|partners?|clients?|customers?|startups?|suppliers?|contractors?|carriers?|agents?|"
    r"affiliates?|merchants?|developers?|shops?|who|that|which)\b[^.?!,]{0,40}\b(without|lacking|with no|no|(does|do)n'?t have|"
    r"does not have|do not have|not licensed|unlicensed)\b"
    # …its lack, not a step the act skips: "change the entity without waiting for approval"
    r"(\s+(?!(waiting|getting|obtaining|asking|seeking|applying|for|to|until)\b)[\w-]+){0,3}?\s+(licen[cs]es?|permits?|approvals?)\b",
    # what the user does not do is no refusal of ours: 「用户不主动取消就扣费」, "unless users don't opt out"
    r"(用户|客户|消费者|会员|对方|他们|他|她)(自己|本人)?(不|没有?|未)",
    r"\b(users?|customers?|subscribers?|members?|clients?|consumers?|he|she)\s+((do|does|did|has|have|had|would|will)"
    r"(n'?t| not)|never|not)\b",
)
_NOT_NEGATION = _any(r"\b(licen[cs]e|registration|permit|icp|phone|serial|reference|account|id)\s+no\b\.?|\bno\.\s*\d|"
                     r"(没有|没|不|未)[\u4e00-\u9fff]{0,2}的(?!话|情况|时候)|不(太|很|大|够|怎么|那么)[\u4e00-\u9fff]{1,3}的|\bnot (a|an)\b|不得|不含|不良|不同|不断|不仅|不少|不法|不当|不久|不是吗|没问题|没错|不然|"
                     r"不实|不正当|不合法|不合规|不规范|不真实|不公平|不合理|不准确|不明|不再继续经营|"
                     r"\byes or no\b|\bor (not|nah|nope)\b|\bno (later|sooner|more|less) than\b|^\W*no\b|\bno matter\b|"
                     # "Isn't IM excluded?" asks whether it is: a question's leading negative auxiliary is a bias,
                     # not a negation of the act
                     r"^\W*(is|are|was|were|do|does|did|has|have|can|could|should|would|will|wo|must)n'?t\b|"
                     r"不管[^，。？?]{0,12}(都|还是|是否|怎么|如何|多少)|不论|不会吧|是不是|"
                     r"\b(that|which|who)\s+(is|are|was|were|does|do|did|has|have|had)\s*(n'?t|not|never)\b|"
                     # what the license leaves out, as a description of the object: "lines our permit doesn't cover
                     # (today)?" — the verb's object is the gap; "the license does not require logs" has its own
                     r"\b(our|the|this)\s+(permit|licen[cs]e|scope)\s+(does|do|did)\s*(n'?t|not)\s+(cover|list|include|"
                     r"name|mention|allow|permit|grant)\b(?=\s*(today|yet|now|currently|at present)?\s*[,.?;!]|"
                     r"\s+(and|but|or|is|are|can|could|may)\b)|"
                     r"\bnot (on|in|listed|shown|marked|written|printed|stated|included|disclosed|true|real|the case)\b|"
                     r"\bwhether or not\b|\bnot (only|just|merely|simply)\b|\b(isn'?t|aren'?t|don'?t|doesn'?t) (it|we|they)\s*\W*$|"
                     r"\bcan'?t we\b|\bcouldn'?t we\b|\bwhy not\b")
# 「拿到批准之前」: before the step the act needs
_BEFORE_STEP_ZH = r"(?:还?(?:没有?|未))?(拿到|取得|获得|得到|通过)[^，。？?]{0,8}(批准|审批|许可|同意|核准)[^，。？?]{0,2}(之前|以前|前)"
_NEGATOR = _any(
    r"\b(not|never|without|skip|skipping|skipped|omit|omitting|forgo|forgoing|waive|waiving|avoid|avoiding|refrain|"
    r"stop|stopping|ignore|ignoring|bypass|bypassing|dispense|drop|dropping|no longer|neglect|fail to|instead of|"
    r"prevent|preventing)\b",
    r"n't\b", r"\bno\b", r"\bw/o\b", r"\b(leave|leaves|leaving|left)\b[^?.]{0,40}\b(out|off)\b",
    # doing the act before the step it needs: "launch before being approved", 「先上线后补审批」
    r"\bbefore (being (approved|licensed|permitted)|(getting|obtaining|receiving|we (get|have|obtain|receive)) (an? |any |the )?"
    r"(approv\w*|permission|consent|licen[cs]\w*)|(any |the )?(approval|permission|consent)\b)",
    r"\b(first|now)\b[^?.]{0,70}\b(afterwards|later|after the fact)\b",
    r"\b(turn|turning|turned|switch|switching|switched|shut|shutting)\s+off\b",
    # putting the act off: "hold off telling the regulator", "wait until next week to report"
    r"\b(hold|holding|put|putting) off\b", r"\b(delay|delaying|postpone|postponing)\b", r"\bwait\b[^?.]{0,30}\bto\b",
    _BEFORE_STEP_ZH,  # 「没拿到批准之前」 is one negation, its 没 that of the step, before the 没 of an act
    r"不|没|无需|无须|(?:(?<=可以)|(?<![避豁以]))免(?!费|除责任)|跳过|省掉|省去|省略|拒绝|未经|甭|杜绝|避免|防止|放任",
)

# -- attributes the question wants; a norm answers only if it carries one ------------------------------------------
ATTRIBUTES: dict[Attribute, re.Pattern[str]] = {
    "penalty": _any(r"\b(the|a|any|what|how much) fines?\b|\bfines? (for|of|if|amount)\b", r"\b(fined|penalt\w*|punish\w*|sanctions?|consequences?|liable|liability)\b",
                    r"罚|处罚|后果|会怎样|会怎么样|吊销|法律责任|追责|惩罚"),
    "fee": _any(r"\bhow much\b(?! time)", r"\bwhat('s| is| are) the (fees?|costs?|prices?|charges?|amount)\b",
                r"\bis there (a|any) (fee|cost|charge)\b", r"\bwhat\s+(?:[a-z]+\s+){0,2}fees?\b(?! (rules?|requirements?))",
                r"\b(fees?|costs?) (do|must|should|would) we (pay|owe)\b", r"\b(fees?|costs?|price) (to|of|for) (renew|apply|fil|submit|regist|get)",
                r"\b(minimum|maximum|min\.?|max\.?|lowest|highest)\b[^?]{0,20}\b(capital|amount|fee|price|deposit|fund)",
                r"多少钱|费用是多少|收费标准|费用多少|交多少|缴纳多少|缴多少|金额是多少|价格是多少|费用标准|花多少|要交费|要缴费|"
                r"(最低|最少|最高|下限|上限)[^，。？?]{0,6}(资本|金额|费用|额度|资金|押金)"),
    "staff_count": _any(r"\bhow many\b[^?]{0,30}\b(people|staff|employees|persons|officers|personnel|members|engineers|"
                        r"heads|managers|workers|hires)\b", r"\b(specific |exact )?number of [^?]{0,30}(staff|people|"
                        r"employees|personnel|managers|officers)\b",
                        r"\bheadcount\b", r"\bnumber of (staff|people|employees|personnel)\b",
                        r"几个人|几名|多少人|多少名|人数|几位|(几|多少)个?[^，。？?]{0,10}(人员|员工)"),
    "frequency": _any(r"\bhow often\b", r"\bfrequenc\w*\b", r"\bhow frequently\b", r"\bhow many times\b",
                      r"多久一次|频率|几次|每隔多久|多长时间一次|一年几次|多久.{0,4}一次"),
    "retention": _any(r"\bhow long\b[^?]{0,40}\b(keep|kept|retain\w*|store\w*|stored|hold|preserve\w*|archive\w*)\b",
                      r"\b(retention|storage) (period|time|duration)\b", r"\bfor how long\b",
                      r"\bhow many (years|months|days|weeks)\b[^?]{0,40}\b(keep|kept|retain\w*|store\w*|stored|hold|"
                      r"preserve\w*|archive\w*)\b",
                      r"(保存|保留|留存|存储|存|保管)[^，。？?]{0,8}(多久|多长时间|几年|几个月|期限|多少天|几天|多少年|多少个月)|保存期|留存期"),
    "grace": _any(r"\bgrace\b", r"\blate (filing|submission|report)\b", r"\bif we (are|were|'re) late\b",
                  r"宽限|逾期.{0,6}(还|能|可以)|晚.{0,4}几天"),
    "algorithm": _any(r"\balgorithms?\b", r"\bencryption (standard|method|scheme)\b", r"\bciphers?\b",
                      r"算法|加密方式|加密标准"),
    "address": _any(r"\b(registered|office|company|head ?office|headquarters?|business|street|postal|mailing) address\b",
                    r"\baddress of\b",
                    r"\bheadquarter(s|ed)\b", r"\bdomicile\b", r"\bwhere is (the company|our company|the licensee)\b",
                    r"注册地址|办公地址|公司地址|公司住所|注册地在|总部在|办公地点|住所(在|是|为)?(哪|什么)|住所在"),
    "contact": _any(r"\b(e-?mail|hotline|telephone number|phone number|contact (details|info|number))\b(?!s? to)",
                    r"邮箱|热线|联系电话|联系方式"),
    "documents": _any(r"\bwhat (documents|paperwork|materials|forms)\b", r"\b(documents|paperwork|materials)\b[^?]{0,30}"
                      r"\b(prepare|submit|provide|bring|attach)\b", r"(哪些|什么)(材料|资料|文件)|材料清单|准备[^，。？?]{0,6}(材料|资料)"),
    "time_limit": _any(r"\bhow (long|soon|quickly|fast)\b(?! (is|was) (the|our|this) licen)", r"\bhow many (days|hours)\b",
                       r"\bwithin how\b", r"\btime limit\b", r"时限|几天|多少天|多久|多长时间|几个工作日|多少个工作日"),
    "rate": _any(r"\b(percentages?|percent|ratios?|proportions?|commission|fee split|revenue share|shareholding cap|"
                 r"ownership (cap|limit|ceiling))\b", r"\bwhat (is the )?(rate|share)\b",
                 r"比例|费率|百分比|分成|占比|持股上限|提成"),
    # a count a yes/no question asks the license to set ("does it define how many users make a leak large-scale?")
    "count": _any(r"\bhow many\b", r"\bwhat (level|grade|tier)\b", r"(多少|几)(个|名|家|户|条|位|万|级)(?!工作日|月|小时|天)"),
    "response_time": _any(r"\bresponse time\b", r"\bwithin how many (hours|minutes)\b", r"\bhow many (hours|minutes)\b",
                          r"几个?小时|多少小时|多少分钟|响应时间|多久.{0,3}(回复|响应|答复)"),
}
# Attributes that are values of a field: asked for only by a what-question ("what is our registered address?"),
# not by "we changed our registered address — how long do we have?".
_VALUE_ATTRIBUTES = frozenset({"address", "contact"})
_PREMISE = _any(r"^\W*(since|given that|as|now that|because)\b[^,?]{0,60}\b(we|our)\b[^,?]{0,20}\b(can|may|are allowed|"
                r"are licensed|is licensed|covers?|allows?|lets?|permits?|includes?)\b", r"既然|由于我们可以|因为我们(能|可以)|我们的许可证(能|可以|允许)",
                r"(?<!what )(?<!which )(?<!whatever )\b(our|the) licen[cs]e (lets|allows|permits|covers)\b")


# A negation of a step the act needs rather than of the act: "launch without approval", "rent from them without
# checking their licence", 「不经用户同意就订购」, 「不用管对方有没有许可」.
# 「先上线，等批准了再补手续」: the act first, the step it needs afterwards
_DO_FIRST = re.compile(r"先[^。？?]{0,20}(再|后)[^。？?，,]{0,12}?(补|报|批|申请|审批)|事后(补|报|申请)")
# Holding only this license (「公司只有这张ICP证」, "with just this license") is lacking any other the act needs.
_ONLY_THIS = re.compile(
    r"\b(with|on|under|holding|having|having only) (just|only|merely|solely) (this|our|the|an?) (icp |current |existing |"
    r"present |one )?(licen[cs]e|permit)\b|\b(just|only) (have|hold) (this|our|the|an?) (icp |current |existing |"
    r"one )?(licen[cs]e|permit)\b|(只有|只持有|仅有|仅持有|只凭|仅凭|单凭|光凭|光有)(这张|这个|现在的|现有的|手上的|一张)?(ICP)?"
    r"(证|许可证|许可)", re.IGNORECASE)
# Putting the act off ("keep it listed until the developer replies", "wait till next week to tell them",
# 「暂时别告诉主管部门」, 「等修好了再说」): against a duty to act at once, that is not doing what it requires.
_DELAYS = _any(r"\b(until|till|til|wait(ing)?|hold off|postpone\w*|delay\w*|defer\w*|put (it |that )?off|later on|"
               r"next (week|month|quarter|year)|after the (holidays?|weekend)|in a few (days|weeks|months)|"
               r"take (our|its|their) time|eventually|for (now|the time being|a while))\b",
               r"等[^，。？?]{0,15}(再|之后|以后)|过(几|一段|些)[天日周月]|(下周|下个月|下月|下季度|明年|节后|以后|晚点|晚些|回头|有空)再|"
               r"拖到|拖延|拖着|往后拖|推迟|延后|延迟|暂缓|暂时|暂且|慢慢")  # 「拖库」 is a breach, not a delay
_STEPLESS = _any(r"\b(without|w/o)\b", r"\bbefore (being |getting |obtaining |we get )?(approv|licen|permi|consent)",
                 r"(不经|未经|没经|未获|没有获得|没获得|不征得|未征得|不用管|不管|不问)[^，。？?]{0,12}"
                 r"(同意|批准|审批|许可|授权|核准|确认|有没有|是否)",
                 r"(没|未|不)(报批|报审|审批|批准)",  # 「没报批的情况下」
                 _BEFORE_STEP_ZH, _DO_FIRST.pattern,
                 # leaving the telling out (「不写出来」, 「先不告诉价格」, "not telling them"): the act is still done
                 r"(不|没|未)(告诉|告知|通知|说明|写明|写出|写上|标明|标出|标注|提示|公示|披露|公布|透露|让[^，。？?]{1,6}知道)",
                 r"\b(not|never) (telling|informing|notifying|disclosing|showing|displaying|mentioning)\b")

#: negators that say "keep from" rather than "not": they agree with a norm whose own act prevents something
AVOIDING = re.compile(r"^(avoid\w*|refrain\w*|prevent\w*|杜绝|避免|防止)$", re.IGNORECASE)


@dataclass(frozen=True)
class QuestionForm:
    text: str
    act: Act
    negated: bool = False
    attribute: Attribute | None = None
    dates: tuple[date, ...] = ()
    references: tuple[str, ...] = ()
    premise: bool = False  # "since our license allows X, …": a presupposition to check first
    inverse: bool = False  # asks whether it is forbidden / excluded / missing: the inverse of may / holds
    claims: tuple[str, ...] = ()  # figures the question asserts
    rule_claims: tuple[str, ...] = ()  # …of them, those stated as a rule's (「续期要提前60天」, "we have to file 60 days before")
    negators: tuple[str, ...] = field(default=())
    stepless: bool = False  # the negation drops a step (without approval / consent, 不经同意): the act is still done
    about: bool = False  # asks whether the license has a rule on a topic ("does it say anything about X?"): yes or silent
    only_this: bool = False  # the company holds only this license (「只有这张ICP证」): any other approval is missing
    delays: bool = False  # the asked act is put off ("wait till next week", 「等修好了再说」, :data:`_DELAYS`)
    deceiving: bool = False  # the asked act presents something untrue (:data:`DECEIVING`)
    wanted: str = ""  # what the question wants, without the scene (:func:`wanted_part`)
    not_provided: tuple[str, ...] = ()  # what it says we do not provide (「我们没做应用商店」)

    @property
    def avoiding(self) -> bool:
        """Every negation is of the keep-from kind ("must we avoid leaks?")."""
        return bool(self.negators) and all(AVOIDING.match(n) for n in self.negators)

    @property
    def yes_no(self) -> bool:
        return self.act in YES_NO_ACTS


# Asking whether the license has any rule on a topic, not whether the topic's act is allowed or required.
_ABOUT = _any(r"\b(say|says|said|state|states) anything (about|on|regarding|concerning)\b",
              r"\b(have|has|contain|contains|set|sets|include|includes|lay|lays) (down )?(any )?(rules?|requirements?|provisions?)"
              r" (on|about|for|regarding|concerning)\b", r"\b(are there|any) (rules?|requirements?|provisions?) (on|about|for|regarding"
              r"|concerning)\b",
              r"(有没有|有无|是否有)[^，。？?]{0,4}(相关)?(规定|要求)(?![我们你])|(有|作)(什么|任何|相关)?(规定|要求)(吗|么|没有)")

# What the question says we do not provide (「我们根本没做应用商店」, "we don't run an app store"): a rule that
# applies only while providing it does not bind us.
_NOT_PROVIDED = _any(
    r"(我们|我司|本公司|公司|咱们|咱)(目前|现在|根本|压根|并|都|也|还|从来|一直)*(没有?|不|未)(做|提供|经营|开展|运营|搞|上线|"
    r"开通|涉及)[^，。？?；]{2,20}",
    r"\bwe (do not|don'?t|never|are not|aren'?t|have not|haven'?t|currently don'?t)\s+(run|provide|operate|offer|host|"
    r"have|running|providing|operating|offering|hosting)\b[^.?!,;]{2,60}",
    r"\bwe have no\b[^.?!,;]{2,60}")


# Presenting something untrue to get an effect: a lying verb, something fake that we show or tell, or what we say
# set against what is actually so ("…when it actually isn't", 「其实并没有」). Someone else's fakes ("block fake
# websites") are not ours: "fake" counts only as the object of our showing or telling.
DECEIVING = _any(r"\b(lie|lies|lying|lied|mislead\w*|misled|deceiv\w*|trick\w*|fool\w*|pretend\w*|fabricat\w*|"
                 r"mak(e|es|ing) up|made[- ]up|invent\w* (fake|false)|falsely|untrue|bogus)\b",
                 r"\b(show|shows|showing|display\w*|tell|telling|say|saying|claim\w*|post\w*|run|running|push\w*|send\w*"
                 r"|put|putting|add|adding|advertis\w*|market\w*|promis\w*|label\w*)\b[^.?!;]{0,30}\b(fake|false)\b",
                 r"\bwhen (it|they|we|he|she|that|this|there)('s| is| are|'re| has| have| was| were)?\s*(actually |really |in fact )?"
                 r"(not|n't|isn't|aren't|hasn't|haven't|wasn't|weren't|doesn't|don't|didn't|never|no)\b",
                 r"谎称|谎报|撒谎|说谎|编造|捏造|虚构|杜撰|瞎编|胡编|乱编|编(个|一个|一些|些|点|出)|假装|伪称|骗|忽悠|误导|夸大|不实|虚假|假的|造假|"
                 r"(其实|实际上|实际|事实上)(并|根本)?(没有|不是|没|不|只|才)")

# Negations inside a subordinate clause ("… when it is not", "… if they don't ask") describe, not ask.
_SUBORDINATE = re.compile(r"\b(when|if|unless|because|although|though|while|whereas|even if|even though|which|who|"
                          r"whose)\b.*$", re.IGNORECASE)
_CONDITIONAL_ZH = re.compile(r"(如果|假如|要是|若是|万一|假设)[^，,？?]*[，,]|[^，,？?]*的话[，,]?")
# A clause that sets the scene before the question proper: "When lots of data leaks, must we…?",
# 「打广告的时候要写…吗」, 「提供搜索服务时，…」.
_LEADING_CONDITION = re.compile(r"^\W*(when|if|after|once|before|while|in case|whenever)\b[^,?]*,\s*|"
                                r"^[^，,？?]*?(?<!什么)的时候[，,]?|^[^，,？?]*时[，,]", re.IGNORECASE)
# The question asks whether something is forbidden, excluded or missing: the answer is the inverse of "may"/"holds".
_INVERSE = _any(r"\b(prohibited|forbidden|banned|barred|disallowed|outlawed|not allowed|not permitted)\b",
                r"\b(prohibits|forbids|bans|bars)\b",
                r"\b(excluded|excludes?|fall(s)? outside|outside (the|its|our|this) (scope|licen[cs]e)|not covered)\b",
                r"\b(licen[cs]e|it|scope) (leaves?|left) out\b", r"\bleft out of\b", r"\bmissing\b", r"\bleft off\b", r"\babsent\b",
                r"\b(doesn'?t|does not|do not|don'?t) (appear|show up|feature)\b",
                r"禁止|(?<!不)不得|不允许|不准|严禁|排除|不含|不包括|除外|(?<!在)不在[^，。？?]{0,10}(范围|之内|上|里)|"
                r"在[^，。？?]{1,10}(以外|之外)|(范围|许可)(以外|之外)|外地")
# A figure the question asserts (「保存6个月」, "30 days before"): a yes/no answer must find it in the evidence.
CLAIM = re.compile(r"第[一二三四1-4]季度|\b(first|second|third|fourth|[1-4](?:st|nd|rd|th)) quarter\b|\bQ[1-4]\b|"
                   r"(?<![月\d])(\d+|(?<![最后第每同])[一二三四五六七八九十两]+)(?:\s*|-)(个月|个工作日|工作日|个自然日|自然日|天|日|月(?!\s*\d)|年|周|小时|"
                   r"(?:working|business|calendar) days?|days?|months?|years?|weeks?|hours?)|(?<![\d-])(?:19|20)\d{2}(?![\d-])|"
                   r"\b(one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|sixty|ninety|a)(?:\s+|-)"
                   r"((?:working|business|calendar) days?|days?|weeks?|months?|years?)\b", re.IGNORECASE)


# Sentence ends, but not inside www.x.cn nor after an abbreviation ("license no. 020001", "e.g. a forum").
_SENTENCE_END = re.compile(r"(?<![Nn]o\.)(?<!e\.g\.)(?<!i\.e\.)(?<!etc\.)(?<!Co\.)(?<!Ltd\.)(?<!vs\.)(?<=[.!?])\s+"
                           r"|(?<=[。！？])"
                           # a scene set off by a dash before a question of its own: "We won't renew — do we…?"
                           r"|\s+[—–-]{1,2}\s+(?=(?:do|does|did|is|are|am|can|could|may|must|should|will|would|have|has)\b"
                           # …or before a bare tag asking whether it is acceptable: "… to keep the design clean — fine?"
                           r"|(?:fine|ok|okay|all right|acceptable|allowed)\W*$)",
                           re.IGNORECASE)


# A clause (between commas and sentence ends) and the words that make a figure in it a rule's rather than the
# scene's: "we have to file 60 days before expiry", 「续期要提前60天」 — not "we changed shareholders 10 days ago".
_CLAUSE = re.compile(r"[，,；;。！？!?]|(?<=[a-z])\.\s")
_RULE_WORD = _any(r"\b(must|have to|has to|need to|needs to|required?|requires|shall|should|gives? us|allows? us|"
                  r"allowed|deadline|time limit|window|due|kept|stored|retained|valid)\b",
                  r"\b(licen[cs]e|permit|clause|provision|rule|law)\b[^,.;?]{0,30}\b(says?|gives?|allows?|grants?|sets?|"
                  r"puts?|states?|specifies|lists?)\b", r"应当|应该|必须|须|需要|要求|规定|要在|要提前|得在|给了?我们|期限|时限")


def dated_event(text: str, today: date | None = None) -> str | None:
    """The clause that names the question's first day — what happened then (「11月13日下架了一条违法视频」,
    "We took down an illegal post on Friday 20 November"): the event a period would count from."""
    year = today.year if today else None
    for sentence in _SENTENCE_END.split(text):
        for clause in re.split(r"[，,；;]", sentence):
            if clause.strip() and dates_in(clause, year, today):
                return clause.strip()
    return None


def asking_sentence(text: str) -> str:
    """"Today is June 1, 2026. Have we missed the deadline?": the (first) sentence that asks carries the act."""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    asking = [s for s in sentences if s.rstrip().endswith(("?", "？"))]
    return asking[0] if asking else text  # 「要做安全评估吗？报告多久内交？」 is first a yes/no question


# Words inside the question that do not ask: "no matter what" asks nothing; "a maximum price we can charge" is a
# relative clause, its modal is not the question's
_IDIOM = re.compile(r"\bno matter (what|how|when|which)\b|\bwhatever\b", re.IGNORECASE)
_RELATIVE_MODAL = re.compile(r"\b(?!(?:that|so|then|whether|if|and|but|now|also|still|where|when|how|why|what|or|yes|"
                             r"surely|really|ok|okay|right)\b)([a-z]{3,})\s+(we|you|they)\s+(can|could|may|might)\b",
                             re.IGNORECASE)


# What opens a message without asking anything: "yo", "hey,", "quick question -", "pls confirm:".
_INTERJECTION = re.compile(r"^\W*(?:(?:yo|hey|hi|hello|um+|uh+|quick (?:question|q)(?: lol)?|"
                           r"(?:please|pls) (?:confirm|advise|check|help)|(?:ok|okay|so|well)(?=\s*[,;:!—–-]))\b\W*)+",
                           re.IGNORECASE)
# The inverted auxiliary of a yes/no question after a clause with no comma ("when we launch new features do we
# have to…"); a question opening with a wh-word asks that instead.
_WH_WORD = r"(?:what|which|who|whom|whose|where|why|how|when)\b"
_EMBEDDED_YES_NO = re.compile(rf"^\W*(?:(?:when|if|once|after|before|while)\s+)?(?:(?!{_WH_WORD})[\w'’-]+\W+){{1,14}}?"
                              r"(do|does|did|can|could|may|must|should|will|would|is|are|have|has)\s+(we|i|you|they)\b",
                              re.IGNORECASE)


# A statement asked back ("www.kong.net is covered by our licence too?"): a finite verb, a question mark, no wh-word.
_DECLARATIVE_YES_NO = re.compile(r"^(?!.*\b(what|which|who|whom|whose|where|when|why|how|if|whether)\b)(?!.*\bor (?!not\b))"
                                 r"(?!.*[\u4e00-\u9fff])[A-Za-z].*\b(is|are|was|were|has|"
                                 r"have|does|do|can|may|must|covers?|includes?|allows?|lets?|needs?)\b[^?]*\?+\W*$",
                                 re.IGNORECASE)


def _rule_claims(text: str) -> tuple[str, ...]:
    """The figures of the clauses that state a rule ("we have to file 60 days before", 「续期要提前60天」)."""
    return tuple(m.group() for c in _CLAUSE.split(_without_dates(text)) if _RULE_WORD.search(c)
                 for m in CLAIM.finditer(c))


def _claims(text: str) -> tuple[str, ...]:
    """The figures the question asserts: those of its asking sentence, and of a scene sentence only where it states
    a rule ("We run a two-week pilot. Can we skip the assessment?" asserts nothing)."""
    asking = asking_sentence(text)
    if asking == text:
        return tuple(m.group() for m in CLAIM.finditer(_without_dates(text)))
    return tuple(m.group() for m in CLAIM.finditer(_without_dates(asking))) + _rule_claims(text.replace(asking, " "))


def _yes_no_clauses(text: str) -> str:
    """Where a Chinese yes/no question asks: its clauses from the first with a yes/no marker (「…拉几家合作方试点，
    这种情况也得做安全评估吗？」 → the last; 「能不能限制它发布，严重的直接关号？」 → both), else its last clause."""
    clauses = re.split(r"[，,；;：:]", text.rstrip("？?！!。. "))
    first = next((i for i, c in enumerate(clauses) if _YES_NO_TAIL.search(c)), len(clauses) - 1)
    return "，".join(clauses[first:])


def _act(text: str) -> Act:
    text = asking_sentence(text)
    text = _IDIOM.sub(" ", text)
    text = _INTERJECTION.sub("", text) or text
    if _YES_NO_EN.search(text) and not re.match(r"\W*(can|could|may|might)\b", text, re.IGNORECASE):
        text = _RELATIVE_MODAL.sub(r"\1 \2", text)
    text = _LEADING_CONDITION.sub("", text, count=1) or text
    # a Chinese question asks in its yes/no clauses: 「拉几家合作方试点，这种情况也得做安全评估吗？」 is a yes/no question
    lead_yes_no = bool(_YES_NO_EN.search(text) or _EMBEDDED_YES_NO.search(text) or _DECLARATIVE_YES_NO.search(text)) or bool(
        _YES_NO_TAIL.search(text) and not _WH_ZH.search(_yes_no_clauses(text)) and any("\u4e00" <= ch <= "\u9fff" for ch in text))
    if _WHAT_DO.search(text):
        return "what_do"
    if not lead_yes_no:
        if _WHEN.search(text):
            return "when"
        if _HOW_MANY.search(text) and not _MAY.search(text):
            return "how_many"
    if _MAY.search(text) and (lead_yes_no or _YES_NO_TAIL.search(text) or not _WHAT.search(text)):
        return "may"
    if _MUST.search(text) and (lead_yes_no or _YES_NO_TAIL.search(text) or not _WHAT.search(text)):
        return "must"
    if lead_yes_no or _YES_NO_TAIL.search(text):
        return "true"
    return "what"


_WITHOUT_STEP_ZH = re.compile(r"(不|没有?|未|无)[^，,]{0,16}(许可|批准|审批|报批|牌照|资质|申请|备案|同意|报告)")


_PLAN_ZH = re.compile(r"打算|准备|计划|想要|(?<![着理])想|决定|拟")
_MODAL_ZH = re.compile(r"能不能|可不可以|可以|可否|能否|(?<![可功])能|是否|要不要|需不需要|需要|必须|应当|应该|得不得|行不行|行吗|允许")
_POINTS_BACK_ZH = re.compile(r"\s*(这样|这么|那样|如此|此举)(做|干|操作|安排|处理)?")


def _main_clause_zh(text: str) -> str:
    """A Chinese question's last clause carries its act (「打算到期不干了，得提前报告吗」 asks about reporting); a bare
    particle clause (「…，可以吗？」) takes the clause before it along."""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return text
    clauses = [c for c in re.split(r"[，,；;]", text) if c.strip()]
    if len(clauses) < 2:
        return text
    tail = clauses[-1]
    # a bare particle clause, or one that points back (「这样做是符合要求的吧」), asks about the clause before it
    bare = len(re.sub(r"[？?！!。\s]", "", _MODAL_ZH.sub("", _A_NOT_A.sub("", tail)))) <= 4 or _POINTS_BACK_ZH.match(tail)
    main = (clauses[-2] + "，" + tail) if bare else tail
    if bare:  # …back to the clause where we say what we plan (「打算不向用户说明…，只在后台记录，可以吗？」)
        planned = [i for i, c in enumerate(clauses[:-2]) if _PLAN_ZH.search(c)]
        if planned:
            main = "，".join(clauses[planned[-1]:])
    # a tail with no modal of its own continues the clause that asks (「能不能不配专职人员，让运维兼着干？」)
    asking = [i for i, c in enumerate(clauses) if _MODAL_ZH.search(c)]
    if not bare and asking and not _MODAL_ZH.search(tail):
        main = "，".join(clauses[asking[-1]:])
    # …but 「在没有拿到许可的情况下，…」 / 「不向原发证机关申请，就…」 name the step the act goes without
    skipped = [c for c in clauses if c not in main and _WITHOUT_STEP_ZH.search(c)]
    return "，".join([*skipped, main])


# An asking sentence that points back at the one before ("Is that OK?", 「这样行吗？」) asks about what it says.
_POINTS_BACK = _any(r"\b(that|this|it|so|such)\b", r"这样|这么|那样|这种|此举|这个做法|可以吗|行吗|行不行|可不可以|合规吗",
                    r"(一致|相符|吻合|对得上|一样)(吗|么|不)",  # a comparison needs what came before
                    # a verb of going along with a request, its object left out: the request is the sentence before
                    r"(配合|照办|照做|遵从|服从|答应)(吗|么|吧|呢|不)?\W*$",
                    r"\b(comply|cooperate|go along|oblige)\b(\s+with\s+(it|that|this|them|the request))?\W*$")


# Reported speech before the question proper: 「审计的同事问：」, "Legal wants to know:".
_ASKED_BY = re.compile(r"^[^：:？?。]{0,24}?(问|想知道|想了解|想确认|\basks?\b|\basked\b|\bwants? to know\b|\bwonders?\b)\s*[：:]\s*",
                       re.IGNORECASE)


def asked_part(text: str) -> str:
    """The sentences a negation must stand in to bear on the act: the asking sentence, and the sentence before it
    when the asking one points back. "We haven't filed yet. Has the deadline passed?" asks nothing negated."""
    text = _ASKED_BY.sub("", text, count=1) or text
    asking = asking_sentence(text)
    bare = len(re.findall(r"[A-Za-z]+|[\u4e00-\u9fff]", asking)) <= 4  # "— fine?", 「行吗？」: a tag on what came before
    if asking == text or not (bare or _POINTS_BACK.search(asking)):
        return asking
    before = text[:text.find(asking)]
    previous = [p for p in _SENTENCE_END.split(before) if p.strip()]
    last = previous[-1] if previous else ""
    embedded = re.search(r"\bwhether\b", last, re.IGNORECASE)  # "…won't sign until we confirm whether X. Does it?" asks X
    return (last[embedded.start():] if embedded else last) + " " + asking


def _asked_clauses(text: str) -> str:
    """A Chinese question's clauses from the first that asks (「…，许可证上写的法定代表人是谁？」 → its last clause);
    the scene's clauses before it are dropped. Text with no asking clause, or not Chinese, is kept whole."""
    clauses = re.split(r"(?<=[，,；;：:])", text)
    if len(clauses) < 2 or not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return text
    asking = [i for i, c in enumerate(clauses) if _WHAT.search(c) or _YES_NO_TAIL.search(c) or _HOW_MANY.search(c)
              or ATTRIBUTES["time_limit"].search(c)]
    return "".join(clauses[asking[0]:]) if asking else text


def wanted_part(text: str, act: Act) -> str:
    """What the question wants, without the scene: the asking clauses (「我们在准备开户材料，…法定代表人是谁？」 → the
    last), and of a Chinese yes/no question only its yes/no clauses (「拉几家合作方试点，…也得做安全评估吗？」 asks no count)."""
    wanted = _asked_clauses(asked_part(text))
    wanted = _yes_no_clauses(wanted) if act in YES_NO_ACTS and any("\u4e00" <= ch <= "\u9fff" for ch in wanted) else wanted
    asking = asking_sentence(text)
    later = text[text.find(asking) + len(asking):] if asking in text else ""
    return f"{wanted} {later}".strip()  # the questions after the first are asked too (「…改信息？多长时间内得改完？」)


def negators(text: str) -> tuple[str, ...]:
    """The negations that bear on the asked act: A-not-A particles (能不能), negations inside a description of
    a third party ("a firm without a licence", 「没有牌照的公司」) and fixed words (不得, 不含) excluded."""
    asked = _TAG.sub("?", asked_part(text))
    rest = _A_NOT_A.sub(" ", _main_clause_zh(_CONDITIONAL_ZH.sub(" ", asked)))
    rest = _INVERSE.sub(" ", _LEADING_CONDITION.sub(" ", rest, count=1))
    head = _SUBORDINATE.sub(" ", rest[4:])
    rest = rest[:4] + head
    rest = _THIRD_PARTY.sub(" ", rest)
    rest = _NOT_NEGATION.sub(" ", rest)
    first = _DO_FIRST.search(asked)  # spans the clauses the main-clause cut separates
    return tuple(m.group() for m in _NEGATOR.finditer(rest)) + ((first.group(),) if first else ())


_YEAR_MONTH = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
                         r"\s+(?:19|20)\d{2}\b", re.IGNORECASE)


# A negated modal — "we can never X", 「是不是不能X」, "the license does not permit us to X" — asks whether X is
# impossible: the inverse of may, not "may we refrain from X?" (「可以不X吗」 negates the act and is not matched).
_MODAL_NEGATION = _any(r"\b(can ?not|can'?t|could not|couldn'?t|can never|could never|may not|may never|"
                       r"(is|are|was|were)(n'?t| not| never) (allowed|permitted) to|"
                       r"(does|do|did)(n'?t| not) (permit|allow|let|authori[sz]e) (us|the company|it|me|them))\b",
                       r"(?<![能可])(绝对|永远|完全|根本|一律|就)?不(能|可以|可能)(?!不)")


def _modal_negation(text: str) -> bool:
    """The asked part negates only its modal ("so we can never merge?"): no other negation bears on the act."""
    asked = asked_part(text)
    if not _MODAL_NEGATION.search(asked) or re.match(r"\W*(can|could|may|might)n?'?t\b", asked, re.IGNORECASE):
        return False
    return not [n for n in negators(_MODAL_NEGATION.sub(" can ", text)) if not _STEPLESS.search(n)]


def _without_dates(text: str) -> str:
    """A day or a month the question names (「今天是2026年6月1日」, 「2021年12月拿到的」) is no claimed figure."""
    for pattern in DATE_PATTERNS:
        text = pattern.sub(" ", text)
    return _YEAR_MONTH.sub(" ", text)


_CLAIM_FRAME = re.compile(r"^\W*(is it (true|correct|right|the case)|am i right|do i understand correctly)\b|"
                          r"^[^，。？?]{0,6}(是不是真的|是真的吗|是否属实)", re.IGNORECASE)


def parse_question(text: str, today: date | None = None) -> QuestionForm:
    """The question's structure; ``today`` gives a day named without its year (「今天12月2日」) its year."""
    act = _act(text)
    modal_negation = _modal_negation(text)
    found = () if modal_negation else negators(text)
    # the attribute is what the asking part wants, not what its scene mentions (「我们在准备开户材料，…法定代表人是谁？」)
    wanted = wanted_part(text, act)
    attribute = next((name for name, pattern in ATTRIBUTES.items() if pattern.search(wanted)
                      and (name not in _VALUE_ATTRIBUTES or act in ("what", "how_many"))
                      and (name != "count" or act in YES_NO_ACTS)), None)
    # Parallel negations (「不推送、不推荐」) negate one act; double negation is too rare to read as assent.
    return QuestionForm(
        text=text, act=act, negated=bool(found), attribute=attribute, wanted=wanted, dates=tuple(dates_in(text, today.year if today else None, today)),
        # "can we work outside the scope?" asks may about an act; "is search excluded?" asks the inverse of may
        # …but "is it true that we're not allowed to X?" asks whether X is forbidden
        inverse=modal_negation or ((act != "may" or bool(_CLAIM_FRAME.match(text))) and bool(_INVERSE.search(text))),
        references=tuple(clause_references(text)), premise=bool(_PREMISE.search(text)), negators=found,
        stepless=(bool(found) or modal_negation) and bool(_STEPLESS.search(asked_part(text))),
        only_this=bool(_ONLY_THIS.search(text)),
        delays=bool(_DELAYS.search(asked_part(text))),
        deceiving=bool(DECEIVING.search(text)),
        not_provided=tuple(m.group() for m in _NOT_PROVIDED.finditer(text)),
        claims=_claims(text),
        rule_claims=_rule_claims(text),
        about=act in YES_NO_ACTS and bool(_ABOUT.search(asked_part(text))),
    )
