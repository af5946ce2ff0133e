"""A calendar heat map: one square a day, weeks across and weekdays down."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from .. import clinical
from ..clinical import DayFacts
from ..clinical.days import is_acute_medication_day
from .ranges import monday_of
from .style import (
    BAND_NAMES,
    DAY_HOVER,
    DAY_MS,
    FREE,
    MILD,
    MISSING,
    MODERATE,
    PAPER,
    SESSION,
    SEVERE,
    TEXT,
    WEEKDAYS,
    layout,
)
from .words import plural_text, sessions_text, span_text

if TYPE_CHECKING:
    from . import Chart
    from .ranges import ChartInput

KINDS = {  # kind of day -> legend name, marker, words in the hover label
    "missing": (
        "Not logged",
        {"symbol": "square-open", "color": MISSING, "line": {"width": 1.5}},
        "not logged",
    ),
    "free": ("No headache (logged)", {"symbol": "circle", "color": FREE}, "no headache"),
    "mild": (
        BAND_NAMES["mild"],
        {"symbol": "square", "color": MILD, "line": {"color": MODERATE, "width": 1}},
        "mild headache",
    ),
    "moderate": (BAND_NAMES["moderate"], {"symbol": "square", "color": MODERATE}, "moderate headache"),
    "severe": (BAND_NAMES["severe"], {"symbol": "square", "color": SEVERE}, "severe headache"),
}


def draw(chart: Chart, given: ChartInput) -> dict:
    """Whole weeks from the Monday before `first` to `last`, one marker a day.

    Each kind of day is one trace of daily values from `x0` (a Monday) with a step of a day;
    `xperiod` of a week lines the days of a week up in one column, and hover labels still
    show each day's own date. A day of another kind is a gap (null) in a trace.
    """
    first, last = given.time_range
    index = clinical.index_days(given.days)
    start = monday_of(first)
    count = (last - start).days + 1
    rows: dict[str, list[str | None]] = {key: [None] * count for key in KINDS}
    medicated: list[str | None] = [None] * count
    for i in range(count):
        day = start + timedelta(days=i)
        record = index.get(day)
        rows[_kind(record)][i] = WEEKDAYS[day.weekday()]
        if record is not None and is_acute_medication_day(record):
            medicated[i] = WEEKDAYS[day.weekday()]
    weeks = count // 7 + 1
    size = max(3, min(12, int(330 / weeks) - 1))
    weekly = {
        "x0": start.isoformat(),
        "dx": DAY_MS,
        "xperiod": 7 * DAY_MS,
        "xperiod0": start.isoformat(),
        "xperiodalignment": "middle",
    }
    data = []
    for key, (name, marker, words) in KINDS.items():
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                **weekly,
                "y": rows[key],
                "marker": {**marker, "size": size},
                "hovertemplate": f"{DAY_HOVER}: {words}<extra></extra>",
            }
        )
    mark = given.words.medication_mark
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": mark,
            **weekly,
            "y": medicated,
            "marker": {
                "symbol": "circle",
                "color": PAPER,
                "size": max(3, size // 2),
                "line": {"color": TEXT, "width": 1},
            },
            "hovertemplate": f"{DAY_HOVER}: {mark.lower()}<extra></extra>",
        }
    )
    treated = sorted({s.date for s in given.sessions if start <= s.date <= last})
    if treated:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Treatment session",
                "x": [d.isoformat() for d in treated],
                "y": [WEEKDAYS[d.weekday()] for d in treated],
                **{k: v for k, v in weekly.items() if k not in ("x0", "dx")},
                "marker": {"symbol": "square-open", "color": SESSION, "size": size + 4, "line": {"width": 2}},
                "hovertemplate": f"{DAY_HOVER}: treatment session<extra></extra>",
            }
        )
    figures = clinical.period_figures(index, first, last)
    shown = (last - first).days + 1
    severe = sum(1 for d in index.between(first, last) if d.peak_intensity >= clinical.SEVERE_PEAK)
    summary = (
        f"One square a day, {span_text(first, last)}: {figures.days_logged} of "
        f"{plural_text(shown, 'day')} logged, {shown - figures.days_logged} not logged. "
        f"{plural_text(figures.headache_days, 'headache day')} "
        f"({figures.headache_days - figures.moderate_severe_days} mild, "
        f"{figures.moderate_severe_days - severe} moderate, {severe} severe), "
        f"{plural_text(figures.days_logged - figures.headache_days, 'day')} without headache, "
        f"{given.words.medication_count(figures.acute_medication_days)}. "
        + sessions_text([d for d in treated if d >= first])
    )
    last_monday = last - timedelta(days=last.weekday())
    result = layout(
        chart,
        summary,
        first,
        last,
        subtitle=f"{span_text(first, last)} · {figures.days_logged} of {plural_text(shown, 'day')} logged",
        height=330,
        xaxis={
            "type": "date",
            "range": [start.isoformat(), (last_monday + timedelta(days=7)).isoformat()],
            "dtick": "M1" if weeks <= 60 else "M6",
            "tickformat": "%b" if weeks <= 60 else "%b %Y",
            "showgrid": False,
            "ticklabelmode": "period",
        },
        # One letter a weekday, so the weeks get the width of a phone; Mon, Wed, Fri, Sun.
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(WEEKDAYS),
            "tickvals": list(WEEKDAYS[::2]),
            "ticktext": [d[0] for d in WEEKDAYS[::2]],
            "range": [6.6, -0.6],
            "showgrid": False,
        },
    )
    # The markers are sized for a plot about 330 px wide; charts.js shrinks them on a narrower
    # screen, so that a session's frame (outer edge: size + 6) never covers the next week's day.
    result["meta"]["cells"] = {"weeks": weeks, "size": size}
    return {"data": data, "layout": result}


def _kind(record: DayFacts | None) -> str:
    if record is None or not record.logged:
        return "missing"
    if not record.headache_count:
        return "free"
    return clinical.severity(record.peak_intensity)
