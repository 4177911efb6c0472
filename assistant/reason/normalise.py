"""The question's surface made plain before anything reads it: traditional characters to simplified (OpenCC),
full-width letters and digits to ASCII, and misspelt English words that are close to a word of the license's
own translation or glossary ("serch engin" → "search engine") corrected with rapidfuzz, British spellings
made American ("licence" → "license"), Chinese idioms whose numbers count nothing said plainly (「三天两头」).

A word is corrected only when it is no English word at all (pyspellchecker's dictionary), so "hosting" never
becomes "posting"; the vocabulary comes from the corpus, so a second license brings its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from ..corpus import License
from ..text import is_cjk

_WORD = re.compile(r"(?<![A-Za-z'’])[A-Za-z]{4,}(?![A-Za-z'’])")  # contractions ("doesn't") are left alone
_FULL_WIDTH = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
MIN_SIMILARITY = 80  # rapidfuzz ratio (0–100) a correction needs
_SHORT = re.compile(r"(?<![A-Za-z'’-])[a-z]{3}(?![A-Za-z'’-])")  # "pre-listing", "non-EU": a prefix, no word
# A three-letter non-word is corrected only into a word the question's form rests on ("do we hav to" → "have");
# anything else may be an acronym or slang ("ppl", "isp") that a spelling dictionary would spoil.
_FORM_WORDS = frozenset({"have", "has", "can", "may", "must", "need", "does", "are", "the", "our"})


@lru_cache(maxsize=2)
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=1)
def _english():
    from spellchecker import SpellChecker

    return SpellChecker()


def simplified(text: str) -> str:
    """Traditional → simplified Chinese, with Taiwan's words made the mainland's (「搜尋」→「搜索」, 「伺服器」→
    「服务器」) when the text is written in traditional characters; other text is returned as it is."""
    if not any(map(is_cjk, text)) or _opencc("t2s").convert(text) == text:
        return text
    return _opencc("tw2sp").convert(text)


class Speller:
    """Corrects English words that are not words towards the license's own vocabulary."""

    def __init__(self, lic: License) -> None:
        words: set[str] = set()
        for clause in lic.clauses:
            words |= {w.lower() for w in _WORD.findall(clause.text_en)}
        for entry in lic.glossary.entries:
            for term in entry.terms("en"):
                words |= {w.lower() for w in _WORD.findall(term)}
        self.vocabulary = sorted(words)
        self._known = frozenset(words)

    def correct(self, text: str) -> str:
        def fix(match: re.Match[str]) -> str:
            word = match.group()
            low = word.lower()
            if low in self._known or _english().known([low]):
                return word
            best = process.extractOne(low, self.vocabulary, scorer=fuzz.ratio, score_cutoff=MIN_SIMILARITY)
            return best[0] if best else word

        def fix_short(match: re.Match[str]) -> str:
            word = match.group()
            if _english().known([word]):
                return word
            guess = _english().correction(word)
            return guess if guess in _FORM_WORDS else word

        return _SHORT.sub(fix_short, _WORD.sub(fix, text))


# Chat shorthand written for whole words ("r we allowed", "is it still valid rn") — English mechanics, not terms.
_SHORTHAND = {"r": "are", "u": "you", "ur": "your", "pls": "please", "plz": "please", "rn": "right now",
              "b4": "before", "w/o": "without", "bc": "because", "cuz": "because", "coz": "because", "wanna": "want to",
              "gonna": "going to", "gotta": "have to", "dont": "don't", "cant": "can't", "wont": "won't",
              "isnt": "isn't", "doesnt": "doesn't", "arent": "aren't", "thats": "that's", "whats": "what's",
              "wat": "what", "wats": "what's", "wot": "what", "hw": "how", "ppl": "people", "msg": "message", "msgs": "messages",
              "govt": "government", "info": "information", "yr": "year", "yrs": "years", "n": "and", "nite": "night",
              "tmr": "tomorrow", "tmrw": "tomorrow", "thru": "through", "abt": "about", "lic": "license"}
_SHORTHAND_WORD = re.compile(r"(?<![\w'’/-])(" + "|".join(re.escape(k) for k in sorted(_SHORTHAND, key=len, reverse=True))
                             + r")(?![\w'’/-])", re.IGNORECASE)


# British spellings of the words the license's translation and glossary spell the American way.
_BRITISH = {"licence": "license", "licences": "licenses", "licenced": "licensed", "licencing": "licensing",
            "authorisation": "authorization", "authorised": "authorized", "authorise": "authorize",
            "organisation": "organization", "organisations": "organizations", "centre": "center", "centres": "centers"}
_BRITISH_WORD = re.compile(r"\b(" + "|".join(_BRITISH) + r")\b", re.IGNORECASE)


def american(text: str) -> str:
    """ "our licence number" → "our license number", keeping a capital: the glossary's terms are spelt one way."""
    def respell(m: re.Match[str]) -> str:
        word = _BRITISH[m.group().lower()]
        return word.capitalize() if m.group()[0].isupper() else word

    return _BRITISH_WORD.sub(respell, text)


def expand_shorthand(text: str) -> str:
    """ "r we allowed 2 charge extra fees" → "are we allowed 2 charge extra fees"; only in English text."""
    if sum(map(is_cjk, text)) * 2 > len(re.findall(r"[A-Za-z]", text)):
        return text

    def expand(m: re.Match[str]) -> str:
        word = m.group()
        return word if len(word) == 1 and word.isupper() else _SHORTHAND[word.lower()]  # "R&D", "U.S." stay

    return _SHORTHAND_WORD.sub(expand, text)


# Chinese idioms whose numbers count nothing (「三天两头」 is "again and again", not three days): said plainly, so no
# figure is read from them — language mechanics, like the shorthand above.
_NUMBER_IDIOMS = {"三天打鱼两天晒网": "时断时续", "三天两头": "经常", "一天到晚": "总是", "一年到头": "常年",
                  "三番五次": "屡次", "三番两次": "屡次", "接二连三": "接连", "一而再再而三": "屡次", "一时半会儿": "暂时",
                  "一时半会": "暂时", "十有八九": "多半"}
_NUMBER_IDIOM = re.compile("|".join(sorted(_NUMBER_IDIOMS, key=len, reverse=True)))


def plain_idioms(text: str) -> str:
    """ "有个大号三天两头发违规内容" → "有个大号经常发违规内容"."""
    return _NUMBER_IDIOM.sub(lambda m: _NUMBER_IDIOMS[m.group()], text)


def normalise(text: str, speller: Speller) -> str:
    return speller.correct(american(expand_shorthand(plain_idioms(simplified(text.translate(_FULL_WIDTH))))))
