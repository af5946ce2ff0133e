"""The printed pre-follow-up summary (issue 11 item 17): Chromium prints it on exactly two A4
pages, with the two charts a therapist reads first (headache days by week with the sessions marked, acute
medication days against the limits) drawn as SVG in the print layout, so the PDF keeps them as
vectors. The patient is the demo's: four sessions, six months of diary."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from diary import demo
from diary.extensions import db
from diary.models import User

from .conftest import Account, log_in

pytestmark = pytest.mark.browser

CHARTS = ("#chart-weekly", "#chart-medication")


@pytest.fixture(scope="module")
def demo_accounts(live_server) -> tuple[Account, str]:
    """The demo therapist, and the id of the demo patient they see."""
    with live_server.app.app_context():
        demo.load_demo_data()
        email, password = demo.DEMO_LOGINS["therapist"]
        therapist = db.session.scalar(select(User).where(User.email == email))
        patient = db.session.scalar(select(User).where(User.email == demo.DEMO_LOGINS["patient"][0]))
        account, pid = Account(str(therapist.id), email, password), str(patient.id)
        db.session.remove()
    return account, pid


def page_count(pdf: bytes) -> int:
    """The pages of a PDF: its /Type /Page objects (not the /Pages tree above them)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_the_summary_prints_on_two_a4_pages_with_its_two_charts_as_svg(browser, live_server, demo_accounts):
    therapist, pid = demo_accounts
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, therapist, then="/therapist")
        page.goto(f"/therapist/patients/{pid}/summary")
        for chart in CHARTS:  # drawn at once, scrolled to or not
            page.wait_for_selector(f"{chart}[data-chart-state=drawn]")
        page.emulate_media(media="print")
        drawn = page.evaluate(
            """(charts) => charts.map((selector) => {
            const chart = document.querySelector(selector);
            const svg = chart.querySelector('svg.main-svg');
            const box = chart.getBoundingClientRect();
            return {shown: box.width > 0 && box.height > 0, svg: Boolean(svg),
                    marks: chart.querySelectorAll('.point path, .scatterlayer path').length,
                    raster: chart.querySelectorAll('canvas, img').length,
                    right: box.right, sheet: document.querySelector('.sheet').getBoundingClientRect().right};
        })""",
            list(CHARTS),
        )
        for chart, found in zip(CHARTS, drawn):
            assert found["shown"] and found["svg"] and found["marks"] > 0, (chart, found)
            assert found["raster"] == 0 and found["right"] <= found["sheet"] + 1, (chart, found)
        # the patient page's other charts stay off the paper
        assert page.locator(".chart").count() == len(CHARTS)
        pdf = page.pdf(format="A4", print_background=False)
        assert page_count(pdf) == 2
        # Vector form: no picture anywhere in the PDF (Chromium turns a pattern fill into one).
        assert re.findall(rb"/Subtype\s*/Image", pdf) == []
    finally:
        context.close()
