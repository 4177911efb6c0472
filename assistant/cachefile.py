"""Files that cache what can be recomputed: written whole or not at all, unreadable ones simply missing."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file and a rename, so that a reader in another process sees
    the old file or the new one, never half of one. False when the folder is not writable (the cache is
    optional)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError:
        return False
    return True


def save_arrays(path: Path, **arrays: np.ndarray) -> bool:
    """Keep named arrays as one ``.npz`` file, written whole (see :func:`write_atomic`)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return write_atomic(path, buffer.getvalue())


def load_arrays(path: Path, names: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    """The named arrays of a file :func:`save_arrays` kept, or None when it is missing, unreadable or lacks one."""
    try:
        with np.load(path, allow_pickle=False) as kept:
            return {name: kept[name] for name in names}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
