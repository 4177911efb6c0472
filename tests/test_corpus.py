"""assistant.corpus: the real corpus (42 translated clauses, glossary, stable hash), translation checks, and a
corpus folder holding only the synthetic license (no translation file)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from assistant.corpus import (
    CorpusError,
    License,
    cached_license,
    list_documents,
    load_glossary,
    load_license,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DOC = "kongzhong-icp-020001"
SYNTHETIC = Path(__file__).resolve().parent / "fixtures" / "synthetic-license" / "license.zh.txt"


@pytest.fixture(scope="module")
def real() -> License:
    return load_license(CORPUS)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _copy_real(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / DOC, corpus / DOC)
    shutil.copy(CORPUS / "glossary.json", corpus / "glossary.json")
    shutil.copy(CORPUS / "norm_descriptions.json", corpus / "norm_descriptions.json")
    shutil.copy(CORPUS / "field_questions.json", corpus / "field_questions.json")
    return corpus


def test_real_corpus_lists_its_document() -> None:
    assert DOC in list_documents(CORPUS)


def test_real_license_has_42_translated_clauses(real: License) -> None:
    assert real.doc_id == DOC
    assert len(real.clauses) == 42
    assert len({c.id for c in real.clauses}) == 42
    for clause in real.clauses:
        assert clause.text_en.strip(), f"{clause.id} has no English translation"
        assert clause.text_zh.strip()
    assert real.fields.license_number == "京ICP证020001号"
    assert real.source == (CORPUS / DOC / "license.zh.txt").read_text(encoding="utf-8")


def test_translation_keys_are_exactly_the_clause_ids(real: License) -> None:
    translation = json.loads((CORPUS / DOC / "translation.en.json").read_text(encoding="utf-8"))
    assert set(translation) == {c.id for c in real.clauses}
    assert real.clause("special.15.14").text_en == translation["special.15.14"]


def test_translation_keeps_names_in_pinyin_with_chinese(real: License) -> None:
    assert "北京空中信使信息技术有限公司" in real.clause("main.company").text_en
    assert "instant messaging" in real.clause("main.scope").text_en.lower()
    assert "search engine" in real.clause("main.scope").text_en.lower()


def test_clause_lookup(real: License) -> None:
    assert real.has("special.12") and not real.has("special.16")
    assert real.clause("special.12").label_en == "Special Provision 12"
    with pytest.raises(KeyError):
        real.clause("special.99")


def test_corpus_hash_is_stable(real: License, tmp_path: Path) -> None:
    assert re.fullmatch(r"[0-9a-f]{12}", real.corpus_hash)
    assert load_license(CORPUS).corpus_hash == real.corpus_hash
    copy = _copy_real(tmp_path)
    assert load_license(copy).corpus_hash == real.corpus_hash, "the hash is of content, not of paths"


def test_corpus_hash_changes_with_the_content(real: License, tmp_path: Path) -> None:
    corpus = _copy_real(tmp_path)
    path = corpus / DOC / "translation.en.json"
    translation = json.loads(path.read_text(encoding="utf-8"))
    translation["special.14"] += " (edited)"
    path.write_text(json.dumps(translation, ensure_ascii=False), encoding="utf-8")
    assert load_license(corpus).corpus_hash != real.corpus_hash


def test_glossary_size_and_kinds(real: License) -> None:
    entries = real.glossary.entries
    assert len(entries) >= 40
    assert len({e.id for e in entries}) == len(entries), "glossary ids are unique"
    kinds = {e.kind for e in entries}
    assert {"service", "authority", "regulation", "document", "action"} <= kinds
    for entry in entries:
        assert entry.zh.strip() and entry.en.strip(), entry.id


def test_license_glossary_terms_are_printed_in_the_license(real: License) -> None:
    source = _squash(real.source)
    license_entries = [e for e in real.glossary.entries if e.source == "license"]
    assert len(license_entries) >= 40
    missing = [(e.id, e.zh) for e in license_entries if _squash(e.zh) not in source]
    assert not missing, f"glossary terms marked source=license that the license does not print: {missing}"


def test_catalogue_glossary_terms_are_not_printed_in_the_license(real: License) -> None:
    source = _squash(real.source)
    catalogue = [e for e in real.glossary.entries if e.source == "catalogue"]
    assert catalogue, "the catalogue categories (IDC, CDN, …) are in the glossary"
    printed = [(e.id, e.zh) for e in catalogue if _squash(e.zh) in source]
    assert not printed, f"entries marked source=catalogue that the license does print: {printed}"


def test_glossary_matches_everyday_words(real: License) -> None:
    ids = {e.id for e, _ in real.glossary.matches("Can we build a chat app?")}
    assert "service.instant-messaging" in ids
    ids = {e.id for e, _ in real.glossary.matches("我们能开个网上论坛吗？")}
    assert "service.community-platform" in ids
    # Latin terms match whole words only: 'IM' is not inside 'claim'
    assert "service.instant-messaging" not in {e.id for e, _ in real.glossary.matches("file a claim")}


def test_unknown_clause_ids_in_translation_raise(tmp_path: Path) -> None:
    corpus = _copy_real(tmp_path)
    path = corpus / DOC / "translation.en.json"
    translation = json.loads(path.read_text(encoding="utf-8"))
    translation["special.16"] = "16. A provision the license does not have."
    translation["annex.fax"] = "Fax: none"
    path.write_text(json.dumps(translation, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_license(corpus)
    assert "special.16" in str(err.value) and "annex.fax" in str(err.value)


def test_translation_that_is_not_a_mapping_raises(tmp_path: Path) -> None:
    corpus = _copy_real(tmp_path)
    (corpus / DOC / "translation.en.json").write_text('["not", "a", "mapping"]', encoding="utf-8")
    with pytest.raises(CorpusError):
        load_license(corpus)


def test_invalid_json_raises(tmp_path: Path) -> None:
    corpus = _copy_real(tmp_path)
    (corpus / DOC / "translation.en.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CorpusError, match="not valid JSON"):
        load_license(corpus)


def test_empty_or_unknown_corpus_raises(tmp_path: Path) -> None:
    with pytest.raises(CorpusError):
        load_license(tmp_path)
    with pytest.raises(CorpusError, match="nope"):
        load_license(CORPUS, "nope")


def test_missing_glossary_gives_an_empty_glossary(tmp_path: Path) -> None:
    assert load_glossary(tmp_path).entries == []


@pytest.fixture()
def synthetic_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "xinghe-icp-230456").mkdir(parents=True)
    shutil.copy(SYNTHETIC, corpus / "xinghe-icp-230456" / "license.zh.txt")
    shutil.copy(CORPUS / "glossary.json", corpus / "glossary.json")
    shutil.copy(CORPUS / "norm_descriptions.json", corpus / "norm_descriptions.json")
    return corpus


def test_synthetic_corpus_loads_with_empty_translations(synthetic_corpus: Path) -> None:
    lic = load_license(synthetic_corpus)
    assert lic.doc_id == "xinghe-icp-230456"
    assert len(lic.clauses) == 34
    assert all(c.text_en == "" for c in lic.clauses)
    assert all(c.text_zh for c in lic.clauses)
    assert lic.fields.company == "上海星河云数网络科技有限公司"
    assert lic.fields.license_number == "沪ICP证230456号"
    assert len(lic.glossary.entries) >= 40
    assert re.fullmatch(r"[0-9a-f]{12}", lic.corpus_hash)


def test_two_licenses_side_by_side(synthetic_corpus: Path) -> None:
    shutil.copytree(CORPUS / DOC, synthetic_corpus / DOC)
    assert list_documents(synthetic_corpus) == [DOC, "xinghe-icp-230456"]
    assert load_license(synthetic_corpus, "xinghe-icp-230456").fields.legal_rep == "王敏"
    assert load_license(synthetic_corpus, DOC).fields.legal_rep == "李翊"
    assert load_license(synthetic_corpus).doc_id == DOC, "without a document id the first folder is taken"


def test_cached_license_is_cached(synthetic_corpus: Path) -> None:
    assert cached_license(synthetic_corpus) is cached_license(synthetic_corpus)


def test_every_act_description_belongs_to_a_rule_unit_of_the_license(real: License) -> None:
    """The descriptions are keyed by a unit's exact words: a key no unit has would be dead data, and every rule
    unit of the license has its own descriptions in both languages."""
    from assistant.reason.norms import compile_norms

    units = {n.quote for n in compile_norms(real) if n.kind not in ("fact", "grant")}
    assert set(real.descriptions) <= units
    assert units <= set(real.descriptions)
    assert all(d.zh and d.en for d in real.descriptions.values())


def test_field_questions_ask_for_the_template_fields(real: License) -> None:
    """Everyday questions for each labelled field of the template, in both languages, keyed by field clause id."""
    from assistant.template import FIELDS

    assert set(real.field_questions) == {f.clause_id for f in FIELDS}
    assert all(len(q.zh) >= 4 and len(q.en) >= 4 for q in real.field_questions.values())


def test_descriptions_that_are_no_mapping_are_refused(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    (tmp_path / "corpus" / "norm_descriptions.json").write_text('["not a mapping"]', encoding="utf-8")
    with pytest.raises(CorpusError, match="norm_descriptions.json"):
        load_license(tmp_path / "corpus", "kongzhong-icp-020001")
