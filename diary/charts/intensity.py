"""Daily peak intensity with treatment sessions marked; by week over long ranges."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from .. import clinical
from ..clinical import DayIndex
from .ranges import monday_of
from .style import (
    DAY_HOVER,
    DAY_MS,
    FREE,
    HEADACHE,
    MISSING,
    day_axis_range,
    figure,
    hatched,
    session_line,
    session_markers,
    week_axis,
)
from .words import Words, day_text, mean_text, plural_text, sessions_text, span_text

if TYPE_CHECKING:
    from . import Chart
    from .ranges import ChartInput

MISSING_BAND = 11.8  # a not-logged day (or week) is a hatched band over the whole intensity scale
SESSION_ROW = 10.6  # the height of the row of session triangles
WEEKLY_AFTER = 91  # days: a longer range is drawn one value a week (13 weeks of days is enough)
SESSION_LINES_UP_TO = 3  # more sessions than this are a row of triangles only, no dashed lines


def draw(chart: Chart, given: ChartInput) -> dict:
    """One value a day from `first` to `last` (a week on long ranges), with sessions marked."""
    first, last = given.time_range
    index = clinical.index_days(given.days)
    count = (last - first).days + 1
    marked = sorted(s.date for s in given.sessions if first <= s.date <= last)
    weekly = count > WEEKLY_AFTER
    words = given.words
    data, xaxis, by_week = _weekly(index, first, last) if weekly else _daily(index, first, last, words)
    shapes = []
    if marked:
        data.append(session_markers(marked, SESSION_ROW))
        if not weekly and len(marked) <= SESSION_LINES_UP_TO:
            shapes = [session_line(d) for d in marked]
    figures = clinical.period_figures(index, first, last)
    summary = (
        f"{span_text(first, last)}: {figures.days_logged} of {plural_text(count, 'day')} "
        f"logged, {count - figures.days_logged} not logged. "
        f"{plural_text(figures.headache_days, 'headache day')}"
        f"{mean_text(figures.mean_peak_intensity, words)}, "
        f"{figures.moderate_severe_days} of them moderate or severe "
        f"({words.peak} {clinical.MODERATE_SEVERE_PEAK} or more); "
        f"{plural_text(figures.days_logged - figures.headache_days, 'logged day')} "
        "without headache. " + by_week + sessions_text(marked)
    )
    return figure(
        chart,
        data,
        summary,
        (first, last),
        subtitle=f"{span_text(first, last)} · {figures.days_logged} of {plural_text(count, 'day')} logged",
        height=340,
        xaxis=xaxis,
        yaxis={
            "range": [-0.6, 11.2],
            "tickvals": [0, 2, 4, 6, 8, 10],
            "title": {"text": f"{'Worst pain' if weekly else words.peak_name} (0-10)"},
        },
        bargap=0,
        shapes=shapes,
    )


def _daily(index: DayIndex, first: date, last: date, words: Words) -> tuple[list[dict], dict, str]:
    """The peak, a green dot at 0, or a grey band, one a day."""
    count = (last - first).days + 1
    peak: list[int | None] = [None] * count
    free: list[int | None] = [None] * count
    missing: list[float | None] = [MISSING_BAND] * count
    for day in index.between(first, last):
        if not day.logged:  # the headache question is open: a missing day for this chart
            continue
        i = (day.date - first).days
        peak[i] = day.peak_intensity
        missing[i] = None
        if not day.headache_count:
            free[i] = 0
    start = first.isoformat()
    data = [
        {
            "type": "bar",
            "name": "Not logged",
            "x0": start,
            "dx": DAY_MS,
            "y": missing,
            "base": -0.6,
            "width": DAY_MS,
            "marker": hatched(),
            "hovertemplate": f"{DAY_HOVER}: not logged<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": words.peak_name,
            "x0": start,
            "dx": DAY_MS,
            "y": peak,
            "connectgaps": False,
            "line": {"color": HEADACHE, "width": 1.5},
            "marker": {"color": HEADACHE, "size": 4},
            "hovertemplate": f"{DAY_HOVER}: {words.peak} %{{y}}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "No headache (logged)",
            "x0": start,
            "dx": DAY_MS,
            "y": free,
            "marker": {"color": FREE, "size": 7, "symbol": "circle"},
            "hovertemplate": f"{DAY_HOVER}: no headache<extra></extra>",
        },
    ]
    return data, {"type": "date", "range": day_axis_range(first, last), "nticks": 6}, ""


def _weekly(index: DayIndex, first: date, last: date) -> tuple[list[dict], dict, str]:
    """One value a week (Monday to Sunday, within the range): the worst pain of a week with at
    least half its days logged, a green dot at 0 for such a week without headache, a hollow
    grey marker for a week with fewer than half its days logged (never a headache-free week),
    and a grey band for a week with nothing logged. Each says how many days were logged."""
    start = monday_of(first)
    weeks = (last - start).days // 7 + 1
    worst: list[int | None] = [None] * weeks
    free: list[int | None] = [None] * weeks
    thin: list[int | None] = [None] * weeks
    missing: list[float | None] = [None] * weeks
    logged, headache, peak = [0] * weeks, [0] * weeks, [0] * weeks
    for day in index.between(first, last):
        if day.logged:
            w = (day.date - start).days // 7
            logged[w] += 1
            if day.headache_count:
                headache[w] += 1
                peak[w] = max(peak[w], day.peak_intensity)
    words: list[str] = []
    for w in range(weeks):
        monday = start + timedelta(days=7 * w)
        week_first, week_last = max(monday, first), min(monday + timedelta(days=6), last)
        length = (week_last - week_first).days + 1
        if not logged[w]:
            missing[w] = MISSING_BAND
        elif 2 * logged[w] < length:
            thin[w] = peak[w]
        elif headache[w]:
            worst[w] = peak[w]
        else:
            free[w] = 0
        words.append(
            f"Week of {day_text(week_first)}: "
            + (
                f"worst pain {peak[w]}, {plural_text(headache[w], 'headache day')}, "
                if headache[w]
                else "no headache, "
                if logged[w]
                else ""
            )
            + f"{logged[w]} of {plural_text(length, 'day')} logged"
        )
    few = sum(v is not None for v in thin)
    none = sum(v is not None for v in missing)
    week = {
        "x0": start.isoformat(),
        "dx": 7 * DAY_MS,
        "xperiod": 7 * DAY_MS,
        "xperiod0": start.isoformat(),
        "xperiodalignment": "middle",
        "hovertemplate": "%{customdata}<extra></extra>",
    }

    def weeks_of(values: list) -> dict:
        """A weekly series, each week's words in its hover label (null weeks have none)."""
        return {
            **week,
            "y": values,
            "customdata": [text if v is not None else None for v, text in zip(values, words)],
        }

    data = [
        {
            "type": "bar",
            "name": "Not logged",
            **weeks_of(missing),
            "base": -0.6,
            "width": 7 * DAY_MS,
            "marker": hatched(),
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Worst pain of the week",
            **weeks_of(worst),
            "connectgaps": False,
            "line": {"color": HEADACHE, "width": 1.5},
            "marker": {"color": HEADACHE, "size": 7},
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "No headache (week logged)",
            **weeks_of(free),
            "marker": {"color": FREE, "size": 8, "symbol": "circle"},
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "Under half the week logged",
            **weeks_of(thin),
            "marker": {"color": MISSING, "size": 8, "symbol": "circle-open", "line": {"width": 2}},
        },
    ]
    by_week = (
        f"Drawn by week ({weeks} weeks): {few} with under half their days logged, "
        f"{none} with nothing logged. "
    )
    return data, week_axis(start, last), by_week
