"""Every page a patient sees, checked by axe-core in Chromium: no serious or critical violation.
Includes the offline states (the shell, the offline page, days waiting, a conflict)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .answers import answer_headache
from .conftest import log_in, service_worker_ready, tap_save

pytestmark = pytest.mark.browser
SEVERE = ("serious", "critical")


def violations(page, axe_source: str) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in SEVERE
    ]


@pytest.fixture
def checked(phone, axe_source):
    """A phone whose pages axe can be injected into (the CSP allows no inline script)."""
    context = phone(bypass_csp=True)
    page = context.new_page()

    def check(path: str | None = None) -> None:
        if path:
            page.goto(path)
        found = violations(page, axe_source)
        assert found == [], f"{path or page.url}: " + "; ".join(found)

    return context, page, check


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/register",
        "/offline",
        "/offline/day",
        "/red-flags",
        "/red-flags/sudden_severe",
        "/red-flags/needle_site_infection",
    ],
)
def test_public_pages_have_no_serious_accessibility_violations(checked, path):
    _context, _page, check = checked
    check(path)


def test_patient_pages_have_no_serious_accessibility_violations(checked, live_server, patient):
    context, page, check = checked
    log_in(page, patient)
    yesterday = (live_server.today(patient) - timedelta(days=1)).isoformat()
    for path in ("/today", f"/days/{yesterday}", "/calendar", "/account"):
        check(path)


def test_offline_states_have_no_serious_accessibility_violations(checked, live_server, patient, phone):
    context, page, check = checked
    log_in(page, patient)
    service_worker_ready(page)
    context.set_offline(True)
    answer_headache(page, None)
    page.fill("#notes", "Logged offline")
    tap_save(page)
    page.locator("[data-offline-status]").get_by_text("1 day waiting to sync").wait_for()
    check()  # the waiting count
    page.reload()
    check()  # the shell, filled from the outbox
    other = phone().new_page()
    log_in(other, patient)
    answer_headache(other, 4)
    tap_save(other)
    other.locator(".flash").wait_for()
    context.set_offline(False)
    page.locator("[data-conflict]").wait_for()
    check()  # the choice between two versions
