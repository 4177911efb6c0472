"""What a question is like, learned from labelled example questions: which of the license's fields it asks for.

Why: e5 similarities of one question to another sit in a narrow band (0.85–0.93), so a nearest-neighbour bar that
keeps unrelated questions out also keeps out most paraphrases ("the person who legally represents the company",
"where do our machines sit"). A multinomial logistic regression over the same query vectors learns which directions
tell the labels apart. :class:`~assistant.reason.match.NormMatcher` fits one: a class per template field (its
questions in ``field_questions.json``) and a class :data:`OTHER` of the norms' own texts (what a question about a
rule, not a field, is like). It is fitted once per corpus and model (scikit-learn, only then) and its weights are
kept next to the norm vectors, so reading a question is one matrix product. (The same reader over the units'
everyday descriptions was tried for forbidden acts and was weaker than the cosine rule it would replace: with 102
classes of eight examples each its probabilities stay low.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..cachefile import load_arrays, save_arrays

OTHER = "other"
#: inverse regularisation strength: e5 vectors are unit length, so the weights must be large to separate them
C = 1000.0


class Reader:
    """``read(vector)`` → (label, probability), or ``None`` when the question is most like :data:`OTHER`."""

    def __init__(self, classes: list[str], coef: np.ndarray, intercept: np.ndarray) -> None:
        self.classes = classes
        self.coef = coef
        self.intercept = intercept

    @classmethod
    def fit(cls, examples: dict[str, Sequence[str]], others: Sequence[str],
            embed_queries: Callable[[list[str]], np.ndarray], cache_dir: Path, model: str,
            name: str) -> Reader | None:
        """Fit (or load the fit kept for these texts and this model) on each label's example questions and, as
        :data:`OTHER`, ``others``; ``None`` with fewer than two classes to tell apart."""
        labelled = [(label, q) for label, qs in examples.items() for q in qs]
        texts = [q for _, q in labelled] + list(others)
        labels = [label for label, _ in labelled] + [OTHER] * len(others)
        if len(set(labels)) < 2:
            return None
        digest = hashlib.sha256(json.dumps([model, C, texts, labels], ensure_ascii=False).encode()).hexdigest()[:16]
        path = cache_dir / f"{name}-reader-{digest}.npz"
        kept = load_arrays(path, ("classes", "coef", "intercept"))
        if kept is not None:
            return cls([str(c) for c in kept["classes"]], kept["coef"], kept["intercept"])
        from sklearn.linear_model import LogisticRegression  # only when the fit is not kept yet

        vectors = np.asarray(embed_queries(texts), dtype=np.float32)
        fitted = LogisticRegression(C=C, max_iter=5000).fit(vectors, labels)
        classes = [str(c) for c in fitted.classes_]
        coef, intercept = fitted.coef_.astype(np.float32), fitted.intercept_.astype(np.float32)
        if len(classes) == 2:  # a binary fit keeps one row (the second class's logit against the first's zero)
            coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept]).astype(np.float32)
        save_arrays(path, classes=np.asarray(classes), coef=coef, intercept=intercept)
        return cls(classes, coef, intercept)

    def read(self, vector: Sequence[float]) -> tuple[str, float] | None:
        """The most probable class and its probability; ``None`` when that class is :data:`OTHER`."""
        logits = self.coef @ np.asarray(vector, dtype=np.float32) + self.intercept
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        best = int(np.argmax(probabilities))
        if self.classes[best] == OTHER:
            return None
        return self.classes[best], float(probabilities[best])
