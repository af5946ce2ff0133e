"""Figures of the diary's charts: plain data in, plotly figure dicts out (docs/api.md "Figures and charts").

No queries, no Flask and no `plotly.graph_objects`: a figure is a plain dict in plotly's figure
format, `{"data": [...], "layout": {...}}`, that the API serialises with orjson and the page
hands to `Plotly.newPlot` as it is (validating with graph_objects costs 35-160 ms a figure,
docs/performance.md). Every number comes from `diary.clinical`, so the charts follow
docs/clinical-rules.md exactly as the figures endpoints do.

What every figure keeps:
- `layout.title.text` names the chart; `layout.meta` is
  `{"chart": name, "summary": "...", "from": "YYYY-MM-DD" or null, "to": ...}`, where `summary`
  is a short plain-text account of the chart for screen readers (static/js/charts.js shows it
  next to the drawing and points `aria-describedby` at it).
- A missing day (no day record) never looks like a headache-free day. Headache-free is green
  (a filled circle, or a solid green bar segment); missing is grey and hollow or hatched (a
  hatched band, a hollow marker, a gap in a line), and the legend names both.
- Colour never carries meaning alone: severity runs light to dark (it reads in grey too) and
  goes with position, marker shape, hatching and words in the legend and hover labels.
  Colours are those of static/css/app.css and the Okabe-Ito palette.
- Readable on a 390 px phone: horizontal legend at the bottom, few ticks, fonts of 12 px or
  more, fixed axes (a finger scrolls the page instead of zooming the chart).
- Small over 5 years: daily series are one value a day from `x0` with a step `dx` of one day,
  never a list of dates; nothing in hover labels repeats per point what the axes already say.
- Hover and label text carries no `<b>`, `<i>` or `<sup>`: plotly writes those as inline
  `style` attributes, which the Content Security Policy (style-src 'self') refuses.
- TEXT, PAPER and GRID are the light scheme's ink, background and grid: static/js/charts.js
  swaps them for the page's colours, so a chart follows a dark scheme too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from . import clinical
from .clinical import DayFacts, MonthRow, SessionEffect, SessionFacts
from .clinical.days import is_acute_medication_day
from .clinical.effects import DEFAULT_WINDOW, PROLONGED_FROM_DAY, PROLONGED_SORENESS
from .clinical.overuse import CLASS_DAY_LIMITS, MULTIPLE_CLASSES_ACUTE_DAYS
from .clinical.periods import Month

NAMES = ("intensity", "monthly", "medication", "sessions", "soreness", "calendar")
TITLES = {
    "intensity": "Daily peak headache intensity",
    "monthly": "Headache days by month",
    "medication": "Acute medication days by month",
    "sessions": "Headache days around sessions",
    "soreness": "Muscle soreness after each session",
    "calendar": "Headache calendar",
}
DEFAULT_MONTHS = {"intensity": 6, "calendar": 6, "monthly": 12, "medication": 12}
MAX_DAYS = 2000  # the longest range a chart draws (5 years of diary is 1,827 days)
MAX_SESSIONS = {"sessions": 12, "soreness": 6}  # the most recent ones in the range
# Class days a month from which a class is overuse (ICHD-3 8.2): 10 for most acute classes,
# 15 for non-opioids; the chart draws a line at each.
ICHD3_LIMITS = tuple(sorted(set(CLASS_DAY_LIMITS.values())))
_NON_OPIOID_LIMIT = CLASS_DAY_LIMITS["non_opioid_analgesic"]
_CLASS_LIMIT = CLASS_DAY_LIMITS["triptan"]

ONE_DAY = timedelta(days=1)
DAY_MS = 86_400_000  # `dx` of a daily series on a date axis, in milliseconds
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Legend names of the severity bands of docs/clinical-rules.md 2: "Mild (1-3)", ...
BAND_NAMES = {band: f"{band.capitalize()} ({numbers[0]}-{numbers[-1]})"
              for band, numbers in clinical.SEVERITY_BANDS}
MODERATE_SEVERE_NAME = (f"Moderate or severe ({clinical.MODERATE_SEVERE_PEAK}-"
                        f"{clinical.SEVERITY_BANDS[-1][1][-1]})")

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
CLASS_STYLE = {  # acute class -> (legend name, colour, hatching)
    "non_opioid_analgesic": ("Non-opioid painkillers", "#56b4e9", ""),
    "triptan": ("Triptans", "#e69f00", "/"),
    "ergot": ("Ergots", "#cc79a7", "x"),
    "opioid": ("Opioids", "#d55e00", "."),
    "combination_analgesic": ("Combination painkillers", "#0072b2", "\\"),
    "other_acute": ("Other migraine medicines", "#009e73", "-"),
}
SERIES = (  # one per session on the soreness chart: colour and marker shape differ together
    ("#0072b2", "circle"), ("#e69f00", "square"), ("#009e73", "diamond"),
    ("#cc79a7", "triangle-up"), ("#d55e00", "cross"), ("#56b4e9", "x"),
)
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13,
        "color": TEXT}
DAY_HOVER = "%{x|%a %-d %b %Y}"
MISSING_BAND = 11.8  # a not-logged day is a hatched band over the whole intensity scale


class RangeError(ValueError):
    """A requested range the charts cannot draw; `field` names the query parameter at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


