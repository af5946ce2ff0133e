"""The patient's control in the browser: share codes, their therapists, revocation, the sessions
their therapists record, the access log, password change and erasure; and the whole sharing
flow from code to revocation, as two browsers without JavaScript would use it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from diary.access import LIST_READ, PATIENT_PAGE
from diary.extensions import db
from diary.models import AccessEvent, DayRecord, LoginSession, TherapistLink, User

from . import clock
from .factories import PASSWORD, link, make_day, session_body
from .test_web_diary import csrf_token, field_error, fill, form_fields, log_in

NEW_PASSWORD = "copper-meadow-lantern-82"


def post(client, path: str, page: str | None = None, **data):
    """POST a form with the CSRF token of a page, as the browser does."""
    token = csrf_token(client.get(page or "/account").text)
    return client.post(path, data={"csrf_token": token, **data})


def browser(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def text_of(html: str) -> str:
    """The page's words, without tags, on one line."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def events(patient) -> list[AccessEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AccessEvent).where(AccessEvent.patient_id == patient.id).order_by(AccessEvent.id)
        )
    )


def event_rows(patient) -> list[tuple]:
    """The patient's access log as (actor id, action, what, allowed), oldest first."""
    return [(e.actor_id, e.action, e.what, e.allowed) for e in events(patient)]


def share_code(html: str) -> str:
    groups = re.findall(r'<span class="code-group">([A-Z0-9]{4})</span>', html)
    assert len(groups) == 2, "no share code on the page"
    return "-".join(groups)


@pytest.fixture
def me(app, patient):
    return browser(app, patient)


# -- The whole flow -----------------------------------------------------------------------------


def test_sharing_from_code_to_revocation_in_two_browsers(app, users):
    patient = users.patient(name="Alex Morgan")
    therapist = users.therapist(name="Sam Patel")
    yesterday = clock.today(patient) - timedelta(days=1)
    make_day(patient, yesterday, headaches=[{"intensity": 6}], soreness=3)
    phone, desk = browser(app, patient), browser(app, therapist)

    # The patient makes a code: big, grouped, with its expiry and what it shares.
    made = post(phone, "/sharing/codes", page="/sharing")
    assert made.status_code == 201
    code = share_code(made.text)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert "Works once, until" in made.text and "What your therapist will see" in made.text

    # The therapist adds the patient by that code (typed in lower case, without the dash).
    added = post(desk, "/therapist/patients", page="/therapist", code=code.replace("-", "").lower())
    assert added.status_code == 302 and added.headers["Location"] == "/therapist"
    home = desk.get("/therapist").text
    assert "Alex Morgan now shares their diary with you." in home
    assert f'href="/therapist/patients/{patient.id}">Alex Morgan</a>' in home

    # The list showed the patient's figures, and the therapist opens the patient's page: both
    # reads are in the access log.
    page = desk.get(f"/therapist/patients/{patient.id}")
    assert page.status_code == 200
    assert [(e.actor_id, e.action, e.what, e.allowed) for e in events(patient)] == [
        (therapist.id, "read", LIST_READ, True),
        (therapist.id, "read", PATIENT_PAGE, True),
    ]
    assert f'id="day-{yesterday.isoformat()}"' in page.text

    # ... and records a session through the form.
    form_page = desk.get(f"/therapist/patients/{patient.id}/sessions/new").text
    fields = form_fields(form_page, "session-form")
    muscle_row = {v: k.split(".")[1] for k, v in fields.items(multi=True) if k.endswith(".muscle")}
    filled = fill(
        fields,
        date=yesterday.isoformat(),
        techniques=["dry_needling", "education"],
        notes="Twitch responses, both sides",
        next_review_on=(yesterday + timedelta(days=14)).isoformat(),
        **{
            f"muscles__{muscle_row['upper_trapezius']}__side": "both",
            f"muscles__{muscle_row['suboccipitals']}__side": "left",
        },
    )
    saved = desk.post(f"/therapist/patients/{patient.id}/sessions/new", data=filled)
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/therapist/patients/{patient.id}"

    # The patient sees it in Sessions and on the calendar.
    sessions = text_of(phone.get("/sessions").text)
    assert yesterday.strftime("%a %-d %B %Y") in sessions and "with Sam Patel" in sessions
    assert "Dry needling Education" in sessions
    assert "Upper trapezius both sides Suboccipitals left" in sessions
    assert (yesterday + timedelta(days=14)).strftime("%a %-d %B %Y") in sessions
    calendar = phone.get(f"/calendar?month={yesterday.strftime('%Y-%m')}").text
    assert f"{yesterday.strftime('%A %-d %B')}: moderate headache, 6 out of 10, treatment session" in calendar
    assert "Treatment session</li>" in calendar

    # ... and reads in plain words who did what, newest first.
    log = text_of(phone.get("/sharing/access-log").text)
    added_words = f"Sam Patel added your treatment session of {yesterday.strftime('%a %-d %b %Y')}"
    assert added_words in log and f"Sam Patel read your {PATIENT_PAGE}" in log
    assert log.index(added_words) < log.index(f"Sam Patel read your {PATIENT_PAGE}")

    # The patient stops sharing; the therapist's very next request is refused.
    [link_id] = re.findall(r'action="/sharing/links/([0-9a-f-]+)/revoke"', phone.get("/sharing").text)
    revoked = post(phone, f"/sharing/links/{link_id}/revoke", page="/sharing", confirm="yes")
    assert revoked.status_code == 302
    assert "Sam Patel can no longer see your diary." in phone.get("/sharing").text
    assert desk.get(f"/therapist/patients/{patient.id}").status_code == 404
    assert "Alex Morgan" not in desk.get("/therapist").text
    assert events(patient)[-1].allowed is False


