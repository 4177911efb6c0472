"""Hybrid clause retrieval: dense (Chroma) + lexical (jieba BM25), fused by reciprocal rank, at clause level.

A user's words reach the license's terms through glossary expansion ("instant messaging" → 信息即时交互服务).
Each clause is indexed twice (zh, en); a clause found through both counts once, at its best rank.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import jieba
from langchain_chroma import Chroma
from langchain_classic.retrievers import EnsembleRetriever
from langchain_community.retrievers import BM25Retriever
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from . import template as tpl
from .config import RetrieverName, RetrievalSettings
from .corpus import Glossary, License
from .index import clause_documents
from .text import fold

jieba.setLogLevel(logging.WARNING)

_KEEP_WHOLE = re.compile(rf"{tpl.LICENSE_NUMBER.pattern}|{tpl.DOMAIN.pattern}")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


@lru_cache(maxsize=8)
def _jieba(words: tuple[str, ...]) -> jieba.Tokenizer:
    """A private jieba tokenizer that knows the glossary's terms as words."""
    tokenizer = jieba.Tokenizer()
    for word in words:
        tokenizer.add_word(word, freq=2000)
    return tokenizer


class Tokenizer:
    """BM25 tokens: jieba words for Chinese, lower-cased words for English, license numbers and domains whole."""

    def __init__(self, glossary: Glossary) -> None:
        self._jieba = _jieba(tuple(sorted({fold(e.zh) for e in glossary.entries if _CJK_RUN.fullmatch(fold(e.zh))})))

    def __call__(self, text: str) -> list[str]:
        text = fold(text)
        tokens = [m.group() for m in _KEEP_WHOLE.finditer(text)]
        rest = _KEEP_WHOLE.sub(" ", text)
        for piece in re.split(rf"({_CJK_RUN.pattern})", rest):
            if _CJK_RUN.fullmatch(piece):
                tokens += [w for w in self._jieba.lcut(piece) if w.strip()]
            else:
                tokens += _WORD.findall(piece)
        return tokens


class ScoredDenseRetriever(BaseRetriever):
    """Chroma similarity search that keeps the relevance score in the document metadata."""

    store: Chroma
    k: int = 20

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        pairs = self.store.similarity_search_with_relevance_scores(query, k=self.k)
        return [Document(page_content=d.page_content, id=d.id, metadata={**d.metadata, "dense_score": s})
                for d, s in pairs]


@dataclass(frozen=True)
class ClauseHit:
    clause_id: str
    rank: int
    score: float  # reciprocal-rank score of the clause's best document (1.0 for rank 1)
    dense_score: float | None = None


def expand_query(query: str, glossary: Glossary) -> str:
    """Append the license terms (zh and en) of every glossary entry the query mentions."""
    extra = [term for entry, _ in glossary.matches(query) for term in (entry.zh, entry.en)]
    return " ".join([query, *extra]) if extra else query


class ClauseRetriever:
    """Selects dense, bm25 or hybrid by name and returns clause-level hits."""

    def __init__(self, lic: License, store: Chroma, settings: RetrievalSettings) -> None:
        self.license = lic
        self.settings = settings
        docs = clause_documents(lic)
        self.tokenizer = Tokenizer(lic.glossary)
        self.dense = ScoredDenseRetriever(store=store, k=settings.fetch_k)
        self.bm25 = BM25Retriever.from_documents(docs, preprocess_func=self.tokenizer, k=settings.fetch_k)
        self.hybrid = EnsembleRetriever(retrievers=[self.dense, self.bm25],
                                        weights=[settings.dense_weight, settings.bm25_weight],
                                        c=settings.rrf_c, id_key="key")

    def search(self, query: str, retriever: RetrieverName | None = None, k: int | None = None) -> list[ClauseHit]:
        name = retriever or self.settings.retriever
        chosen: BaseRetriever = {"dense": self.dense, "bm25": self.bm25, "hybrid": self.hybrid}[name]
        if self.settings.glossary_expansion:
            query = expand_query(query, self.license.glossary)
        hits: dict[str, ClauseHit] = {}
        for doc in chosen.invoke(query):
            cid = doc.metadata["clause_id"]
            dense = doc.metadata.get("dense_score")
            if cid in hits:
                if dense is not None and (hits[cid].dense_score or -1) < dense:
                    hits[cid] = ClauseHit(cid, hits[cid].rank, hits[cid].score, dense)
                continue
            rank = len(hits) + 1
            hits[cid] = ClauseHit(cid, rank, 1.0 / rank, dense)
        return list(hits.values())[: k or self.settings.k]
