"""Per week: moderate/severe, mild and headache-free days and days not logged, stacked, with
the treatment sessions marked above the week they fell in (the chart a therapist reads first)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from .. import clinical
from .ranges import monday_of
from .style import (
    BAND_NAMES,
    FREE,
    MILD,
    MODERATE,
    MODERATE_SEVERE_NAME,
    SEVERE,
    figure,
    hatched,
    session_markers,
    week_axis,
)
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
    mondays, moderate_severe, mild, free, missing, logged = [], [], [], [], [], []
    monday = monday_of(first)
    while monday <= last:
        week_first, week_last = max(monday, first), min(monday + WEEK - timedelta(days=1), last)
        figures = clinical.period_figures(index, week_first, week_last)
        mondays.append(monday)
        moderate_severe.append(figures.moderate_severe_days)
        mild.append(figures.headache_days - figures.moderate_severe_days)
        free.append(figures.days_logged - figures.headache_days)
        missing.append(figures.days - figures.days_logged)
        logged.append(figures.days_logged)
        monday += WEEK
    x = [(m + timedelta(days=3, hours=12)).isoformat() for m in mondays]  # the middle of the week
    bar = {"type": "bar", "x": x, "width": [WEEK_MS * 0.8] * len(x), "xhoverformat": "week of %-d %b"}
    data = [
        {
            **bar,
            "name": MODERATE_SEVERE_NAME,
            "y": moderate_severe,
            "marker": {"color": SEVERE, "line": {"width": 0}},
            "hovertemplate": "%{y} moderate or severe<extra></extra>",
        },
        {
            **bar,
            "name": BAND_NAMES["mild"],
            "y": mild,
            "marker": {"color": MILD, "line": {"color": MODERATE, "width": 1}},
            "hovertemplate": "%{y} mild<extra></extra>",
        },
        {
            **bar,
            "name": "No headache (logged)",
            "y": free,
            "marker": {"color": FREE, "line": {"width": 0}},
            "hovertemplate": "%{y} without headache<extra></extra>",
        },
        {
            **bar,
            "name": "Not logged",
            "y": missing,
            "customdata": logged,
            "marker": hatched(),
            "hovertemplate": "%{y} not logged (%{customdata} logged)<extra></extra>",
        },
    ]
    marked = [s.date for s in given.sessions if first <= s.date <= last]
    if marked:
        data.append(session_markers(marked, SESSION_ROW))
    days, days_logged = (
        sum(f + m + s + n for f, m, s, n in zip(free, mild, moderate_severe, missing)),
        sum(logged),
    )
    headache_days = sum(mild) + sum(moderate_severe)
    summary = (
        f"{span_text(first, last)}, by week: {days_logged} of {plural_text(days, 'day')} logged, "
        f"{plural_text(headache_days, 'headache day')}, {sum(moderate_severe)} of them moderate or severe."
    )
    if mondays:
        summary += (
            f" The week of {day_text(mondays[-1])}: "
            f"{plural_text(moderate_severe[-1] + mild[-1], 'headache day')}"
            f" in {plural_text(logged[-1], 'logged day')}."
        )
    summary += " " + sessions_text(marked)
    return figure(
        chart,
        data,
        summary,
        (first, last),
        subtitle=f"{span_text(first, last)} · {days_logged} of {plural_text(days, 'day')} logged",
        height=320,
        barmode="stack",
        bargap=0.2,
        hovermode="x unified",
        xaxis=week_axis(monday_of(first), last),
        yaxis={"range": [0, SESSION_ROW + 0.8], "tickvals": [0, 2, 4, 7], "title": {"text": "Days"}},
    )