# -- Ranges: what a chart shows and which days it reads ----------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (earlier when negative), clamped to the month's end."""
    month = Month.of(day).shift(months)
    return date(month.year, month.month, min(day.day, month.days))


def default_first_day(name: str, today: date) -> date:
    """The first day a time chart shows when no `from` is given."""
    if name in ("monthly", "medication"):
        return Month.of(today).shift(1 - DEFAULT_MONTHS[name]).first_day
    return add_months(today, -DEFAULT_MONTHS[name]) + ONE_DAY


def resolve_range(name: str, today: date, first: date | None = None,
                  last: date | None = None) -> tuple[date | None, date | None]:
    """The range a chart covers. Time charts: default the last 6 months (12 for the monthly
    ones), never past today, at most MAX_DAYS. Session charts: the sessions from `first` to
    `last`, each bound open when not given. Raises RangeError for a range it cannot draw."""
    if name not in NAMES:
        raise KeyError(name)
    if first is not None and last is not None and first > last:
        raise RangeError("from", "`from` is after `to`.")
    if name in MAX_SESSIONS:
        return first, last
    last = min(last or today, today)  # days after today are not missing, they have not come yet
    first = first or default_first_day(name, min(last, today))
    if name in ("monthly", "medication"):
        first = Month.of(first).first_day
    if first > last:
        raise RangeError("from", "`from` is after today.")
    if (last - first).days + 1 > MAX_DAYS:
        raise RangeError("from", f"Ask for at most {MAX_DAYS} days at a time.")
    return first, last


def reads_sessions(name: str) -> bool:
    """True when the chart needs the patient's treatment sessions (all charts but two)."""
    return name not in ("monthly", "medication")


def shown_sessions(name: str, sessions: Iterable[SessionFacts], first: date | None,
                   last: date | None) -> list[SessionFacts]:
    """The sessions a session chart draws: those in the range, the most recent MAX_SESSIONS."""
    chosen = [s for s in sorted(sessions, key=lambda s: s.date)
              if (first is None or s.date >= first) and (last is None or s.date <= last)]
    return chosen[-MAX_SESSIONS[name]:]


def days_to_load(name: str, first: date | None, last: date | None,
                 sessions: Sequence[SessionFacts], today: date, window: int = DEFAULT_WINDOW
                 ) -> tuple[date, date] | None:
    """The dates whose day records the chart reads (one query), or None when it reads none."""
    if name in MAX_SESSIONS:
        chosen = shown_sessions(name, sessions, first, last)
        return clinical.effects_window(chosen, window, today) if chosen else None
    if first is None or last is None:
        raise ValueError(f"the range of {name} comes from resolve_range")
    if name == "calendar":
        first = first - timedelta(days=first.weekday())
    return first, last


def build(name: str, days: Iterable[DayFacts], session_facts: Sequence[SessionFacts], today: date,
          first: date | None = None, last: date | None = None,
          window: int = DEFAULT_WINDOW) -> dict:
    """The figure of chart `name` from the days `days_to_load` named (range from resolve_range)."""
    if name == "intensity":
        return intensity(days, session_facts, today, first, last)
    if name == "calendar":
        return calendar(days, session_facts, today, first, last)
    if name in ("monthly", "medication"):
        first, last = resolve_range(name, today, first, last)
        rows = clinical.month_rows(days, first, last)
        return monthly(rows, today) if name == "monthly" else medication(rows, today)
    chosen = shown_sessions(name, session_facts, first, last)
    wanted = {s.id for s in chosen}
    # Every session goes in: the next session cuts a session's after window short.
    effects = [e for e in clinical.session_effects(days, session_facts, today, window)
               if e.session_id in wanted]
    total = _count_in(session_facts, first, last)
    if name == "sessions":
        return sessions(effects, today, window=window, total=total)
    if name == "soreness":
        return soreness(days, effects, today, window=window, total=total)
    raise KeyError(name)


def _count_in(sessions: Iterable[SessionFacts], first: date | None, last: date | None) -> int:
    return sum(1 for s in sessions
               if (first is None or s.date >= first) and (last is None or s.date <= last))


# -- The charts ---------------------------------------------------------------------------------

