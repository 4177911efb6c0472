"""What a question asks: permission, an obligation, a date, a field of the license — in Chinese or English.

These are cues of the *languages* (how people ask "may we", "by when", "多少"), not of this license: the
license's own terms reach the engine through the glossary and the parsed clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from .corpus import GlossaryEntry
from .text import dates_in, fold, is_cjk, periods_in


def _cue(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(patterns), re.IGNORECASE)


PERMISSION = _cue(
    # "can we…" as the question itself (at its start or after a clause break), not "what can we do"
    r"(?:^|[,;:.?!，；：\-–—]\s*|\b(?:and|so|also|then|but)\s+)(can|may|could|might) (we|i|the company|they|it|our|us|"
    r"kongzhong|one)\b", r"\ballow(ed|s)?\b", r"\b(ok|okay)\s*[?？]",
    r"\b(we|i|the company) (can|may|could)\b",
    r"\bpermit(ted|s)?\b", r"\blicen[cs]ed (to|for)\b", r"\bauthori[sz]ed\b", r"\blegal(ly)? to\b",
    r"\bok(ay)? to\b", r"\bis (it|that|this) (ok|okay|possible|legal|fine|allowed|permitted)\b", r"\bcover(s|ed)?\b",
    r"\bable to\b", r"\b(are|is) (we|the company) (allowed|permitted|able)\b",
    r"\bdo we need (a |an )?(approval|permission|license)", r"\bwithin (the )?(scope|license)\b",
    r"\bout(side)? of (the )?scope\b", r"\bprohibited\b", r"\bforbidden\b", r"\bjust (launch|start|go)\b",
    r"(?<!许)(?:能|可)[^，。？?！!]{0,30}(?:吗|(?<![什怎那这多])么)(?=[？?。!！]|$)|能不能|能否|(?<!许)可以|可否|允许|准许|许可范围|行不行|行吗|"
    r"能做|能开展|能提供|能经营|能搞|能上|能用|能把|能从|能向|能将|能给|是否能|有没有资质|能够|准不准|是否被禁止|禁止|"
    r"让不让|合规吗|违规吗|算不算违规|要不要审批|需不需要批准|需要审批吗|直接上线",
)
# Strong cues ask what the license requires; weak ones ("when", "report") only when nothing else is asked.
DUTY = _cue(
    r"\bmust\b", r"\bmandatory\b", r"\bcompulsory\b", r"\bobligatory\b", r"\bhave to\b", r"\bhas to\b", r"\bneed(s)? to\b", r"\brequired?\b", r"\brequirements?\b",
    r"\bobligations?\b", r"\bduty\b", r"\bduties\b", r"\bshould\b", r"\bwhat (do|should|must) we do\b",
    r"\bresponsibilit", r"\bby when\b", r"\bhow (soon|fast|quickly)\b", r"\bwithin how\b", r"\bdeadline\b",
    r"\bwhom?\b.*\b(tell|notify|report|inform|apply)\b", r"\bwhat happens\b", r"\bwhat if\b", r"\bprocedure\b",
    r"\bhow do we\b", r"\bwhere do we\b", r"\bdo we (need|have) to\b", r"\bwhat does (the|this|our) licen[cs]e say\b",
    r"应当|应该|必须|强制|需要|要做|得做|怎么办|怎么做|怎么处理|如何处理|如何|多久|多长时间|期限|时限|要求|义务|责任|向谁|"
    r"手续|流程|程序|该做|要不要|需不需要|得在|要配|要向",
)
OBLIGATION = _cue(DUTY.pattern, r"\bwhen\b", r"\b(report|notify|file|inform)\b", r"\bsteps?\b", r"\brules?\b",
                  r"什么时候|何时|报告|上报|报备|备案|规定|几天")
# A third party described by the licence it lacks: 「没有基础电信牌照的公司」, "a provider without a basic telecom
# licence" — the service named there is theirs, not an activity the company asks about.
THIRD_PARTY = _cue(r"(没有?|无|未取得|不具备)[^，。？?]{0,14}(牌照|许可|资质|执照)",
                   r"\b(without|doesn'?t have|does not have|don'?t have|lacks?|lacking|with no|no)\b[^.?!,]{0,40}"
                   r"\blicen[cs]e")
# …or by the licence it holds ("a carrier that holds a basic telecommunications license", 「已取得基础电信业务许可的运营商」)
LICENSED_PARTY = _cue(r"(持有|已取得|已经取得|取得了|拿到了?)[^，。？?]{0,14}(牌照|许可|资质|执照)的",
                      r"\b(that|which|who) (holds?|has|have|owns?|possess(es)?) (a |an |the |its own |their own )?[^.?!,]{0,40}"
                      r"\blicen[cs]e|\b(holding|with) (a |an |the )?(valid |proper |full )?[^.?!,]{0,40}\blicen[cs]e\b")
# The place an act is done through ("dial numbers through our website", 「在我们网站上卖课」): a service named only
# there is the channel of the asked act, not the act.
CHANNEL = _cue(r"\b(through|via|over|from|on|onto|in|inside|within|at|using) (our|the|a|an|this|that|its|their|my)? ?"
               r"(own |company |official |main )?$",
               r"(通过|经由|借助|利用|用|在|从)(我们|我司|公司|咱们|自己)?(的)?(自己的|官方)?$")
# "SM4 or AES-256?", 「用SM4还是AES？」: a choice between named (Latin-script) alternatives.
# "A or B?" between two names; "…or not?", "…or nah?" only asks yes or no
CHOICE = re.compile(r"([A-Za-z0-9][A-Za-z0-9.+-]*)\s*,?\s*(?:\bor\b|还是|或者)\s*(?!(?:not|no|nah|nope|what)\b)"
                    r"([A-Za-z0-9][A-Za-z0-9.+-]*)\s*[?？]?\s*$",
                    re.IGNORECASE)
# Something has happened (a breach, an outage): duties triggered by an event come first.
EVENT = _cue(r"\bafter (a|an|the|we|our)\b", r"\bif (we|there) (have|had|get|got|suffer|is|was)\b", r"\bjust had\b",
             r"\bin (the )?event of\b", r"\bhappens?\b", r"\bsuffer(ed)?\b", r"\bwe('ve| have) (been|had)\b",
             r"发生|出现了|遭遇|遇到|被黑|泄露了|之后|以后|万一")
NUMBER_CLAIM = re.compile(r"(\d+|[一二三四五六七八九十两]+)\s*(个月|个工作日|工作日|天|日|月|年|days?|months?|years?|weeks?)",
                          re.IGNORECASE)
QUANTITY = _cue(r"\bhow (much|many)\b", r"\bwhat (is|'s) the (amount|number|price|cost|fee)\b", r"\bamount\b",
                r"多少|几个|几名|几人|多大|金额|数额|数量")
WHEN = _cue(r"\bwhen\b", r"\bby when\b", r"\bhow (soon|long|fast|quickly)\b", r"\bwithin\b", r"\bdeadline\b", r"\bdate\b",
            r"什么时候|何时|多久|多长时间|几天|期限|时限|截止|日期|之前|以内|哪天|哪一天|几号|哪年|哪一年")
# A count of days, months or years asks for a time limit, not a figure: "how many working days do we have?"
# …a span to act in, not a count of something ("how many days of logs must we store?" asks a retention period)
DURATION = _cue(r"\bhow many (working |business |calendar )?(days?|weeks?|months?|years?|hours?) (do|does|did) "
                r"(we|i|they|the company) (have|get)\b", r"\bwithin how many\b",
                r"(多少|几)个?(工作日|自然日|天|日|周|星期|礼拜|月|年|小时)(之|以)?内")
# Whether a deadline is met: "still in time?" holds while it has not passed; "overdue?" once it has.
IN_TIME = _cue(r"\bstill (time|possible|ok)\b", r"\b(in|on) time\b", r"\bnot too late\b", r"\bcan we still\b",
               r"\bstill (within|inside|in)\b", r"\bwithin (the|our) ([\w-]+ ){0,2}(deadline|window|period|time limit|timeframe)\b",
               r"\btimely\b", r"\b(meets?|satisf(y|ies)|complies with|comply with)\b[^?]{0,40}\b(deadline|time limit|window|notice)",
               r"(符合|满足|达到|赶上)[^，。？?]{0,12}(期限|时限|提前量|提前期|时间要求)|来得及|赶得上|按时|及时吗|算及时|在[^，。？?]{0,10}期限(之)?内|期限之内|没超期|没有超期|没逾期|没有逾期|还能|还可以")
OVERDUE = _cue(r"\bpassed\b", r"\bmissed\b", r"\boverdue\b", r"\btoo late\b", r"\blate\b",
               r"过了|已过|错过|晚了|逾期|超期|超过|过期了吗")
VALID_STATUS = _cue(r"\bstill valid\b", r"\bvalid (today|now|on|as of|at)\b", r"\bis (the|our) licen[cs]e valid\b",
                    r"\b(in|still in) (force|effect)\b", r"\bexpired\b", r"\bhas it expired\b", r"\bactive\b",
                    r"\bstill good\b", r"\bgood (on|as of|today|now)\b", r"\blapsed\b",
                    r"还有效|是否有效|有效吗|仍然有效|仍有效|失效|过期了|已过期|还在有效期|有没有过期|是否过期")
DAYS_LEFT = _cue(r"\bhow many days\b", r"\bdays (left|remain|remaining|until|to go)\b", r"\bhow long (until|before|till)\b",
                 r"\bhow much time\b", r"还有多少天|还剩多少天|还有几天|还剩几天|多少天|剩余|还剩|距离到期")
TERM = _cue(r"\bhow long is (the|our|it)\b", r"\bvalidity (period|term)\b", r"\bhow many years\b",
            r"\b(licen[cs]e|permit)'?s? (term|duration|lifetime)\b",
            r"\bterm of (the )?licen[cs]e\b",
            # a length in years said of the term ("it's a five-year term, correct?", "valid for 5 years")
            r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)[- ]years?\b[^?.]{0,12}\b(term|validity)\b",
            r"有效期多长|有效期几年|有效期是几年|几年|多少年|有效期限")
ISSUE = _cue(r"\bissued?\b", r"\bissuance\b", r"\bgranted\b",
             r"发证(?!机关|机构|单位|部门)|颁发(?![^，。？]{0,4}(机关|机构|单位|部门))|签发|核发|(哪天|哪一天|什么时候|何时|哪年|\d{4}年)[^，。？]{0,7}发的")
EXPIRY = _cue(r"\bexpir", r"\bvalid until\b", r"\bvalidity\b", r"\bend date\b", r"\bvalid\b",
              r"\b(licen[cs]e|permit|it) (runs?|lasts?|is good) (until|till|to|through|out)\b", r"\blapses?\b",
              r"\b(good|in force) (until|till|through)\b", r"到期|有效期|过期|失效|管到|用到哪",
              # a cut-off of the license itself, not of a report the question asks about (「上报的截止日期是哪天」)
              r"(证|许可|牌照|执照)[^，。？?]{0,6}截止|截止[^，。？?]{0,4}(证|许可|牌照|执照)")
AGE = _cue(r"\bhow long have we (had|held)\b", r"\bhow (many years|long) (since|ago)\b", r"\bin force for how long\b",
          r"用了几年|用了多久|用了多少年|已经.{0,4}(几|多少)年|持证多久|发证.{0,3}多久了")
# Not going on after expiry (「到期不再继续经营」): the license's other notice due before expiry.
WIND_DOWN = _cue(r"\bnot (to )?(continue|carry on|go on|renew|keep (operating|going))\b", r"\b(won'?t|will not|don'?t|do not)"
                 r" (continue|carry on|go on|renew|keep (operating|going))\b", r"\b(stop|cease|ceasing|stopping|end|ending) "
                 r"(operating|operations|the business|business)\b", r"\b(wind|winding|close|closing|shut|shutting) "
                 r"(it |the business |operations )?down\b",
                 r"不再(继续)?(经营|运营|做)|不(打算|准备|想|再)续|不续(证|期|了)|停止(经营|运营)|不干了|关停|歇业|"
                 r"(到期|届满|期满)[^，。？?]{0,4}不(做|干|经营|运营)了")
RENEWAL = _cue(r"\brenew", r"\bextend\b", r"\bextension\b", r"\b(keep|continue|go on) (operating|to operate)\b",
               r"续期|续证|延续|续展|延期|换证|续签|继续经营")
# Template-level questions answered by a whole clause: what the license lets us do; what it rests on.
SCOPE_SUMMARY = _cue(r"\b(what|which) ((kinds?|types?|sorts?) of )?([a-z-]+ )?(business|services?)\b", r"\bwhat (does|can) (the|this|our) licen[cs]e "
                     r"(let|allow|cover|permit)", r"\bscope of (the )?licen[cs]e", r"\blicensed (services|business)\b",
                     r"什么业务|哪些业务|哪项业务|业务范围|经营范围|许可范围|许可的业务")
LEGAL_BASIS = _cue(r"\b(under|according to) (which|what) (law|regulation|rules?)", r"\blegal basis\b",
                   r"\bwhat (type|kind) of licen[cs]e\b", r"\bissued under\b",
                   r"依据什么|根据什么|什么法规|什么类型的许可证|什么许可证|哪种许可证")
PART_OF = _cue(r"\bpart of (the|this|our) licen[cs]e\b", r"\b(component|binding)\b", r"一部分|组成部分|有没有约束力|有效力")
OTHER_ENTITY_EN = re.compile(r"\b([A-Z][A-Za-z&.-]{2,})(?:'s|’s)\s|\b(?:[Cc]an|[Mm]ay|[Dd]oes|[Ii]s)\s+([A-Z][A-Za-z&.-]{2,})\s+"
                             r"(?:run|do|operate|offer|provide|hold|have|use|allowed|permitted|licensed)\b")
OTHER_ENTITY_ZH = re.compile(
    r"([\u4e00-\u9fff]{2,8}?)(?:公司|集团)的|^([\u4e00-\u9fff]{2,6}?)的(?:ICP|许可证|证号|经营许可|法定代表人|域名|网站)"
)
_OWN = re.compile(r"^(我们|我|你|您|贵|本|该|这家|这个|此|你们|咱们|持证|子|母|分|控股|外资|关联|公司|咱|他们)$|[哪这那什么许可证附页上里中]")
_OWN_SUFFIX = re.compile(r"(我们|我司|咱们|本公司)$")  # 「既然我们的许可证…」
_OWN_EN = {"we", "our", "you", "they", "the", "this", "that", "company", "license", "licence", "licensee", "kongzhong",
           "beijing", "what", "who", "it", "china",
           "ministry", "miit", "regulator", "government", "state", "user", "users", "customer", "customers"}

INJECTION = _cue(
    r"\b(ignore|disregard|forget|override)\b[^.?!。？！]*\b(instructions?|rules?|prompts?|above|previous|context)\b",
    r"\byou are now\b", r"\bsystem prompt\b", r"\bpretend\b", r"\bact as\b", r"\bjailbreak\b",
    r"\b(just |only )?(say|answer|reply|respond)( with)? ['\"“]?(yes|no|ok)\b", r"\bdeveloper mode\b",
    r"忽略|无视|忘记|忘掉|不要理会|覆盖.*(指令|设定)|系统提示|扮演|假装|越狱|(直接|只|只要|请)(回答|回复|说)[“‘\"']?(可以|是|能|yes)",
)

Kind = Literal["permission", "obligation", "fact", "date", "absent_field", "reference"]
DateAsk = Literal["renewal", "wind_down", "expiry", "issue", "term", "valid", "days_left", "age"]


@dataclass
class Part:
    kind: Kind
    entries: list[GlossaryEntry] = field(default_factory=list)
    field_id: str | None = None  # clause id a fact or an explicit reference is about
    date_asks: list[DateAsk] = field(default_factory=list)
    quantity: bool = False
    when: bool = False
    duration: bool = False  # the figure asked is a number of days, months or years


_SUBQUESTION = re.compile(
    r"(?<=[?？])\s*|[;；]\s*|,?\s+and\s+(?=(?:what|who|whom|when|where|which|how|whether|under what|by when)\b)"
    r"|(?<=[，,])\s*(?:以及|另外|还有|并且|同时)(?=[^，。？]*[？?吗呢])",
    re.IGNORECASE,
)


_CN = "一二三四五六七八九十"
_REFERENCE = re.compile(
    rf"(?:special provision|provision|section|article|clause|art\.?)\s*(\d+)\s*(?:\((\d+)\))?"
    rf"|第\s*([{_CN}\d]+)\s*条(?:\s*第\s*[（(]?\s*([{_CN}\d]+)\s*[)）]?\s*项)?"
    rf"|\b(\d+)\((\d+)\)"
    rf"|\b(?:item|point|paragraph|sub-?clause)\s*\(?(\d+)\)?\s+(?:of|under|in)\s+(?:the\s+)?(?:special provision|provision|section|article|clause)\s*(\d+)",
    re.IGNORECASE,
)


def clause_references(question: str) -> list[str]:
    """Clause ids the question names: "Special Provision 12", "15(14)", "item (14) of clause 15",
    「第十五条第（十二）项」."""
    from .text import cn_to_int

    ids = []
    for m in _REFERENCE.finditer(question):
        article = m.group(1) or m.group(3) or m.group(5) or m.group(8)
        item = m.group(2) or m.group(4) or m.group(6) or m.group(7)
        if re.search(r"《[^》]*$|》\s*$", question[: m.start()]):
            continue  # 「《互联网信息服务管理办法》第十五条」 is another document's article
        a = cn_to_int(article)
        i = cn_to_int(item) if item else None
        if a:
            ids.append(f"special.{a}" + (f".{i}" if i else ""))
    return ids


def split_question(question: str) -> list[str]:
    """「服务器放在哪？接入商是谁？」 → two questions; "X and when does Y?" → two."""
    return [p.strip(" ,，") for p in _SUBQUESTION.split(question) if p and p.strip(" ,，")]


def strip_injection(question: str) -> tuple[str, bool]:
    """Drop the sentences — or, inside a sentence, the comma/colon-joined phrases — that try to instruct the
    assistant; the rest is the question (unchanged if nothing was an instruction, kept whole if all was)."""
    kept: list[str] = []
    injected = False
    for sentence in re.split(r"(?<=[。？！；\n])|(?<=[.?!;])\s+", question):
        if not sentence.strip():
            continue
        if not INJECTION.search(sentence):
            kept.append(sentence.strip())
            continue
        injected = True
        phrases = [p.strip() for p in re.split(r"[,，:：]", sentence) if p.strip()]
        rest = [p for p in phrases if not INJECTION.search(p)]
        if rest:
            kept.append(("，" if any(map(is_cjk, sentence)) else ", ").join(rest))
    if not injected:
        return question, False
    cleaned = " ".join(kept).strip()
    return (cleaned or question), True


def other_entity(question: str, own_names: list[str]) -> str | None:
    """A company the question is about that is not the licensee ("Tencent's license", 「腾讯公司的」)."""
    own = {fold(n) for n in own_names}
    for m in OTHER_ENTITY_EN.finditer(question):
        name = m.group(1) or m.group(2)
        if name.lower() not in _OWN_EN and not any(fold(name) in o for o in own):
            return name
    for m in OTHER_ENTITY_ZH.finditer(question):
        name = m.group(1) or m.group(2)
        if not _OWN.match(name) and not _OWN_SUFFIX.search(name) and not any(name in o or o in name for o in own) \
                and _could_be_a_name(name):
            return name
    return None


def _could_be_a_name(text: str) -> bool:
    """「每年的许可证年报」, 「去年的证」: a pronoun, time word, adverb or numeral starts no company's name."""
    import jieba.posseg

    first = next(iter(jieba.posseg.lcut(text)), None)
    return first is None or first.flag[:1] not in ("r", "t", "d", "f", "m", "q", "p", "c")


