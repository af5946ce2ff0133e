"""Red flags on a phone (390 x 844; docs/red-flags.md): each sign's advice shows at once online,
offline (service worker installed, network cut) and with JavaScript off; a sign ticked in the
day form shows its advice before anything is sent; a sign added from its advice page offline
reaches today's record once back online, keeping the rest of the day. SQLite and PostgreSQL."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from diary import redflags
from diary.extensions import db
from diary.models import TreatmentSession

from .conftest import SHOTS, log_in, offline_ready, service_worker_ready, shot, tap_save, until

pytestmark = pytest.mark.browser
BACKENDS = ("sqlite", "postgresql")
HEADINGS = {"999": "Call 999 now", "111": "Contact NHS 111 or your GP today"}


def add_session(live_server, patient, days_ago: int, techniques=("dry_needling",)) -> None:
    with live_server.app.app_context():
        db.session.add(
            TreatmentSession(
                patient_id=uuid.UUID(patient.id),
                date=live_server.today(patient) - timedelta(days=days_ago),
                techniques=list(techniques),
                muscles=[{"muscle": "upper_trapezius", "side": "both"}],
            )
        )
        db.session.commit()
        db.session.remove()


def check_advice(page, flag) -> None:
    box = page.locator(".advice-box")
    box.wait_for()
    assert box.get_by_role("heading", level=1).inner_text() == HEADINGS[flag.level]
    assert flag.advice in box.inner_text()
    if flag.level == "999":
        assert box.get_by_role("link", name="Call 999").get_attribute("href") == "tel:999"
    else:
        assert box.get_by_role("link", name="Call 111").get_attribute("href") == "tel:111"
        assert box.get_by_role("link", name="Go to 111.nhs.uk").get_attribute("href") == "https://111.nhs.uk/"


def test_every_sign_is_two_taps_from_today_and_shows_its_advice_online(phone, patient):
    page = phone().new_page()
    log_in(page, patient)
    for flag in redflags.FLAGS:
        page.goto("/today")
        page.get_by_role("link", name="Something worrying? Get advice").click()
        page.wait_for_url("**/red-flags")
        if flag is redflags.FLAGS[0]:
            shot(page, "red-flags-list")
        page.get_by_role("link", name=flag.words).click()
        check_advice(page, flag)
    page.goto("/red-flags/sudden_severe")
    shot(page, "red-flag-999")
    page.goto("/red-flags/needle_site_infection")
    shot(page, "red-flag-111")


def test_every_sign_shows_its_advice_offline(phone, patient):
    context = phone()
    page = context.new_page()
    log_in(page, patient)
    service_worker_ready(page)
    context.set_offline(True)
    page.goto("/red-flags")
    page.get_by_role("heading", name="Something worrying?").wait_for()
    for flag in redflags.FLAGS:
        page.goto(f"/red-flags/{flag.code}")
        check_advice(page, flag)
    shot(page, "red-flag-offline")


def test_every_sign_shows_its_advice_without_javascript(phone, patient):
    page = phone(java_script_enabled=False).new_page()
    log_in(page, patient)
    page.goto("/red-flags")
    for flag in redflags.FLAGS:
        page.goto("/red-flags")
        page.get_by_role("link", name=flag.words).click()
        check_advice(page, flag)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_ticked_needling_sign_shows_its_advice_at_once(phone, live_server, patient, javascript):
    add_session(live_server, patient, days_ago=1)
    page = phone(java_script_enabled=javascript).new_page()
    log_in(page, patient)
    card = page.locator("[data-needling-flags]")
    card.get_by_role("heading", name="Since your treatment, have you had any of these?").wait_for()
    advice = page.locator("#advice-breathless_after_needling")
    assert not advice.is_visible()
    card.get_by_text(redflags.get("breathless_after_needling").words).click()
    advice.wait_for()
    assert "Call 999 now." in advice.inner_text()
    assert advice.get_by_role("link", name="Call 999").get_attribute("href") == "tel:999"
    if javascript:  # read out too
        alert = card.locator("[data-flag-alert]")
        assert alert.get_attribute("role") == "alert"
        assert alert.inner_text().startswith("Call 999 now.")
        assert live_server.days(patient) == {}  # nothing sent yet
        card.evaluate("c => c.scrollIntoView({block: 'start'})")
        shot_card(page, "needling-question-ticked")
    tap_save(page)
    page.locator(".flash").wait_for()
    today = live_server.today(patient).isoformat()
    assert live_server.days(patient)[today]["red_flags"] == ["breathless_after_needling"]


def shot_card(page, name: str) -> None:
    """A screenshot of the page where it is scrolled to (shot() scrolls to the top)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def test_the_headache_signs_open_as_soon_as_a_bad_headache_is_tapped(phone, patient):
    page = phone().new_page()
    log_in(page, patient)
    offline_ready(page)
    details = page.locator("[data-headache-flags]")
    assert details.get_attribute("open") is None
    page.locator("[data-question]").get_by_role("link", name="Yes, I had a headache").click()
    page.click("label.tap:has(input[name='headaches.0.intensity'][value='5'])")
    assert details.get_attribute("open") is None
    page.click("label.tap:has(input[name='headaches.0.intensity'][value='8'])")
    page.wait_for_function("() => document.querySelector('[data-headache-flags]').open")
    page.get_by_text(redflags.get("sudden_severe").words).click()
    page.locator("#advice-sudden_severe").wait_for()