def intensity(days: Iterable[DayFacts], sessions: Iterable[SessionFacts], today: date,
              first: date | None = None, last: date | None = None) -> dict:
    """Daily peak intensity (default the last 6 months) with treatment sessions as dashed lines."""
    first, last = resolve_range("intensity", today, first, last)
    index = clinical.index_days(days)
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
    marked = sorted(s.date for s in sessions if first <= s.date <= last)
    dense = count > 400
    start = first.isoformat()
    data = [
        {"type": "bar", "name": "Not logged", "x0": start, "dx": DAY_MS, "y": missing,
         "base": -0.6, "width": DAY_MS, "marker": _hatched(), "hovertemplate":
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
        data.append(_session_markers(marked, 10.6))
        shapes = [_session_line(d) for d in marked]
    figures = clinical.period_figures(index, first, last)
    summary = (f"{_span_text(first, last)}: {figures.days_logged} of {count} days logged, "
               f"{count - figures.days_logged} not logged. {figures.headache_days} headache days"
               f"{_mean_text(figures.mean_peak_intensity)}, "
               f"{figures.moderate_severe_days} of them moderate or severe "
               f"(peak {clinical.MODERATE_SEVERE_PEAK} or more); "
               f"{figures.days_logged - figures.headache_days} logged days without headache. "
               + _sessions_text(marked))
    layout = _layout(
        "intensity", TITLES["intensity"], summary, first, last,
        subtitle=f"{_span_text(first, last)} · {figures.days_logged} of {count} days logged",
        height=340,
        xaxis={"type": "date", "range": _day_axis_range(first, last), "nticks": 6},
        yaxis={"range": [-0.6, 11.2], "tickvals": [0, 2, 4, 6, 8, 10],
               "title": {"text": "Peak intensity (0-10)"}},
        bargap=0, shapes=shapes)
    return {"data": data, "layout": layout}


def monthly(rows: Sequence[MonthRow], today: date) -> dict:
    """Per month: moderate/severe, mild and headache-free days and days not logged, stacked."""
    months = [row.month for row in rows]
    elapsed = [_elapsed_days(row.month, today) for row in rows]
    moderate_severe = [row.moderate_severe_days for row in rows]
    mild = [row.headache_days - row.moderate_severe_days for row in rows]
    free = [row.days_logged - row.headache_days for row in rows]
    missing = [max(0, e - row.days_logged) for row, e in zip(rows, elapsed)]
    logged = [row.days_logged for row in rows]
    month_axis = _month_trace_axis()
    data = [
        {"type": "bar", "name": MODERATE_SEVERE_NAME, "x": months, "y": moderate_severe,
         **month_axis, "marker": {"color": SEVERE, "line": {"width": 0}},
         "hovertemplate": "%{y} moderate or severe<extra></extra>"},
        {"type": "bar", "name": BAND_NAMES["mild"], "x": months, "y": mild, **month_axis,
         "marker": {"color": MILD, "line": {"color": MODERATE, "width": 1},
                    "pattern": {"shape": ".", "fgcolor": MODERATE, "size": 5, "solidity": 0.2,
                                "fillmode": "overlay"}},
         "hovertemplate": "%{y} mild<extra></extra>"},
        {"type": "bar", "name": "No headache (logged)", "x": months, "y": free, **month_axis,
         "marker": {"color": FREE, "line": {"width": 0}},
         "hovertemplate": "%{y} without headache<extra></extra>"},
        {"type": "bar", "name": "Not logged", "x": months, "y": missing, **month_axis,
         "customdata": logged, "marker": _hatched(),
         "hovertemplate": "%{y} not logged (%{customdata} logged)<extra></extra>"},
    ]
    total_logged, total_days = sum(logged), sum(elapsed)
    first, last = _months_span(rows, today)
    counted = [(row, e) for row, e in zip(rows, elapsed) if e]
    summary = (f"{_span_text(first, last)}: {total_logged} of {total_days} days logged, "
               f"{total_days - total_logged} not logged. {sum(r.headache_days for r in rows)} "
               f"headache days, {sum(moderate_severe)} of them moderate or severe.")
    if len(counted) > 1:
        most = max(counted, key=lambda pair: pair[0].headache_days)[0]
        fewest = min(counted, key=lambda pair: pair[0].headache_days)[0]
        summary += (f" Most in {_month_text(most.month)} ({most.headache_days}), fewest in "
                    f"{_month_text(fewest.month)} ({fewest.headache_days}).")
    if counted:
        latest, days_so_far = counted[-1]
        summary += (f" {_month_text(latest.month)}: {latest.headache_days} headache days, "
                    f"{latest.days_logged} of {days_so_far} days logged.")
    layout = _layout(
        "monthly", TITLES["monthly"], summary, first, last,
        subtitle=f"{_span_text(first, last)} · {total_logged} of {total_days} days logged",
        height=340, barmode="stack", bargap=0.25, hovermode="x unified",
        xaxis=_month_axis(first, last), yaxis={"range": [0, 31.5], "tickvals": [0, 10, 20, 30],
                                               "title": {"text": "Days"}})
    return {"data": data, "layout": layout}


def medication(rows: Sequence[MonthRow], today: date) -> dict:
    """Class days of each acute class per month, stacked, with the ICHD-3 limits of 10 and 15."""
    months = [row.month for row in rows]
    elapsed = [_elapsed_days(row.month, today) for row in rows]
    month_axis = _month_trace_axis()
    data: list[dict] = []
    for drug_class in clinical.ACUTE_CLASSES:
        counts = [row.medication_days.of_class(drug_class) for row in rows]
        if not any(counts):
            continue
        name, colour, hatch = CLASS_STYLE[drug_class]
        data.append({"type": "bar", "name": name, "x": months, "y": counts, **month_axis,
                     "marker": {"color": colour, "line": {"color": TEXT, "width": 0.5},
                                "pattern": {"shape": hatch, "fgcolor": TEXT, "size": 6,
                                            "solidity": 0.25, "fillmode": "overlay"}},
                     "hovertemplate": f"%{{y}} {name.lower()}<extra></extra>"})
    acute = [row.medication_days.acute if row.days_logged else None for row in rows]
    reasons = [", ".join(_REASON_WORDS[r] for r in row.overuse_reasons) or "none" for row in rows]
    missing = [max(0, e - row.days_logged) or None for row, e in zip(rows, elapsed)]
    data.append({"type": "scatter", "mode": "lines+markers", "name": "Acute medication days",
                 "x": months, "y": acute, **month_axis, "customdata": reasons,
                 "line": {"color": TEXT, "width": 1.5},
                 "marker": {"color": TEXT, "symbol": "diamond", "size": 8},
                 "hovertemplate": "%{y} acute medication days; overuse: %{customdata}<extra></extra>"})
    data.append({"type": "scatter", "mode": "markers", "name": "Days not logged", "x": months,
                 "y": missing, **month_axis,
                 "marker": {"color": MISSING, "symbol": "circle-open", "size": 9,
                            "line": {"width": 2}},
                 "hovertemplate": "%{y} days not logged<extra></extra>"})
    top = max([*ICHD3_LIMITS, *(sum(row.medication_days.of_class(c) for c in clinical.ACUTE_CLASSES)
                     for row in rows), *(m or 0 for m in missing)]) + 2
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": limit,
               "y1": limit, "line": {"color": TEXT, "width": 1.5, "dash": dash}, "layer": "above"}
              for limit, dash in zip(ICHD3_LIMITS, ("dash", "dot"))]
    annotations = [
        {"xref": "paper", "x": 0, "xanchor": "left", "yref": "y", "y": _CLASS_LIMIT, "yanchor": "bottom",
         "text": f"{_CLASS_LIMIT} days: triptans, ergots, opioids, combinations", "showarrow": False,
         "font": {"size": 12}, "bgcolor": PAPER},
        {"xref": "paper", "x": 0, "xanchor": "left", "yref": "y", "y": _NON_OPIOID_LIMIT, "yanchor": "bottom",
         "text": f"{_NON_OPIOID_LIMIT} days: non-opioid painkillers", "showarrow": False, "font": {"size": 12},
         "bgcolor": PAPER},
    ]
    first, last = _months_span(rows, today)
    logged, total_days = sum(row.days_logged for row in rows), sum(elapsed)
    overuse = [row for row in rows if row.overuse_reasons]
    by_class = [f"{CLASS_STYLE[c][0].lower()} on {days_of} days" for c in clinical.ACUTE_CLASSES
                if (days_of := sum(row.medication_days.of_class(c) for row in rows))]
    summary = (f"{_span_text(first, last)}: {sum(row.medication_days.acute for row in rows)} acute "
               f"medication days in {logged} logged of {total_days} days"
               + (f" ({', '.join(by_class)})." if by_class else ".") + " ")
    if overuse:
        latest = overuse[-3:]
        summary += (f"Over an ICHD-3 medication-overuse limit in {len(overuse)} "
                    f"month{'s' if len(overuse) != 1 else ''}"
                    + (", the latest: " if len(overuse) > len(latest) else ": ")
                    + "; ".join(f"{_month_text(r.month)} ("
                                + ", ".join(_REASON_WORDS[x] for x in r.overuse_reasons) + ")"
                                for r in latest) + ".")
    else:
        summary += ("No month over an ICHD-3 medication-overuse limit (15 days of non-opioid "
                    "painkillers, 10 days of another acute class or of several together).")
    layout = _layout(
        "medication", TITLES["medication"], summary, first, last,
        subtitle=f"{_span_text(first, last)} · {logged} of {total_days} days logged",
        height=360, barmode="stack", bargap=0.25, hovermode="x unified",
        xaxis=_month_axis(first, last),
        yaxis={"range": [0, top], "tickvals": [0, 5, 10, 15, 20, 25, 30],
               "title": {"text": "Days"}},
        shapes=shapes, annotations=annotations)
    return {"data": data, "layout": layout}


