"""Index generations, so an index can be rebuilt under processes that are answering from it.

A build writes a new collection, ``<prefix>-<fingerprint>-g<n>``, and readers take the newest *complete* one (every
document present): the switch-over is atomic and a half-built generation (a build killed with -9) is never read.
A process holding an older generation keeps answering from it; once that generation is pruned, its next call gets
Chroma's ``NotFoundError`` and :class:`Following` re-opens the newest. After each build only the newest
``index.keep_generations`` collections stay, and the segment folders Chroma leaves behind for deleted collections
(chroma-core/chroma#5259) are removed.

The embedded store is opened defensively: an unreadable one is a :class:`StoreError` that says to run
``index --rebuild``, which moves it aside (``index/corrupt-<timestamp>/``) and builds afresh; a read-only one (a
deployed, shared index) is answered from a private snapshot.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import functools
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.errors import ChromaError, NotFoundError
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from .config import Settings
from .errors import StoreError

log = logging.getLogger(__name__)

#: How often one call re-opens after finding its generation pruned (a prune can race the re-open once).
REOPEN_ATTEMPTS = 3
LOCK_FILE = ".build.lock"
CORRUPT_PREFIX = "corrupt-"
_SEGMENT_DIR = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def collection_name(prefix: str, fp: str, generation: int) -> str:
    return f"{prefix}-{fp}-g{generation}"


def _generations(client: ClientAPI, prefix: str, fp: str) -> list[tuple[int, Collection]]:
    """This fingerprint's generations, newest first."""
    pattern = re.compile(rf"{re.escape(prefix)}-{re.escape(fp)}-g(\d+)")
    found = [(int(m.group(1)), c) for c in client.list_collections() if (m := pattern.fullmatch(c.name))]
    return sorted(found, key=lambda pair: -pair[0])


def next_generation(client: ClientAPI, prefix: str, fp: str) -> int:
    found = _generations(client, prefix, fp)
    return found[0][0] + 1 if found else 1


def peek_complete(client: ClientAPI, prefix: str, fp: str, size: int) -> Collection | None:
    """:func:`newest_complete` without the build lock: a store failure may be another process's build in
    flight (the embedded store has one writer, chroma #7040), so it reads as "none yet" and the caller looks
    again holding the lock, where a failure is real."""
    try:
        return newest_complete(client, prefix, fp, size)
    except (ChromaError, sqlite3.Error) as exc:
        log.info("the index is busy (%s); waiting for the build lock", exc)
        return None


def newest_complete(client: ClientAPI, prefix: str, fp: str, size: int) -> Collection | None:
    """The newest generation holding all ``size`` documents (one pruned while we look is skipped)."""
    for _, collection in _generations(client, prefix, fp):
        try:
            if collection.count() == size:
                return collection
        except NotFoundError:
            continue
    return None


def prune(client: ClientAPI, settings: Settings, fp: str, size: int) -> list[str]:
    """Delete this fingerprint's half-built generations (a build killed mid-way) and all but the newest
    ``index.keep_generations`` other collections of this prefix (any fingerprint), then the segment folders no
    collection owns. Called under the build lock, right after a build, so no build is in flight."""
    prefix = settings.index.collection_prefix
    half_built = {c.name for _, c in _generations(client, prefix, fp) if c.count() != size}
    ours = [c for c in client.list_collections() if c.name.startswith(f"{prefix}-") and c.name not in half_built]
    ours.sort(key=lambda c: -float((c.metadata or {}).get("built_at", 0)))
    pruned = []
    for name in [*half_built, *(c.name for c in ours[settings.index.keep_generations:])]:
        try:
            client.delete_collection(name)
            pruned.append(name)
        except NotFoundError:
            continue
    if not settings.index.chroma_host:
        for folder in _orphan_segment_dirs(Path(settings.index.dir)):
            shutil.rmtree(folder, ignore_errors=True)
    if pruned:
        log.info("pruned old index generations: %s", ", ".join(pruned))
    return pruned


