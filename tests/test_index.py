"""The Chroma index: 84 documents (zh + en of 42 clauses) with their metadata, named by a fingerprint that the
same inputs reproduce (reused, nothing re-embedded) and that a corpus edit or a setting that matters changes;
``--rebuild`` rebuilds; ``license-assistant index --json`` reports. Real model (the converted copy under
LICENSE_ASSISTANT_HOME is reused), index in a temp dir."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import engine
from assistant.cli import app
from assistant.config import EmbeddingSettings, IndexSettings, Settings, get_settings
from assistant.corpus import License, load_license
from assistant.embeddings import LicenseEmbeddings, load_embeddings
from assistant.index import chroma_client, open_index

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(corpus_dir=CORPUS, index=IndexSettings(dir=tmp_path_factory.mktemp("index")))


@pytest.fixture(scope="module")
def lic() -> License:
    return load_license(CORPUS)


@pytest.fixture
def embeddings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> LicenseEmbeddings:
    """The process's model, counting the passages it embeds (``calls``)."""
    model = load_embeddings(settings)
    monkeypatch.setattr(model, "calls", 0, raising=False)
    original = model.embed_documents

    def counted(texts: list[str]) -> list[list[float]]:
        model.calls += len(texts)  # type: ignore[attr-defined]
        return original(texts)

    monkeypatch.setattr(model, "embed_documents", counted)
    return model


def test_builds_84_documents_with_metadata(settings: Settings, lic: License,
                                           embeddings: LicenseEmbeddings) -> None:
    store, report = open_index(lic, settings, embeddings, progress=False)
    assert (report.clauses, report.documents, report.dims, report.reused) == (42, 84, 384, False)
    assert embeddings.calls == 84  # type: ignore[attr-defined]
    assert report.collection == f"{settings.index.collection_prefix}-{report.fingerprint}-g1"
    assert re.fullmatch(r"[0-9a-f]{12}", report.fingerprint)
    stored = store.get(include=["metadatas"])
    metas = stored["metadatas"]
    assert len(stored["ids"]) == 84
    assert {(m["clause_id"], m["lang"]) for m in metas} == {(c.id, lang) for c in lic.clauses for lang in ("zh", "en")}
    assert {m["doc_id"] for m in metas} == {lic.doc_id}
    sections = {c.id: c.section for c in lic.clauses}
    assert all(m["section"] == sections[m["clause_id"]] for m in metas)


def test_same_inputs_reuse_the_collection(settings: Settings, lic: License,
                                          embeddings: LicenseEmbeddings) -> None:
    _, first = open_index(lic, settings, embeddings, progress=False)
    embeddings.calls = 0  # type: ignore[attr-defined]
    store, again = open_index(lic, settings, embeddings, progress=False)
    assert again.reused and again.fingerprint == first.fingerprint and again.collection == first.collection
    assert embeddings.calls == 0  # type: ignore[attr-defined]
    assert len(store.get()["ids"]) == 84


def test_edited_translation_gives_a_new_collection(settings: Settings, lic: License, tmp_path: Path,
                                                   embeddings: LicenseEmbeddings) -> None:
    _, before = open_index(lic, settings, embeddings, progress=False)
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    translation = corpus / lic.doc_id / "translation.en.json"
    texts = json.loads(translation.read_text(encoding="utf-8"))
    texts["special.14"] += " (Edited for the test.)"
    translation.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    edited = load_license(corpus)

    embeddings.calls = 0  # type: ignore[attr-defined]
    _, after = open_index(edited, settings, embeddings, progress=False)
    assert after.fingerprint != before.fingerprint and not after.reused
    assert embeddings.calls == 84  # type: ignore[attr-defined]
    names = {c.name for c in chroma_client(settings).list_collections()}
    assert {before.collection, after.collection} <= names


def test_query_prefix_is_part_of_the_fingerprint(settings: Settings, lic: License,
                                                 embeddings: LicenseEmbeddings) -> None:
    _, default = open_index(lic, settings, embeddings, progress=False)
    changed = settings.model_copy(update={"embedding": EmbeddingSettings(query_prefix="search_query: ")})
    other = load_embeddings(changed)
    assert other.query_prefix == "search_query: "
    _, report = open_index(lic, changed, other, progress=False)
    assert report.fingerprint != default.fingerprint and report.collection != default.collection
    assert not report.reused and report.documents == 84


def test_rebuild_embeds_again(settings: Settings, lic: License, embeddings: LicenseEmbeddings) -> None:
    open_index(lic, settings, embeddings, progress=False)
    embeddings.calls = 0  # type: ignore[attr-defined]
    store, report = open_index(lic, settings, embeddings, rebuild=True, progress=False)
    assert not report.reused and embeddings.calls == 84  # type: ignore[attr-defined]
    assert len(store.get()["ids"]) == 84


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The CLI's settings come from the environment: a fresh index dir, the repository's corpus."""
    monkeypatch.setenv("LICENSE_ASSISTANT_INDEX__DIR", str(tmp_path / "cli-index"))
    monkeypatch.setenv("LICENSE_ASSISTANT_CORPUS_DIR", str(CORPUS))
    monkeypatch.delenv("LICENSE_ASSISTANT_INDEX__CHROMA_HOST", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "cli-index"
    get_settings.cache_clear()


def test_cli_index_json_reports_the_build(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["index", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"] == get_settings().embedding.model
    assert (report["dims"], report["clauses"], report["documents"]) == (384, 42, 84)
    assert re.fullmatch(r"[0-9a-f]{12}", report["fingerprint"])
    assert isinstance(report["seconds"], float) and report["seconds"] > 0
    assert report["location"] == str(cli_env) and not report["reused"]

    again = json.loads(CliRunner().invoke(app, ["index", "--json"]).stdout)
    assert again["reused"] and again["fingerprint"] == report["fingerprint"]
    rebuilt = json.loads(CliRunner().invoke(app, ["index", "--rebuild", "--json"]).stdout)
    assert not rebuilt["reused"] and rebuilt["fingerprint"] == report["fingerprint"]


def test_cli_index_also_prepares_what_the_first_answer_needs(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warmed: list[Path] = []
    monkeypatch.setattr(engine.Assistant, "warm_up", lambda self: warmed.append(self.settings.index.dir))
    assert CliRunner().invoke(app, ["index", "--json"]).exit_code == 0
    assert warmed == [cli_env]  # the norm vectors and the field reader of this configuration
