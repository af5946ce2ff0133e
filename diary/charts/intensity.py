"""Daily peak intensity with treatment sessions as dashed lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import clinical
from .style import DAY_HOVER, DAY_MS, FREE, HEADACHE, day_axis_range, hatched, layout, \
    session_line, session_markers
from .words import mean_text, sessions_text, span_text

if TYPE_CHECKING:
    from . import Chart
    from .ranges import ChartInput

MISSING_BAND = 11.8  # a not-logged day is a hatched band over the whole intensity scale


def draw(chart: Chart, given: ChartInput) -> dict:
    """One value a day from `first` to `last`: the peak, a green dot at 0, or a grey band."""
    first, last = given.time_range
    index = clinical.index_days(given.days)
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
    marked = sorted(s.date for s in given.sessions if first <= s.date <= last)
    dense = count > 400
    start = first.isoformat()
    data = [
        {"type": "bar", "name": "Not logged", "x0": start, "dx": DAY_MS, "y": missing,
         "base": -0.6, "width": DAY_MS, "marker": hatched(), "hovertemplate":
         f"{DAY_HOVER}: not logged<extra></extra>"},
        {"type": "scatter", "mode": "lines" if dense else "lines+markers",
         "name": "Peak intensity", "x0": start, "dx": DAY_MS, "y": peak, "connectgaps": False,
         "line": {"color": HEADACHE, "width": 1 if dense else 1.5},
         "marker": {"color": HEADACHE, "size": 4},
         "hovertemplate": f"{DAY_HOVER}: peak %{{y}}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": "No headache (logged)", "x0": start,
         "dx": DAY_MS, "y": free,
         "marker": {"color": FREE, "size": 4 if dense else 7, "symbol": "circle"},
         "hovertemplate": f"{DAY_HOVER}: no headache<extra></extra>"},
    ]
    shapes = []
    if marked:
        data.append(session_markers(marked, 10.6))
        shapes = [session_line(d) for d in marked]
    figures = clinical.period_figures(index, first, last)
    summary = (f"{span_text(first, last)}: {figures.days_logged} of {count} days logged, "
               f"{count - figures.days_logged} not logged. {figures.headache_days} headache days"
               f"{mean_text(figures.mean_peak_intensity)}, "
               f"{figures.moderate_severe_days} of them moderate or severe "
               f"(peak {clinical.MODERATE_SEVERE_PEAK} or more); "
               f"{figures.days_logged - figures.headache_days} logged days without headache. "
               + sessions_text(marked))
    return {"data": data, "layout": layout(
        chart, summary, first, last,
        subtitle=f"{span_text(first, last)} · {figures.days_logged} of {count} days logged",
        height=340,
        xaxis={"type": "date", "range": day_axis_range(first, last), "nticks": 6},
        yaxis={"range": [-0.6, 11.2], "tickvals": [0, 2, 4, 6, 8, 10],
               "title": {"text": "Peak intensity (0-10)"}},
        bargap=0, shapes=shapes)}