def _orphan_segment_dirs(index_dir: Path) -> list[Path]:
    """Segment folders (named by segment id) whose segment is no longer in Chroma's catalogue."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{index_dir / 'chroma.sqlite3'}?mode=ro", uri=True)) as db:
            live = {row[0] for row in db.execute("SELECT id FROM segments")}
    except sqlite3.Error:
        log.warning("could not read the segment catalogue of %s; left its folders alone", index_dir)
        return []
    return [p for p in index_dir.iterdir() if p.is_dir() and _SEGMENT_DIR.fullmatch(p.name) and p.name not in live]


def advice(settings: Settings, exc: BaseException) -> StoreError:
    """One line naming the store, the cause and the fix."""
    if settings.index.chroma_host:
        where = f"http://{settings.index.chroma_host}:{settings.index.chroma_port}"
        return StoreError(f"the Chroma server at {where} failed ({exc}); check that `chroma run` is up there")
    return StoreError(f"the index at {settings.index.dir} cannot be used ({exc}); run `license-assistant index "
                      "--rebuild` to move it aside and build a fresh one")


@contextmanager
def store_errors(settings: Settings) -> Iterator[None]:
    """Chroma, SQLite and file failures (not a pruned collection: callers re-open) become :func:`advice`."""
    try:
        yield
    except NotFoundError:
        raise
    except (ChromaError, sqlite3.Error, OSError) as exc:  # a damaged store: InternalError "disk image malformed"…
        raise advice(settings, exc) from exc


def is_read_only(settings: Settings) -> bool:
    folder = Path(settings.index.dir)
    return not settings.index.chroma_host and folder.is_dir() and not os.access(folder, os.W_OK)


@contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """Serialise index builds (and recoveries) of processes on this machine; a Chroma server needs none."""
    if settings.index.chroma_host:
        yield
        return
    lock_path = Path(settings.index.dir) / LOCK_FILE
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _connect(settings: Settings) -> ClientAPI:
    """A client that has read the catalogue once: a damaged store fails here, as a :class:`StoreError`."""
    from .index import chroma_client

    with store_errors(settings):
        client = chroma_client(settings)
        client.list_collections()
        return client


def open_client(settings: Settings, *, recover: bool = False) -> ClientAPI:
    """The Chroma client. A read-only index dir is opened from a private snapshot (Chroma writes to its
    database even to read); with ``recover`` an unreadable embedded store is moved aside and started afresh."""
    from chromadb.api.shared_system_client import SharedSystemClient

    if is_read_only(settings):
        return _snapshot_client(settings)
    try:
        return _connect(settings)
    except StoreError:
        if settings.index.chroma_host:
            raise
    # A failure may be another process's build in flight (the embedded store has one writer, chroma #7040):
    # only a second failure, holding the build lock, is a damaged store.
    with build_lock(settings):  # one process moves the store aside; others waiting here then find it fresh
        SharedSystemClient.clear_system_cache()  # the process must not keep the broken store open
        try:
            return _connect(settings)
        except StoreError:
            if not recover:
                raise
        moved = move_aside(Path(settings.index.dir))
        log.warning("moved the unreadable index to %s; building a fresh one", moved)
        SharedSystemClient.clear_system_cache()
        return _connect(settings)


def move_aside(index_dir: Path) -> Path:
    """Move the store's files (not the lock, not earlier corrupt copies) into ``corrupt-<timestamp>/``."""
    target = index_dir / f"{CORRUPT_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    target.mkdir()
    for entry in index_dir.iterdir():
        if entry.name != LOCK_FILE and not entry.name.startswith(CORRUPT_PREFIX):
            shutil.move(str(entry), target / entry.name)
    return target


def _snapshot_client(settings: Settings) -> ClientAPI:
    from .index import chroma_client

    snapshot = Path(tempfile.mkdtemp(prefix="license-assistant-index-"))
    atexit.register(shutil.rmtree, snapshot, True)
    with store_errors(settings):
        shutil.copytree(settings.index.dir, snapshot, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(LOCK_FILE, f"{CORRUPT_PREFIX}*"))
        log.info("the index at %s is read-only; answering from a snapshot in %s", settings.index.dir, snapshot)
        return chroma_client(settings.model_copy(update={"index": settings.index.model_copy(
            update={"dir": snapshot})}))


class Following:
    """A Chroma collection that follows the current generation: a call that finds its collection pruned
    re-opens the newest complete one (``reopen``) and retries; other Chroma failures become :class:`StoreError`."""

    def __init__(self, collection: Collection, reopen: Callable[[], Collection], settings: Settings) -> None:
        self._collection, self._reopen, self._settings = collection, reopen, settings

    @property
    def name(self) -> str:
        return self._collection.name

    def __getattr__(self, attr: str) -> Any:
        if not callable(getattr(self._collection, attr)):
            return getattr(self._collection, attr)

        @functools.wraps(getattr(self._collection, attr))
        def call(*args: Any, **kwargs: Any) -> Any:
            for _ in range(REOPEN_ATTEMPTS):
                try:
                    with store_errors(self._settings):
                        return getattr(self._collection, attr)(*args, **kwargs)
                except NotFoundError:
                    log.info("index generation %s was pruned; re-opening the newest", self._collection.name)
                    self._collection = self._reopen()
            raise advice(self._settings, RuntimeError(f"its collection vanished {REOPEN_ATTEMPTS} times in a row"))

        return call


class LiveStore(Chroma):
    """The LangChain store the retrievers use, on a :class:`Following` collection."""

    def __init__(self, client: ClientAPI, collection: Following, embeddings: Embeddings) -> None:
        super().__init__(client=client, collection_name=collection.name, embedding_function=embeddings,
                         create_collection_if_not_exists=False)
        self._chroma_collection = collection  # type: ignore[assignment]
