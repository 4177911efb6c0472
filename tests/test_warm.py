"""The warm state: built with the index, read back by later processes without Chroma, rebuilt when unreadable;
its dense ranking is the one Chroma's own query gives; answering in a new process imports no Chroma, LangChain
retriever or torch. Real model, real Chroma store in a temp dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant import index
from assistant.config import IndexSettings, Settings
from assistant.corpus import License, load_license
from assistant.embeddings import load_embeddings
from assistant.retrieval import DenseRanker
from assistant.warm import RetrievalState, open_state, state_path

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["Can we offer instant messaging?", "许可证什么时候到期？", "服务器放在哪里？",
             "What must we do after a data leak?"]


@pytest.fixture(scope="module")
def lic() -> License:
    return load_license(ROOT / "corpus")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(corpus_dir=ROOT / "corpus", index=IndexSettings(dir=tmp_path_factory.mktemp("index")))


@pytest.fixture(scope="module")
def state(lic: License, settings: Settings) -> RetrievalState:
    return open_state(lic, settings, load_embeddings(settings), progress=False)


def test_a_saved_state_is_read_back_without_opening_the_index(lic: License, settings: Settings,
                                                                state: RetrievalState,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert state_path(lic, settings, load_embeddings(settings)).exists()
    monkeypatch.setattr(index, "open_index", lambda *a, **k: pytest.fail("the index was opened"))
    again = open_state(lic, settings, load_embeddings(settings))
    assert np.array_equal(again.vectors, state.vectors)
    assert (again.doc_clause, again.clause_ids, again.clause_tokens, again.generic) == (
        state.doc_clause, state.clause_ids, state.clause_tokens, state.generic)
    assert again.report["collection"] == state.report["collection"] and len(state.doc_clause) == 84


@pytest.mark.parametrize("damage", [lambda kept: b"not a state", lambda kept: kept[:200]],
                         ids=["not-numpy", "cut-short"])
def test_an_unreadable_state_is_rebuilt(lic: License, settings: Settings, state: RetrievalState,
                                        damage: Callable[[bytes], bytes]) -> None:
    path = state_path(lic, settings, load_embeddings(settings))
    path.write_bytes(damage(path.read_bytes()))
    rebuilt = open_state(lic, settings, load_embeddings(settings), progress=False)
    assert np.array_equal(rebuilt.vectors, state.vectors)
    assert path.read_bytes()[:2] == b"PK"  # a valid .npz again


def test_dense_ranking_is_the_one_chroma_gives(lic: License, settings: Settings, state: RetrievalState) -> None:
    embeddings = load_embeddings(settings)
    store, _ = index.open_index(lic, settings, embeddings, progress=False)
    ranker = DenseRanker(embeddings, state.vectors, state.doc_clause, k=42)
    clause_of = dict(zip([d.id for d in index.clause_documents(lic)], state.doc_clause, strict=True))
    for question in QUESTIONS:
        found = store._collection.query(query_embeddings=[embeddings.embed_query(question)], n_results=84,
                                        include=["distances"])
        sims: dict[str, list[float]] = {}
        for doc_id, distance in zip(found["ids"][0], found["distances"][0], strict=True):
            sims.setdefault(clause_of[doc_id], []).append(1.0 - distance)
        chroma = {cid: sum(v) / len(v) for cid, v in sims.items()}
        ours = ranker.rank(question)
        assert [cid for cid, _ in ours] == sorted(chroma, key=chroma.__getitem__, reverse=True), question
        assert max(abs(score - chroma[cid]) for cid, score in ours) < 1e-5


def test_answering_in_a_new_process_needs_no_chroma_langchain_retrievers_or_torch(settings: Settings,
                                                                                   state: RetrievalState) -> None:
    heavy = ["chromadb", "langchain_chroma", "langchain_core.retrievers", "torch", "sentence_transformers"]
    script = ("import json, sys\nfrom assistant.engine import answer\n"
              "result = answer('公司可以做即时通讯吗？', '2026-11-28')\n"
              f"print(json.dumps([result.verdict, [m for m in {heavy!r} if m in sys.modules]]))")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LICENSE_ASSISTANT_INDEX__DIR": str(settings.index.dir),
           "LICENSE_ASSISTANT_CORPUS_DIR": str(ROOT / "corpus")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    verdict, imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert verdict == "no" and imported == []
