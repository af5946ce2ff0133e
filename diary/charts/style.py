"""The look every chart shares: colours, fonts, the layout, hatching and session marks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .. import clinical
from ..clinical.periods import Month

if TYPE_CHECKING:
    from . import Chart

ONE_DAY = timedelta(days=1)
DAY_MS = 86_400_000  # `dx` of a daily series on a date axis, in milliseconds
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Legend names of the severity bands of docs/clinical-rules.md 2: "Mild (1-3)", ...
BAND_NAMES = {
    band: f"{band.capitalize()} ({numbers[0]}-{numbers[-1]})" for band, numbers in clinical.SEVERITY_BANDS
}
MODERATE_SEVERE_NAME = (
    f"Moderate or severe ({clinical.MODERATE_SEVERE_PEAK}-{clinical.SEVERITY_BANDS[-1][1][-1]})"
)

# Colours: the app's severity scale (light to dark), Okabe-Ito for the rest.
TEXT = "#16212b"
GRID = "#e3e8ed"
AXIS_LINE = "#8a99a6"
MISSING = "#8a99a6"  # grey: hollow markers and hatching
MISSING_FILL = "rgba(138,153,166,0.16)"
FREE = "#009e73"  # bluish green
MILD = "#f7d774"
MODERATE = "#e9872a"
SEVERE = "#a11f24"
HEADACHE = "#0072b2"  # blue: headache days and intensity, where severity is not split
SESSION = TEXT  # sessions are drawn in ink: dashed lines, triangles, frames
PAPER = "#ffffff"  # static/js/charts.js swaps TEXT, PAPER and GRID for the page's colours
CLASS_STYLE = {  # acute class -> (colour, hatching); its legend name is the reader's (words.py)
    "non_opioid_analgesic": ("#56b4e9", ""),
    "triptan": ("#e69f00", "/"),
    "ergot": ("#cc79a7", "x"),
    "opioid": ("#d55e00", "."),
    "combination_analgesic": ("#0072b2", "\\"),
    "other_acute": ("#009e73", "-"),
}
SERIES = (  # one per session on the soreness chart: colour and marker shape differ together
    ("#0072b2", "circle"),
    ("#e69f00", "square"),
    ("#009e73", "diamond"),
    ("#cc79a7", "triangle-up"),
    ("#d55e00", "cross"),
    ("#56b4e9", "x"),
)
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13, "color": TEXT}
DAY_HOVER = "%{x|%a %-d %b %Y}"


def layout(
    chart: Chart,
    summary: str,
    first: date | None,
    last: date | None,
    *,
    subtitle: str,
    height: int,
    xaxis: dict,
    yaxis: dict,
    **extra,
) -> dict:
    """The layout of a figure: title, meta, phone-sized legend and fixed axes."""
    axis = {
        "fixedrange": True,
        "automargin": True,
        "gridcolor": GRID,
        "linecolor": AXIS_LINE,
        "zeroline": False,
        "tickfont": {"size": 12},
        "title": {"font": {"size": 12}},
    }
    result = {
        "title": {
            "text": chart.title,
            "x": 0,
            "xanchor": "left",
            "xref": "paper",
            "y": 0.98,
            "yanchor": "top",
            "font": {"size": 16},
            "subtitle": {"text": subtitle, "font": {"size": 12}},
        },
        "meta": {
            "chart": chart.name,
            "summary": summary,
            "from": first.isoformat() if first else None,
            "to": last.isoformat() if last else None,
        },
        "font": FONT,
        "height": height,
        "autosize": True,
        "margin": {"l": 8, "r": 8, "t": 64, "b": 8},
        "paper_bgcolor": PAPER,
        "plot_bgcolor": PAPER,
        "showlegend": True,
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "font": {"size": 12},
            "traceorder": "normal",
        },
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": 13}},
        "dragmode": False,
        "xaxis": _merge(axis, xaxis),
        "yaxis": _merge(axis, yaxis),
    }
    result.update(extra)
    return result


def figure(
    chart: Chart, data: list[dict], summary: str, span: tuple[date | None, date | None], **args
) -> dict:
    """A figure: its traces and the shared layout over `span`, (first, last) (`layout`'s
    keyword arguments in `args`)."""
    return {"data": data, "layout": layout(chart, summary, *span, **args)}


def stacked_bars(xaxis: dict, gap: float) -> dict:
    """The layout arguments of bars stacked a period (a week, a month), one hover label for the
    period."""
    return {"barmode": "stack", "bargap": gap, "hovermode": "x unified", "xaxis": xaxis}


def month_bars(first: date | None, last: date | None) -> dict:
    """The layout arguments of stacked bars a month."""
    return stacked_bars(month_axis(first, last), 0.25)


@dataclass
class StackedDays:
    """The days of each period (a week, a month) as stacked bars count them."""

    moderate_severe: list[int] = field(default_factory=list)
    mild: list[int] = field(default_factory=list)
    free: list[int] = field(default_factory=list)  # logged without headache
    missing: list[int] = field(default_factory=list)  # come and not logged
    logged: list[int] = field(default_factory=list)

    def add(self, days: int, logged: int, headache_days: int, moderate_severe_days: int) -> None:
        """The next period: `days` days that have come, `logged` of them logged."""
        self.moderate_severe.append(moderate_severe_days)
        self.mild.append(headache_days - moderate_severe_days)
        self.free.append(logged - headache_days)
        self.missing.append(max(0, days - logged))
        self.logged.append(logged)


def stacked_day_bars(
    x: list[str],
    counts: StackedDays,
    *,
    dotted_mild: bool = False,
    **placing,
) -> list[dict]:
    """The days of each period (a week, a month) as four stacked bars, bottom to top: moderate or
    severe, mild, no headache (logged), and not logged (hatched, never headache-free). `x` is
    where each period's bar stands, `placing` how a bar sits on the date axis (its width, hover
    format, period); `dotted_mild` dots the mild bars too."""
    mild = {"color": MILD, "line": {"color": MODERATE, "width": 1}}
    if dotted_mild:
        mild["pattern"] = {
            "shape": ".",
            "fgcolor": MODERATE,
            "size": 5,
            "solidity": 0.2,
            "fillmode": "overlay",
        }
    bars = [
        (
            MODERATE_SEVERE_NAME,
            counts.moderate_severe,
            {"color": SEVERE, "line": {"width": 0}},
            "moderate or severe",
        ),
        (BAND_NAMES["mild"], counts.mild, mild, "mild"),
        ("No headache (logged)", counts.free, {"color": FREE, "line": {"width": 0}}, "without headache"),
    ]
    data = [
        {
            "type": "bar",
            "name": name,
            "x": x,
            "y": y,
            **placing,
            "marker": marker,
            "hovertemplate": f"%{{y}} {what}<extra></extra>",
        }
        for name, y, marker, what in bars
    ]
    data.append(
        {
            "type": "bar",
            "name": "Not logged",
            "x": x,
            "y": counts.missing,
            **placing,
            "customdata": counts.logged,
            "marker": hatched(),
            "hovertemplate": "%{y} not logged (%{customdata} logged)<extra></extra>",
        }
    )
    return data


def _merge(base: dict, over: dict) -> dict:
    merged = {**base, **over}
    if "title" in over:
        merged["title"] = {**base["title"], **over["title"]}
    return merged


def hatched() -> dict:
    """Grey hatching: how every chart draws days that were not logged."""
    return {
        "color": MISSING_FILL,
        "line": {"width": 0},
        "pattern": {"shape": "/", "fgcolor": MISSING, "size": 6, "solidity": 0.3, "fillmode": "overlay"},
    }


def session_line(day: date) -> dict:
    """A dashed line over the whole plot on the date of a session."""
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": day.isoformat(),
        "x1": day.isoformat(),
        "y0": 0,
        "y1": 1,
        "layer": "above",
        "line": {"color": SESSION, "width": 1.5, "dash": "dash"},
    }


def session_markers(dates: Sequence[date], y: float) -> dict:
    """A triangle at height `y` on the date of each session."""
    return {
        "type": "scatter",
        "mode": "markers",
        "name": "Treatment session",
        "x": [d.isoformat() for d in dates],
        "y": [y] * len(dates),
        "cliponaxis": False,
        "marker": {"symbol": "triangle-down", "color": SESSION, "size": 11},
        "hovertemplate": "Treatment session %{x|%a %-d %b %Y}<extra></extra>",
    }


def month_trace_axis() -> dict:
    """What a trace of one value a month needs to sit in the middle of its month."""
    return {"xperiod": "M1", "xperiodalignment": "middle", "xhoverformat": "%B %Y"}


def month_axis(first: date | None, last: date | None) -> dict:
    """A date axis of whole months, with fewer ticks the more months it shows."""
    axis: dict = {"type": "date", "nticks": 7, "showgrid": False, "ticklabelmode": "period"}
    if first and last:
        axis["range"] = [first.isoformat(), (Month.of(last).last_day + ONE_DAY).isoformat()]
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        axis["dtick"] = "M1" if months <= 7 else "M2" if months <= 14 else "M6" if months <= 36 else "M12"
        axis["tickformat"] = "%b %Y" if months > 14 else "%b"
    return axis


def week_axis(monday: date, last: date) -> dict:
    """A date axis of whole weeks, from `monday` to the Sunday of the week of `last`."""
    end = last - timedelta(days=last.weekday()) + timedelta(days=7)
    return {"type": "date", "range": [monday.isoformat(), end.isoformat()], "nticks": 6}


def day_axis_range(first: date, last: date) -> list[str]:
    """A date axis from the middle of the day before `first` to the middle of `last`."""
    return [f"{(first - ONE_DAY).isoformat()} 12:00", f"{last.isoformat()} 12:00"]
