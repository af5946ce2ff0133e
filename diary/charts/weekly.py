"""Per week: moderate/severe, mild and headache-free days and days not logged, stacked, with
the treatment sessions marked above the week they fell in (the chart a therapist reads first)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from .. import clinical
from .ranges import monday_of
from .style import StackedDays, figure, session_markers, stacked_bars, stacked_day_bars, week_axis
from .words import day_text, plural_text, sessions_text, span_text

if TYPE_CHECKING:
    from . import Chart
    from .ranges import ChartInput

WEEK = timedelta(days=7)
WEEK_MS = 7 * 86_400_000  # a bar's width on the date axis
SESSION_ROW = 8.0  # session marks sit above the 7 days a bar can hold


def draw(chart: Chart, given: ChartInput) -> dict:
    """One stacked bar a week (Monday to Sunday, up to today); a week's days not logged are
    hatched, never counted as headache-free."""
    first, last = given.time_range
    index = clinical.index_days(given.days)
    mondays, counts = [], StackedDays()
    monday = monday_of(first)
    while monday <= last:
        week_first, week_last = max(monday, first), min(monday + WEEK - timedelta(days=1), last)
        figures = clinical.period_figures(index, week_first, week_last)
        mondays.append(monday)
        counts.add(figures.days, figures.days_logged, figures.headache_days, figures.moderate_severe_days)
        monday += WEEK
    x = [(m + timedelta(days=3, hours=12)).isoformat() for m in mondays]  # the middle of the week
    data = stacked_day_bars(x, counts, width=[WEEK_MS * 0.8] * len(x), xhoverformat="week of %-d %b")
    marked = [s.date for s in given.sessions if first <= s.date <= last]
    if marked:
        data.append(session_markers(marked, SESSION_ROW))
    days_logged = sum(counts.logged)
    days = days_logged + sum(counts.missing)
    moderate_severe_days = sum(counts.moderate_severe)
    summary = (
        f"{span_text(first, last)}, by week: {days_logged} of {plural_text(days, 'day')} logged, "
        f"{plural_text(moderate_severe_days + sum(counts.mild), 'headache day')}, "
        f"{moderate_severe_days} of them moderate or severe."
    )
    if mondays:
        summary += (
            f" The week of {day_text(mondays[-1])}: "
            f"{plural_text(counts.moderate_severe[-1] + counts.mild[-1], 'headache day')}"
            f" in {plural_text(counts.logged[-1], 'logged day')}."
        )
    summary += " " + sessions_text(marked)
    return figure(
        chart,
        data,
        summary,
        (first, last),
        subtitle=f"{span_text(first, last)} · {days_logged} of {plural_text(days, 'day')} logged",
        height=320,
        **stacked_bars(week_axis(monday_of(first), last), 0.2),
        yaxis={"range": [0, SESSION_ROW + 0.8], "tickvals": [0, 2, 4, 7], "title": {"text": "Days"}},
    )
