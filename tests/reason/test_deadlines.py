"""Deadlines with the real mainland working-day calendar (holidays and make-up working days)."""

from __future__ import annotations

from datetime import date

from assistant.reason.deadlines import add_working_days, deadline
from assistant.reason.norms import Period


def test_working_days_skip_national_day_and_count_make_up_saturday() -> None:
    # Fri 2026-09-25 + 10 working days: Oct 1–7 are holidays, Sat Oct 10 is a make-up working day
    assert add_working_days(date(2026, 9, 25), 10) == (date(2026, 10, 15), False)


def test_beyond_the_calendar_is_flagged() -> None:
    day, estimated = add_working_days(date(2026, 12, 25), 10)
    assert estimated and day.year == 2027


def test_calendar_days_and_advance() -> None:
    within = Period(kind="within", number=30, unit="day", anchor="event", text="30日内")
    assert deadline(within, date(2026, 6, 15)).day == date(2026, 7, 15)
    advance = Period(kind="advance", number=90, unit="day", anchor="expiry", text="提前90日")
    assert deadline(advance, date(2026, 1, 1), expiry=date(2026, 12, 28)).day == date(2026, 9, 29)
    assert deadline(Period(kind="immediate", text="立即"), date(2026, 1, 1)) is None


def test_a_quarter_of_the_year_ends_on_its_last_day() -> None:
    first = Period(kind="yearly", number=1, anchor="yearly", text="每年第一季度")
    assert deadline(first, date(2026, 4, 8)).day == date(2026, 3, 31)
    fourth = Period(kind="yearly", number=4, anchor="yearly", text="每年第四季度")
    assert deadline(fourth, date(2026, 4, 8)).day == date(2026, 12, 31)
