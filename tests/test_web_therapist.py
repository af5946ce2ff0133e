"""The therapist's pages in the browser: the triage list, adding a patient by code, a patient's
diary, and the treatment session form, used as a browser without JavaScript would."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from diary import vocabulary as vocab
from diary.access import PATIENT_PAGE
from diary.clinical import overuse
from diary.extensions import db
from diary.models import ShareCode, TherapistLink, TreatmentSession
from diary.operations import create_share_code, record_session

from . import clock
from .factories import link, make_day, session_body
from .test_web_diary import csrf_token, field_error, fill, form_fields
from .test_web_progress import section, table_rows, words
from .test_web_sharing import browser, event_rows, events, text_of

WRONG_CODE = "This code did not work. It may be mistyped, already used, or more than 72 hours old."


def post(client, path: str, page: str = "/therapist", **data):
    token = csrf_token(client.get(page).text)
    return client.post(path, data={"csrf_token": token, **data})


@pytest.fixture
def desk(app, therapist):
    return browser(app, therapist)


@pytest.fixture
def shared(patient, therapist):
    """`patient` shares with `therapist`."""
    link(patient, therapist)
    return patient


def sessions_of(patient) -> list[TreatmentSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(TreatmentSession).where(TreatmentSession.patient_id == patient.id)))


def muscle_field(fields, muscle: str) -> str:
    """The form name of a muscle's side, e.g. muscles__0__side (for `fill`)."""
    [key] = [k for k, v in fields.items(multi=True) if k.endswith(".muscle") and v == muscle]
    return key.replace(".muscle", ".side").replace(".", "__")


def session_form(client, patient, **changes):
    """The new-session form as the page offers it, with the therapist's changes."""
    fields = form_fields(client.get(f"/therapist/patients/{patient.id}/sessions/new").text, "session-form")
    sides = {muscle_field(fields, m): s for m, s in changes.pop("sides", {}).items()}
    return fill(fields, **changes, **sides)


# -- Home: the triage list and adding a patient -------------------------------------------------------


def test_home_lists_each_patient_with_their_figures_in_words(mid_month, app, users, therapist, desk):
    patient = users.patient(name="Alex Morgan")
    link(patient, therapist)
    today = clock.today(patient)
    for n in range(12):  # painkillers on 12 of the last 30 days: approaching the limit
        make_day(
            patient,
            today - timedelta(days=n),
            headaches=[{"intensity": 5}],
            medications=[{"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic"}],
        )
    page = desk.get("/therapist")
    assert page.status_code == 200
    row = text_of(page.text.split(f'href="/therapist/patients/{patient.id}"')[1].split("</tr>")[0])
    assert today.strftime("%a %-d %b") in row
    assert "12 12" in row  # days logged and headache days of 28
    assert "! Approaching the limit" in row  # words and a symbol, not colour alone
    assert "Acute medication on 12 of 30 days" in row  # why it is approaching
    assert "No session yet" in row and "No comparison yet" in row and "Not set" in row


def row_of(desk, patient) -> str:
    page = desk.get("/therapist")
    assert page.status_code == 200
    return text_of(page.text.split(f'href="/therapist/patients/{patient.id}"')[1].split("</tr>")[0])


def test_home_says_why_a_thin_period_has_no_change(mid_month, users, therapist, desk):
    patient = users.patient(name="Thin Diary")
    link(patient, therapist)
    today = clock.today(patient)
    first = today - timedelta(days=30)
    for n in range(1, 29):  # a full baseline, then 9 logged days in the complete period
        make_day(patient, first - timedelta(days=n), headaches=[{"intensity": 5}] if n % 2 else [])
    for n in range(9):
        make_day(patient, first + timedelta(days=n))
    record_session(
        therapist,
        patient,
        {
            "date": first,
            "techniques": ["soft_tissue_work"],
            "muscles": [],
            "notes": None,
            "next_review_on": None,
        },
    )

    row = row_of(desk, patient)

    assert "Too few days logged (9 of 28)" in row
    assert "No session in 28 days" in row  # soreness is flagged for recent sessions only


def test_home_says_when_soreness_days_4_to_7_were_not_scored(mid_month, users, therapist, desk):
    patient = users.patient(name="No Scores")
    link(patient, therapist)
    today = clock.today(patient)
    record_session(
        therapist,
        patient,
        {
            "date": today - timedelta(days=10),
            "techniques": ["dry_needling"],
            "muscles": [],
            "notes": None,
            "next_review_on": None,
        },
    )

    assert "No scores days 4–7" in row_of(desk, patient)


