"""Content-word overlap between a question and a clause, in the question's language.

The fallback when no glossary term names the topic: retrieval proposes clauses, and a clause is only used as
evidence when the question shares specific words with it (so "what's the weather in Beijing?" does not turn
into the server-location clause just because both say Beijing).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from .corpus import License
from .retrieval import Tokenizer
from .schema import Language

_EN_STOP = frozenset("""
a an the and or of to in on at for by with from as is are was were be been being do does did doing have has
had having we our us you your they their it its this that these those there here what whats which who whom
whose when where why how can could may might must shall should will would not no yes if then than so such
any all some each other into about under over after before again just also only very more most one two
license licence licensed company companys licensee please tell me say says said need needs let lets get got
want wants like right correct actually really still ever even according way kind much many
between every through during within upon onto across per via whether while since because though until yet both
either neither own same else anyone someone everyone anything something nothing now already ok okay
put make makes made take takes took give gives gave
""".split())  # noqa: SIM905 - a word list reads better as text
_ZH_STOP = {"我们", "公司", "许可证", "可以", "什么", "需要", "是否", "这个", "那个", "这张", "哪些", "怎么", "如何",
            "一下", "还是", "就是", "如果", "的话", "有没有", "是不是", "我们的", "执照", "证上", "这块", "这些", "时候",
            "规定", "要求", "应该", "应当", "现在", "多少", "哪个", "哪里", "你们", "一个", "他们", "之前", "之后"}
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ies", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]  # a short plural: apps, logs, fees
    return word


class Overlap:
    """idf-weighted overlap of content words, per clause, for zh and en."""

    def __init__(self, lic: License, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.clause_tokens: dict[Language, dict[str, set[str]]] = {
            "zh": {c.id: self.tokens(c.text_zh, "zh") for c in lic.clauses},
            "en": {c.id: self.tokens(c.text_en, "en") for c in lic.clauses},
        }
        self.idf: dict[Language, dict[str, float]] = {}
        for lang, by_clause in self.clause_tokens.items():
            df = Counter(t for tokens in by_clause.values() for t in tokens)
            n = len(by_clause)
            self.idf[lang] = {t: math.log(1 + n / c) for t, c in df.items()}
        # a word no clause uses weighs as if half a clause used it: more than the rarest word the license has
        self._ceiling = {lang: math.log(1 + 2 * len(by_clause)) for lang, by_clause in self.clause_tokens.items()}

    def tokens(self, text: str, lang: Language) -> set[str]:
        words = self.tokenizer(text.replace("'s", " ").replace("’s", " ").replace("'", " "))
        if lang == "en":
            return {stem(w) for w in words if re.fullmatch(r"[a-z][a-z0-9'-]+", w) and w not in _EN_STOP and len(w) > 2}
        return {w for w in words if re.search(r"[\u4e00-\u9fff]", w) and len(w) > 1 and w not in _ZH_STOP}

    def score(self, question: str, clause_id: str, lang: Language, text: str | None = None) -> float:
        """Overlap with the whole clause, or with ``text`` (one of its sentences) when given."""
        asked = self.tokens(question, lang)
        target = self.tokens(text, lang) if text is not None else self.clause_tokens[lang].get(clause_id, set())
        return sum(self.idf[lang].get(t, 0.0) for t in asked & target)

    def weights(self, tokens: set[str], lang: Language) -> dict[str, float]:
        """Each content word's idf; a word no clause uses weighs most (it is what the license would have to say,
        and more than a word the license has once)."""
        return {t: self.idf[lang].get(t, self._ceiling[lang]) for t in tokens}

    def coverage(self, question: str, clause_id: str, lang: Language) -> float:
        """Share of the question's content (idf-weighted; unknown words weigh most) the clause contains."""
        asked = self.tokens(question, lang)
        if not asked:
            return 0.0
        weights = self.weights(asked, lang)
        target = self.clause_tokens[lang].get(clause_id, set())
        return sum(w for t, w in weights.items() if t in target) / sum(weights.values())