# -- Share codes and the list of therapists ------------------------------------------------------


def test_the_sharing_page_says_nobody_else_sees_the_diary_before_any_code(me):
    page = me.get("/sharing")
    assert page.status_code == 200
    assert "Only you. Nobody else can see your diary" in page.text
    assert "Make a share code" in page.text


def test_a_share_code_expires_in_72_hours_shown_in_the_patients_time_zone(app, users):
    patient = users.patient(timezone="America/New_York")
    made_at = clock.now(patient)
    page = post(browser(app, patient), "/sharing/codes", page="/sharing").text
    shown = re.search(r"until <strong>(\w+ \d+ \w+ at \d\d:\d\d)</strong> \(72 hours\)", page).group(1)
    expected = made_at + timedelta(hours=72)
    assert shown in {(expected + timedelta(minutes=m)).strftime("%A %-d %B at %H:%M") for m in (0, 1)}


def test_each_new_code_is_a_new_code_and_none_is_kept_in_the_page_after(me):
    first = share_code(post(me, "/sharing/codes", page="/sharing").text)
    second = share_code(post(me, "/sharing/codes", page="/sharing").text)
    assert first != second
    assert "code-group" not in me.get("/sharing").text


def test_the_list_shows_each_therapist_and_since_when(app, patient, users):
    sam = users.therapist(name="Sam Patel", email="sam@clinic.test")
    link(patient, sam)
    page = text_of(browser(app, patient).get("/sharing").text)
    assert f"Sam Patel sam@clinic.test Since {clock.today(patient).strftime('%-d %B %Y')}" in page


def test_stopping_without_javascript_asks_on_a_page_first_and_changes_nothing(app, patient, therapist):
    shared = link(patient, therapist)
    phone = browser(app, patient)
    asked = post(phone, f"/sharing/links/{shared.id}/revoke", page="/sharing")
    assert asked.status_code == 200
    assert f"Stop sharing with {therapist.display_name}?" in asked.text
    assert 'name="confirm" value="yes"' in asked.text
    assert db.session.scalar(select(func.count()).select_from(TherapistLink)) == 1


def test_a_patient_cannot_stop_another_patients_sharing(app, patient, therapist, users):
    shared = link(patient, therapist)
    other = browser(app, users.patient())
    response = post(other, f"/sharing/links/{shared.id}/revoke", page="/sharing", confirm="yes")
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(TherapistLink)) == 1


def test_making_a_code_without_the_csrf_token_is_refused(me):
    assert me.post("/sharing/codes").status_code == 400


@pytest.mark.parametrize("path", ["/sharing", "/sessions", "/sharing/access-log"])
def test_the_patients_sharing_pages_are_not_a_therapists(app, therapist, path):
    assert browser(app, therapist).get(path).status_code == 404


# -- Sessions and the calendar ---------------------------------------------------------------------


def test_sessions_page_explains_itself_before_there_are_any(me):
    assert "No treatment sessions yet." in me.get("/sessions").text


def test_sessions_are_listed_newest_first_with_the_next_review(app, patient, therapist, as_user):
    link(patient, therapist)
    today = clock.today(patient)
    author = as_user(therapist)
    for days_ago, review in ((20, None), (3, today + timedelta(days=11))):
        author.post(
            f"/api/v1/patients/{patient.id}/sessions",
            json=session_body(
                date=(today - timedelta(days=days_ago)).isoformat(),
                next_review_on=review.isoformat() if review else None,
            ),
        )
    page = text_of(browser(app, patient).get("/sessions").text)
    newer, older = ((today - timedelta(days=d)).strftime("%a %-d %B %Y") for d in (3, 20))
    assert page.index(newer) < page.index(older)
    assert f"Next review: {(today + timedelta(days=11)).strftime('%A %-d %B')}" in page


def test_the_calendar_marks_no_session_day_when_there_is_none(me, patient):
    page = me.get("/calendar").text
    assert "treatment session</span>" not in page
    assert "Treatment session</li>" in page  # the key explains the marker anyway


# -- The access log -------------------------------------------------------------------------------


