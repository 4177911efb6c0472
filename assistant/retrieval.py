"""Hybrid clause retrieval: dense (the index's vectors) + lexical (jieba BM25), fused by reciprocal rank, at clause
level.

A user's words reach the license's terms through glossary expansion ("instant messaging" → 信息即时交互服务).
Each clause is indexed twice (zh, en); both retrievers rank clauses, not documents, so a clause found through
both texts counts once and fusion compares like with like.

Answering needs neither Chroma nor LangChain's retrievers, whose imports alone cost a new process ~1.5 s and
~1.3 s: the dense side scores the query against the index's vectors, read once from Chroma and kept next to the
index with the BM25 tokens (:mod:`assistant.warm`); BM25 is rank_bm25's ``get_top_n`` and fusion the weighted
reciprocal rank of LangChain's ``EnsembleRetriever``, as ``BM25Retriever`` and ``EnsembleRetriever`` ran them,
so the rankings are the same.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import jieba
import numpy as np
from rank_bm25 import BM25Okapi

from .cachefile import write_atomic
from .config import RetrievalSettings, RetrieverName, get_settings
from .corpus import Glossary, License
from .text import fold

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from .warm import RetrievalState

jieba.setLogLevel(logging.WARNING)

# Applied to folded (lower-case, no spaces next to Chinese) text, so no \b: 「网站www.kongzhong.com提供」.
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LICENSE_NUMBER = rf"[{_PROVINCES}]?(?:icp[证备]\d+号?|[ab][12]-\d{{6,}})"
_DOMAIN = r"(?<![a-z0-9.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?![a-z0-9-])"
_KEEP_WHOLE = re.compile(f"{_LICENSE_NUMBER}|{_DOMAIN}")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK_SPLIT = re.compile(f"({_CJK_RUN.pattern})")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


class _WordTable(Mapping[str, int]):
    """jieba's word table (``Tokenizer.FREQ``: words and their prefixes, ~580k entries) split by first character,
    each part unmarshalled when a text first needs it. Loading the whole table cost a new process 0.3 s and
    70 MB; a question touches a few dozen of its ~7,000 parts. jieba only reads the table (``in``, ``[]``,
    ``get``) once it is initialised."""

    def __init__(self, parts: dict[str, bytes]) -> None:
        self._parts = parts
        self._loaded: dict[str, dict[str, int]] = {}

    def _part(self, word: str) -> dict[str, int]:
        first = word[:1]
        part = self._loaded.get(first)
        if part is None:
            blob = self._parts.get(first)
            part = self._loaded[first] = marshal.loads(blob) if blob else {}
        return part

    def __getitem__(self, word: str) -> int:
        return self._part(word)[word]

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self._part(word)

    def get(self, word: str, default: int | None = None) -> int | None:  # type: ignore[override]
        return self._part(word).get(word, default)

    def __iter__(self) -> Iterator[str]:
        return (word for first in self._parts for word in self._part(first))

    def __len__(self) -> int:
        return sum(len(self._part(first)) for first in self._parts)


def _split_table(freq: dict[str, int]) -> dict[str, bytes]:
    parts: dict[str, dict[str, int]] = {}
    for word, count in freq.items():
        parts.setdefault(word[:1], {})[word] = count
    return {first: marshal.dumps(part) for first, part in parts.items()}


@lru_cache(maxsize=8)
def _jieba(words: tuple[str, ...]) -> jieba.Tokenizer:
    """A private jieba tokenizer that knows the glossary's terms as words. Its word table (jieba's dictionary
    with these words added) is cached split by first character (see ``_WordTable``)."""
    tokenizer = jieba.Tokenizer()
    digest = hashlib.sha256("\n".join([jieba.__version__, *words]).encode()).hexdigest()[:16]
    cache = get_settings().home / "cache" / f"jieba-{digest}.marshal"
    try:
        parts, total = marshal.loads(cache.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        for word in words:
            tokenizer.add_word(word, freq=2000)
        parts, total = _split_table(tokenizer.FREQ), tokenizer.total
        write_atomic(cache, marshal.dumps((parts, total)))
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = _WordTable(parts), total, True
    return tokenizer


class Tokenizer:
    """BM25 tokens: jieba words for Chinese, lower-cased words for English, license numbers and domains whole
    (a domain also without its ``www.``, so "kongzhong.net" finds www.kongzhong.net)."""

    def __init__(self, glossary: Glossary) -> None:
        self._jieba = _jieba(tuple(sorted({fold(e.zh) for e in glossary.entries if _CJK_RUN.fullmatch(fold(e.zh))})))

    def __call__(self, text: str) -> list[str]:
        text = fold(text)
        tokens: list[str] = []
        for match in _KEEP_WHOLE.finditer(text):
            tokens += [match.group(), match.group()[4:]] if match.group().startswith("www.") else [match.group()]
        for piece in _CJK_SPLIT.split(_KEEP_WHOLE.sub(" ", text)):
            if _CJK_RUN.fullmatch(piece):
                tokens += [w for w in self._jieba.lcut(piece) if w.strip()]
            else:
                tokens += _WORD.findall(piece)
        return tokens


def expand_query(query: str, glossary: Glossary, skip: frozenset[str] = frozenset()) -> str:
    """Append the license terms (zh and en) of every glossary entry the query mentions, except ``skip`` (ids of
    entries too common in the license to tell clauses apart)."""
    extra = [term for entry, _ in glossary.matches(query) if entry.id not in skip for term in (entry.zh, entry.en)]
    return " ".join([query, *extra]) if extra else query


def clause_level_texts(lic: License) -> dict[str, str]:
    """One bilingual text per clause (its zh and en index documents joined): what BM25 ranks."""
    from .index import clause_documents  # only while the warm state is built: it imports Chroma

    texts: dict[str, list[str]] = {}
    for doc in clause_documents(lic):
        texts.setdefault(doc.metadata["clause_id"], []).append(doc.page_content)
    return {cid: "\n".join(parts) for cid, parts in texts.items()}


class DenseRanker:
    """Cosine similarity of the query to both texts of every clause; a clause scores the mean of its zh and en
    similarities (two views of one clause that agree beat one lucky match)."""

    def __init__(self, embeddings: Embeddings, vectors: np.ndarray, doc_clause: list[str], k: int) -> None:
        self.embeddings, self.vectors, self.doc_clause, self.k = embeddings, vectors, doc_clause, k

    def rank(self, query: str) -> list[tuple[str, float]]:
        sims = self.vectors @ np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        by_clause: dict[str, list[float]] = {}
        for row in np.argsort(-sims, kind="stable"):  # best document first, as Chroma returned them
            by_clause.setdefault(self.doc_clause[row], []).append(float(sims[row]))
        mean = {cid: sum(values) / len(values) for cid, values in by_clause.items()}
        return [(cid, mean[cid]) for cid in sorted(mean, key=mean.__getitem__, reverse=True)[: self.k]]


class BM25Ranker:
    """Okapi BM25 over the clause-level texts, tokenized once (the tokens are part of the warm state)."""

    def __init__(self, clause_ids: list[str], tokens: list[list[str]], tokenizer: Tokenizer, k: int) -> None:
        self.clause_ids, self.tokenizer, self.k = clause_ids, tokenizer, k
        self.bm25 = BM25Okapi(tokens)

    def rank(self, query: str) -> list[str]:
        return self.bm25.get_top_n(self.tokenizer(query), self.clause_ids, n=self.k)


def fuse(rankings: Iterable[list[str]], weights: Iterable[float], c: int) -> list[str]:
    """Weighted reciprocal-rank fusion: Σ weight / (rank + c); ties keep the order of first appearance."""
    score: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, cid in enumerate(ranking, 1):
            score[cid] = score.get(cid, 0.0) + weight / (rank + c)
    return sorted(score, key=score.__getitem__, reverse=True)


@dataclass(frozen=True)
class ClauseHit:
    clause_id: str
    rank: int
    score: float  # reciprocal rank (1.0 for rank 1)
    dense_score: float | None = None


class ClauseRetriever:
    """Selects dense, bm25 or hybrid by name and returns clause-level hits."""

    def __init__(self, lic: License, state: RetrievalState, embeddings: Embeddings,
                 settings: RetrievalSettings) -> None:
        self.license = lic
        self.settings = settings
        self.embeddings = embeddings
        self.generic = state.generic
        self.tokenizer = Tokenizer(lic.glossary)
        self.dense = DenseRanker(embeddings, state.vectors, state.doc_clause, settings.fetch_k)
        self.bm25 = BM25Ranker(state.clause_ids, state.clause_tokens, self.tokenizer, settings.fetch_k)

    def search(self, query: str, retriever: RetrieverName | None = None, k: int | None = None) -> list[ClauseHit]:
        name = retriever or self.settings.retriever
        if self.settings.glossary_expansion:
            query = expand_query(query, self.license.glossary, self.generic)
        dense = dict(self.dense.rank(query)) if name != "bm25" else {}
        if name == "dense":
            ranked = list(dense)
        elif name == "bm25":
            ranked = self.bm25.rank(query)
        else:
            ranked = fuse([list(dense), self.bm25.rank(query)],
                          [self.settings.dense_weight, self.settings.bm25_weight], self.settings.rrf_c)
        return [ClauseHit(cid, rank, 1.0 / rank, dense.get(cid))
                for rank, cid in enumerate(ranked[: k or self.settings.k], 1)]
