"""The decision table's safety properties: polarity flips yes↔no, nothing forbidden is ever conditional, an
exclusion never grants."""

from __future__ import annotations

import pytest

from assistant.reason.decide import TABLE


@pytest.mark.parametrize(("act", "kind"), [(a, k) for a in ("may", "must", "true")
                                            for k in ("duty", "prohibition", "applies_when")
                                            if (a, k) not in (("may", "prohibition"), ("must", "prohibition"))])
def test_negation_flips(act: str, kind: str) -> None:
    pos, neg = TABLE.get((act, kind, False)), TABLE.get((act, kind, True))
    assert {pos, neg} == {"yes", "no"}


def test_no_yes_from_a_negated_may_on_a_prohibition() -> None:
    # "may we not do X?" with X forbidden: the negation usually belongs to a required step the match missed
    assert TABLE[("may", "prohibition", False)] == "no"
    assert ("may", "prohibition", True) not in TABLE


def test_must_against_a_prohibition_answers_only_the_refraining_form() -> None:
    # "must we refrain from X?" → yes; "must we X?" matched to 「不得X'」 is usually "must we keep to X'?": no cell
    assert TABLE[("must", "prohibition", True)] == "yes"
    assert ("must", "prohibition", False) not in TABLE


def test_forbidden_is_never_conditional() -> None:
    assert all(v != "conditional" for (act, kind, neg), v in TABLE.items() if kind == "prohibition")


def test_approval_and_exclusion() -> None:
    assert TABLE[("may", "needs_approval", False)] == "conditional"
    assert TABLE[("may", "needs_approval", True)] == "no"  # doing it without the approval
    assert TABLE[("may", "exclusion", False)] == "no"
    assert ("must", "grant", False) not in TABLE  # a grant is no duty: the table has no answer
