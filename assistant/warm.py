"""Question-independent retrieval state, kept next to the index so that answering opens neither Chroma nor the
glossary scan.

What the retrievers need besides the question — the index's document vectors, the BM25 tokens of every clause,
the glossary entries too common to expand — took a new process ~3 s to get (Chroma's import and client ~1.5 s,
``clause_terms`` ~1.2 s, tokenizing) and depends only on the corpus, the code and the embedding runtime. It is
read from the collection once and written to ``<index dir>/warm/<key>.npz``; later processes load it in
milliseconds. The key hashes those inputs, the package's own source included, so a code change that alters
documents or tokens cannot serve a stale state; the state records the collection it was read from.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .cachefile import load_arrays, save_arrays
from .config import Settings
from .corpus import License
from .embeddings import LicenseEmbeddings
from .retrieval import Tokenizer, clause_level_texts

if TYPE_CHECKING:
    from langchain_chroma import Chroma

PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class RetrievalState:
    report: dict[str, Any]  # the IndexReport of the collection the vectors were read from
    doc_clause: list[str]  # clause id of each index document, one per row of ``vectors``
    vectors: np.ndarray  # float32 unit vectors, as stored in the collection
    clause_ids: list[str]  # the clause-level texts BM25 ranks, in order
    clause_tokens: list[list[str]]
    generic: frozenset[str]


@lru_cache(maxsize=1)
def _source_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def state_key(lic: License, settings: Settings, embeddings: LicenseEmbeddings) -> str:
    """Everything the state depends on that is cheap to know before reading it."""
    parts = [_source_digest(), lic.doc_id, lic.corpus_hash, settings.embedding.model, embeddings.query_prefix,
             embeddings.passage_prefix, str(embeddings.dimensions), embeddings.dtype,
             settings.index.collection_prefix]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def state_from_store(lic: License, store: Chroma, report: Any) -> RetrievalState:
    """Read the vectors back from the collection; tokenize and scan the clauses (the slow part, done once)."""
    from .index import clause_documents, clause_terms

    docs = clause_documents(lic)
    stored = store._collection.get(ids=[d.id for d in docs], include=["embeddings"])
    by_id = dict(zip(stored["ids"], stored["embeddings"], strict=True))
    texts = clause_level_texts(lic)
    tokenizer = Tokenizer(lic.glossary)
    return RetrievalState(report=report.model_dump(), doc_clause=[d.metadata["clause_id"] for d in docs],
                          vectors=np.asarray([by_id[d.id] for d in docs], dtype=np.float32),
                          clause_ids=list(texts), clause_tokens=[tokenizer(t) for t in texts.values()],
                          generic=clause_terms(lic).generic)


def save_state(path: Path, state: RetrievalState) -> bool:
    meta = {"report": state.report, "doc_clause": state.doc_clause, "clause_ids": state.clause_ids,
            "clause_tokens": state.clause_tokens, "generic": sorted(state.generic)}
    return save_arrays(path, vectors=state.vectors, meta=np.array(json.dumps(meta, ensure_ascii=False)))


def load_state(path: Path, dims: int) -> RetrievalState | None:
    """The saved state, or None when it is missing, unreadable or inconsistent (it is then rebuilt)."""
    saved = load_arrays(path, ("vectors", "meta"))
    if saved is None:
        return None
    try:
        vectors, meta = saved["vectors"], json.loads(str(saved["meta"]))
        state = RetrievalState(report=meta["report"], doc_clause=meta["doc_clause"], vectors=vectors,
                               clause_ids=meta["clause_ids"], clause_tokens=meta["clause_tokens"],
                               generic=frozenset(meta["generic"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    consistent = (vectors.dtype == np.float32 and vectors.shape == (len(state.doc_clause), dims)
                  and len(state.clause_ids) == len(state.clause_tokens))
    return state if consistent else None


def state_path(lic: License, settings: Settings, embeddings: LicenseEmbeddings) -> Path:
    return Path(settings.index.dir) / "warm" / f"{state_key(lic, settings, embeddings)}.npz"


def keep_state(lic: License, settings: Settings, embeddings: LicenseEmbeddings, store: Chroma,
               report: Any) -> RetrievalState:
    """Read the state from a freshly opened collection and save it for later processes.

    A collection another process built while this one waited for the build lock can be unreadable through this
    process's older view of the store ("Error creating hnsw segment reader: Nothing found on disk"): the state
    that process saved is taken, or the store is looked at again with a fresh client."""
    from .errors import StoreError

    try:
        state = state_from_store(lic, store, report)
    except StoreError:
        if not report.reused:
            raise
        saved = load_state(state_path(lic, settings, embeddings), embeddings.dimensions)
        if saved is not None:
            return saved
        from chromadb.api.shared_system_client import SharedSystemClient

        from .index import open_index

        SharedSystemClient.clear_system_cache()
        store, report = open_index(lic, settings, embeddings, progress=False)
        state = state_from_store(lic, store, report)
    save_state(state_path(lic, settings, embeddings), state)
    return state


def open_state(lic: License, settings: Settings, embeddings: LicenseEmbeddings, *,
               progress: bool = True) -> RetrievalState:
    """The warm state for these inputs; the first time, the index is opened (built if missing) and read."""
    state = load_state(state_path(lic, settings, embeddings), embeddings.dimensions)
    if state is None:
        from .index import open_index

        store, report = open_index(lic, settings, embeddings, progress=progress)
        state = keep_state(lic, settings, embeddings, store, report)
    return state