def test_home_says_too_early_for_soreness_two_days_after_the_only_session(mid_month, users, therapist, desk):
    patient = users.patient(name="Sam Early")
    link(patient, therapist)
    today = clock.today(patient)
    make_day(patient, today - timedelta(days=1), soreness=5)
    record_session(
        therapist,
        patient,
        {
            "date": today - timedelta(days=2),
            "techniques": ["dry_needling"],
            "muscles": [],
            "notes": None,
            "next_review_on": None,
        },
    )
    page = desk.get("/therapist")
    assert page.status_code == 200
    row = text_of(page.text.split(f'href="/therapist/patients/{patient.id}"')[1].split("</tr>")[0])
    # Days 4-7 after the session are still to come: prolonged soreness is null, "Too early".
    assert "Too early" in row
    assert "Settled" not in row and "Not settling" not in row


def test_home_explains_how_to_add_the_first_patient(desk):
    page = desk.get("/therapist").text
    assert "No patients share their diary with you yet." in page
    assert 'action="/therapist/patients"' in page


def code_of(patient, kind: str) -> str:
    if kind == "unknown":
        return "K7QX-M2PD"
    code, _ = create_share_code(patient)
    if kind == "used":
        db.session.execute(update(ShareCode).values(used_at=ShareCode.created_at))
    if kind == "expired":
        db.session.execute(update(ShareCode).values(expires_at=ShareCode.created_at))
    db.session.commit()
    return code


@pytest.mark.parametrize("kind", ["unknown", "used", "expired"])
def test_a_code_that_does_not_work_gets_the_same_friendly_message(desk, patient, kind):
    response = post(desk, "/therapist/patients", code=code_of(patient, kind))
    assert response.status_code == 404
    assert field_error(response.text, "code").startswith(WRONG_CODE)
    assert 'aria-invalid="true"' in response.text
    assert db.session.scalar(select(func.count()).select_from(TherapistLink)) == 0


def test_a_blank_code_is_asked_for(desk):
    response = post(desk, "/therapist/patients", code="  ")
    assert response.status_code == 422
    assert field_error(response.text, "code") == "Type the code."


def test_wrong_codes_are_limited_like_the_api(make_app, users):
    app = make_app(SHARE_CODE_LIMIT_PER_USER="2 per hour")
    with app.app_context():
        desk = browser(app, users.therapist())
        statuses = [post(desk, "/therapist/patients", code="K7QX-M2PD").status_code for _ in range(3)]
        assert statuses == [404, 404, 429]
        assert "Too many attempts" in post(desk, "/therapist/patients", code="K7QX-M2PD").text


def test_a_patient_cannot_use_the_add_form(app, patient):
    phone = browser(app, patient)
    assert post(phone, "/therapist/patients", page="/today", code="K7QX-M2PD").status_code == 404


# -- A patient's page -------------------------------------------------------------------------------


