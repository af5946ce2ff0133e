"""Headache days, headache-free days and days not logged before and after each session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .ranges import elapsed_between
from .style import FREE, HEADACHE, figure, hatched
from .words import mean_text, plural_text

if TYPE_CHECKING:
    from . import Chart
    from .ranges import ChartInput


def draw(chart: Chart, given: ChartInput) -> dict:
    """A pair of stacked bars a session: its `window` days before (pre) and after (post)."""
    today, window, words = given.today, given.window, given.words
    shown = chart.range.effects(given)
    effects, labels = shown.effects, shown.labels
    outer: list[str] = []
    inner: list[str] = []
    headache: list[int] = []
    free: list[int] = []
    missing: list[int] = []
    details: list[str] = []
    for effect, label in zip(effects, labels):
        for side, name in ((effect.before, "pre"), (effect.after, "post")):
            span = elapsed_between(side.from_date, side.to_date, today)
            outer.append(label)
            inner.append(name)
            headache.append(side.headache_days)
            free.append(side.days_logged - side.headache_days)
            missing.append(max(0, span - side.days_logged))
            details.append(
                f"{label} {name}: {plural_text(side.headache_days, 'headache day')} of "
                f"{side.days_logged} logged ({plural_text(span, 'day')})"
                f"{mean_text(side.mean_peak_intensity, words)}, "
                f"{words.medication_count(side.acute_medication_days)}"
            )
    x = [outer, inner]
    data = [
        {
            "type": "bar",
            "name": "Headache days",
            "x": x,
            "y": headache,
            "customdata": details,
            "marker": {"color": HEADACHE, "line": {"width": 0}},
            "hovertemplate": "%{customdata}<extra></extra>",
        },
        {
            "type": "bar",
            "name": "No headache (logged)",
            "x": x,
            "y": free,
            "customdata": [plural_text(n, "day") for n in free],
            "marker": {"color": FREE, "line": {"width": 0}},
            "hovertemplate": "%{customdata} without headache<extra></extra>",
        },
        {
            "type": "bar",
            "name": "Not logged",
            "x": x,
            "y": missing,
            "marker": hatched(),
            "customdata": [plural_text(n, "day") for n in missing],
            "hovertemplate": "%{customdata} not logged<extra></extra>",
        },
    ]
    about = shown.about
    summary = f"Headache days in the {plural_text(window, 'day')} before and after each session, {about}" + (
        ": "
        + "; ".join(
            f"{label}, {e.before.headache_days} before and "
            f"{e.after.headache_days} after (days logged: {e.before.days_logged} "
            f"and {e.after.days_logged})"
            for e, label in zip(effects, labels)
        )
        + "."
        if effects
        else ". No treatment session yet."
    )
    return figure(
        chart,
        data,
        summary,
        shown.span,
        subtitle=f"{plural_text(window, 'day')} before (pre) and after (post) · {about}",
        height=360,
        barmode="stack",
        bargap=0.2,
        # Level labels for up to 6 sessions; past that plotly.js picks the angle (its default,
        # "auto", which Python plotly's validator refuses to be written out).
        xaxis={
            "type": "multicategory",
            "tickfont": {"size": 12},
            **({"tickangle": 0} if len(effects) <= 6 else {}),
        },
        yaxis={"range": [0, window + 0.5], "title": {"text": "Days"}, "nticks": 6},
    )
