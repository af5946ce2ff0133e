"""Charts: figures built from hand-made facts (no app), and GET /api/v1/patients/{pid}/charts/{name}."""

from __future__ import annotations

import gzip
import os
import random
import re
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import event

from diary import charts, clinical, queries
from diary.charts import CHARTS
from diary.charts.ranges import monday_of
from diary.charts.style import WEEKDAYS
from diary.clinical import DayFacts, SessionFacts
from diary.extensions import db
from diary.models import DayRecord, Headache, MedicationIntake, TreatmentSession

from . import clock
from .clinical.facts import peak_day
from .factories import link, make_day
from .in_process import answer_from, watch_for_problems

TODAY = date(2026, 11, 28)
DAY_MS = 86_400_000


# -- Hand-made facts ----------------------------------------------------------------------------


def session(on: date, sid: str | None = None) -> SessionFacts:
    return SessionFacts(id=sid or f"s-{on.isoformat()}", date=on)


def five_years(seed: int = 7) -> tuple[list[DayFacts], list[SessionFacts]]:
    """Five years of a busy, irregular diary (85 % logged) and a session every three weeks."""
    rng = random.Random(seed)
    first = TODAY - timedelta(days=5 * 365)
    days = []
    for offset in range((TODAY - first).days + 1):
        if rng.random() < 0.85:
            peak = rng.randint(1, 10) if rng.random() < 0.5 else 0
            classes = rng.sample(clinical.ALL_CLASSES, rng.randint(0, 2)) if peak else ()
            days.append(
                peak_day(first + timedelta(days=offset), peak, classes, rng.choice([None, 0, 1, 2, 3, 5, 7]))
            )
    sessions = [session(first + timedelta(days=d)) for d in range(30, 5 * 365, 21)]
    return days, sessions


def trace(figure: dict, name: str) -> dict:
    """The trace whose legend name starts with `name`."""
    found = [t for t in figure["data"] if t["name"].startswith(name)]
    assert found, f"no trace {name!r} in {[t['name'] for t in figure['data']]}"
    return found[0]


def value_on(series: dict, day: date):
    """The value a daily series (`x0` + `dx` of one day) has on a date."""
    assert series["dx"] == DAY_MS
    return series["y"][(day - date.fromisoformat(series["x0"])).days]