# mid_month: yesterday (and the session two days ago) are in this month's calendar whatever the date.
def test_the_patient_page_shows_the_calendar_recent_days_and_sessions(
    mid_month, app, shared, therapist, as_user, desk
):
    today = clock.today(shared)
    make_day(
        shared,
        today - timedelta(days=1),
        headaches=[{"intensity": 8, "type": "migraine"}],
        medications=[{"name": "Sumatriptan 50 mg", "drug_class": "triptan", "doses": 2}],
        soreness=4,
        exercises_done=True,
    )
    as_user(therapist).post(
        f"/api/v1/patients/{shared.id}/sessions",
        json=session_body(date=(today - timedelta(days=2)).isoformat(), next_review_on=None),
    )
    page = desk.get(f"/therapist/patients/{shared.id}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Worst 8 out of 10 Migraine" in words and "Sumatriptan 50 mg ×2" in words
    assert "4/10 Done" in words
    assert f"{(today - timedelta(days=2)).strftime('%a %-d %b')} Session" in words
    assert "Record a session" in words
    assert 'class="calendar"' in page.text and "Treatment session</li>" in page.text
    assert f'href="#day-{(today - timedelta(days=1)).isoformat()}"' in page.text  # calendar to table row
    assert "Edit the session of" in words  # the author may change it
    assert '<th scope="col">Notes and triggers</th>' in page.text


def test_opening_a_patient_page_writes_one_read_event(shared, therapist, desk):
    desk.get(f"/therapist/patients/{shared.id}")
    assert event_rows(shared) == [(therapist.id, "read", PATIENT_PAGE, True)]


def test_an_unlinked_therapist_gets_404_and_the_attempt_is_logged(app, patient, users):
    stranger = browser(app, users.therapist())
    response = stranger.get(f"/therapist/patients/{patient.id}")
    assert response.status_code == 404 and patient.display_name not in response.text
    assert [e.allowed for e in events(patient)] == [False]


def test_the_patient_page_costs_the_same_statements_however_long_the_diary(
    mid_month, shared, therapist, as_user, desk, count_statements
):
    def statements() -> int:
        with count_statements() as counted:
            assert desk.get(f"/therapist/patients/{shared.id}").status_code == 200
        return len(counted)

    today = clock.today(shared)
    make_day(shared, today, headaches=[{"intensity": 3}])
    few = statements()
    for n in range(1, 40):
        make_day(
            shared,
            today - timedelta(days=n),
            headaches=[{"intensity": 5}, {"intensity": 2}],
            medications=[{"name": "Paracetamol 500 mg", "drug_class": "non_opioid_analgesic"}],
        )
    for n in (3, 10, 17):
        as_user(therapist).post(
            f"/api/v1/patients/{shared.id}/sessions",
            json=session_body(date=(today - timedelta(days=n)).isoformat(), next_review_on=None),
        )
    assert statements() == few


def test_the_patient_page_moves_by_month_but_not_past_this_month(mid_month, shared, desk):
    this_month = clock.today(shared).replace(day=1)
    page = desk.get(f"/therapist/patients/{shared.id}?month=2999-01").text
    assert this_month.strftime("%B") in page and "Next month" not in page
    previous = (this_month - timedelta(days=1)).replace(day=1)
    assert f"month={previous.strftime('%Y-%m')}" in page


@pytest.fixture
def first_of_month():
    """The clock stopped at noon on the 1st of the current month: yesterday is in the month
    before. Name it first among a test's fixtures."""
    with clock.stopped_at(clock.today().replace(day=1)) as instant:
        yield instant


def test_on_the_first_of_a_month_the_calendar_still_shows_yesterday(first_of_month, shared, desk):
    today = clock.today(shared)
    yesterday = today - timedelta(days=1)
    assert today.day == 1 and yesterday.month != today.month
    make_day(shared, yesterday, headaches=[{"intensity": 6}])
    calendar = section(desk.get(f"/therapist/patients/{shared.id}").text, "calendar-title")
    assert "Last 5 weeks" in words(calendar)
    assert f'href="#day-{yesterday.isoformat()}"' in calendar  # yesterday, linked to its row
    assert f"{yesterday.strftime('%A %-d %B')}: moderate headache, 6 out of 10" in words(calendar)
    # The five weeks end with this week and hold the last 28 days (the older ones link to the
    # whole days table, ?rows=all).
    days = re.findall(r'href="[^"#]*#day-([0-9-]+)"', calendar)
    assert days[0] == (today - timedelta(days=27)).isoformat() and days[-1] == today.isoformat()


def test_the_last_weeks_lead_to_the_months_before_and_back(first_of_month, shared, desk):
    today = clock.today(shared)
    page = desk.get(f"/therapist/patients/{shared.id}").text
    last_month = (today - timedelta(days=1)).replace(day=1)
    first_shown = today - timedelta(days=today.weekday() + 28)
    earlier = (first_shown - timedelta(days=1)).replace(day=1)
    assert f"?month={earlier.strftime('%Y-%m')}" in page and "Next month" not in page
    this_month = desk.get(f"/therapist/patients/{shared.id}?month={today.strftime('%Y-%m')}").text
    assert f"<h3>{today.strftime('%B')} <small>{today.year}</small></h3>" in this_month
    assert 'aria-label="The last 5 weeks"' in this_month
    before = desk.get(f"/therapist/patients/{shared.id}?month={last_month.strftime('%Y-%m')}").text
    assert f"Next month, {today.strftime('%B %Y')}" in before


def test_a_day_row_says_where_the_headache_was_its_type_side_and_symptoms(mid_month, shared, desk):
    today = clock.today(shared)
    make_day(
        shared,
        today - timedelta(days=1),
        headaches=[
            {
                "intensity": 6,
                "type": "unsure",
                "side": "left",
                "locations": ["back_of_head", "neck"],
                "symptoms": ["nausea", "light_sensitivity"],
                "neck_provoked": True,
                "duration_minutes": 90,
            }
        ],
    )
    make_day(
        shared,
        today - timedelta(days=2),
        headaches=[
            {"intensity": 4, "type": "tension", "locations": ["temples"], "side": "both"},
            {"intensity": 7, "type": "migraine", "side": "right", "duration_minutes": 180},
        ],
    )
    page = desk.get(f"/therapist/patients/{shared.id}").text
    row = words(page.split(f'id="day-{(today - timedelta(days=1)).isoformat()}"')[1].split("</tr>")[0])
    assert "Worst 6 out of 10 Type not sure, 1 h 30 min" in row
    assert "Back of head, neck (left)" in row
    assert "Nausea, light hurts; neck-provoked" in row
    row = words(page.split(f'id="day-{(today - timedelta(days=2)).isoformat()}"')[1].split("</tr>")[0])
    assert "Worst 7 out of 10 2 headaches: Tension-type 4/10 Temples (both sides)" in row
    assert "Migraine 7/10 , 3 h Right side" in row  # (text_of puts a space at each tag)


def test_an_approaching_limit_says_how_many_acute_medication_days_make_it(mid_month, shared, desk):
    today = clock.today(shared)
    for n in range(overuse.APPROACHING_ACUTE_DAYS):
        make_day(
            shared,
            today - timedelta(days=2 * n),
            headaches=[{"intensity": 5}],
            medications=[{"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic"}],
        )
    card = words(section(desk.get(f"/therapist/patients/{shared.id}").text, "overuse-title"))
    assert "Approaching the limit" in card
    days = overuse.APPROACHING_ACUTE_DAYS
    assert f"Acute medication on {days} of the last 30 days; the warning starts at {days}." in card
    assert "Reasons No limit reached in the last 30 days, but close to it." in card
    assert "None in the last" not in card


def test_means_and_rates_have_one_decimal_place_whole_or_not(mid_month, shared, therapist, desk):
    today = clock.today(shared)
    session_day = today - timedelta(days=8)
    for n in range(1, 8):  # peaks of 5 before the session; 4 and 5 in turn after it
        make_day(shared, session_day - timedelta(days=n), headaches=[{"intensity": 5}])
        make_day(shared, session_day + timedelta(days=n), headaches=[{"intensity": 4 + n % 2}])
    record_session(therapist, shared, session_body(date=session_day, next_review_on=None))
    rows = table_rows(section(desk.get(f"/therapist/patients/{shared.id}").text, "since-title"))
    assert rows["Mean peak intensity"] == ["5.0", "▼ 4.6"]
    assert rows["Per 28 days needs half the days logged"] == ["28.0", "28.0"]


# -- The session form --------------------------------------------------------------------------------


def test_the_form_offers_today_technique_chips_and_a_row_per_muscle(mid_month, shared, desk):
    page = desk.get(f"/therapist/patients/{shared.id}/sessions/new").text
    fields = form_fields(page, "session-form")
    assert fields["date"] == clock.today(shared).isoformat()
    assert fields.getlist("techniques") == []
    assert [v for k, v in fields.items(multi=True) if k.endswith(".muscle")] == list(vocab.MUSCLES)
    assert all(v == "" for k, v in fields.items(multi=True) if k.endswith(".side"))  # not treated
    for technique in vocab.TECHNIQUES:
        assert f'name="techniques" value="{technique}"' in page
    assert "data-quick-dates" in page and "+2 weeks" in page


def test_a_session_from_the_form_is_stored_as_the_api_stores_it(mid_month, shared, therapist, desk, as_user):
    day = clock.today(shared) - timedelta(days=1)
    sent = session_form(
        desk,
        shared,
        date=day.isoformat(),
        techniques=["dry_needling", "mobilisation"],
        notes="  Good response  ",
        next_review_on=(day + timedelta(days=7)).isoformat(),
        sides={"upper_trapezius": "both", "temporalis": "right"},
    )
    assert desk.post(f"/therapist/patients/{shared.id}/sessions/new", data=sent).status_code == 302
    [stored] = as_user(therapist).get(f"/api/v1/patients/{shared.id}/sessions").get_json()["sessions"]
    assert {k: stored[k] for k in ("date", "techniques", "muscles", "notes", "next_review_on")} == {
        "date": day.isoformat(),
        "techniques": ["dry_needling", "mobilisation"],
        "muscles": [{"muscle": "upper_trapezius", "side": "both"}, {"muscle": "temporalis", "side": "right"}],
        "notes": "Good response",
        "next_review_on": (day + timedelta(days=7)).isoformat(),
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"techniques": []}, "techniques", "Choose at least one technique."),
        ({"date": ""}, "date", "Give the session's date."),
        ({"date": "2026-02-30"}, "date", "Give the date as YYYY-MM-DD."),
        ({"date": "2999-01-01"}, "date", "A session can be recorded once it has happened."),
        (
            {"next_review_on": "2000-01-01"},
            "next_review_on",
            "The next review is on or after the session, within a year.",
        ),
        ({"sides": {"masseter": "front"}}, "muscles.5.side", "Choose a side from the list."),
    ],
)
def test_form_errors_are_shown_next_to_their_field_and_keep_what_was_typed(
    shared, desk, changes, field, message
):
    defaults = {"techniques": ["education"], "notes": "Typed notes stay"}
    sent = session_form(desk, shared, **{**defaults, **changes})
    response = desk.post(f"/therapist/patients/{shared.id}/sessions/new", data=sent)
    assert response.status_code == 422
    assert html.unescape(field_error(response.text, field)) == message
    assert "The session is not saved yet." in response.text
    kept = form_fields(response.text, "session-form")
    assert kept["notes"] == "Typed notes stay"
    assert kept.getlist("techniques") == sent.getlist("techniques")
    assert kept["date"] == sent["date"]
    assert sessions_of(shared) == []
    assert [e.action for e in events(shared) if e.action != "read"] == []  # nothing was written