def test_the_access_log_is_in_plain_words_local_time_and_marks_refusals(app, users):
    patient = users.patient(timezone="Asia/Tokyo")
    sam, stranger = users.therapist(name="Sam Patel"), users.therapist(name="Mallory Stone")
    link(patient, sam)
    db.session.add_all(
        [
            AccessEvent(
                patient_id=patient.id,
                actor_id=sam.id,
                actor_name="Sam Patel",
                actor_email=sam.email,
                action="read",
                what="diary days",
                allowed=True,
                at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
            ),
            AccessEvent(
                patient_id=patient.id,
                actor_id=stranger.id,
                actor_name="Mallory Stone",
                actor_email=stranger.email,
                action="read",
                what="diary day 2026-03-01",
                allowed=False,
                at=datetime(2026, 3, 2, 2, 45, tzinfo=UTC),
            ),
        ]
    )
    db.session.commit()
    page = browser(app, patient).get("/sharing/access-log").text
    words = text_of(page)
    assert "Monday 2 March 2026" in words  # Tokyo is 9 hours ahead of UTC
    assert "11:45 Mallory Stone tried to read your diary for Sun 1 Mar 2026 ✕ Refused" in words
    assert "10:30 Sam Patel read your diary days" in words
    assert words.index("11:45") < words.index("10:30")
    assert '<li class="refused">' in page


def test_the_access_log_says_so_when_nobody_has_looked(me):
    assert "Nobody but you has opened your diary." in me.get("/sharing/access-log").text


# -- Password and erasure -----------------------------------------------------------------------


def test_changing_the_password_ends_other_logins_but_keeps_this_one(app, patient):
    phone, laptop = browser(app, patient), browser(app, patient)
    response = post(phone, "/account/password", current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/account#main"
    assert "Any other phone or computer logged in as you is now logged out." in phone.get("/account").text
    assert phone.get("/today").status_code == 200
    assert laptop.get("/today").headers["Location"].startswith("/login")
    fresh = app.test_client()
    token = csrf_token(fresh.get("/login").text)
    assert (
        fresh.post(
            "/login", data={"email": patient.email, "password": NEW_PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("current", "new", "field", "message"),
    [
        ("not-my-password-at-all", NEW_PASSWORD, "current_password", "This is not your current password."),
        (PASSWORD, "password1", "new_password", None),
    ],
)
def test_a_refused_password_change_says_why_next_to_the_field(app, patient, current, new, field, message):
    phone, laptop = browser(app, patient), browser(app, patient)
    response = post(phone, "/account/password", current_password=current, new_password=new)
    assert response.status_code == 422
    shown = field_error(response.text, field)
    assert shown and (message is None or shown == message)
    assert 'value="password1"' not in response.text  # passwords are never sent back
    assert laptop.get("/today").status_code == 200  # nothing changed, nobody logged out


def test_erasing_from_the_account_page_deletes_everything_and_says_goodbye(app, patient, therapist):
    link(patient, therapist)
    make_day(patient, clock.today(patient), headaches=[{"intensity": 4}])
    patient_id = patient.id
    phone, other_phone = browser(app, patient), browser(app, patient)
    page = phone.get("/account").text
    assert "This deletes your whole diary for good" in page
    response = post(phone, "/account/erase", password=PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/goodbye"
    goodbye = phone.get("/goodbye")
    assert goodbye.status_code == 200 and "Your diary is erased" in goodbye.text
    assert 'href="/account"' not in goodbye.text  # logged out: no navigation of a logged-in user
    assert phone.get("/today").headers["Location"].startswith("/login")
    assert other_phone.get("/today").headers["Location"].startswith("/login")
    db.session.expire_all()
    assert db.session.get(User, patient_id) is None
    for counted in (
        select(func.count()).select_from(DayRecord).where(DayRecord.patient_id == patient_id),
        select(func.count()).select_from(TherapistLink),
        select(func.count()).select_from(LoginSession).where(LoginSession.user_id == patient_id),
    ):
        assert db.session.scalar(counted) == 0
    assert phone.get("/goodbye").headers["Location"] == "/"  # said once


def test_erasing_with_a_wrong_password_erases_nothing(app, patient):
    phone = browser(app, patient)
    response = post(phone, "/account/erase", password="not-my-password-at-all")
    assert response.status_code == 422
    assert field_error(response.text, "password") == "This is not your password."
    db.session.expire_all()
    assert db.session.get(User, patient.id) is not None
    assert phone.get("/today").status_code == 200


def test_a_therapist_has_no_erase_form_and_cannot_post_one(app, therapist):
    desk = browser(app, therapist)
    assert "Erase your account" not in desk.get("/account").text
    assert post(desk, "/account/erase", password=PASSWORD).status_code == 404


def test_the_goodbye_page_is_only_said_after_an_erasure(client):
    assert client.get("/goodbye").headers["Location"] == "/"