def sessions(effects: Sequence[SessionEffect], today: date, *, window: int = DEFAULT_WINDOW,
             total: int | None = None) -> dict:
    """Headache days, headache-free days and days not logged before and after each session."""
    effects = sorted(effects, key=lambda e: e.date)
    labels = _session_labels([e.date for e in effects])
    outer: list[str] = []
    inner: list[str] = []
    headache: list[int] = []
    free: list[int] = []
    missing: list[int] = []
    details: list[str] = []
    for effect, label in zip(effects, labels):
        for side, name in ((effect.before, "pre"), (effect.after, "post")):
            span = _elapsed_between(side.from_date, side.to_date, today)
            outer.append(label)
            inner.append(name)
            headache.append(side.headache_days)
            free.append(side.days_logged - side.headache_days)
            missing.append(max(0, span - side.days_logged))
            details.append(f"{label} {name}: {side.headache_days} headache days of "
                           f"{side.days_logged} logged ({span} days)"
                           f"{_mean_text(side.mean_peak_intensity)}, "
                           f"{side.acute_medication_days} acute medication days")
    x = [outer, inner]
    data = [
        {"type": "bar", "name": "Headache days", "x": x, "y": headache, "customdata": details,
         "marker": {"color": HEADACHE, "line": {"width": 0}},
         "hovertemplate": "%{customdata}<extra></extra>"},
        {"type": "bar", "name": "No headache (logged)", "x": x, "y": free,
         "marker": {"color": FREE, "line": {"width": 0}},
         "hovertemplate": "%{y} days without headache<extra></extra>"},
        {"type": "bar", "name": "Not logged", "x": x, "y": missing, "marker": _hatched(),
         "hovertemplate": "%{y} days not logged<extra></extra>"},
    ]
    first = effects[0].date if effects else None
    last = effects[-1].date if effects else None
    shown = len(effects)
    about = (f"the last {shown} of {total} sessions" if total and total > shown
             else f"{shown} session{'s' if shown != 1 else ''}")
    summary = (f"Headache days in the {window} days before and after each session, {about}"
               + (": " + "; ".join(f"{label}, {e.before.headache_days} before and "
                                   f"{e.after.headache_days} after ({e.before.days_logged} and "
                                   f"{e.after.days_logged} days logged)"
                                   for e, label in zip(effects, labels)) + "."
                  if effects else ". No treatment session yet."))
    layout = _layout(
        "sessions", TITLES["sessions"], summary, first, last,
        subtitle=f"{window} days before (pre) and after (post) · {about}", height=360,
        barmode="stack", bargap=0.2,
        xaxis={"type": "multicategory", "tickfont": {"size": 12},
               "tickangle": 0 if len(effects) <= 6 else "auto"},
        yaxis={"range": [0, window + 0.5], "title": {"text": "Days"}, "nticks": 6})
    return {"data": data, "layout": layout}


