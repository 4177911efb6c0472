"""Files that cache what can be recomputed: written whole or not at all, unreadable ones simply missing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
