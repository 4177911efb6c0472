"""The readers: a logistic regression over query vectors, fitted once and kept next to the index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.reason.readers import Reader

# toy "embeddings": each text is a unit vector along the axis its first word names
AXES = {"who": 0, "when": 1, "where": 2, "rule": 3}


def toy_embed(texts: list[str]) -> np.ndarray:
    rng = np.random.default_rng(len(texts))
    vectors = np.zeros((len(texts), 8), dtype=np.float32)
    for i, text in enumerate(texts):
        vectors[i, AXES[text.split()[0]]] = 1.0
        vectors[i, 4:] = rng.normal(scale=0.05, size=4)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


QUESTIONS = {"main.legal-rep": [f"who {i}" for i in range(6)], "main.issue-date": [f"when {i}" for i in range(6)],
             "annex.server-location": [f"where {i}" for i in range(6)]}
OTHERS = [f"rule {i}" for i in range(10)]


def unit(axis: int) -> list[float]:
    vector = [0.0] * 8
    vector[axis] = 1.0
    return vector


def test_reads_the_field_whose_questions_it_is_like(tmp_path: Path) -> None:
    reader = Reader.fit(QUESTIONS, OTHERS, toy_embed, tmp_path, "toy", "field")
    assert reader is not None
    field, probability = reader.read(unit(AXES["where"]))
    assert field == "annex.server-location" and probability > 0.9
    assert reader.read(unit(AXES["who"]))[0] == "main.legal-rep"


def test_a_question_like_a_rule_is_no_field(tmp_path: Path) -> None:
    reader = Reader.fit(QUESTIONS, OTHERS, toy_embed, tmp_path, "toy", "field")
    assert reader is not None and reader.read(unit(AXES["rule"])) is None


def test_the_fit_is_kept_and_reused_without_embedding_again(tmp_path: Path) -> None:
    first = Reader.fit(QUESTIONS, OTHERS, toy_embed, tmp_path, "toy", "field")

    def refuse(texts: list[str]) -> np.ndarray:
        raise AssertionError("the kept fit should have been loaded")

    again = Reader.fit(QUESTIONS, OTHERS, refuse, tmp_path, "toy", "field")
    assert first is not None and again is not None and again.classes == first.classes
    np.testing.assert_allclose(again.coef, first.coef)
    # another model (or other texts) is another fit
    with pytest.raises(AssertionError):
        Reader.fit(QUESTIONS, OTHERS, refuse, tmp_path, "another-model", "field")


def test_one_field_against_the_rules_is_a_binary_fit_read_the_same_way(tmp_path: Path) -> None:
    reader = Reader.fit({"main.legal-rep": QUESTIONS["main.legal-rep"]}, OTHERS, toy_embed, tmp_path, "toy", "field")
    assert reader is not None and reader.coef.shape[0] == 2
    assert reader.read(unit(AXES["who"]))[0] == "main.legal-rep"
    assert reader.read(unit(AXES["rule"])) is None


def test_labels_alone_are_told_apart_without_an_other_class(tmp_path: Path) -> None:
    reader = Reader.fit(QUESTIONS, [], toy_embed, tmp_path, "toy", "act")
    assert reader is not None and "other" not in reader.classes
    assert reader.read(unit(AXES["when"]))[0] == "main.issue-date"


def test_fewer_than_two_classes_no_reader(tmp_path: Path) -> None:
    assert Reader.fit({}, OTHERS, toy_embed, tmp_path, "toy", "field") is None
    assert Reader.fit({"main.legal-rep": QUESTIONS["main.legal-rep"]}, [], toy_embed, tmp_path, "toy", "act") is None


def test_a_damaged_kept_fit_is_fitted_again_and_replaced(tmp_path: Path) -> None:
    Reader.fit(QUESTIONS, OTHERS, toy_embed, tmp_path, "toy", "field")
    (kept,) = tmp_path.glob("field-reader-*.npz")
    kept.write_bytes(kept.read_bytes()[:100])  # another process died half-way (or a disk filled up)
    again = Reader.fit(QUESTIONS, OTHERS, toy_embed, tmp_path, "toy", "field")
    assert again is not None and again.read(unit(AXES["when"]))[0] == "main.issue-date"
    assert len(kept.read_bytes()) > 100