def other_name_field(fields) -> str:
    """The form name of the "Other" muscle's name, e.g. muscles__7__name (for `fill`)."""
    return muscle_field(fields, vocab.OTHER_MUSCLE).replace("__side", "__name")


def test_an_other_muscle_is_named_on_the_form_and_shown_by_its_name(app, shared, therapist, desk):
    fields = form_fields(desk.get(f"/therapist/patients/{shared.id}/sessions/new").text, "session-form")
    sent = fill(
        fields,
        techniques=["education"],
        **{muscle_field(fields, "other"): "right", other_name_field(fields): "  Rhomboids  "},
    )
    assert desk.post(f"/therapist/patients/{shared.id}/sessions/new", data=sent).status_code == 302
    [session] = sessions_of(shared)
    assert session.muscles == [{"muscle": "other", "side": "right", "name": "Rhomboids"}]
    for reader, page in (
        (desk, f"/therapist/patients/{shared.id}"),
        (desk, f"/therapist/patients/{shared.id}/summary"),
        (browser(app, shared), "/sessions"),
    ):
        assert "Rhomboids" in text_of(reader.get(page).text), page
    edit = form_fields(
        desk.get(f"/therapist/patients/{shared.id}/sessions/{session.id}/edit").text, "session-form"
    )
    assert edit[other_name_field(edit).replace("__", ".")] == "Rhomboids"


