"""The triage list's soreness flag from the highest score of each span (what queries.triage
reads in SQL) against its definition, recent_prolonged_soreness over every day, on random
diaries."""

from datetime import timedelta

from hypothesis import given

from diary.clinical import (
    RECENT_DAYS,
    index_days,
    prolonged_soreness_of_spans,
    recent_prolonged_soreness,
    recent_soreness_spans,
)

from .test_properties import PROPERTY_SETTINGS, diaries


@PROPERTY_SETTINGS
@given(diaries())
def test_the_highest_score_of_each_span_gives_the_soreness_flag(diary):
    _, _, days, sessions, today = diary
    index = index_days(days)
    spans = recent_soreness_spans(sessions, today)
    highest = [
        max((day.soreness for day in index.between(first, last) if day.soreness is not None), default=None)
        for first, last, _ in spans
    ]
    assert prolonged_soreness_of_spans(highest, spans, today) == recent_prolonged_soreness(
        index, sessions, today
    )
    # the spans read the last 28 days only, up to today
    for first, last, _ in spans:
        assert today - timedelta(days=RECENT_DAYS - 1) < first and last <= today


def test_one_span_a_session_date_and_none_for_later_or_older_sessions(make_session, make_day):
    from datetime import date

    today = date(2028, 3, 1)
    sessions = [
        make_session(today - timedelta(days=40)),  # too old
        make_session(today - timedelta(days=10), "a"),
        make_session(today - timedelta(days=10), "b"),  # the same date: one span
        make_session(today - timedelta(days=8)),  # cuts the one before short
        make_session(today + timedelta(days=1)),  # after today: counts nowhere
    ]
    spans = recent_soreness_spans(sessions, today)
    assert spans == [
        (today - timedelta(days=6), today - timedelta(days=9), today - timedelta(days=9)),
        (today - timedelta(days=4), today - timedelta(days=1), today - timedelta(days=1)),
    ]
    days = [make_day(today - timedelta(days=3), soreness=5)]
    assert recent_prolonged_soreness(days, sessions, today) is True
    assert prolonged_soreness_of_spans([None, 5], spans, today) is True
    assert prolonged_soreness_of_spans([None, 2], spans, today) is False
    assert prolonged_soreness_of_spans([9, None], spans, today) is True
    assert prolonged_soreness_of_spans([None, None], spans, today) is None
