"""What one reasoning step concludes, and the sentence lookup all steps share."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .corpus import GlossaryEntry, License
from .evidence import Sentence, align_english, sentences
from .schema import Language, Verdict
from .text import fold


@dataclass
class Finding:
    """One part of an answer: a verdict, the sentences it rests on, text in the question's language."""

    verdict: Verdict
    text: str
    cited: list[Sentence] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    confidence: float = 0.8
    intent: str = ""
    holds: bool | None = None  # the yes/no a stated fact settles by itself ("valid on that day?", "is X listed?")


class SentenceIndex:
    """Every sentence of every clause, and how specific each term is (rare terms decide, common ones don't)."""

    def __init__(self, lic: License) -> None:
        self.license = lic
        self.by_clause = {c.id: sentences(c.id, c.text_zh) for c in lic.clauses}
        self.all = [s for group in self.by_clause.values() for s in group]
        self._folded = {s: (fold(s.plain), fold(s.text)) for s in self.all}
        self._position = {s: i for i, s in enumerate(self.all)}
        self._found: dict[tuple[str, tuple[str, ...], bool], list[Sentence]] = {}
        self._idf: dict[str, float] = {}

    def find(self, term: str, *, sections: tuple[str, ...] = ("special", "main"), raw: bool = False) -> list[Sentence]:
        """Sentences mentioning ``term``; titles 《…》 count only with ``raw`` (when the term is a regulation)."""
        key = (fold(term), sections, raw)
        if key not in self._found:
            self._found[key] = [s for s in self.all if key[0] and s.clause_id.split(".")[0] in sections
                                and key[0] in self._folded[s][1 if raw else 0]]
        return self._found[key]

    def weight(self, sentence: Sentence, entry: GlossaryEntry) -> float:
        """How strongly a sentence mentions an entry: its license term counts fully; one of its Chinese aliases
        (「泄露」 for 数据泄露) counts 0.6 of the alias's own specificity; otherwise 0."""
        if sentence in self.mentions(entry, sections=("special", "main", "annex")):
            return self.idf(entry.zh)
        aliases = [a for a in entry.aliases_zh if len(a) > 1 and sentence in self.find(a, sections=("special",))]
        return 0.6 * max((self.idf(a) for a in aliases), default=0.0)

    def position(self, sentence: Sentence) -> int:
        """Document order, for deterministic tie-breaks (set order varies with the hash seed)."""
        return self._position[sentence]

    def mentions(self, entry: GlossaryEntry, *, sections: tuple[str, ...] = ("special", "main")) -> list[Sentence]:
        return self.find(entry.zh, sections=sections, raw=entry.kind == "regulation")

    def idf(self, term: str) -> float:
        key = fold(term)
        if key not in self._idf:
            n = len(self.find(term, sections=("main", "annex", "special")))
            self._idf[key] = math.log(1 + len(self.all) / (1 + n))
        return self._idf[key]

    def english(self, sentence: Sentence) -> str:
        clause = self.license.clause(sentence.clause_id)
        return align_english(clause.text_zh, clause.text_en, sentence.index)

    def label(self, clause_id: str, lang: Language) -> str:
        clause = self.license.clause(clause_id)
        return clause.label_zh if lang == "zh" else clause.label_en


def quote_line(index: SentenceIndex, sentence: Sentence, lang: Language) -> str:
    """「…」 with its label in Chinese; the English translation with the Chinese original in English. A field
    clause quoted whole already starts with its label (「有效期至：…」), so the label is not said twice."""
    label = index.label(sentence.clause_id, lang)
    text = sentence.text.strip()
    english = index.english(sentence) if lang == "en" else ""
    own = english if lang == "en" else text
    lead = "" if fold(own).startswith(fold(label)) else label
    if lang == "zh":
        return f"依据{lead}：「{text}」" if lead else f"依据「{text}」"
    quoted = f"\"{english}\" (「{text}」)" if english else f"「{text}」"
    return f"{lead}: {quoted}" if lead else quoted