@pytest.mark.parametrize(
    ("side", "name", "field", "message"),
    [
        ("left", "", "name", "Give the name of the other muscle."),
        ("", "Rhomboids", "side", "Choose a side from the list."),  # a typed name is never dropped
    ],
)
def test_an_other_muscle_needs_its_name_and_its_side(shared, desk, side, name, field, message):
    fields = form_fields(desk.get(f"/therapist/patients/{shared.id}/sessions/new").text, "session-form")
    sent = fill(
        fields,
        techniques=["education"],
        **{muscle_field(fields, "other"): side, other_name_field(fields): name},
    )
    response = desk.post(f"/therapist/patients/{shared.id}/sessions/new", data=sent)
    assert response.status_code == 422
    key = muscle_field(fields, "other").replace("__", ".").replace(".side", f".{field}")
    assert html.unescape(field_error(response.text, key)) == message
    assert form_fields(response.text, "session-form")[other_name_field(fields).replace("__", ".")] == name
    assert sessions_of(shared) == []


def test_a_session_can_be_corrected_from_its_prefilled_form(mid_month, shared, desk):
    day = clock.today(shared) - timedelta(days=3)
    desk.post(
        f"/therapist/patients/{shared.id}/sessions/new",
        data=session_form(
            desk, shared, date=day.isoformat(), techniques=["dry_needling"], sides={"suboccipitals": "left"}
        ),
    )
    [session] = sessions_of(shared)
    edit = f"/therapist/patients/{shared.id}/sessions/{session.id}/edit"
    fields = form_fields(desk.get(edit).text, "session-form")
    assert fields["date"] == day.isoformat() and fields.getlist("techniques") == ["dry_needling"]
    assert fields[muscle_field(fields, "suboccipitals").replace("__", ".")] == "left"
    response = desk.post(
        edit, data=fill(fields, notes="Corrected", **{muscle_field(fields, "suboccipitals"): "both"})
    )
    assert response.status_code == 302
    [session] = sessions_of(shared)
    assert session.notes == "Corrected"
    assert session.muscles == [{"muscle": "suboccipitals", "side": "both"}]
    assert [e.action for e in events(shared) if e.action != "read"] == ["create", "update"]


