"""The charts as a phone draws them: plotly.js in Chromium, at 390 px wide."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from diary import charts
from diary.extensions import db
from diary.models import TreatmentSession, User
from diary.operations import record_session
from diary.schemas import SessionBodySchema

from .. import clock
from ..factories import UserFactory, link, make_day, session_body
from .conftest import Account, log_in, shot
from .test_accessibility import violations

pytestmark = pytest.mark.browser


@pytest.fixture
def treated_patient(live_server, patient):
    """Six months of diary and a session every fortnight: the calendar's busiest case."""
    with live_server.app.app_context():
        user = db.session.get(User, uuid.UUID(patient.id))
        today = clock.today(user)
        for n in range(182):
            day = today - timedelta(days=n)
            make_day(user, day, headaches=[{"intensity": 1 + n % 9}] if n % 3 else [])
        therapist = UserFactory().therapist()
        link(user, therapist)
        for n in range(0, 182, 14):
            when = today - timedelta(days=n)
            data = SessionBodySchema().load(session_body(date=when.isoformat(), next_review_on=None))
            record_session(therapist, user, data)
        db.session.remove()
    return patient


def test_on_a_phone_a_sessions_frame_never_covers_the_days_beside_it(phone, treated_patient):
    page = phone().new_page()
    log_in(page, treated_patient)
    page.goto("/progress")
    chart = page.locator("#chart-calendar")
    chart.scroll_into_view_if_needed()
    page.wait_for_selector("#chart-calendar[data-chart-state=drawn]")
    drawn = page.evaluate("""() => {
        const plot = document.querySelector('#chart-calendar .js-plotly-plot');
        const weeks = plot.layout.meta.cells.weeks;
        const size = (name) => plot.data.find((t) => t.name === name).marker.size;
        return {pitch: plot._fullLayout._size.w / weeks, day: size('Moderate (4-6)'),
                frame: size('Treatment session'),
                line: plot.data.find((t) => t.name === 'Treatment session').marker.line.width};
    }""")
    # A frame's outer edge is its size plus the line; a neighbour's square starts half its size
    # from its own centre, one week's width away.
    assert (drawn["frame"] + drawn["line"]) / 2 <= drawn["pitch"] - drawn["day"] / 2, drawn
    assert drawn["day"] >= 3, drawn


# -- No chart text on other text or on the data, over a long and varied diary --------------------


@pytest.fixture
def long_diary(live_server):
    """Two years of an uneven diary, shared with a therapist: scattered and whole months of days
    not logged, unanswered days, all intensities, a stretch of painkiller overuse, sessions
    every fortnight lately and two a year and a half ago."""
    users = UserFactory()
    with live_server.app.app_context():
        patient = users.patient()
        therapist = users.therapist()
        link(patient, therapist)
        today = clock.today(patient)
        for n in range(730):
            if 400 <= n < 460 or n % 11 == 0:
                continue  # not logged
            day = today - timedelta(days=n)
            if n % 17 == 0:
                make_day(patient, day, soreness=n % 8, had_headache=None)  # question left open
                continue
            headache = n % 3 != 0 or 60 <= n < 120
            medications = [{"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic"}]
            if 60 <= n < 120 and n % 2:
                medications.append({"name": "Sumatriptan 50 mg", "drug_class": "triptan"})
            make_day(
                patient,
                day,
                headaches=[{"intensity": 1 + (n * 7) % 10}] if headache else [],
                medications=medications if headache else [],
                soreness=n % 6,
            )
        for n in [*range(3, 200, 14), 520, 548]:
            db.session.add(
                TreatmentSession(
                    patient_id=patient.id,
                    therapist_id=therapist.id,
                    date=today - timedelta(days=n),
                    techniques=["dry_needling"],
                    muscles=[],
                )
            )
        db.session.commit()
        accounts = (Account(str(patient.id), patient.email), Account(str(therapist.id), therapist.email))
        db.session.remove()
    return accounts