def walk(node):
    """Every (key, value) pair in a figure, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def every_figure() -> dict[str, dict]:
    """One figure of each chart from a small diary with a free day, a missing day and sessions."""
    days = [
        peak_day(
            TODAY - timedelta(days=d),
            peak=(d * 3) % 11,
            soreness=d % 6,
            classes=("triptan",) if d % 4 == 0 else (),
        )
        for d in range(1, 120)
        if d % 9
    ]
    sessions = [session(TODAY - timedelta(days=40)), session(TODAY - timedelta(days=20))]
    figures = {}
    for name, chart in CHARTS.items():
        first, last = chart.resolve_range(TODAY)
        figures[name] = chart.build(days, sessions, TODAY, first, last)
    return figures


# -- Missing days never look like headache-free days --------------------------------------------

FREE_DAY, MISSING_DAY, HEADACHE_DAY = (
    TODAY - timedelta(days=10),
    TODAY - timedelta(days=9),
    TODAY - timedelta(days=8),
)


RECENT = TODAY - timedelta(days=30)  # a range short enough to be drawn day by day


def test_intensity_draws_a_missing_day_as_a_grey_band_and_a_free_day_as_a_green_dot_at_zero():
    figure = charts.build(
        "intensity", [peak_day(FREE_DAY), peak_day(HEADACHE_DAY, peak=7)], [], TODAY, RECENT
    )
    free, missing, peak = (trace(figure, n) for n in ("No headache", "Not logged", "Peak intensity"))
    assert value_on(free, FREE_DAY) == 0 and value_on(peak, FREE_DAY) == 0
    assert value_on(missing, FREE_DAY) is None
    assert value_on(missing, MISSING_DAY) is not None  # a hatched band over the whole scale
    assert value_on(peak, MISSING_DAY) is None and value_on(free, MISSING_DAY) is None  # a gap
    assert value_on(peak, HEADACHE_DAY) == 7 and value_on(free, HEADACHE_DAY) is None
    assert missing["marker"]["pattern"]["shape"] and missing["marker"]["color"] != free["marker"]["color"]
    assert peak["connectgaps"] is False


def test_calendar_draws_a_missing_day_as_a_hollow_square_and_a_free_day_as_a_filled_circle():
    figure = charts.build("calendar", [peak_day(FREE_DAY), peak_day(HEADACHE_DAY, peak=8)], [], TODAY)
    free, missing, severe = (trace(figure, n) for n in ("No headache", "Not logged", "Severe"))
    weekday = WEEKDAYS[FREE_DAY.weekday()]
    assert value_on(free, FREE_DAY) == weekday and value_on(missing, FREE_DAY) is None
    assert value_on(missing, MISSING_DAY) == WEEKDAYS[MISSING_DAY.weekday()]
    assert value_on(free, MISSING_DAY) is None
    assert value_on(severe, HEADACHE_DAY) is not None
    assert missing["marker"]["symbol"].endswith("-open") and free["marker"]["symbol"] == "circle"


def test_a_record_that_leaves_the_headache_question_open_is_drawn_as_a_missing_day():
    unanswered = DayFacts(
        date=MISSING_DAY,
        headache_count=0,
        peak_intensity=0,
        drug_classes=frozenset(),
        soreness=3,
        logged=False,
    )
    days = [peak_day(FREE_DAY), unanswered, peak_day(HEADACHE_DAY, peak=7)]
    figure = charts.build("intensity", days, [], TODAY, RECENT)
    free, missing, peak = (trace(figure, n) for n in ("No headache", "Not logged", "Peak intensity"))
    assert value_on(missing, MISSING_DAY) is not None
    assert value_on(free, MISSING_DAY) is None and value_on(peak, MISSING_DAY) is None
    figure = charts.build("calendar", days, [], TODAY)
    free, missing = trace(figure, "No headache"), trace(figure, "Not logged")
    assert value_on(missing, MISSING_DAY) == WEEKDAYS[MISSING_DAY.weekday()]
    assert value_on(free, MISSING_DAY) is None


def test_calendar_puts_every_day_in_exactly_one_kind():
    days, sessions = five_years()
    figure = charts.build("calendar", days, sessions, TODAY)
    kinds = [
        t
        for t in figure["data"]
        if t["name"]
        in ("Not logged", "No headache (logged)", "Mild (1-3)", "Moderate (4-6)", "Severe (7-10)")
    ]
    assert len(kinds) == 5
    for position in range(len(kinds[0]["y"])):
        assert sum(t["y"][position] is not None for t in kinds) == 1


def test_monthly_stacks_free_and_missing_days_apart():
    days = [peak_day(date(2026, 10, d)) for d in range(1, 11)] + [
        peak_day(date(2026, 10, d), peak=p) for d, p in ((11, 2), (12, 5), (13, 9))
    ]
    figure = charts.build("monthly", days, [], TODAY, date(2026, 10, 1), date(2026, 11, 1))
    free, missing = trace(figure, "No headache"), trace(figure, "Not logged")
    mild, moderate_severe = trace(figure, "Mild"), trace(figure, "Moderate or severe")
    assert free["x"] == ["2026-10", "2026-11"]
    assert free["y"] == [10, 0] and mild["y"] == [1, 0] and moderate_severe["y"] == [2, 0]
    assert missing["y"] == [31 - 13, 28]  # November: only the days up to today have come
    assert missing["customdata"] == [13, 0]  # days logged, in the hover label
    assert missing["marker"]["pattern"]["shape"] == "/"
    assert "pattern" not in free["marker"] or not free["marker"]["pattern"].get("shape")


def test_medication_marks_months_without_records_apart_from_months_without_medication():
    days = [peak_day(date(2026, 9, d)) for d in range(1, 31)]  # September: all logged, no medication
    figure = charts.build("medication", days, [], TODAY, date(2026, 9, 1), date(2026, 10, 1))
    acute, missing = trace(figure, "Acute medication days"), trace(figure, "Days not logged")
    assert acute["y"] == [0, None]  # October has no record: no acute count is drawn at all
    assert missing["customdata"] == [None, "31 days not logged"] and missing["text"] == ["", "31"]
    assert missing["marker"]["symbol"] == "circle-open"
    # In a row of their own above the bars, never inside one.
    assert missing["y"] == [None, 0.5] and missing["yaxis"] == "y2"
    below, above = figure["layout"]["yaxis"]["domain"], figure["layout"]["yaxis2"]["domain"]
    assert below[1] < above[0]


def test_sessions_chart_splits_each_window_into_headache_free_and_missing_days():
    s = TODAY - timedelta(days=30)
    days = [peak_day(s - timedelta(days=d), peak=6 if d <= 4 else 0) for d in range(1, 11)] + [
        peak_day(s + timedelta(days=d)) for d in range(1, 8)
    ]
    figure = charts.build("sessions", days, [session(s)], TODAY, window=14)
    headache, free, missing = (trace(figure, n) for n in ("Headache days", "No headache", "Not logged"))
    assert headache["x"] == [[f"{s.day} {s:%b}"] * 2, ["pre", "post"]]  # this year: no year
    assert headache["y"] == [4, 0] and free["y"] == [6, 7] and missing["y"] == [4, 7]
    assert missing["marker"]["pattern"]["shape"] == "/"


def test_soreness_chart_leaves_a_gap_and_a_hollow_marker_where_a_day_is_missing():
    s = TODAY - timedelta(days=20)
    days = [peak_day(s + timedelta(days=1), soreness=6), peak_day(s + timedelta(days=3), soreness=0)]
    figure = charts.build("soreness", days, [session(s)], TODAY, window=14)
    line, missing = figure["data"][0], trace(figure, "Not logged")
    assert line["y"][:3] == [6, None, 0]  # soreness 0 is drawn at 0; day 2 is a gap
    assert line["connectgaps"] is False
    assert 2 in missing["x"] and 3 not in missing["x"] and 1 not in missing["x"]
    assert all(y < 0 for y in missing["y"])
    assert all(symbol.endswith("-open") for symbol in missing["marker"]["symbol"])


@pytest.mark.parametrize("name", charts.NAMES)
def test_every_chart_names_missing_days_in_its_legend(name):
    figure = every_figure()[name]
    names = [t["name"] for t in figure["data"] if t.get("showlegend", True)]
    assert any("not logged" in n.lower() for n in names), names
    if name not in ("soreness", "medication"):  # soreness is not about headaches
        assert any(n.startswith("No headache") for n in names), names


# -- Sessions, thresholds, ranges ---------------------------------------------------------------


def test_intensity_marks_each_session_in_range_at_its_date():
    dates = [TODAY - timedelta(days=d) for d in (300, 60, 30, 2)]  # the first is out of range
    figure = charts.build("intensity", [], [session(d) for d in dates], TODAY, TODAY - timedelta(days=80))
    marker = trace(figure, "Treatment session")
    assert marker["x"] == [d.isoformat() for d in dates[1:]]
    lines = [s for s in figure["layout"]["shapes"] if s["type"] == "line"]
    assert [(s["x0"], s["x1"], s["yref"]) for s in lines] == [
        (d.isoformat(), d.isoformat(), "paper") for d in dates[1:]
    ]


def test_intensity_marks_many_sessions_with_a_row_of_triangles_only():
    """More than a few dashed lines over the whole plot hide the days between them."""
    dates = [TODAY - timedelta(days=d) for d in (70, 50, 30, 10)]
    figure = charts.build("intensity", [], [session(d) for d in dates], TODAY, TODAY - timedelta(days=80))
    assert trace(figure, "Treatment session")["x"] == [d.isoformat() for d in dates]
    assert not figure["layout"]["shapes"]


def test_calendar_frames_session_days():
    dates = [TODAY - timedelta(days=d) for d in (45, 3)]
    figure = charts.build("calendar", [], [session(d) for d in dates], TODAY)
    marker = trace(figure, "Treatment session")
    assert marker["x"] == [d.isoformat() for d in dates]
    assert marker["y"] == [WEEKDAYS[d.weekday()] for d in dates]
    # What charts.js needs to shrink every marker alike on a narrow screen.
    cells = figure["layout"]["meta"]["cells"]
    assert cells["weeks"] == 27 and cells["size"] == trace(figure, "Moderate (4-6)")["marker"]["size"]
    assert marker["marker"]["size"] == cells["size"] + 4


def test_medication_draws_the_ichd3_limits_at_10_and_15_days():
    days = [peak_day(date(2026, 10, d), peak=5, classes=("triptan",)) for d in range(1, 13)]
    figure = charts.build("medication", days, [], TODAY, date(2026, 10, 1), date(2026, 11, 1))
    # Dashed lines named in the legend: no label is written over the bars.
    limits = [t for t in figure["data"] if t["name"].startswith("Limit")]
    assert sorted(t["y"] for t in limits) == [[10, 10], [15, 15]]
    assert all(t["x"] == ["2026-10-01", "2026-12-01"] and t["hoverinfo"] == "skip" for t in limits)
    assert not figure["layout"].get("annotations") and not figure["layout"].get("shapes")
    assert trace(figure, "Triptans")["y"] == [12, 0]
    assert "triptans on 10+ days" in figure["layout"]["meta"]["summary"]


def test_medication_stacks_only_acute_classes_that_were_taken():
    days = [peak_day(date(2026, 10, 1), peak=4, classes=("non_opioid_analgesic", "other"))]
    figure = charts.build("medication", days, [], TODAY, date(2026, 10, 1), date(2026, 10, 1))
    bars = [t["name"] for t in figure["data"] if t["type"] == "bar"]
    assert bars == ["Non-opioid painkillers"]


def test_calendar_covers_the_last_six_months_in_whole_weeks():
    figure = charts.build("calendar", [], [], TODAY)
    first_shown = date.fromisoformat(figure["data"][0]["x0"])
    days = len(figure["data"][0]["y"])
    last_shown = first_shown + timedelta(days=days - 1)
    six_months_ago = date(2026, 5, 28)
    assert first_shown.weekday() == 0 and six_months_ago - timedelta(
        days=6
    ) <= first_shown <= six_months_ago + timedelta(days=1)
    assert last_shown == TODAY  # nothing after today is drawn, not even as missing
    assert figure["layout"]["meta"]["from"] == "2026-05-29" and figure["layout"]["meta"]["to"] == "2026-11-28"
    assert all(t.get("xperiod") == 7 * DAY_MS for t in figure["data"])


@pytest.mark.parametrize(
    ("name", "first", "last", "expected"),
    [
        ("intensity", None, None, (date(2026, 5, 29), TODAY)),
        ("calendar", None, None, (date(2026, 5, 29), TODAY)),
        ("monthly", None, None, (date(2025, 12, 1), TODAY)),
        ("medication", date(2026, 3, 15), date(2026, 4, 2), (date(2026, 3, 1), date(2026, 4, 2))),
        ("intensity", date(2026, 11, 1), date(2027, 1, 1), (date(2026, 11, 1), TODAY)),
        ("sessions", None, None, (None, None)),
    ],
)
def test_ranges_default_to_recent_months_and_never_pass_today(name, first, last, expected):
    assert CHARTS[name].resolve_range(TODAY, first, last) == expected


STARTED = date(2026, 9, 17)  # a diary's first day (record or session), ten weeks before TODAY


@pytest.mark.parametrize(
    ("name", "first", "last", "start", "expected"),
    [
        # A default range starts on the diary's first day, a month chart in its month ...
        ("intensity", None, None, STARTED, (STARTED, TODAY)),
        ("calendar", None, None, STARTED, (STARTED, TODAY)),
        ("monthly", None, None, STARTED, (date(2026, 9, 1), TODAY)),
        ("medication", None, None, STARTED, (date(2026, 9, 1), TODAY)),
        ("intensity", None, date(2026, 10, 31), STARTED, (STARTED, date(2026, 10, 31))),
        # ... but never earlier than it would without the diary,
        ("intensity", None, None, date(2020, 1, 1), (date(2026, 5, 29), TODAY)),
        ("monthly", None, None, date(2020, 1, 1), (date(2025, 12, 1), TODAY)),
        # and a range asked for is the range drawn; so is the default before the diary began.
        ("intensity", date(2026, 6, 1), None, STARTED, (date(2026, 6, 1), TODAY)),
        ("intensity", None, date(2026, 8, 31), STARTED, (date(2026, 3, 1), date(2026, 8, 31))),
        ("sessions", None, None, STARTED, (None, None)),
    ],
)
def test_a_default_range_starts_no_earlier_than_the_diary(name, first, last, start, expected):
    assert CHARTS[name].resolve_range(TODAY, first, last, start) == expected


def test_a_chart_of_a_new_diary_covers_only_its_days():
    days = [peak_day(STARTED + timedelta(days=d), peak=d % 4) for d in range(0, 70, 2)]
    figure = charts.build("intensity", days, [], TODAY, start=STARTED)
    assert figure["layout"]["meta"]["from"] == STARTED.isoformat()
    assert "35 of 73 days logged" in figure["layout"]["meta"]["summary"]


def test_monthly_never_calls_a_month_with_nothing_logged_the_fewest():
    days = [peak_day(date(2026, 10, d), peak=5 if d % 3 else 0) for d in range(1, 29)] + [
        peak_day(date(2026, 11, d), peak=5 if d % 2 else 0) for d in range(1, 29)
    ]
    figure = charts.build("monthly", days, [], TODAY, date(2026, 6, 1))
    summary = figure["layout"]["meta"]["summary"]
    assert "Most in Oct 2026 (19 of 28 logged days), fewest in Nov 2026 (14 of 28)." in summary
    figure = charts.build("monthly", days[:28], [], TODAY, date(2026, 6, 1), date(2026, 10, 31))
    assert "fewest" not in figure["layout"]["meta"]["summary"]  # one month logged: no ranking


# -- Long ranges: by week -----------------------------------------------------------------------


def test_intensity_over_more_than_13_weeks_is_drawn_by_week_saying_how_many_days_were_logged():
    monday = date(2026, 6, 1)  # weeks from Monday 1 June; TODAY is a Saturday
    days = [peak_day(monday + timedelta(days=d), peak=(3, 8)[d % 2]) for d in range(7)]  # week 1
    days += [peak_day(monday + timedelta(days=7 + d)) for d in range(6)]  # week 2: 6 free days
    days += [peak_day(monday + timedelta(days=14 + d), peak=2) for d in range(2)]  # week 3: 2 days
    # week 4: nothing logged
    figure = charts.build("intensity", days, [], TODAY, monday)
    worst, free, thin, missing = (
        trace(figure, n)
        for n in ("Worst pain of the week", "No headache", "Under half the week logged", "Not logged")
    )
    assert worst["x0"] == monday.isoformat() and worst["dx"] == 7 * DAY_MS
    assert worst["y"][:4] == [8, None, None, None]
    assert free["y"][:4] == [None, 0, None, None]
    # A thinly logged week is hollow and grey, never a headache-free week; an empty one is hatched.
    assert thin["y"][:4] == [None, None, 2, None] and thin["marker"]["symbol"] == "circle-open"
    assert missing["y"][3] is not None and missing["marker"]["pattern"]["shape"]
    # Each week's hover label says how many of its days were logged.
    assert worst["customdata"][0] == "Week of 1 Jun 2026: worst pain 8, 7 headache days, 7 of 7 days logged"
    assert free["customdata"][1] == "Week of 8 Jun 2026: no headache, 6 of 7 days logged"
    assert thin["customdata"][2] == "Week of 15 Jun 2026: worst pain 2, 2 headache days, 2 of 7 days logged"
    assert missing["customdata"][3] == "Week of 22 Jun 2026: 0 of 7 days logged"
    assert missing["customdata"][-1].endswith("0 of 6 days logged")  # Monday to today
    assert worst["customdata"][1:4] == [None] * 3  # no words where a series has no mark
    assert "Drawn by week (26 weeks)" in figure["layout"]["meta"]["summary"]


def test_intensity_over_13_weeks_or_less_is_drawn_day_by_day():
    figure = charts.build("intensity", [], [], TODAY, TODAY - timedelta(days=90))
    assert trace(figure, "Peak intensity")["dx"] == DAY_MS


# -- Numbers and dates --------------------------------------------------------------------------

WORDS = ("text", "summary", "hovertemplate", "customdata", "name", "ticktext")  # keys holding words


def test_every_decimal_in_a_figure_has_one_place():
    days, sessions = five_years()
    for name, chart in CHARTS.items():
        for first in (None, TODAY - timedelta(days=60)):
            figure = chart.build(days, sessions, TODAY, None if chart.range.per_session else first)
            for key, value in walk(figure):
                if key in WORDS:
                    for text in value if isinstance(value, list) else [value]:
                        assert not re.search(r"\d\.\d{2}", str(text)), (name, key, text)
    two_days = [peak_day(TODAY, peak=5), peak_day(TODAY - timedelta(days=1), peak=6)]
    summary = charts.build("intensity", two_days, [], TODAY, RECENT, audience=charts.PATIENT)["layout"][
        "meta"
    ]["summary"]
    assert "average worst pain 5.5," in summary
    summary = charts.build("intensity", two_days, [], TODAY, RECENT)["layout"]["meta"]["summary"]
    assert "mean peak 5.5," in summary


@pytest.mark.parametrize(
    ("dates", "labels"),
    [
        ([date(2026, 3, 2), date(2026, 11, 20)], ["2 Mar", "20 Nov"]),  # all this year
        ([date(2025, 12, 29), date(2026, 1, 5)], ["29 Dec 2025", "5 Jan 2026"]),
    ],
)
def test_session_labels_have_four_digit_years_or_none(dates, labels):
    figure = charts.build("sessions", [], [session(d) for d in dates], TODAY)
    assert trace(figure, "Headache days")["x"][0] == [label for label in labels for _ in "ab"]
    figure = charts.build("soreness", [], [session(d) for d in dates], TODAY)
    assert [t["name"] for t in figure["data"][:2]] == labels


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (date(2026, 5, 2), date(2026, 5, 1), "from"),
        (date(2026, 12, 1), None, "from"),
        (date(2019, 1, 1), None, "from"),
    ],
)
def test_ranges_a_chart_cannot_draw_are_refused(first, last, field):
    with pytest.raises(charts.RangeError) as refused:
        CHARTS["intensity"].resolve_range(TODAY, first, last)
    assert refused.value.field == field


def test_session_charts_show_the_most_recent_sessions_in_range():
    sessions = [session(TODAY - timedelta(days=10 * k)) for k in range(1, 21)]
    soreness = CHARTS["soreness"]
    shown = soreness.range.shown(sessions, None, None)
    assert [s.date for s in shown] == sorted(s.date for s in sessions)[-soreness.range.latest :]
    # From 14 days before the first shown session to 14 days after the last, never past today.
    assert soreness.range.days_to_load(None, None, sessions, TODAY) == (
        shown[0].date - timedelta(days=14),
        min(shown[-1].date + timedelta(days=14), TODAY),
    )
    assert shown[-1].date + timedelta(days=14) > TODAY  # (so the cut at today is tested)
    figure = charts.build("sessions", [], sessions, TODAY)
    assert "the last 12 of 20 sessions" in figure["layout"]["meta"]["summary"]


def test_a_session_chart_without_sessions_says_so():
    for name in ("sessions", "soreness"):
        figure = charts.build(name, [], [], TODAY)
        assert "No treatment session yet." in figure["layout"]["meta"]["summary"]


# -- Every figure: title, summary, readable, small ----------------------------------------------


@pytest.mark.parametrize("name", charts.NAMES)
def test_every_figure_has_a_title_and_a_plain_text_summary(name):
    figure = every_figure()[name]
    layout = figure["layout"]
    assert layout["title"]["text"] == CHARTS[name].title
    meta = layout["meta"]
    assert meta["chart"] == name
    assert isinstance(meta["summary"], str) and 40 < len(meta["summary"]) < 1200
    assert "<" not in meta["summary"] and "%{" not in meta["summary"]


@pytest.mark.parametrize("name", charts.NAMES)
def test_every_figure_reads_on_a_phone(name):
    layout = every_figure()[name]["layout"]
    assert layout["legend"]["orientation"] == "h" and layout["legend"]["y"] <= 0
    assert layout["autosize"] is True and "width" not in layout
    sizes = [
        value["size"]
        for key, value in walk(every_figure()[name])
        if key in ("font", "tickfont") and isinstance(value, dict) and "size" in value
    ]
    assert sizes and min(sizes) >= 12
    assert layout["xaxis"]["fixedrange"] and layout["yaxis"]["fixedrange"]


@pytest.mark.parametrize("name", charts.NAMES)
def test_no_text_needs_an_inline_style(name):
    """plotly.js turns <b>, <i>, <sup>... into style attributes, which the CSP refuses."""
    for key, value in walk(every_figure()[name]):
        if isinstance(value, str):
            assert "<" not in value.replace("<extra></extra>", ""), (key, value)


@pytest.mark.parametrize("name", charts.NAMES)
def test_five_years_of_one_chart_gzip_to_at_most_10_kib(name):
    days, sessions = five_years()
    chart = CHARTS[name]
    first = None if chart.range.per_session else TODAY - timedelta(days=5 * 365)
    first, last = chart.resolve_range(TODAY, first)
    figure = chart.build(days, sessions, TODAY, first, last)
    body = orjson.dumps(figure)
    assert len(gzip.compress(body)) <= 10 * 1024, len(gzip.compress(body))
    if name == "intensity":  # one value a week from x0, never a list of dates
        weekly = trace(figure, "Worst pain of the week")
        assert weekly["dx"] == 7 * DAY_MS and "x" not in weekly
        assert len(weekly["y"]) == (last - monday_of(first)).days // 7 + 1


def test_figures_are_plain_json_data():
    for figure in every_figure().values():
        assert orjson.loads(orjson.dumps(figure)) == figure


# -- The endpoint -------------------------------------------------------------------------------


def chart_url(patient, name: str, query: str = "") -> str:
    return f"/api/v1/patients/{patient.id}/charts/{name}{query}"


@pytest.fixture
def diary(patient, therapist):
    """A few days and a session for the patient, who shares with `therapist`."""
    link(patient, therapist)
    today = clock.today(patient)
    make_day(
        patient,
        today - timedelta(days=3),
        headaches=[{"intensity": 6}],
        medications=[{"name": "Sumatriptan 50 mg", "drug_class": "triptan"}],
        soreness=2,
    )
    make_day(patient, today - timedelta(days=2))
    db.session.add(
        TreatmentSession(
            patient_id=patient.id,
            therapist_id=therapist.id,
            date=today - timedelta(days=2),
            techniques=["dry_needling"],
            muscles=[],
        )
    )
    db.session.commit()
    return patient


@pytest.mark.parametrize("name", charts.NAMES)
def test_the_patient_gets_each_chart_as_a_plotly_figure(diary, as_user, name):
    response = as_user(diary).get(chart_url(diary, name))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    figure = orjson.loads(response.get_data())
    assert set(figure) == {"data", "layout"} and figure["data"]
    assert figure["layout"]["meta"]["chart"] == name and figure["layout"]["meta"]["summary"]
    assert as_user(diary).get(f"/api/v1/patients/me/charts/{name}").status_code == 200


def test_the_chart_shows_what_was_logged(diary, as_user):
    today = clock.today(diary)
    recent = (today - timedelta(days=30)).isoformat()
    figure = as_user(diary).get(chart_url(diary, "intensity", f"?from={recent}")).get_json()
    assert value_on(trace(figure, "Worst pain"), today - timedelta(days=3)) == 6  # plain words
    assert value_on(trace(figure, "No headache"), today - timedelta(days=2)) == 0
    assert value_on(trace(figure, "Not logged"), today - timedelta(days=1)) is not None
    assert trace(figure, "Treatment session")["x"] == [(today - timedelta(days=2)).isoformat()]


def test_a_default_range_starts_on_the_diarys_first_day(diary, as_user):
    today = clock.today(diary)
    figure = as_user(diary).get(chart_url(diary, "intensity")).get_json()
    assert figure["layout"]["meta"]["from"] == (today - timedelta(days=3)).isoformat()
    assert value_on(trace(figure, "Worst pain"), today - timedelta(days=3)) == 6  # day by day
    monthly = as_user(diary).get(chart_url(diary, "monthly")).get_json()
    assert monthly["layout"]["meta"]["from"] == (today - timedelta(days=3)).replace(day=1).isoformat()
    asked = (today - timedelta(days=60)).isoformat()
    figure = as_user(diary).get(chart_url(diary, "intensity", f"?from={asked}")).get_json()
    assert figure["layout"]["meta"]["from"] == asked  # a range asked for is drawn as asked


def test_the_diarys_first_day_is_its_first_record_or_session_up_to_today(patient, therapist):
    today = clock.today(patient)
    assert queries.first_diary_day(patient) is None
    make_day(patient, today + timedelta(days=1))  # after today: counts nowhere
    assert queries.first_diary_day(patient) is None
    make_day(patient, today - timedelta(days=5))
    assert queries.first_diary_day(patient) == today - timedelta(days=5)
    db.session.add(
        TreatmentSession(
            patient_id=patient.id,
            therapist_id=therapist.id,
            date=today - timedelta(days=9),
            techniques=["dry_needling"],
            muscles=[],
        )
    )
    db.session.commit()
    assert queries.first_diary_day(patient) == today - timedelta(days=9)


def test_a_linked_therapist_gets_the_chart_and_the_read_is_logged(diary, therapist, as_user):
    response = as_user(therapist).get(chart_url(diary, "calendar"))
    assert response.status_code == 200
    assert "Acute medication" in {t["name"] for t in response.get_json()["data"]}  # clinical words
    events = as_user(diary).get("/api/v1/patients/me/access-log").get_json()["events"]
    assert any("chart calendar" in str(e) for e in events)


@pytest.mark.parametrize("who", ["another_patient", "unlinked_therapist"])
def test_anyone_else_gets_404(diary, users, as_user, who):
    other = users.patient() if who == "another_patient" else users.therapist()
    response = as_user(other).get(chart_url(diary, "monthly"))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert diary.display_name not in response.get_data(as_text=True)


def test_an_unknown_chart_is_404(diary, as_user):
    response = as_user(diary).get(chart_url(diary, "pie"))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_not_logged_in_is_401(diary, api):
    assert api.get(chart_url(diary, "intensity")).status_code == 401


@pytest.mark.parametrize(
    ("name", "query", "field"),
    [
        ("intensity", "?from=2026-05-02&to=2026-05-01", "from"),
        ("intensity", "?from=yesterday", "from"),
        ("monthly", "?to=2026-02-30", "to"),
        ("calendar", "?from=2000-01-01&to=2026-01-01", "to"),
        ("intensity", "?from=2000-01-01", "from"),
        ("sessions", "?window=0", "window"),
        ("soreness", "?window=57", "window"),
        ("soreness", "?window=two", "window"),
    ],
)
def test_a_bad_range_is_422(diary, as_user, name, query, field):
    response = as_user(diary).get(chart_url(diary, name, query))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_a_range_in_the_future_is_422(diary, as_user):
    later = (clock.today(diary) + timedelta(days=5)).isoformat()
    response = as_user(diary).get(chart_url(diary, "intensity", f"?from={later}"))
    assert response.status_code == 422


def test_a_range_picks_the_days_shown(diary, as_user):
    today = clock.today(diary)
    first, last = today - timedelta(days=9), today - timedelta(days=1)
    figure = (
        as_user(diary)
        .get(chart_url(diary, "intensity", f"?from={first.isoformat()}&to={last.isoformat()}"))
        .get_json()
    )
    assert figure["data"][0]["x0"] == first.isoformat() and len(figure["data"][0]["y"]) == 9
    assert (figure["layout"]["meta"]["from"], figure["layout"]["meta"]["to"]) == (
        first.isoformat(),
        last.isoformat(),
    )


def test_the_openapi_description_covers_every_chart(api):
    paths = api.get("/api/v1/openapi.json").get_json()["paths"]
    for name in charts.NAMES:
        operation = paths[f"/api/v1/patients/{{pid}}/charts/{name}"]["get"]
        assert set(operation["responses"]) >= {"200", "404", "422"}
        assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} >= {"from", "to"}


# -- A fixed number of SQL statements, whatever the length of the diary --------------------------


def add_days(patient, count: int, therapist=None) -> None:
    """`count` days before today in one commit, most with a headache and a painkiller; and a
    session every 3 weeks from 5 days ago."""
    today = clock.today(patient)
    for offset in range(1, count + 1):
        headache = offset % 3 != 0
        db.session.add(
            DayRecord(
                patient_id=patient.id,
                date=today - timedelta(days=offset),
                soreness=offset % 5,
                triggers=[],
                version=1,
                had_headache=headache,
                headaches=[
                    Headache(position=0, intensity=1 + offset % 10, type="tension", locations=[], symptoms=[])
                ]
                if headache
                else [],
                medications=[
                    MedicationIntake(
                        position=0, name="Ibuprofen 400 mg", drug_class="non_opioid_analgesic", doses=1
                    )
                ]
                if headache
                else [],
            )
        )
        if offset % 21 == 5:
            db.session.add(
                TreatmentSession(
                    patient_id=patient.id,
                    date=today - timedelta(days=offset),
                    therapist_id=therapist.id if therapist else None,
                    techniques=["dry_needling"],
                    muscles=[],
                )
            )
    db.session.commit()


@contextmanager
def counting_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements_for(client, url: str) -> int:
    with counting_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return len(statements)


@pytest.mark.parametrize("name", charts.NAMES)
def test_sql_statements_do_not_grow_with_the_diary(patient, users, as_user, name):
    """10 days or 500 days: the same statements (a long range, so every day is read)."""
    short, long_ = patient, users.patient()
    add_days(short, 10)
    add_days(long_, 500)
    counts = []
    for who in (short, long_):
        first = (clock.today(who) - timedelta(days=600)).isoformat()
        query = "" if CHARTS[name].range.per_session else f"?from={first}"
        counts.append(statements_for(as_user(who), chart_url(who, name, query)))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8, counts


@pytest.mark.parametrize("name", [name for name, chart in CHARTS.items() if not chart.range.per_session])
def test_a_default_range_costs_one_statement_more_whatever_the_diary(patient, users, as_user, name):
    """The diary's first day is one statement, whether the diary is 10 days or 500."""
    short, long_ = patient, users.patient()
    add_days(short, 10)
    add_days(long_, 500)
    counts = {}
    for who in (short, long_):
        first = (clock.today(who) - timedelta(days=600)).isoformat()
        counts[who.id] = [
            statements_for(as_user(who), chart_url(who, name, query)) for query in ("", f"?from={first}")
        ]
    assert counts[short.id] == counts[long_.id], counts
    default, asked = counts[short.id]
    assert default == asked + 1, counts