def soreness(days: Iterable[DayFacts], effects: Sequence[SessionEffect], today: date, *,
             window: int = DEFAULT_WINDOW, total: int | None = None) -> dict:
    """Soreness on each day after each session (one line a session), gaps where not logged."""
    index = clinical.index_days(days)
    effects = sorted(effects, key=lambda e: e.date)[-len(SERIES):]
    labels = _session_labels([e.date for e in effects], long=True)
    data: list[dict] = []
    gap_x: list[int] = []
    gap_y: list[float] = []
    gap_symbol: list[str] = []
    gap_label: list[str] = []
    for k, (effect, label) in enumerate(zip(effects, labels)):
        colour, symbol = SERIES[k]
        last = min(effect.after.to_date, today)
        span = max(0, (last - effect.after.from_date).days + 1)
        values: list[int | None] = []
        for offset in range(span):
            day = index.get(effect.after.from_date + timedelta(days=offset))
            value = day.soreness if day is not None else None
            values.append(value)
            if value is None:
                gap_x.append(offset + 1)
                gap_y.append(round(-0.7 - 0.35 * k, 2))
                gap_symbol.append(f"{symbol}-open")
                gap_label.append(f"{label}, day {offset + 1}: "
                                 + ("soreness not recorded" if day is not None else "not logged"))
        name = label + (" (sore after day 3)" if effect.prolonged_soreness else "")
        data.append({"type": "scatter", "mode": "lines+markers", "name": name, "x0": 1, "dx": 1,
                     "y": values, "connectgaps": False, "line": {"color": colour, "width": 2},
                     "marker": {"color": colour, "symbol": symbol, "size": 8},
                     "hovertemplate": f"{label}, day %{{x}}: soreness %{{y}}<extra></extra>"})
    data.append({"type": "scatter", "mode": "markers", "name": "Not logged (hollow, below 0)",
                 "x": gap_x or [None], "y": gap_y or [None], "customdata": gap_label,
                 "marker": {"color": MISSING, "symbol": gap_symbol or "circle-open", "size": 8,
                            "line": {"width": 1.5}},
                 "hovertemplate": "%{customdata}<extra></extra>"})
    bottom = -0.7 - 0.35 * max(len(effects) - 1, 0) - 0.5
    shapes = [
        {"type": "rect", "xref": "x", "yref": "y", "x0": PROLONGED_FROM_DAY - 0.5,
         "x1": window + 0.5, "y0": PROLONGED_SORENESS - 0.5, "y1": 10.5, "layer": "below",
         "fillcolor": "rgba(213,94,0,0.08)", "line": {"width": 0}},
    ]
    annotations = [
        {"xref": "paper", "x": 1, "xanchor": "right", "yref": "y", "y": 10.5, "yanchor": "top",
         "text": f"Still sore ({PROLONGED_SORENESS}+) from day {PROLONGED_FROM_DAY}: worth a look",
         "showarrow": False, "font": {"size": 12}},
    ]
    shown = len(effects)
    about = (f"the last {shown} of {total} sessions" if total and total > shown
             else f"{shown} session{'s' if shown != 1 else ''}")
    parts = []
    for effect, label in zip(effects, labels):
        highest = effect.after.max_soreness
        parts.append(f"{label}, highest {highest if highest is not None else 'not recorded'}, "
                     + (f"settled (0-1) on day {effect.soreness_resolved_day}"
                        if effect.soreness_resolved_day else "not recorded as settled")
                     + (", still sore (4+) after day 3: worth a look"
                        if effect.prolonged_soreness else ""))
    summary = (f"Muscle soreness (0-10) on the days after each session, {about}"
               + (": " + "; ".join(parts) + "." if parts else ". No treatment session yet."))
    first = effects[0].date if effects else None
    last = effects[-1].date if effects else None
    layout = _layout(
        "soreness", TITLES["soreness"], summary, first, last,
        subtitle=f"Up to {window} days after each session · {about}", height=360,
        xaxis={"range": [0.5, window + 0.5], "dtick": 1 if window <= 14 else 7,
               "tick0": 1 if window <= 14 else 7, "title": {"text": "Days after the session"}},
        yaxis={"range": [bottom, 10.6], "tickvals": [0, 2, 4, 6, 8, 10],
               "title": {"text": "Soreness (0-10)"}},
        shapes=shapes, annotations=annotations)
    return {"data": data, "layout": layout}


