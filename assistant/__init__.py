"""License assistant: offline bilingual question answering over a Chinese value-added telecom license.

Library first: ``from assistant import answer``; the CLI, the Gradio UI, the HTTP API and the chat bots are
thin adapters over it.
"""

from .engine import Assistant, answer, get_assistant
from .schema import Answer, Citation

__all__ = ["Answer", "Assistant", "Citation", "answer", "get_assistant"]