def test_sql_statements_do_not_grow_with_the_diary_for_a_therapist(patient, therapist, users, as_user):
    other = users.patient()
    link(patient, therapist)
    link(other, therapist)
    add_days(patient, 10, therapist)
    add_days(other, 500, therapist)
    client = as_user(therapist)
    counts = [
        statements_for(client, chart_url(p, name, "?window=28"))
        for p in (patient, other)
        for name in ("sessions",)
    ]
    assert counts[0] == counts[1], counts


# -- In a real browser, under the real Content Security Policy ----------------------------------

VENDOR = Path(__file__).resolve().parent.parent / "diary" / "static" / "vendor"
CHART_PAGE = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Charts</title>
<link rel="stylesheet" href="/static/css/app.css">
<link rel="stylesheet" id="plotly.js-style-global" class="no-inline-styles" href="/static/vendor/plotly.css">
<script src="/static/vendor/plotly-basic.min.js" defer></script>
<script src="/static/js/charts.js" defer></script>
</head><body><main>{charts}</main></body></html>"""


@pytest.mark.browser
def test_charts_draw_in_chromium_under_the_csp_without_inline_styles(diary, as_user):
    """The page markup the templates use: every chart draws at 390 px, with its summary, and
    the browser reports no CSP violation (plotly.js injects no <style>: vendor/plotly.css)."""
    chromium = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
    # Never a skip (tests/browser/conftest.py): leave browser tests out with -m "not browser".
    assert os.access(chromium, os.X_OK), f"no Chromium at {chromium} (TEST_CHROMIUM)"
    assert (VENDOR / "plotly-basic.min.js").exists() and (VENDOR / "plotly.css").exists(), (
        "diary/static/vendor/ lacks the chart library: run `npm ci && sh scripts/vendor.sh`"
    )
    from playwright.sync_api import sync_playwright

    from diary import CONTENT_SECURITY_POLICY

    client = as_user(diary).client
    divs = "".join(
        f'<div class="chart" id="chart-{name}" data-chart-url='
        f'"/api/v1/patients/me/charts/{name}"><p>Loading the chart</p></div>'
        for name in charts.NAMES
    )
    divs += '<div class="chart" id="chart-missing" data-chart-url="/api/v1/patients/me/charts/nope"></div>'
    page_html = CHART_PAGE.format(charts=divs)

    def serve(route):
        path = route.request.url.removeprefix("http://diary.test")
        if path == "/charts":
            route.fulfill(
                status=200,
                body=page_html,
                headers={
                    "Content-Type": "text/html; charset=utf-8",
                    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                },
            )
            return
        answer_from(client, route, path)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            problems = watch_for_problems(page)
            page.route("http://diary.test/**", serve)
            page.goto("http://diary.test/charts")
            for name in [*charts.NAMES, "missing"]:
                chart = page.locator(f"#chart-{name}")
                chart.scroll_into_view_if_needed()
                page.wait_for_function(
                    "id => ['drawn', 'failed'].includes(document.getElementById(id)"
                    ".getAttribute('data-chart-state'))",
                    arg=f"chart-{name}",
                    timeout=20_000,
                )
            for name in charts.NAMES:
                chart = page.locator(f"#chart-{name}")
                assert chart.get_attribute("data-chart-state") == "drawn", name
                plot = chart.locator(".chart-plot")
                assert plot.get_attribute("role") == "img"
                # the patient reads each chart under its plain title, where it has one
                assert plot.get_attribute("aria-label") == (CHARTS[name].plain_title or CHARTS[name].title)
                summary = chart.locator(".chart-summary")
                assert plot.get_attribute("aria-describedby") == summary.get_attribute("id")
                assert len(summary.text_content()) > 40
                box = chart.locator("svg.main-svg").first.bounding_box()
                assert box and box["width"] <= 390
            failed = page.locator("#chart-missing")
            assert failed.get_attribute("data-chart-state") == "failed"
            assert failed.locator(".chart-error").text_content() == "This chart is not available."
            assert page.evaluate("document.querySelectorAll('style').length") == 0
            problems = [p for p in problems if "404" not in p]  # the missing chart, on purpose
            assert problems == []
        finally:
            browser.close()