def calendar(days: Iterable[DayFacts], sessions: Iterable[SessionFacts], today: date,
             first: date | None = None, last: date | None = None) -> dict:
    """A heat map of the last 6 months: one square a day, weeks across and weekdays down.

    Each kind of day is one trace of daily values from `x0` (a Monday) with a step of a day;
    `xperiod` of a week lines the days of a week up in one column, and hover labels still
    show each day's own date. A day of another kind is a gap (null) in a trace.
    """
    first, last = resolve_range("calendar", today, first, last)
    index = clinical.index_days(days)
    start = first - timedelta(days=first.weekday())  # the Monday of the first week
    count = (last - start).days + 1
    rows: dict[str, list[str | None]] = {key: [None] * count for key in _CALENDAR_STYLE}
    medicated: list[str | None] = [None] * count
    for i in range(count):
        day = start + timedelta(days=i)
        record = index.get(day)
        rows[_calendar_key(record)][i] = WEEKDAYS[day.weekday()]
        if record is not None and is_acute_medication_day(record):
            medicated[i] = WEEKDAYS[day.weekday()]
    weeks = count // 7 + 1
    size = max(3, min(12, int(330 / weeks) - 1))
    weekly = {"x0": start.isoformat(), "dx": DAY_MS, "xperiod": 7 * DAY_MS,
              "xperiod0": start.isoformat(), "xperiodalignment": "middle"}
    data = []
    for key, (name, marker, words) in _CALENDAR_STYLE.items():
        data.append({"type": "scatter", "mode": "markers", "name": name, **weekly, "y": rows[key],
                     "marker": {**marker, "size": size if key != "free" else max(3, size - 2)},
                     "hovertemplate": f"{DAY_HOVER}: {words}<extra></extra>"})
    data.append({"type": "scatter", "mode": "markers", "name": "Acute medication", **weekly,
                 "y": medicated,
                 "marker": {"symbol": "circle", "color": PAPER, "size": max(3, size // 2 - 1),
                            "line": {"color": TEXT, "width": 1}},
                 "hovertemplate": f"{DAY_HOVER}: acute medication<extra></extra>"})
    treated = sorted({s.date for s in sessions if start <= s.date <= last})
    if treated:
        data.append({"type": "scatter", "mode": "markers", "name": "Treatment session",
                     "x": [d.isoformat() for d in treated],
                     "y": [WEEKDAYS[d.weekday()] for d in treated],
                     **{k: v for k, v in weekly.items() if k not in ("x0", "dx")},
                     "marker": {"symbol": "square-open", "color": SESSION, "size": size + 4,
                                "line": {"width": 2}},
                     "hovertemplate": f"{DAY_HOVER}: treatment session<extra></extra>"})
    figures = clinical.period_figures(index, first, last)
    shown = (last - first).days + 1
    severe = sum(1 for d in index.between(first, last) if d.peak_intensity >= clinical.SEVERE_PEAK)
    summary = (f"One square a day, {_span_text(first, last)}: {figures.days_logged} of {shown} "
               f"days logged, {shown - figures.days_logged} not logged. {figures.headache_days} "
               f"headache days ({figures.headache_days - figures.moderate_severe_days} mild, "
               f"{figures.moderate_severe_days - severe} moderate, {severe} severe), "
               f"{figures.days_logged - figures.headache_days} days without headache, "
               f"{figures.acute_medication_days} acute medication days. "
               + _sessions_text([d for d in treated if d >= first]))
    last_monday = last - timedelta(days=last.weekday())
    layout = _layout(
        "calendar", TITLES["calendar"], summary, first, last,
        subtitle=f"{_span_text(first, last)} · {figures.days_logged} of {shown} days logged",
        height=330,
        xaxis={"type": "date", "range": [start.isoformat(),
                                         (last_monday + timedelta(days=7)).isoformat()],
               "dtick": "M1" if weeks <= 60 else "M6",
               "tickformat": "%b" if weeks <= 60 else "%b %Y", "showgrid": False,
               "ticklabelmode": "period"},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": list(WEEKDAYS),
               "range": [6.6, -0.6], "showgrid": False})
    # The markers are sized for a plot about 330 px wide; charts.js shrinks them on a narrower
    # screen, so that a session's frame (outer edge: size + 6) never covers the next week's day.
    layout["meta"]["cells"] = {"weeks": weeks, "size": size}
    return {"data": data, "layout": layout}