def date_asks(question: str) -> list[DateAsk]:
    asks: list[DateAsk] = []
    # a notice due before expiry when the business stops there, asked by its timing (「还来得及吗」, "by when?",
    # 「得提前90天报告吗」)
    wind_down = bool(WIND_DOWN.search(question)) and bool(
        WHEN.search(question) or IN_TIME.search(question) or OVERDUE.search(question) or DAYS_LEFT.search(question)
        or NUMBER_CLAIM.search(question))
    renewal = wind_down or bool(RENEWAL.search(question))
    if wind_down:
        asks.append("wind_down")
    elif renewal:
        asks.append("renewal")
    if VALID_STATUS.search(question) and not re.search(r"\bhow long is\b(?!.*\bstill\b)", question, re.IGNORECASE):
        asks.append("valid")  # "how long is the license valid for?" asks the term, not whether it is in force
    if DAYS_LEFT.search(question) and (EXPIRY.search(question) or renewal or "valid" in asks):
        asks.append("days_left")
    if AGE.search(question):
        asks.append("age")
    elif TERM.search(question) and not renewal and "days_left" not in asks:
        asks.append("term")
    if ISSUE.search(question) and not renewal and "term" not in asks and (WHEN.search(question) or asks
                                                                        or dates_in(question) or periods_in(question)):
        asks.append("issue")
    if EXPIRY.search(question) and not renewal and not asks:
        asks.append("expiry")
    return asks
