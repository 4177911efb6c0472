"""Cache files: written whole through a rename; a missing, damaged or incomplete one reads as absent."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.cachefile import load_arrays, save_arrays, write_atomic


def test_arrays_kept_are_read_back_by_name(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "vectors.npz"
    assert save_arrays(path, vectors=np.eye(3, dtype=np.float32), labels=np.asarray(["a", "b"]))
    kept = load_arrays(path, ("vectors", "labels"))
    assert kept is not None
    np.testing.assert_array_equal(kept["vectors"], np.eye(3))
    assert kept["labels"].tolist() == ["a", "b"]
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")], "no temporary file is left behind"


def test_missing_damaged_or_incomplete_files_read_as_absent(tmp_path: Path) -> None:
    assert load_arrays(tmp_path / "never.npz", ("vectors",)) is None
    path = tmp_path / "vectors.npz"
    save_arrays(path, vectors=np.ones(4))
    assert load_arrays(path, ("vectors", "coef")) is None  # a file of an older layout
    path.write_bytes(path.read_bytes()[:50])
    assert load_arrays(path, ("vectors",)) is None
    path.write_bytes(b"not numpy at all")
    assert load_arrays(path, ("vectors",)) is None


def test_an_unwritable_folder_is_reported_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert write_atomic(blocker / "inside.npz", b"data") is False
    assert save_arrays(blocker / "inside.npz", vectors=np.ones(2)) is False