_CALENDAR_STYLE = {  # kind of day -> legend name, marker, words in the hover label
    "missing": ("Not logged", {"symbol": "square-open", "color": MISSING, "line": {"width": 1.5}},
                "not logged"),
    "free": ("No headache (logged)", {"symbol": "circle", "color": FREE}, "no headache"),
    "mild": (BAND_NAMES["mild"], {"symbol": "square", "color": MILD,
                            "line": {"color": MODERATE, "width": 1}}, "mild headache"),
    "moderate": (BAND_NAMES["moderate"], {"symbol": "square", "color": MODERATE}, "moderate headache"),
    "severe": (BAND_NAMES["severe"], {"symbol": "square", "color": SEVERE}, "severe headache"),
}

# -- Pieces shared by the charts ----------------------------------------------------------------

_REASON_WORDS = {
    "non_opioid_analgesic": f"non-opioid painkillers on {_NON_OPIOID_LIMIT}+ days",
    "triptan": f"triptans on {CLASS_DAY_LIMITS['triptan']}+ days",
    "ergot": f"ergots on {CLASS_DAY_LIMITS['ergot']}+ days",
    "opioid": f"opioids on {CLASS_DAY_LIMITS['opioid']}+ days",
    "combination_analgesic": f"combination painkillers on {CLASS_DAY_LIMITS['combination_analgesic']}+ days",
    "other_acute": f"other migraine medicines on {CLASS_DAY_LIMITS['other_acute']}+ days",
    "multiple_classes": f"several classes on {MULTIPLE_CLASSES_ACUTE_DAYS}+ days",
}


def _layout(name: str, title: str, summary: str, first: date | None, last: date | None, *,
            subtitle: str, height: int, xaxis: dict, yaxis: dict, **extra) -> dict:
    axis = {"fixedrange": True, "automargin": True, "gridcolor": GRID, "linecolor": AXIS_LINE,
            "zeroline": False, "tickfont": {"size": 12}, "title": {"font": {"size": 12}}}
    layout = {
        "title": {"text": title, "x": 0, "xanchor": "left", "xref": "paper", "y": 0.98,
                  "yanchor": "top", "font": {"size": 16},
                  "subtitle": {"text": subtitle, "font": {"size": 12}}},
        "meta": {"chart": name, "summary": summary,
                 "from": first.isoformat() if first else None,
                 "to": last.isoformat() if last else None},
        "font": FONT, "height": height, "autosize": True,
        "margin": {"l": 8, "r": 8, "t": 64, "b": 8},
        "paper_bgcolor": PAPER, "plot_bgcolor": PAPER,
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "yref": "container", "y": 0,
                   "yanchor": "bottom", "font": {"size": 12}, "traceorder": "normal"},
        "hovermode": "closest", "hoverlabel": {"font": {"size": 13}}, "dragmode": False,
        "xaxis": _merge(axis, xaxis), "yaxis": _merge(axis, yaxis),
    }
    layout.update(extra)
    return layout


