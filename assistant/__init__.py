"""License assistant: offline bilingual question answering over a Chinese value-added telecom license.

Library first: ``from assistant import answer``; the CLI, the Gradio UI, the HTTP API and the chat bots are
thin adapters over it. The names below load on first use, so ``import assistant.config`` (every CLI command)
does not pay for the engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Assistant, answer, get_assistant
    from .schema import Answer, Citation

_EXPORTS = {"Assistant": "engine", "answer": "engine", "get_assistant": "engine",
            "Answer": "schema", "Citation": "schema"}
__all__ = ["Answer", "Assistant", "Citation", "answer", "get_assistant"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