def test_a_correction_with_a_wrong_date_changes_nothing(mid_month, shared, desk):
    desk.post(
        f"/therapist/patients/{shared.id}/sessions/new",
        data=session_form(desk, shared, techniques=["education"], notes="First"),
    )
    [session] = sessions_of(shared)
    edit = f"/therapist/patients/{shared.id}/sessions/{session.id}/edit"
    fields = form_fields(desk.get(edit).text, "session-form")
    response = desk.post(edit, data=fill(fields, date="2999-01-01", notes="Second"))
    assert response.status_code == 422
    assert field_error(response.text, "date") == "A session can be recorded once it has happened."
    assert form_fields(response.text, "session-form")["notes"] == "Second"
    [kept] = sessions_of(shared)
    assert (kept.date, kept.notes) == (clock.today(shared), "First")
    assert [e.action for e in events(shared) if e.action != "read"] == ["create"]


def test_a_muscle_treated_left_and_right_shows_as_both(mid_month, shared, therapist, as_user, desk):
    sid = (
        as_user(therapist)
        .post(
            f"/api/v1/patients/{shared.id}/sessions",
            json=session_body(
                date=(clock.today(shared) - timedelta(days=1)).isoformat(),
                next_review_on=None,
                muscles=[{"muscle": "masseter", "side": "left"}, {"muscle": "masseter", "side": "right"}],
            ),
        )
        .get_json()["id"]
    )
    fields = form_fields(
        desk.get(f"/therapist/patients/{shared.id}/sessions/{sid}/edit").text, "session-form"
    )
    assert fields[muscle_field(fields, "masseter").replace("__", ".")] == "both"


def test_deleting_without_javascript_asks_first_then_deletes(shared, desk):
    desk.post(
        f"/therapist/patients/{shared.id}/sessions/new",
        data=session_form(desk, shared, techniques=["education"]),
    )
    [session] = sessions_of(shared)
    delete = f"/therapist/patients/{shared.id}/sessions/{session.id}/delete"
    asked = post(desk, delete, page=f"/therapist/patients/{shared.id}")
    assert asked.status_code == 200 and "Delete the session of" in asked.text
    assert len(sessions_of(shared)) == 1
    done = post(desk, delete, page=f"/therapist/patients/{shared.id}", confirm="yes")
    assert done.status_code == 302
    assert sessions_of(shared) == []
    assert "deleted." in desk.get(f"/therapist/patients/{shared.id}").text


def test_only_the_author_can_edit_or_delete_a_session(app, shared, therapist, users, desk):
    desk.post(
        f"/therapist/patients/{shared.id}/sessions/new",
        data=session_form(desk, shared, techniques=["education"], notes="Mine"),
    )
    [session] = sessions_of(shared)
    colleague = users.therapist()
    link(shared, colleague)
    other = browser(app, colleague)
    base = f"/therapist/patients/{shared.id}/sessions/{session.id}"
    page = other.get(f"/therapist/patients/{shared.id}").text
    assert "Mine" in page and f'href="{base}/edit"' not in page
    assert other.get(f"{base}/edit").status_code == 403
    fields = form_fields(desk.get(f"{base}/edit").text, "session-form")
    token = csrf_token(page)
    assert other.post(f"{base}/edit", data=fill(fields, notes="Theirs", csrf_token=token)).status_code == 403
    assert (
        post(other, f"{base}/delete", page=f"/therapist/patients/{shared.id}", confirm="yes").status_code
        == 403
    )
    [kept] = sessions_of(shared)
    assert kept.notes == "Mine"
    refused = [e for e in events(shared) if not e.allowed]
    assert [(e.actor_id, e.action) for e in refused] == [(colleague.id, "update"), (colleague.id, "delete")]


def test_a_patient_cannot_open_the_session_form(app, shared):
    phone = browser(app, shared)
    assert phone.get(f"/therapist/patients/{shared.id}/sessions/new").status_code == 404