def _merge(base: dict, over: dict) -> dict:
    merged = {**base, **over}
    if "title" in over:
        merged["title"] = {**base["title"], **over["title"]}
    return merged


def _hatched() -> dict:
    """Grey hatching: how every chart draws days that were not logged."""
    return {"color": MISSING_FILL, "line": {"width": 0},
            "pattern": {"shape": "/", "fgcolor": MISSING, "size": 6, "solidity": 0.3,
                        "fillmode": "overlay"}}


def _session_line(day: date) -> dict:
    return {"type": "line", "xref": "x", "yref": "paper", "x0": day.isoformat(),
            "x1": day.isoformat(), "y0": 0, "y1": 1, "layer": "above",
            "line": {"color": SESSION, "width": 1.5, "dash": "dash"}}


def _session_markers(dates: Sequence[date], y: float) -> dict:
    return {"type": "scatter", "mode": "markers", "name": "Treatment session",
            "x": [d.isoformat() for d in dates], "y": [y] * len(dates), "cliponaxis": False,
            "marker": {"symbol": "triangle-down", "color": SESSION, "size": 11},
            "hovertemplate": "Treatment session %{x|%a %-d %b %Y}<extra></extra>"}


def _sessions_text(dates: Sequence[date]) -> str:
    if not dates:
        return "No treatment session in this range."
    shown = ", ".join(_day_text(d) for d in dates[-8:])
    more = f" (the last 8 of {len(dates)})" if len(dates) > 8 else ""
    return f"Treatment sessions{more}: {shown}."


def _session_labels(dates: Sequence[date], long: bool = False) -> list[str]:
    """Short unique labels of session dates ("12 Mar 26"), numbered when a date repeats."""
    labels, seen = [], {}
    for day in dates:
        text = _day_text(day) if long else f"{day.day} {day:%b %y}"
        seen[text] = seen.get(text, 0) + 1
        labels.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return labels


def _calendar_key(record: DayFacts | None) -> str:
    if record is None or not record.logged:
        return "missing"
    if not record.headache_count:
        return "free"
    return clinical.severity(record.peak_intensity)


def _elapsed_days(label: str, today: date) -> int:
    """Days of the month up to today (a missing day is one that has come and was not logged)."""
    year, number = (int(part) for part in label.split("-"))
    month = Month(year, number)
    return _elapsed_between(month.first_day, month.last_day, today)


def _elapsed_between(first: date, last: date, today: date) -> int:
    return max(0, (min(last, today) - first).days + 1)


def _months_span(rows: Sequence[MonthRow], today: date) -> tuple[date | None, date | None]:
    if not rows:
        return None, None
    first = Month(*map(int, rows[0].month.split("-"))).first_day
    last = min(Month(*map(int, rows[-1].month.split("-"))).last_day, today)
    return first, max(first, last)


def _month_trace_axis() -> dict:
    return {"xperiod": "M1", "xperiodalignment": "middle", "xhoverformat": "%B %Y"}


def _month_axis(first: date | None, last: date | None) -> dict:
    axis: dict = {"type": "date", "nticks": 7, "showgrid": False, "ticklabelmode": "period"}
    if first and last:
        axis["range"] = [first.isoformat(), (Month.of(last).last_day + ONE_DAY).isoformat()]
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        axis["dtick"] = "M1" if months <= 7 else "M2" if months <= 14 else "M6" if months <= 36 else "M12"
        axis["tickformat"] = "%b %Y" if months > 14 else "%b"
    return axis


def _day_axis_range(first: date, last: date) -> list[str]:
    return [f"{(first - ONE_DAY).isoformat()} 12:00", f"{last.isoformat()} 12:00"]


def _mean_text(mean: float | None) -> str:
    return f", mean peak {mean:g}" if mean is not None else ""


def _day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _month_text(label: str) -> str:
    year, number = (int(part) for part in label.split("-"))
    return f"{date(year, number, 1):%b %Y}"


def _span_text(first: date | None, last: date | None) -> str:
    if first is None or last is None:
        return "no dates"
    if first == last:
        return _day_text(first)
    return f"{_day_text(first)} to {_day_text(last)}"


__all__ = ["NAMES", "TITLES", "RangeError", "build", "calendar", "days_to_load", "intensity",
           "medication", "monthly", "reads_sessions", "resolve_range", "sessions", "soreness"]