def test_a_sign_added_offline_from_its_advice_page_reaches_today_once_back_online(
    phone, live_server, patient
):
    context = phone()
    page = context.new_page()
    log_in(page, patient)
    page.click("button[form=quick-soreness][value='4']")  # today already holds a soreness score
    page.locator(".flash").wait_for()
    service_worker_ready(page)
    offline_ready(page)
    context.set_offline(True)
    page.goto("/red-flags/chest_pain_after_needling")
    offline_ready(page)
    check_advice(page, redflags.get("chest_pain_after_needling"))
    page.get_by_role("button", name="Add this to today's diary").click()
    page.get_by_text("Added on this phone.").wait_for()
    [entry] = page.evaluate("DiaryOffline.outbox.all()")
    assert entry["merge"] and entry["day"]["red_flags"] == ["chest_pain_after_needling"]
    today = live_server.today(patient).isoformat()
    assert live_server.days(patient)[today]["red_flags"] == []
    shot(page, "red-flag-added-offline")

    context.set_offline(False)
    deadline = time.monotonic() + 15
    while live_server.days(patient)[today]["red_flags"] != ["chest_pain_after_needling"]:
        assert time.monotonic() < deadline, "the sign was not synced"
        time.sleep(0.2)
    day = live_server.days(patient)[today]
    assert day["soreness"] == 4 and day["had_headache"] is None  # the rest of the day is kept
    until(page, "DiaryOffline.outbox.all().then((all) => all.length === 0)")
    assert page.evaluate("DiaryOffline.outbox.all()") == []


def test_a_sign_added_online_goes_into_today(phone, live_server, patient):
    page = phone().new_page()
    log_in(page, patient)
    page.goto("/red-flags/arm_symptoms_after_needling")
    page.get_by_role("button", name="Add this to today's diary").click()
    page.locator(".flash").get_by_text("Added to today's diary.").wait_for()
    today = live_server.today(patient).isoformat()
    assert live_server.days(patient)[today]["red_flags"] == ["arm_symptoms_after_needling"]
    page.goto("/today")
    assert page.locator("#red_flags-arm_symptoms_after_needling").is_checked()


@pytest.mark.parametrize(
    ("techniques", "days_ago", "asked"),
    [
        (("dry_needling", "soft_tissue_work"), 3, True),  # S+3: the last day asked
        (("dry_needling",), 4, False),  # S+4: no longer
        (("soft_tissue_work", "exercise_prescription"), 1, False),  # no needling: never asked
    ],
)
def test_the_needling_question_comes_in_the_three_days_after_dry_needling_only(
    phone, live_server, patient, techniques, days_ago, asked
):
    add_session(live_server, patient, days_ago=days_ago, techniques=techniques)
    page = phone().new_page()
    log_in(page, patient)
    page.locator("[data-question]").wait_for()  # the page is drawn (the headache question)

    card = page.locator("[data-needling-flags]")  # kept in the form, hidden, for signs already reported
    assert card.is_visible() is asked
    if asked:
        assert card.get_by_role("heading").inner_text() == "Since your treatment, have you had any of these?"
