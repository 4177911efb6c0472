"""The answer contract every interface (CLI, UI, HTTP API, Slack, eval runner) serialises."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

Verdict = Literal["yes", "no", "conditional", "not_stated", "info"]
Language = Literal["zh", "en"]
VERDICTS: tuple[Verdict, ...] = ("yes", "no", "conditional", "not_stated", "info")


class Citation(BaseModel):
    clause_id: str
    label_zh: str
    label_en: str
    text_zh: str
    text_en: str
    quote: str = Field(description="The sentence(s) relied on, verbatim from text_zh.")


class RelatedClause(BaseModel):
    """A clause retrieved for the question but not relied on (shown, never presented as support)."""

    clause_id: str
    label_zh: str
    label_en: str
    score: float


class Answer(BaseModel):
    question: str
    language: Language
    verdict: Verdict
    answer: str = Field(description="What the user reads: a verdict sentence, then the reason with the quote.")
    citations: list[Citation] = []
    related: list[RelatedClause] = []
    retrieved: list[str] = Field([], description="Clause ids in retrieval order (for hit@k).")
    as_of: date
    confidence: float = Field(ge=0, le=1)
    intent: str = Field("", description="Which reasoning path decided the answer.")
    error: str | None = Field(None, description="Set when the input was refused (empty, too long, binary).")
    settings_hash: str = ""
    corpus_hash: str = ""
    doc_id: str = ""
    timings_ms: dict[str, float] = {}
