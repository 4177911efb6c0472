"""Index generations under another process's build: a failure outside the build lock is looked at again holding
it, and only a failure there counts as a damaged store."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from assistant import generations
from assistant.config import IndexSettings, Settings
from assistant.errors import StoreError

ROOT = Path(__file__).resolve().parents[1]


class BusyClient:
    """A client whose catalogue read fails as SQLite does while another process writes."""

    def list_collections(self) -> list[Any]:
        raise sqlite3.OperationalError("database is locked")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(corpus_dir=ROOT / "corpus", index=IndexSettings(dir=tmp_path / "index"))


def test_a_busy_store_reads_as_no_generation_yet_before_the_lock() -> None:
    assert generations.peek_complete(BusyClient(), "license", "abc", 84) is None  # type: ignore[arg-type]


def test_under_the_lock_a_busy_store_is_an_error() -> None:
    with pytest.raises(sqlite3.OperationalError):
        generations.newest_complete(BusyClient(), "license", "abc", 84)  # type: ignore[arg-type]


def test_a_failed_open_is_tried_again_holding_the_build_lock(settings: Settings,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[bool] = []
    lock = Path(settings.index.dir) / generations.LOCK_FILE

    def connect(_: Settings) -> str:
        attempts.append(lock.exists())
        if len(attempts) == 1:
            raise StoreError("database is locked")
        return "client"

    monkeypatch.setattr(generations, "_connect", connect)
    assert generations.open_client(settings) == "client"
    assert attempts == [False, True], "the second attempt ran holding the lock"


def test_a_store_that_fails_twice_is_damaged_and_kept_without_recover(settings: Settings,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def connect(_: Settings) -> str:
        raise StoreError("file is not a database")

    monkeypatch.setattr(generations, "_connect", connect)
    moved: list[Path] = []
    monkeypatch.setattr(generations, "move_aside", lambda path: moved.append(path) or path)
    with pytest.raises(StoreError, match="not a database"):
        generations.open_client(settings)
    assert moved == [], "without recover nothing is moved aside"
