"""Muscle soreness on each day after each session, one line a session."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from .. import clinical
from ..clinical.effects import PROLONGED_FROM_DAY, PROLONGED_SORENESS, RESOLVED_SORENESS
from .ranges import elapsed_between
from .style import MISSING, SERIES, figure
from .words import plural_text

if TYPE_CHECKING:
    from . import Chart
    from .ranges import ChartInput

SETTLES_BY = PROLONGED_FROM_DAY - 1  # the last day soreness normally lasts


def draw(chart: Chart, given: ChartInput) -> dict:
    """A line a session over the `window` days after it; gaps and hollow markers where not logged.

    The registry shows at most len(SERIES) sessions: each has its own colour and marker shape.
    """
    today, window = given.today, given.window
    shown = chart.range.effects(given)
    effects, labels = shown.effects, shown.labels
    index = clinical.index_days(given.days)
    data: list[dict] = []
    gap_x: list[int] = []
    gap_y: list[float] = []
    gap_symbol: list[str] = []
    gap_label: list[str] = []
    for k, (effect, label) in enumerate(zip(effects, labels)):
        colour, symbol = SERIES[k]
        values: list[int | None] = []
        for offset in range(elapsed_between(effect.after.from_date, effect.after.to_date, today)):
            day = index.get(effect.after.from_date + timedelta(days=offset))
            value = day.soreness if day is not None else None
            values.append(value)
            if value is None:
                gap_x.append(offset + 1)
                gap_y.append(round(-0.7 - 0.35 * k, 2))
                gap_symbol.append(f"{symbol}-open")
                gap_label.append(
                    f"{label}, day {offset + 1}: "
                    + ("soreness not recorded" if day is not None else "not logged")
                )
        name = label + (f" (sore after day {SETTLES_BY})" if effect.prolonged_soreness else "")
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x0": 1,
                "dx": 1,
                "y": values,
                "connectgaps": False,
                "line": {"color": colour, "width": 2},
                "marker": {"color": colour, "symbol": symbol, "size": 8},
                "hovertemplate": f"{label}, day %{{x}}: soreness %{{y}}<extra></extra>",
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": "Not logged (hollow, below 0)",
            "x": gap_x or [None],
            "y": gap_y or [None],
            "customdata": gap_label,
            "marker": {
                "color": MISSING,
                "symbol": gap_symbol or "circle-open",
                "size": 8,
                "line": {"width": 1.5},
            },
            "hovertemplate": "%{customdata}<extra></extra>",
        }
    )
    bottom = -0.7 - 0.35 * max(len(effects) - 1, 0) - 0.5
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "y",
            "x0": PROLONGED_FROM_DAY - 0.5,
            "x1": window + 0.5,
            "y0": PROLONGED_SORENESS - 0.5,
            "y1": 10.5,
            "layer": "below",
            "fillcolor": "rgba(213,94,0,0.08)",
            "line": {"width": 0},
        },
    ]
    annotations = [
        {
            "xref": "paper",
            "x": 1,
            "xanchor": "right",
            "yref": "y",
            "y": 10.5,
            "yanchor": "top",
            "text": f"Still sore ({PROLONGED_SORENESS}+) from day {PROLONGED_FROM_DAY}: worth a look",
            "showarrow": False,
            "font": {"size": 12},
        },
    ]
    about = shown.about
    parts = []
    for effect, label in zip(effects, labels):
        highest = effect.after.max_soreness
        parts.append(
            f"{label}, highest {highest if highest is not None else 'not recorded'}, "
            + (
                f"settled (0-{RESOLVED_SORENESS}) on day {effect.soreness_resolved_day}"
                if effect.soreness_resolved_day
                else "not recorded as settled"
            )
            + (
                f", still sore ({PROLONGED_SORENESS}+) after day {SETTLES_BY}: worth a look"
                if effect.prolonged_soreness
                else ""
            )
        )
    summary = f"Muscle soreness (0-10) on the days after each session, {about}" + (
        ": " + "; ".join(parts) + "." if parts else ". No treatment session yet."
    )
    return figure(
        chart,
        data,
        summary,
        shown.span,
        subtitle=f"Up to {plural_text(window, 'day')} after each session · {about}",
        height=360,
        xaxis={
            "range": [0.5, window + 0.5],
            "dtick": 1 if window <= 14 else 7,
            "tick0": 1 if window <= 14 else 7,
            "title": {"text": "Days after the session"},
        },
        yaxis={
            "range": [bottom, 10.6],
            "tickvals": [0, 2, 4, 6, 8, 10],
            "title": {"text": "Soreness (0-10)"},
        },
        shapes=shapes,
        annotations=annotations,
    )