# Every piece of text plotly drew (titles, ticks, legend, annotations, numbers on marks), and
# where it overlaps another, or a bar or marker of the plot. A trace's own numbers sit on its own
# marks by design, so they are checked against other text only.
OVERLAPS = """(id) => {
    const root = document.querySelector('#' + id + ' .js-plotly-plot');
    const shown = (node) => {
        const box = node.getBoundingClientRect();
        const style = getComputedStyle(node);
        return node.textContent.trim() && box.width > 0 && box.height > 0
            && style.visibility !== 'hidden' && style.display !== 'none' && style.opacity !== '0';
    };
    const box = (node) => node.getBoundingClientRect();
    const cross = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
        && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    const texts = [...root.querySelectorAll('svg text')].filter(shown);
    const marks = [...root.querySelectorAll(
        '.cartesianlayer .trace path.point, .cartesianlayer .trace .point > path')]
        .filter((mark) => box(mark).width > 0);
    const found = [];
    texts.forEach((a, i) => texts.slice(i + 1).forEach((b) => {
        if (cross(box(a), box(b))) found.push(a.textContent + ' | ' + b.textContent);
    }));
    texts.filter((text) => !text.closest('.trace')).forEach((text) => marks.forEach((mark) => {
        if (cross(box(text), box(mark))) {
            found.push(text.textContent + ' | a mark of ' + mark.closest('.trace').className.baseVal);
        }
    }));
    return {texts: texts.length, marks: marks.length, overlaps: found};
}"""


def draw_every_chart(page) -> list[str]:
    """Scroll to each chart until all are drawn; the ids of the charts."""
    ids = page.eval_on_selector_all(".chart[data-chart-url]", "nodes => nodes.map(n => n.id)")
    for chart_id in ids:
        page.locator(f"#{chart_id}").scroll_into_view_if_needed()
        page.wait_for_selector(f"#{chart_id}[data-chart-state=drawn]", timeout=30_000)
    # Fonts loaded and two frames drawn: a responsive chart may lay itself out again once the
    # page has settled (a scroll bar, a font), and text is measured after that.
    page.evaluate("""() => document.fonts.ready.then(() => new Promise(
        (done) => requestAnimationFrame(() => requestAnimationFrame(done))))""")
    return ids


@pytest.mark.parametrize("who", ["patient", "therapist"])
def test_on_a_phone_no_chart_text_overlaps_other_text_or_the_data(
    phone, live_server, long_diary, axe_source, who
):
    patient, therapist = long_diary
    page = phone(bypass_csp=True).new_page()  # so that axe-core can be injected
    if who == "patient":
        log_in(page, patient)
        page.goto("/progress")
    else:
        log_in(page, therapist, then="/therapist")
        page.goto(f"/therapist/patients/{patient.id}")
    ids = draw_every_chart(page)
    expected = {"monthly", "calendar", "intensity", "medication"} | (
        {"sessions", "soreness"} if who == "therapist" else set()
    )
    assert {i.removeprefix("chart-") for i in ids} == expected and expected <= set(charts.NAMES)
    assert page.viewport_size["width"] == 390
    drawn = {chart_id: page.evaluate(OVERLAPS, chart_id) for chart_id in ids}
    assert all(d["texts"] >= 5 and d["marks"] for d in drawn.values()), drawn
    assert {chart_id: d["overlaps"] for chart_id, d in drawn.items() if d["overlaps"]} == {}
    # A calendar day is a mark a finger and an eye can find: 8 px or more across on six months.
    days = page.evaluate("""() => document.querySelector('#chart-calendar .js-plotly-plot').data
        .filter((t) => !['Acute medication', 'Painkiller day', 'Treatment session'].includes(t.name))
        .map((t) => t.marker.size)""")
    assert len(days) == 5 and min(days) >= 8, days
    shot(page, f"charts-{who}-long-diary")
    assert violations(page, axe_source) == []  # with every chart drawn
