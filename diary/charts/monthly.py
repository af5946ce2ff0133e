"""Per month: moderate/severe, mild and headache-free days and days not logged, stacked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import clinical
from .ranges import elapsed_days, months_span
from .style import (
    BAND_NAMES,
    FREE,
    MILD,
    MODERATE,
    MODERATE_SEVERE_NAME,
    SEVERE,
    figure,
    hatched,
    month_bars,
    month_trace_axis,
)
from .words import month_text, plural_text, span_text

if TYPE_CHECKING:
    from . import Chart
    from .ranges import ChartInput


def draw(chart: Chart, given: ChartInput) -> dict:
    """One stacked bar a month; a month's days not logged are hatched, apart from free days."""
    today = given.today
    rows = clinical.month_rows(given.days, *given.time_range)
    months = [row.month for row in rows]
    elapsed = [elapsed_days(row.month, today) for row in rows]
    moderate_severe = [row.moderate_severe_days for row in rows]
    mild = [row.headache_days - row.moderate_severe_days for row in rows]
    free = [row.days_logged - row.headache_days for row in rows]
    missing = [max(0, e - row.days_logged) for row, e in zip(rows, elapsed)]
    logged = [row.days_logged for row in rows]
    month_axis_of_trace = month_trace_axis()
    data = [
        {
            "type": "bar",
            "name": MODERATE_SEVERE_NAME,
            "x": months,
            "y": moderate_severe,
            **month_axis_of_trace,
            "marker": {"color": SEVERE, "line": {"width": 0}},
            "hovertemplate": "%{y} moderate or severe<extra></extra>",
        },
        {
            "type": "bar",
            "name": BAND_NAMES["mild"],
            "x": months,
            "y": mild,
            **month_axis_of_trace,
            "marker": {
                "color": MILD,
                "line": {"color": MODERATE, "width": 1},
                "pattern": {
                    "shape": ".",
                    "fgcolor": MODERATE,
                    "size": 5,
                    "solidity": 0.2,
                    "fillmode": "overlay",
                },
            },
            "hovertemplate": "%{y} mild<extra></extra>",
        },
        {
            "type": "bar",
            "name": "No headache (logged)",
            "x": months,
            "y": free,
            **month_axis_of_trace,
            "marker": {"color": FREE, "line": {"width": 0}},
            "hovertemplate": "%{y} without headache<extra></extra>",
        },
        {
            "type": "bar",
            "name": "Not logged",
            "x": months,
            "y": missing,
            **month_axis_of_trace,
            "customdata": logged,
            "marker": hatched(),
            "hovertemplate": "%{y} not logged (%{customdata} logged)<extra></extra>",
        },
    ]
    total_logged, total_days = sum(logged), sum(elapsed)
    first, last = months_span(rows, today)
    counted = [(row, e) for row, e in zip(rows, elapsed) if e]
    # Most and fewest only among months with something logged: a month with nothing logged had
    # no known headache days, not the fewest.
    ranked = [row for row, _ in counted if row.days_logged]
    summary = (
        f"{span_text(first, last)}: {total_logged} of {plural_text(total_days, 'day')} "
        f"logged, {total_days - total_logged} not logged. "
        f"{plural_text(sum(r.headache_days for r in rows), 'headache day')}, "
        f"{sum(moderate_severe)} of them moderate or severe."
    )
    if len(ranked) > 1:
        most = max(ranked, key=lambda row: row.headache_days)
        fewest = min(ranked, key=lambda row: row.headache_days)
        summary += (
            f" Most in {month_text(most.month)} ({most.headache_days} of "
            f"{plural_text(most.days_logged, 'logged day')}), fewest in {month_text(fewest.month)} "
            f"({fewest.headache_days} of {fewest.days_logged})."
        )
    if counted:
        latest, days_so_far = counted[-1]
        summary += (
            f" {month_text(latest.month)}: "
            f"{plural_text(latest.headache_days, 'headache day')}, "
            f"{latest.days_logged} of {plural_text(days_so_far, 'day')} logged."
        )
    return figure(
        chart,
        data,
        summary,
        (first, last),
        subtitle=f"{span_text(first, last)} · {total_logged} of {plural_text(total_days, 'day')} logged",
        height=340,
        **month_bars(first, last),
        yaxis={"range": [0, 31.5], "tickvals": [0, 10, 20, 30], "title": {"text": "Days"}},
    )
