"""Failures the user can fix — a damaged corpus, an unusable index. Every interface shows their message as one
line (the CLI exits 2, the server answers 503), never a traceback: the message already names the file and the
fix."""

from __future__ import annotations


class ExpectedError(RuntimeError):
    """Base of the errors whose message is the whole story."""


class StoreError(ExpectedError):
    """The Chroma index cannot be opened or built; the message names the index dir and what to run."""
