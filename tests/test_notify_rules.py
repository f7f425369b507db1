"""The pure date rules behind every notification, on the official 2026 calendar."""

from datetime import date

import pytest

from tracker.notify.rules import (
    digest_week,
    escalation_send_day,
    overdue_send_day,
    overdue_stage,
    parse_day_of_week,
    reminder_due,
    reminder_send_day,
    working_days_left,
)

OFFSETS = [7, 3, 1]


@pytest.mark.parametrize(
    ("due", "offset", "send_day"),
    [
        # An ordinary week: working days are Monday to Friday.
        (date(2026, 12, 10), 1, date(2026, 12, 9)),
        (date(2026, 12, 10), 3, date(2026, 12, 7)),
        (date(2026, 12, 10), 7, date(2026, 12, 1)),
        # Due the first day back from National Day: the 1-day reminder goes out on the
        # last working day before the holiday, not on 10-07 (a holiday).
        (date(2026, 10, 8), 1, date(2026, 9, 30)),
        # Due 10-09: the holiday week does not count; 10-08 is 1, 09-30 is 2, 09-29 is 3.
        (date(2026, 10, 9), 3, date(2026, 9, 29)),
        # … and 09-25 to 09-27 are off too (Mid-Autumn Festival): 7 back lands on 09-22.
        (date(2026, 10, 9), 7, date(2026, 9, 22)),
        # Due Monday 10-12: Saturday 10-10 is a 调休 working day, so it is the day before.
        (date(2026, 10, 12), 1, date(2026, 10, 10)),
        (date(2026, 10, 12), 3, date(2026, 10, 8)),
        # Sunday 09-20 is a 调休 working day too.
        (date(2026, 9, 22), 2, date(2026, 9, 20)),
        # Due on a holiday: counted back from it, landing on working days only.
        (date(2026, 10, 3), 1, date(2026, 9, 30)),
    ],
)
def test_reminder_send_day_counts_official_working_days(due, offset, send_day):
    assert reminder_send_day(due, offset) == send_day


def test_one_reminder_per_deadline_per_day_the_closest_one():
    due = date(2026, 12, 10)
    assert reminder_due(due, date(2026, 11, 30), OFFSETS) is None
    assert reminder_due(due, date(2026, 12, 1), OFFSETS) == 7
    assert reminder_due(due, date(2026, 12, 4), OFFSETS) == 7  # still the 7-day window
    assert reminder_due(due, date(2026, 12, 7), OFFSETS) == 3
    # Down from 12-01 to 12-09: only the 1-day reminder is owed, not 7 + 3 + 1.
    assert reminder_due(due, date(2026, 12, 9), OFFSETS) == 1
    assert reminder_due(due, date(2026, 12, 10), OFFSETS) == 1  # made up on the due day
    assert reminder_due(due, date(2026, 12, 11), OFFSETS) is None  # overdue takes over


def test_overdue_and_escalation_days():
    due = date(2026, 9, 30)  # a Wednesday before the National Day holiday
    assert overdue_send_day(due) == date(2026, 10, 8)  # first working day after
    assert escalation_send_day(due, 7) == date(2026, 10, 8)  # 10-07 is off: next working day
    assert overdue_stage(due, date(2026, 10, 2), 7) is None  # overdue, but a holiday
    assert overdue_stage(due, date(2026, 10, 8), 7) == "escalate"  # supersedes the notice
    due = date(2026, 12, 10)
    assert overdue_stage(due, due, 7) is None
    assert overdue_stage(due, date(2026, 12, 11), 7) == "overdue"
    assert overdue_stage(due, date(2026, 12, 16), 7) == "overdue"
    assert overdue_stage(due, date(2026, 12, 17), 7) == "escalate"
    # Escalation day on a weekend moves to Monday, never earlier than N days.
    assert escalation_send_day(date(2026, 12, 5), 7) == date(2026, 12, 14)


def test_working_days_left():
    assert working_days_left(date(2026, 9, 30), date(2026, 10, 9)) == 2
    assert working_days_left(date(2026, 12, 10), date(2026, 12, 10)) == 0
    assert working_days_left(date(2026, 12, 12), date(2026, 12, 10)) == 0


def test_digest_week_moves_a_holiday_monday_to_the_first_working_day():
    monday = parse_day_of_week("mon")
    assert digest_week(date(2026, 11, 30), monday) == date(2026, 11, 30)
    assert digest_week(date(2026, 12, 2), monday) == date(2026, 11, 30)  # catch-up, same key
    assert digest_week(date(2026, 12, 6), monday) == date(2026, 11, 30)
    # 2026-10-05 is a Monday inside the National Day holiday: the digest waits for 10-08.
    assert digest_week(date(2026, 10, 5), monday) is None
    assert digest_week(date(2026, 10, 7), monday) is None
    assert digest_week(date(2026, 10, 8), monday) == date(2026, 10, 5)
    assert digest_week(date(2026, 10, 10), monday) == date(2026, 10, 5)


def test_parse_day_of_week():
    assert parse_day_of_week("mon") == 0
    assert parse_day_of_week("Friday") == 4
    assert parse_day_of_week(6) == 6
    with pytest.raises(ValueError):
        parse_day_of_week("someday")
