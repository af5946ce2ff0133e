"""The clinical picture as pages: the patient's "My progress", the figures on the therapist's
patient page and the printable pre-follow-up summary. Every number on them is the clinical
engine's, read in a fixed number of statements; other people get 404; the chart library stays
off the Today screen."""

from __future__ import annotations

import html
import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.dates import format_date

from diary import clinical, queries
from diary.access import SUMMARY_PAGE
from diary.extensions import db
from diary.models import DayRecord, Headache, MedicationIntake
from diary.operations import record_session

from . import clock
from .factories import link
from .in_process import answer_from, watch_for_problems
from .test_web_sharing import browser, event_rows, events, text_of

STATIC = Path(__file__).resolve().parent.parent / "diary" / "static"
PAINKILLER = {"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic"}


def log_days(patient, days: dict[date, dict]) -> None:
    """Day records stored directly, all in one commit: {date: {"peak": 5, "meds": [...],
    "soreness": 2}}; a peak of 0 (or none) is a headache-free day, and `"answered": False` leaves
    the headache question open."""
    for day, what in days.items():
        peak = what.get("peak", 0)
        db.session.add(
            DayRecord(
                patient_id=patient.id,
                date=day,
                soreness=what.get("soreness"),
                triggers=[],
                notes=None,
                had_headache=bool(peak) if what.get("answered", True) else None,
                headaches=[Headache(position=0, type="tension", locations=[], symptoms=[], intensity=peak)]
                if peak
                else [],
                medications=[
                    MedicationIntake(position=i, doses=1, **m) for i, m in enumerate(what.get("meds", []))
                ],
            )
        )
    db.session.commit()


def add_session(therapist, patient, on: date):
    return record_session(
        therapist,
        patient,
        {
            "date": on,
            "techniques": ["dry_needling"],
            "muscles": [{"muscle": "upper_trapezius", "side": "both"}],
            "notes": None,
            "next_review_on": None,
        },
    )


def engine_facts(patient):
    """The facts the engine reads, straight from the read side (all of the diary)."""
    return (queries.day_facts(patient), queries.session_facts(patient))


