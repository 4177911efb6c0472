"""The question's content matched to norms: dense similarity carries paraphrase ("hand spare numbers to an
unlicensed firm" ≈ 「不得向未经许可擅自开展电信业务的经营者提供电信资源」), shared words and glossary terms tell
apart the units of one sentence, and the clause ranking of hybrid retrieval keeps the search inside clauses that
are about the question at all.

Norm vectors (each norm's Chinese unit with its condition, and its English sentence) are computed once per
model and norm table and kept on disk beside the other generated files.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..cachefile import load_arrays, save_arrays
from ..corpus import License
from ..overlap import Overlap, stem
from ..schema import Language
from ..text import fold
from .norms import Norm
from .question import asked_part, asking_sentence
from .readers import Reader

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

#: weights of the match score; dense similarity of e5 lies in a narrow band (≈0.75–0.92), so words and
#: retrieval rank are scaled to move it by a few hundredths each.
LEXICAL_WEIGHT = 0.02
GLOSSARY_WEIGHT = 0.03
RANK_WEIGHT = 0.03
ZH_WEIGHT = {"zh": 0.7, "en": 0.5}
MIN_ASKED_WORDS = 2  # an asking sentence with this many content words of its own can be read by itself
# The second alternative of a question that offers one ("…, or can general support just handle it?", 「…，还是…就行？」)
_OTHER_ALTERNATIVE = re.compile(r",?\s+or\s+(?:can|could|do|does|is|are|should|may|will|would|must|shall|just|we|it)\b"
                                r"[^?]*|[，,]?\s*还是[^？?]*", re.IGNORECASE)
COMMON_SHARE = 0.25


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# Words of the asking side that no clause-frequency weighs down (a question's 「我们」「可以」, "can", "our"); the
# words most clauses share (「公司」, "shall") weigh nothing by their idf already.
_COMMON = frozenset({"我们", "可以", "是否", "相关", "can", "our", "that"})


_PIECE_BREAK = re.compile(r";\s*|,\s*(?:and\s+)?(?=shall\b)|\bshall\b|,\s+and\s+|,\s+(?=[a-z]+\b)")


_CONDITION_EN = re.compile(r"\(?(applicable|where|when|if|in the event|upon|unless)\b", re.IGNORECASE)
_NEGATED_EN = re.compile(r"\b(not|no|never|nor)\b", re.IGNORECASE)


def _pieces(sentence: str) -> list[str]:
    """A translated sentence cut where one duty or prohibition ends and the next begins ("…, and shall not …",
    "; keep the relevant records"), pieces of three words or more. The units of the Chinese sentence are aligned
    to these by similarity (a prohibition to a negated piece, nothing to a condition such as "When providing…"),
    since the translation is kept per sentence, not per unit."""
    parts = [p.strip(" ,.;") for p in _PIECE_BREAK.split(sentence)]
    return [p for p in parts if len(p.split()) >= 3]


def _idf(documents: list[set[str]]) -> dict[str, float]:
    """log(N/df) per word; a word in a quarter of the clauses or more ("公司", "信息", "shall") weighs nothing."""
    df = Counter(w for words in documents for w in words)
    n = len(documents)
    return {w: (math.log(n / c) if c < COMMON_SHARE * n else 0.0) for w, c in df.items()}


# A name written as a code — capitals, or capitals with digits (GDPR, ISO 27001, IPv6, PUE, SM4) — is a thing,
# standard or body by its name; "OK" is a word. A question in capitals throughout shouts, it names nothing.
_CODE_NAME = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2,}(?:[a-z]\d+|\d*)|[A-Z][a-z]?\d+)s?(?![A-Za-z0-9])")
_NOT_NAMES = re.compile(r"OK|Q[1-4]")  # a word, and quarters of a year


#: words that ask rather than name a topic (modality, "anything about", "this licence"): no part of what is asked
_ASKING = frozenset({"必须", "不要", "要不要", "义务", "这是", "除了", "还要", "张证", "有要求", "规定", "提到", "写明", "载明",
                     "requir", "require", "expect", "mandatory", "oblig", "oblige", "obligat", "anyth", "anything", "someth",
                     "mention", "allow", "permit", "nice", "stat", "specif", "actual", "just"})


@dataclass(frozen=True)
class NormMatch:
    norm: Norm
    score: float
    dense: float
    shared: int  # content words and glossary terms the question shares with the unit
    act_shared: int = 0  # of those, the ones in the act itself (not its condition)
    dense_lead: float = 0.0  # how far this unit's similarity is ahead of the next best unit's (0 if not first)
    specific: float = 0.0  # the shared words weighed by how rare they are among the license's clauses (idf)
    described: float = 0.0  # e5 similarity to the closest everyday description of the unit's act
    described_lead: float = 0.0  # …ahead of the closest description of any unit of another clause


def _vector_file(cache_dir: Path, model: str, texts: list[str]) -> Path:
    digest = hashlib.sha256(json.dumps([model, texts], ensure_ascii=False).encode()).hexdigest()[:16]
    return cache_dir / f"norm-vectors-{digest}.npz"


class NormMatcher:
    """Scores the norms of the retrieved clauses against one question."""

    def __init__(self, norms: list[Norm], lic: License, embeddings: Embeddings, cache_dir: Path, model: str,
                 overlap: Overlap) -> None:
        self.norms = norms
        self.license = lic
        self.overlap = overlap
        self.by_clause: dict[str, list[int]] = {}
        for i, norm in enumerate(norms):
            self.by_clause.setdefault(norm.clause_id, []).append(i)
        known = [c.text_zh + " " + c.text_en for c in lic.clauses] + [t for e in lic.glossary.entries for t in e.terms()]
        known += [d for desc in lic.descriptions.values() for d in desc.zh + desc.en]
        self._known_text = " ".join(known).lower()
        pieces = sorted({p for n in norms for p in _pieces(n.act_en)})
        described = [(i, d) for i, n in enumerate(norms) if n.quote in lic.descriptions
                     for d in lic.descriptions[n.quote].zh + lic.descriptions[n.quote].en]
        self._described_by = np.asarray([i for i, _ in described], dtype=np.int64)
        texts = [n.text("zh") for n in norms] + [n.text("en") for n in norms] + pieces + [d for _, d in described]
        path = _vector_file(cache_dir, model, texts)
        kept = load_arrays(path, ("vectors",))
        if kept is not None and kept["vectors"].shape[0] == len(texts):
            vectors = kept["vectors"]
        else:
            vectors = np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
            save_arrays(path, vectors=vectors)
        self.vectors = vectors[:2 * len(norms)].reshape(2, len(norms), -1)
        piece_vectors = dict(zip(pieces, vectors[2 * len(norms):2 * len(norms) + len(pieces)], strict=True))
        self._description_vectors = vectors[2 * len(norms) + len(pieces):]
        def embed_queries(batch: list[str]) -> np.ndarray:
            return np.asarray([embeddings.embed_query(t) for t in batch])

        #: which field a what-question asks for; the norms' own texts are what a question about a rule is like
        self.fields = Reader.fit({c: qs.zh + qs.en for c, qs in lic.field_questions.items()}, texts[:2 * len(norms)],
                                 embed_queries, cache_dir, model, "field")
        # each unit's own English: the piece of its sentence's translation closest to the unit's Chinese
        self.unit_en: list[str] = []
        for i, norm in enumerate(norms):
            own = _pieces(norm.act_en)
            fitting = [p for p in own if not _CONDITION_EN.match(p)
                       and bool(_NEGATED_EN.search(p)) == (norm.kind == "prohibition")] or own
            best = max(fitting, key=lambda p: float(piece_vectors[p] @ self.vectors[0, i])) if own else norm.act_en
            self.unit_en.append(best)
            if own:  # an English question meets the unit half through its piece, half through the sentence
                mixed = self.vectors[1, i] + piece_vectors[best]
                self.vectors[1, i] = mixed / np.linalg.norm(mixed)
        self._tokens = [self._words(n.quote) for n in norms]  # the unit's own words; its condition is in `dense`
        self._tokens_en = [self._words(p) for p in self.unit_en]
        # the act's own words: those its sentence's other units do not also have ("charge users" is in 15(5)'s
        # duty to charge accurately as much as in its ban on fees beyond the marked price)
        own = [self._words(n.act_zh) | self._words(p) for n, p in zip(norms, self.unit_en, strict=True)]
        self._act_tokens = []
        self._sibling_text: list[str] = []  # what the sentence's other units say, their conditions included
        for i, norm in enumerate(norms):
            others = [j for j in self.by_clause[norm.clause_id]
                      if j != i and norms[j].sentence == norm.sentence and norms[j].kind != norm.kind]
            siblings = [own[j] | self._words(norms[j].condition_zh or "") for j in others]
            self._act_tokens.append(own[i].difference(*siblings))
            self._sibling_text.append(" ".join(norms[j].quote + (norms[j].condition_zh or "") for j in others))
        self.idf = _idf([self._words(c.text_zh) | self._words(c.text_en) for c in lic.clauses])

    def _described(self, q: np.ndarray) -> list[float]:
        """Each unit's similarity to the question through its closest everyday description (0 without any)."""
        best = np.zeros(len(self.norms), dtype=np.float32)
        if len(self._described_by):
            np.maximum.at(best, self._described_by, self._description_vectors @ q)
        return best.tolist()

    def by_description(self, vector: list[float]) -> list[NormMatch]:
        """Every unit that has everyday descriptions, by how close its closest one is to the question, closest
        first — over the whole license, not only the retrieved clauses: whether an act is clearly one unit's
        depends on every unit it could be."""
        described = self._described(np.asarray(vector, dtype=np.float32))
        leads = self._described_leads(described)
        units = sorted(set(self._described_by.tolist()), key=lambda i: -described[i])
        return [NormMatch(self.norms[i], 0.0, 0.0, 0, described=described[i], described_lead=leads[i]) for i in units]

    def closest(self, vector: list[float], candidates: list[Norm]) -> tuple[Norm, float] | None:
        """The candidate unit most similar to a text (its Chinese and its English alike) and its lead over the
        next candidate; None without candidates."""
        q = np.asarray(vector, dtype=np.float32)
        wanted = {id(c) for c in candidates}
        scored = sorted(((0.5 * float(self.vectors[0, i] @ q + self.vectors[1, i] @ q), i) for i, n in enumerate(self.norms)
                         if id(n) in wanted), reverse=True)
        if not scored:
            return None
        lead = scored[0][0] - scored[1][0] if len(scored) > 1 else 1.0
        return self.norms[scored[0][1]], lead

    def _described_leads(self, described: list[float]) -> list[float]:
        """Each unit's description similarity ahead of the closest description of any other clause's unit."""
        closest = sorted(((max(described[i] for i in units), c) for c, units in self.by_clause.items()), reverse=True)
        top, top_clause = closest[0] if closest else (0.0, None)
        second = closest[1][0] if len(closest) > 1 else 0.0
        return [d - (second if n.clause_id == top_clause else top) for d, n in zip(described, self.norms)]

    def _words(self, text: str) -> set[str]:
        """English words and Chinese character bigrams: bigrams survive segmentation differences
        (「上架前检测」 as one dictionary word in the clause, 「上架」「检测」 in the question)."""
        words = {stem(w.lower()) for w in _LATIN_WORD.findall(text)}
        for run in _CJK_RUN.findall(text):
            words |= {run[i:i + 2] for i in range(len(run) - 1)}
        return words - _COMMON

    def coverage(self, question: str, norm: Norm, lang: str) -> float:
        """How much of what the question asks about its norm's sentence says: the question's content words,
        weighed by rarity (words the license never uses weigh most), found in the sentence, its translation or
        the license term a glossary alias stands for. "Must we carry cyber insurance?" against the renewal duty
        covers nothing of "cyber insurance": the license is silent on it, however similar the sentences sound."""
        language: Language = "zh" if lang == "zh" else "en"
        # what is asked, not the scene a scenario sets ("We run an app store. Must we keep a blacklist?"); an
        # asking sentence that points back ("Before they do that: must we keep logs?") may hold all it asks itself
        # …and of "must we do X, or can we get by without?" the first alternative: the second only offers not doing it
        asked = asked_part(question)
        # "must we hold ISO 27001?": no sentence of a license that never names it says so — a name of the asking
        # sentence, not of its scene ("Our SOC found a spoofed site. Must we cut it off?"), unless it points back
        asking = asking_sentence(question)
        if self.unknown_names(asking if len(self.overlap.tokens(asking, language) - _ASKING) >= MIN_ASKED_WORDS
                              else asked):
            return 0.0
        readings = [self.overlap.tokens(text, language) - _ASKING
                    for text in (asked, asking_sentence(question), _OTHER_ALTERNATIVE.sub("", asked))]
        readings = [readings[0]] + [r for r in readings[1:] if len(r) >= MIN_ASKED_WORDS and r != readings[0]]
        return max(self._covered(question, asked, norm, language) for asked in readings)

    def unknown_names(self, text: str) -> list[str]:
        """The code-like names of a text (:data:`_CODE_NAME`) that the license, its translation, its glossary and
        its descriptions never use."""
        letters = [c for c in text if c.isalpha() and c.isascii()]
        if letters and sum(c.isupper() for c in letters) > len(letters) / 2:
            return []
        names = [m.group(1) for m in _CODE_NAME.finditer(text) if not _NOT_NAMES.fullmatch(m.group(1))]
        return [n for n in names if not re.search(rf"(?<![a-z0-9]){re.escape(n.lower())}(?![a-z0-9])", self._known_text)]

    def _covered(self, question: str, asked: set[str], norm: Norm, language: Language) -> float:
        if not asked:
            return 1.0
        zh_text = fold(norm.sentence + (norm.condition_zh or ""))
        en_words = self.overlap.clause_tokens["en"][norm.clause_id]
        aliases = [fold(term) for entry, term in self.license.glossary.matches(question)
                   if any(fold(t) in zh_text for t in entry.terms("zh") if len(t) > 1)]
        weights = self.overlap.weights(asked, language)

        def found(t: str) -> float:
            if any(fold(t) in a for a in aliases) or (t in en_words if language == "en" else t in zh_text):
                return 1.0
            if language == "en":  # a compound of two words the sentence has: "homepage" for "home page"
                return float(any(stem(t[:i]) in en_words and stem(t[i:]) in en_words for i in range(3, len(t) - 2)))
            if len(t) < 3:
                return 0.0
            pairs = [t[i:i + 2] for i in range(len(t) - 1)]  # 「证书编号」 is one word, 「编号」 is in the text
            return sum(p in zh_text for p in pairs) / len(pairs)

        return sum(weights[t] * found(t) for t in asked) / sum(weights.values())

    def _glossary_terms(self, question: str) -> list[list[str]]:
        return [[t for t in entry.terms("zh") if len(t) > 1] for entry, _ in self.license.glossary.matches(question)]

    def match(self, question: str, vector: list[float], ranks: dict[str, int], lang: str = "en", *,
              limit: int = 5) -> list[NormMatch]:
        """The best norms of the top ``limit`` retrieved clauses, best first."""
        clauses = [c for c, r in sorted(ranks.items(), key=lambda kv: kv[1]) if c in self.by_clause][:limit]
        if not clauses:
            return []
        q = np.asarray(vector, dtype=np.float32)
        described = self._described(q)
        leads = self._described_leads(described)
        asked = {w for w in self._words(question) if self.idf.get(w, 1.0) > 0}  # common clause words share nothing
        terms = self._glossary_terms(question)
        # the unit's own Chinese tells apart the units of one sentence; its English helps an English question
        zh_weight = ZH_WEIGHT[lang]
        out = []
        for clause_id in clauses:
            for i in self.by_clause[clause_id]:
                norm = self.norms[i]
                dense = float(zh_weight * (self.vectors[0, i] @ q) + (1 - zh_weight) * (self.vectors[1, i] @ q))
                words = min(len(asked & self._tokens[i]) + 0.5 * len(asked & self._tokens_en[i]), 8)
                glossary = sum(1 for group in terms if any(t in norm.quote or t in (norm.condition_zh or "")
                                                           for t in group))
                score = (dense + LEXICAL_WEIGHT * words + GLOSSARY_WEIGHT * glossary
                         + RANK_WEIGHT / ranks[clause_id])
                in_act = sum(1 for group in terms if any(t in norm.act_zh and t not in self._sibling_text[i]
                                                         for t in group))
                specific = sum(self.idf.get(t, 0.0) for t in asked & (self._tokens[i] | self._tokens_en[i]))
                out.append(NormMatch(norm, score, dense, int(words + glossary),
                                     len(asked & self._act_tokens[i]) + in_act, specific=specific,
                                     described=described[i], described_lead=leads[i]))
        ranked = sorted(out, key=lambda m: -m.score)
        by_dense = sorted(out, key=lambda m: -m.dense)
        if len(by_dense) > 1:
            lead = by_dense[0].dense - by_dense[1].dense
            ranked = [replace(m, dense_lead=lead) if m is by_dense[0] else m for m in ranked]
        return ranked
