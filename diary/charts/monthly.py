"""Per month: moderate/severe, mild and headache-free days and days not logged, stacked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import clinical
from .ranges import elapsed_days, months_span
from .style import StackedDays, figure, month_bars, month_trace_axis, stacked_day_bars
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
    counts = StackedDays()
    for row, days in zip(rows, elapsed):
        counts.add(days, row.days_logged, row.headache_days, row.moderate_severe_days)
    data = stacked_day_bars(months, counts, dotted_mild=True, **month_trace_axis())
    total_logged, total_days = sum(counts.logged), sum(elapsed)
    first, last = months_span(rows, today)
    counted = [(row, e) for row, e in zip(rows, elapsed) if e]
    # Most and fewest only among months with something logged: a month with nothing logged had
    # no known headache days, not the fewest.
    ranked = [row for row, _ in counted if row.days_logged]
    summary = (
        f"{span_text(first, last)}: {total_logged} of {plural_text(total_days, 'day')} "
        f"logged, {total_days - total_logged} not logged. "
        f"{plural_text(sum(r.headache_days for r in rows), 'headache day')}, "
        f"{sum(counts.moderate_severe)} of them moderate or severe."
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
