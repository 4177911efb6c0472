"""Content words the coverage and overlap scores count: a technical name with digits is a word too."""

from __future__ import annotations

from pathlib import Path

from assistant.corpus import load_license
from assistant.overlap import Overlap
from assistant.retrieval import Tokenizer

ROOT = Path(__file__).resolve().parents[1]


def test_a_name_with_digits_is_a_content_word_the_license_never_uses() -> None:
    lic = load_license(ROOT / "corpus", "kongzhong-icp-020001")
    overlap = Overlap(lic, Tokenizer(lic.glossary))
    words = overlap.tokens("Does the license require our website to support IPv6?", "en")
    assert "ipv6" in words
    assert overlap.weights({"ipv6"}, "en")["ipv6"] >= max(overlap.weights(words - {"ipv6"}, "en").values())