def section(page: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by the heading with this id."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert match, f"no section labelled {heading_id}"
    return match.group(0)


def table_rows(fragment: str) -> dict[str, list[str]]:
    """Each body row of the first table in `fragment`: row heading -> cell texts."""
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        heading = text_of(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        rows[heading] = [
            html.unescape(text_of(cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
    return rows


def scripts(page: str) -> list[str]:
    """The addresses of the scripts a page loads by itself."""
    return re.findall(r'<script src="([^"]+)"', page)


def words(page: str) -> str:
    return html.unescape(text_of(page))


def fmt(value) -> str:
    """A figure as the pages write it ('%g'), none as the dash they show with 'none' for
    screen readers."""
    return "– none" if value is None else f"{value:g}"


def one_decimal(value) -> str:
    """A mean or a rate as the therapist's pages write it: one decimal place."""
    return "– none" if value is None else f"{value:.1f}"


@pytest.fixture
def me(app, patient):
    return browser(app, patient)


@pytest.fixture
def desk(app, therapist):
    return browser(app, therapist)


@pytest.fixture
def shared(patient, therapist):
    link(patient, therapist)
    return patient


def treated_diary(patient, therapist, today: date) -> date:
    """A baseline of 12 headache days in 20 logged days (8 missing), a first session 40 days
    ago, then 6 headache days in 25 logged days of the first 28-day period. Returns the date of
    the first session."""
    first = today - timedelta(days=40)
    baseline = [first - timedelta(days=28 - k) for k in range(28)]
    period = [first + timedelta(days=k) for k in range(28)]
    days = {d: {"peak": 6 if i < 12 else 0} for i, d in enumerate(baseline[:20])}
    days |= {d: {"peak": 3 if i < 6 else 0} for i, d in enumerate(period[:25])}
    log_days(patient, days)
    add_session(therapist, patient, first)
    return first


# -- The patient's page -----------------------------------------------------------------------


def test_the_summary_sentence_gives_the_latest_period_against_the_baseline_as_the_engine_counts_it(
    me, patient, therapist
):
    today = clock.today(patient)
    treated_diary(patient, therapist, today)
    days, sessions = engine_facts(patient)
    progress = clinical.treatment_progress(days, sessions, today)
    latest = [p for p in progress.periods if p.complete][-1]
    assert (progress.baseline.headache_days, progress.baseline.days_logged) == (12, 20)
    # Version 2: the change compares headache days per 28 (12 x 28 / 20 = 16.8 against
    # 6 x 28 / 25 = 6.72), not the raw counts (which would give -50%).
    assert (latest.headache_days, latest.days_logged, latest.change_pct) == (6, 25, -60.0)

    page = me.get("/progress")
    assert page.status_code == 200
    headline = words(section(page.text, "headline-title"))
    assert "Your latest complete 4 weeks (" in headline
    assert "): 6 headache days in 25 logged days, about 6.7 per 28 days." in headline
    assert (
        "The 4 weeks before treatment: 12 headache days in 20 logged days, about 16.8 per 28 days."
        in headline
    )
    assert "▼ Headache days down 60% compared with the 4 weeks before treatment." in headline
    assert (
        "Days you did not log, or where you did not say whether you had a headache, are not "
        "counted as headache-free."
    ) in headline


def test_before_the_first_session_the_summary_counts_the_last_28_days_and_the_days_logged(me, patient):
    today = clock.today(patient)
    log_days(patient, {today - timedelta(days=k): {"peak": 5 if k % 3 == 0 else 0} for k in range(0, 28, 2)})
    figures = clinical.period_figures(engine_facts(patient)[0], today - timedelta(days=27), today)
    assert (figures.headache_days, figures.days_logged) == (5, 14)
    headline = words(section(me.get("/progress").text, "headline-title"))
    assert "Headache days in the last 4 weeks: 5 ." in headline
    assert "You logged 14 of the 28 days" in headline


def test_the_tiles_give_the_last_28_days_as_the_engine_counts_them_without_painkillers(me, patient):
    """Painkiller days have one window, the last 30 days (their own section), not these 28."""
    today = clock.today(patient)
    log_days(
        patient,
        {
            today - timedelta(days=k): {
                "peak": (k % 9) + 1 if k % 2 else 0,
                "meds": [PAINKILLER] if k % 4 == 1 else [],
            }
            for k in range(35)
            if k % 5
        },
    )
    figures = clinical.period_figures(engine_facts(patient)[0], today - timedelta(days=27), today)
    tiles = words(section(me.get("/progress").text, "recent-title"))
    assert f"{figures.headache_days} headache days" in tiles
    assert f"{figures.moderate_severe_days} moderate or severe" in tiles
    assert f"You logged {figures.days_logged} of the 28 days." in tiles
    assert "painkiller" not in tiles


def overuse_diary(status: str, today: date) -> dict[date, dict]:
    """Days that put a patient in each medication-overuse status (docs/clinical-rules.md 4)."""
    if status == "ichd3_pattern":  # the last three complete months: 16 headache days, all with painkillers
        month = clinical.Month.of(today)
        days = {}
        for back in (1, 2, 3):
            first = month.shift(-back).first_day
            days |= {first + timedelta(days=k): {"peak": 6, "meds": [PAINKILLER]} for k in range(16)}
        return days
    count = {"overuse": 15, "approaching": 8, "none": 2}[status]
    days = {today - timedelta(days=k): {"peak": 5, "meds": [PAINKILLER]} for k in range(count)}
    if status == "none":  # `none` needs a record on 21 of the last 30 days (else not_enough_diary)
        days |= {today - timedelta(days=k): {} for k in range(count, 21)}
    return days


@pytest.mark.parametrize("status", ["approaching", "overuse", "ichd3_pattern"])
def test_painkillers_in_the_last_30_days_show_the_count_and_the_engines_kind_words(me, patient, status):
    today = clock.today(patient)
    log_days(patient, overuse_diary(status, today))
    overuse = clinical.medication_overuse_status(engine_facts(patient)[0], today)
    assert overuse.status == status
    note = section(me.get("/progress").text, "painkillers-title")
    assert 'class="med-note ' in note
    acute = overuse.rolling_30.medication_days.acute
    assert "Painkillers in the last 30 days" in words(note)
    assert f"{acute} painkiller days of 30" in words(note)
    assert overuse.message in words(note)
    if status == "ichd3_pattern":
        assert "Only a clinician can diagnose" in words(note) and "GP or therapist" in words(note)


def test_painkillers_within_the_advice_are_counted_without_a_warning_tint(me, patient):
    today = clock.today(patient)
    log_days(patient, overuse_diary("none", today))
    overuse = clinical.medication_overuse_status(engine_facts(patient)[0], today)
    assert overuse.status == "none"
    note = section(me.get("/progress").text, "painkillers-title")
    assert 'class="card painkillers"' in note and "med-note" not in note
    assert "2 painkiller days of 30" in words(note) and overuse.message in words(note)


def test_the_progress_page_offers_the_patients_four_charts_without_loading_plotly_up_front(me):
    page = me.get("/progress").text
    for name in ("monthly", "intensity", "medication", "calendar"):
        assert f'id="chart-{name}" data-chart-url="/api/v1/patients/me/charts/{name}"' in page
    assert 'id="chart-sessions"' not in page and 'id="chart-soreness"' not in page
    assert not [src for src in scripts(page) if "plotly" in src], "plotly.js must load on demand"
    assert re.search(
        r'<script src="/static/js/charts\.js\?v=\w+" data-plotly-src="/static/vendor/'
        r'plotly-basic\.min\.js\?v=\w+" data-plotly-css="/static/vendor/plotly\.css\?v=\w+" defer>',
        page,
    )


def test_the_patients_navigation_leads_to_progress(me):
    page = me.get("/progress").text
    assert '<a href="/progress" aria-current="page">Progress</a>' in page
    assert '<a href="/progress" >Progress</a>' in me.get("/calendar").text


def test_the_today_page_does_not_load_the_chart_library(me):
    page = me.get("/today").text
    assert "plotly" not in page and "charts.js" not in page and "data-chart-url" not in page


# -- The therapist's figures and the printable summary ---------------------------------------------


def since_and_before_diary(patient, therapist, today: date) -> date:
    """A session 10 days ago after 12 logged days of headaches and painkillers, and a calmer
    week after it with soreness that settles on day 3."""
    session_day = today - timedelta(days=10)
    before = {
        session_day - timedelta(days=k): {
            "peak": 4 + k % 5,
            "meds": [PAINKILLER] if k % 2 else [],
            "soreness": 2,
        }
        for k in range(1, 13)
    }
    after = {
        session_day + timedelta(days=k): {
            "peak": 3 if k in (2, 6) else 0,
            "soreness": {1: 5, 2: 3, 3: 1}.get(k, 0),
        }
        for k in range(1, 9)
    }
    log_days(patient, before | after)
    add_session(therapist, patient, today - timedelta(days=40))
    add_session(therapist, patient, session_day)
    return session_day


@pytest.mark.parametrize(
    "page_of",
    [lambda pid: f"/therapist/patients/{pid}/summary", lambda pid: f"/therapist/patients/{pid}"],
    ids=["printable summary", "patient page"],
)
def test_since_the_last_session_and_before_it_match_the_follow_up_summary(shared, therapist, desk, page_of):
    today = clock.today(shared)
    since_and_before_diary(shared, therapist, today)
    summary = clinical.follow_up_summary(*engine_facts(shared), today)
    before, since = summary.before_last_session, summary.since_last_session
    assert summary.days_since_last_session == 10 and since.headache_days == 2
    # "Since" runs from S+1 to yesterday (9 days), and "before" covers as many days.
    assert (since.from_date, since.to_date) == (today - timedelta(days=9), today - timedelta(days=1))
    assert before.days == since.days == 9

    page = desk.get(page_of(shared.id))
    assert page.status_code == 200
    card = section(page.text, "since-title")
    last = format_date(today - timedelta(days=10), "EEE d MMM y", locale="en_GB")
    assert f"Last session {last} , 10 days ago." in words(card)
    rows = table_rows(card)
    assert rows["Days logged"] == [f"{before.days_logged} of 9", f"{since.days_logged} of 9"]
    assert rows["Per 28 days needs half the days logged"] == [
        one_decimal(before.headache_days_per_28),
        f"▼ {one_decimal(since.headache_days_per_28)}",
    ]
    # The direction is shown on headache days per 28, which allow for days not logged.
    assert rows["Headache days"] == [str(before.headache_days), str(since.headache_days)]
    assert rows["Mean peak intensity"] == [
        one_decimal(before.mean_peak_intensity),
        f"▼ {one_decimal(since.mean_peak_intensity)}",
    ]
    assert rows["Painkiller days acute medication"] == [
        str(before.acute_medication_days),
        f"▼ {since.acute_medication_days}",
    ]
    assert rows["Highest soreness 0–10"] == [fmt(before.max_soreness), fmt(since.max_soreness)]
    assert summary.soreness_resolved_day == 3 and summary.prolonged_soreness is False
    assert "Soreness settled (0–1) on day 3 after the session." in words(card)
    assert "Prolonged soreness (4 or more, days 4–7): Settled as expected" in words(card)


def test_the_summary_gives_the_latest_period_against_baseline_with_change_and_responder_flags(
    shared, therapist, desk
):
    today = clock.today(shared)
    treated_diary(shared, therapist, today)
    progress = clinical.treatment_progress(*engine_facts(shared), today)
    complete, current = progress.periods
    # Per 28 days: 12 x 28 / 20 = 16.8 at baseline, 6 x 28 / 25 = 6.72 in period 1.
    assert (complete.change_pct, complete.responder_50, complete.responder_30) == (-60.0, True, True)
    assert not current.complete
    rows = table_rows(section(desk.get(f"/therapist/patients/{shared.id}/summary").text, "latest-title"))
    assert rows["Days logged"] == ["20 of 28", "25 of 28", f"{current.days_logged} of 13"]
    assert rows["Headache days"] == ["12", "6", str(current.headache_days)]
    assert rows["Per 28 days needs 14 logged"] == ["16.8", "6.7", "Too few logged"]
    assert rows["Change per 28 days"] == ["–", "▼ 60.0% fewer", "Not yet"]
    assert rows["Responder 50% fewer"] == ["–", "Yes", "Not yet"]
    assert rows["Responder 30% fewer"] == ["–", "Yes", "Not yet"]
    periods = table_rows(section(desk.get(f"/therapist/patients/{shared.id}/summary").text, "periods-title"))
    assert periods["Baseline"][1:3] == ["20 of 28", "12"]
    assert periods["1"][1:4] == ["25 of 28", "6", "6.7"] and periods["1"][-3:] == [
        "▼ 60.0% fewer",
        "Yes",
        "Yes",
    ]


def thin_and_full_diary(patient, therapist, today: date) -> None:
    """A first session 40 days ago; a baseline of 8 headache days in 27 logged days (one day
    left unanswered); then a complete period 1 with only 9 logged days, 3 of them headache days."""
    first = today - timedelta(days=40)
    baseline = [first - timedelta(days=28 - k) for k in range(28)]
    days = {d: {"peak": 5 if i < 8 else 0} for i, d in enumerate(baseline[:27])}
    days[baseline[27]] = {"soreness": 2, "answered": False}  # a record, but not a logged day
    days |= {first + timedelta(days=k): {"peak": 4 if k < 3 else 0} for k in range(9)}
    log_days(patient, days)
    add_session(therapist, patient, first)


def test_pages_give_the_counts_behind_per_28_and_say_when_too_few_days_are_logged(
    me, shared, therapist, desk
):
    today = clock.today(shared)
    thin_and_full_diary(shared, therapist, today)
    progress = clinical.treatment_progress(*engine_facts(shared), today)
    base, (period, current) = progress.baseline, progress.periods
    assert (base.headache_days, base.days_logged, base.headache_days_per_28) == (8, 27, 8.3)
    assert period.complete and (period.headache_days, period.days_logged) == (3, 9)
    assert period.headache_days_per_28 is None and period.change_pct is None and not current.complete

    headline = words(section(me.get("/progress").text, "headline-title"))
    assert "): 3 headache days in 9 logged days: not enough days logged to compare (9 of 28) ." in headline
    assert (
        "The 4 weeks before treatment: 8 headache days in 27 logged days, about 8.3 per 28 days." in headline
    )
    assert "Not enough days logged to compare: a fair comparison needs at least 14 of the 28 days" in headline
    assert "Headache days down" not in headline and "Headache days up" not in headline

    summary = desk.get(f"/therapist/patients/{shared.id}/summary").text
    latest = section(summary, "latest-title")
    rows = table_rows(latest)
    assert rows["Per 28 days needs 14 logged"][:2] == ["8.3", "Too few logged"]
    assert rows["Change per 28 days"][1] == "Not enough days logged to compare (9 of 28)"
    assert rows["Responder 50% fewer"][1] == "Not yet"
    assert (
        "Period 1: 3 headache days in 9 logged days: not enough days logged to compare (9 of 28) ; "
        "baseline: 8 headache days in 27 logged days, about 8.3 per 28 days."
    ) in words(latest)
    periods = table_rows(section(summary, "periods-title"))
    assert periods["Baseline"][1:4] == ["27 of 28", "8", "8.3"]
    assert periods["1"][1:4] == ["9 of 28", "3", "Too few logged"]
    assert periods["1"][-3] == "Not enough days logged to compare (9 of 28)"


def test_the_summary_gives_the_overuse_status_with_its_reasons(shared, therapist, desk):
    today = clock.today(shared)
    log_days(shared, overuse_diary("overuse", today))
    overuse = clinical.medication_overuse_status(engine_facts(shared)[0], today)
    assert overuse.status == "overuse" and overuse.rolling_30.overuse_reasons == ("non_opioid_analgesic",)
    card = words(section(desk.get(f"/therapist/patients/{shared.id}/summary").text, "overuse-title"))
    assert "▲ Overuse" in card
    assert "15 acute medication days, diary kept on 15 of 30 days (non-opioid painkillers 15)" in card
    assert "Non-opioid painkillers on 15 or more days in the last 30 days." in card


def test_soreness_that_does_not_settle_is_flagged_in_the_summary_and_the_session_effects(
    shared, therapist, desk
):
    today = clock.today(shared)
    session_day = today - timedelta(days=9)
    add_session(therapist, shared, session_day)
    log_days(
        shared,
        {
            session_day + timedelta(days=k): {"soreness": s}
            for k, s in enumerate([6, 6, 5, 5, 5, 4, 3, 2], start=1)
        },
    )
    [effect] = clinical.session_effects(*engine_facts(shared), today)
    assert effect.prolonged_soreness and effect.soreness_resolved_day is None
    page = desk.get(f"/therapist/patients/{shared.id}/summary").text
    assert "Prolonged soreness (4 or more, days 4–7): ! Not settling" in words(section(page, "since-title"))
    [row] = table_rows(section(page, "effects-title")).values()
    assert row[-3:] == ["6", "Not yet", "! Not settling"]


def test_soreness_days_4_to_7_are_too_early_until_they_are_over_or_cut_by_the_next_session(
    shared, therapist, desk
):
    today = clock.today(shared)
    earlier, later = today - timedelta(days=6), today - timedelta(days=2)
    add_session(therapist, shared, earlier)
    add_session(therapist, shared, later)
    log_days(
        shared, {earlier + timedelta(days=1): {"soreness": 5}, later + timedelta(days=1): {"soreness": 3}}
    )
    effects = {e.date: e for e in clinical.session_effects(*engine_facts(shared), today)}
    # The earlier session's span is cut to S+4 alone (the day before the next session), which is
    # over and holds no score; the later session's days 4-7 are still to come.
    assert effects[earlier].prolonged_soreness is None and effects[later].prolonged_soreness is None
    page = desk.get(f"/therapist/patients/{shared.id}/summary").text
    assert "Prolonged soreness (4 or more, days 4–7): Too early" in words(section(page, "since-title"))
    rows = list(table_rows(section(page, "effects-title")).values())  # newest first
    assert [row[-1] for row in rows] == ["Too early", "No scores days 4–7"]


def test_the_therapist_page_links_the_printable_summary_and_draws_six_charts(shared, desk):
    page = desk.get(f"/therapist/patients/{shared.id}").text
    assert f'href="/therapist/patients/{shared.id}/summary">Print summary</a>' in page
    for name in ("intensity", "monthly", "medication", "sessions", "soreness", "calendar"):
        assert f'data-chart-url="/api/v1/patients/{shared.id}/charts/{name}"' in page
    assert not [src for src in scripts(page) if "plotly" in src]


def test_the_therapist_page_keeps_long_tables_to_the_newest_rows_until_asked_for_all(shared, therapist, desk):
    today = clock.today(shared)
    for n in range(10):  # ten sessions 28 days apart: ten rows of effects, ten periods
        add_session(therapist, shared, today - timedelta(days=28 * n + 1))
    page = desk.get(f"/therapist/patients/{shared.id}").text
    periods, effects = section(page, "periods-title"), section(page, "effects-title")
    assert len(table_rows(periods)) == 1 + 6 and len(table_rows(effects)) == 6  # baseline + newest
    assert (
        f'href="/therapist/patients/{shared.id}?rows=all#effects-title">Show all 10 sessions</a>' in effects
    )
    assert f'href="/therapist/patients/{shared.id}?rows=all#periods-title">Show all 10 periods</a>' in periods
    days = section(page, "days-title")  # the last 14 days; an older calendar day links to all 28
    assert len(table_rows(days)) == 14 and '?rows=all#days-title">Show all 28 days</a>' in days
    older = (today - timedelta(days=20)).isoformat()
    assert f'href="/therapist/patients/{shared.id}?rows=all#day-{older}"' in page
    everything = desk.get(f"/therapist/patients/{shared.id}?rows=all").text
    assert len(table_rows(section(everything, "effects-title"))) == 10
    assert len(table_rows(section(everything, "days-title"))) == 28 and f'href="#day-{older}"' in everything
    # the sessions: the newest 3, then a link to them all
    assert '?rows=all#sessions">Show all 10 sessions</a>' in page and "<details" not in section(
        page, "sessions-title"
    )
    assert '<details class="earlier" open>' in section(everything, "sessions-title")
    assert "Show all" not in section(everything, "periods-title")
    summary = section(desk.get(f"/therapist/patients/{shared.id}/summary").text, "effects-title")
    assert len(table_rows(summary)) == 8 and "(the newest 8 of 10 are shown here)" in summary  # two A4 pages


def test_the_printable_summary_carries_the_a4_print_stylesheet(shared, desk):
    page = desk.get(f"/therapist/patients/{shared.id}/summary").text
    assert re.search(r'<link rel="stylesheet" href="/static/css/print\.css\?v=\w+" media="print">', page)
    assert page.count('class="chart"') == 2  # headache days around sessions, medication days
    css = (STATIC / "css" / "print.css").read_text()
    assert "@page { size: A4; margin: 15mm; }" in css
    assert re.search(r"tr, th, td \{ break-inside: avoid; page-break-inside: avoid; \}", css)
    assert re.search(r"\.top, \.skip, nav, [^{]*button, \.button,[^{]*\{ display: none !important; \}", css)


def test_a_therapists_read_of_the_summary_is_written_to_the_access_log(shared, therapist, desk):
    assert desk.get(f"/therapist/patients/{shared.id}/summary").status_code == 200
    assert event_rows(shared) == [(therapist.id, "read", SUMMARY_PAGE, True)]


# -- Nobody else sees it ---------------------------------------------------------------------------


def test_another_patient_and_an_unlinked_therapist_get_404_on_every_new_page(app, shared, users):
    other_patient = browser(app, users.patient())
    stranger = browser(app, users.therapist())
    me = browser(app, shared)
    summary = f"/therapist/patients/{shared.id}/summary"
    for client, path in (
        (other_patient, summary),
        (me, summary),
        (stranger, summary),
        (stranger, "/progress"),
    ):
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert shared.display_name not in response.text and shared.email not in response.text
    assert [e.allowed for e in events(shared)] == [False]  # the unlinked therapist's attempt
    # Another patient's own progress page shows nothing of this patient's diary.
    log_days(shared, {clock.today(shared): {"peak": 9}})
    assert "Nothing logged in the last 4 weeks yet." in words(other_patient.get("/progress").text)


def test_nobody_logged_out_sees_the_new_pages(client, shared):
    for path in ("/progress", f"/therapist/patients/{shared.id}/summary"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- A fixed number of statements whatever the length of the diary ------------------------------------


@pytest.mark.parametrize(
    ("page_of", "at_most"),
    [
        (lambda pid: "/progress", 4),  # the login, the sessions, the day facts (two)
        (lambda pid: f"/therapist/patients/{pid}/summary", 6),  # + the link check and the access event
        (lambda pid: f"/therapist/patients/{pid}", 15),
    ],  # + the calendar, the last 28 days, sessions
    ids=["progress", "printable summary", "therapist page"],
)
def test_the_pages_run_the_same_statements_for_10_days_as_for_400(
    app, users, therapist, count_statements, page_of, at_most
):
    short, long = users.patient(), users.patient()
    for patient, length in ((short, 10), (long, 400)):
        link(patient, therapist)
        today = clock.today(patient)
        log_days(
            patient,
            {
                today - timedelta(days=k): {
                    "peak": k % 8,
                    "meds": [PAINKILLER] if k % 3 == 0 else [],
                    "soreness": k % 4,
                }
                for k in range(length)
            },
        )
        for back in (5,) if length == 10 else (350, 300, 200, 100, 60, 30, 5):
            add_session(therapist, patient, today - timedelta(days=back))

    def statements(patient) -> int:
        client = browser(app, patient if page_of("") == "/progress" else therapist)
        with count_statements() as counted:
            assert client.get(page_of(patient.id)).status_code == 200
        return len(counted)

    few, many = statements(short), statements(long)
    assert few == many <= at_most


# -- In Chromium, under the real Content Security Policy ------------------------------------------


@pytest.mark.browser
def test_in_chromium_every_summary_comes_at_once_and_plotly_only_when_a_chart_nears(app, patient, therapist):
    """The progress page as a phone gets it: the four summaries are on the page before any chart
    is scrolled to, plotly.js is not fetched until one nears the screen, then every chart draws
    without an inline style or a CSP violation."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
    assert os.access(chromium, os.X_OK), f"no Chromium at {chromium} (TEST_CHROMIUM)"
    assert (STATIC / "vendor" / "plotly-basic.min.js").exists(), "run `make install` for the chart library"
    treated_diary(patient, therapist, clock.today(patient))
    client = browser(app, patient)
    ORIGIN = "http://localhost:5999"  # a trustworthy origin, as the security headers expect; never dialled

    def serve(route):
        answer_from(client, route, route.request.url.removeprefix(ORIGIN))

    with sync_playwright() as playwright:
        chrome = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            context = chrome.new_context(viewport={"width": 390, "height": 400}, service_workers="block")
            page = context.new_page()
            problems = watch_for_problems(page)
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.route(f"{ORIGIN}/**", serve)
            page.goto(f"{ORIGIN}/progress")
            page.wait_for_function(
                "states => [...document.querySelectorAll('.chart')].every(c => "
                "states.includes(c.getAttribute('data-chart-state')))",
                arg=["ready", "drawing", "drawn"],
            )
            first_top = page.evaluate("document.querySelector('.chart').getBoundingClientRect().top")
            assert first_top > 400 + 200, "the first chart should start below the fold for this test"
            assert not [url for url in requested if "plotly" in url]
            for name in ("monthly", "calendar", "intensity", "medication"):
                summary = page.locator(f"#chart-{name} .chart-summary")
                assert len(summary.text_content()) > 40
                plot = page.locator(f"#chart-{name} .chart-plot")
                assert plot.get_attribute("role") == "img"
                assert plot.get_attribute("aria-describedby") == summary.get_attribute("id")
            for name in ("monthly", "calendar", "intensity", "medication"):
                page.locator(f"#chart-{name}").scroll_into_view_if_needed()
                page.wait_for_function(
                    "id => document.getElementById(id).getAttribute('data-chart-state') === 'drawn'",
                    arg=f"chart-{name}",
                    timeout=20_000,
                )
            assert len([url for url in requested if "plotly-basic.min.js" in url]) == 1
            assert page.evaluate("document.querySelectorAll('style').length") == 0
            assert [p for p in problems if "blocked by Playwright" not in p] == []  # the service worker
        finally:
            chrome.close()
