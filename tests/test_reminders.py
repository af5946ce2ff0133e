"""Reminders (issue 13, docs/reminders.md): the settings and subscriptions API, sending through
a real (test) push service that decrypts each push, email through a real SMTP server, once per
local day even with two senders at once, the clock-change days and far-off zones, and the
catch-up page."""

from __future__ import annotations

import stat
import threading
from datetime import date, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from diary import create_app
from diary.config import ConfigError
from diary.extensions import db
from diary.models import DayRecord, PushSubscription, ReminderSent
from diary.operations.reminders import add_push_subscription, send_due, update_reminders
from diary.reminders import WORDS

from . import clock
from .clock import utc
from .factories import make_day
from .mailbox import mailbox  # noqa: F401  (the fixture)
from .push import PRODUCTION_PUSH, PushService, unb64url

DAY = date(2026, 12, 1)  # a Tuesday; London is on GMT
SETTINGS = {"enabled": True, "time": "20:00", "channels": ["push", "email"], "skip_if_logged": True}


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service
    assert service.failures == [], "pushes the service could not decrypt or verify"


def reminded(users, push_service, *, day=DAY, at="20:00", channels=("push",), skip_if_logged=True, **kwargs):
    """A patient who joined 8 days before `day`, with reminders on then and this browser
    subscribed: (patient, subscription)."""
    with clock.stopped_at(day - timedelta(days=8), time(9, 0)):
        patient = users.patient(**kwargs)
        update_reminders(
            patient,
            {
                "enabled": True,
                "time": time.fromisoformat(at),
                "channels": list(channels),
                "skip_if_logged": skip_if_logged,
            },
        )
        subscription = push_service.subscribe()
        add_push_subscription(patient, subscription["endpoint"], **subscription["keys"])
    return patient, subscription


def log_days(patient, first: date, last: date, skip: tuple[date, ...] = ()) -> None:
    day = first
    while day <= last:
        if day not in skip:
            make_day(patient, day)
        day += timedelta(days=1)


def sent_rows(patient) -> list[date]:
    return list(
        db.session.scalars(
            select(ReminderSent.local_date)
            .where(ReminderSent.patient_id == patient.id)
            .order_by(ReminderSent.local_date)
        )
    )


# -- The API -------------------------------------------------------------------------------------


def test_reminders_start_off_and_keep_what_the_patient_sets(logged_in):
    assert logged_in.get("/api/v1/patients/me/reminders").get_json() == {
        "enabled": False,
        "time": "20:00",
        "channels": ["push", "email"],
        "skip_if_logged": True,
    }
    body = {"enabled": True, "time": "07:45", "channels": ["email"], "skip_if_logged": False}
    response = logged_in.put("/api/v1/patients/me/reminders", json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == body
    assert logged_in.get("/api/v1/patients/me/reminders").get_json() == body
    # skip_if_logged may be left out: it is on unless said otherwise.
    body = {"enabled": True, "time": "21:00", "channels": ["push", "push"]}
    assert logged_in.put("/api/v1/patients/me/reminders", json=body).get_json() == {
        **body,
        "channels": ["push"],
        "skip_if_logged": True,
    }


BAD_SETTINGS = [
    ({"time": "25:00"}, "time"),
    ({"time": "8pm"}, "time"),
    ({"channels": ["sms"]}, "channels.0"),
    ({"enabled": "yes"}, "enabled"),
    ({"enabled": None}, "enabled"),
    ({"colour": "blue"}, "colour"),
]


def test_bad_reminder_settings_are_a_422_problem_and_change_nothing(logged_in):
    before = logged_in.get("/api/v1/patients/me/reminders").get_json()
    for change, field in BAD_SETTINGS:
        response = logged_in.put("/api/v1/patients/me/reminders", json={**SETTINGS, **change})
        assert response.status_code == 422, change
        assert response.mimetype == "application/problem+json"
        assert field in response.get_json()["errors"], change
    assert logged_in.get("/api/v1/patients/me/reminders").get_json() == before


def test_the_public_key_is_the_servers_vapid_key_as_an_uncompressed_p256_point(app, logged_in):
    key = logged_in.get("/api/v1/push/public-key").get_json()["public_key"]
    assert key == app.config["VAPID_PUBLIC_KEY"]
    raw = unb64url(key)
    assert len(raw) == 65 and raw[0] == 4


def test_a_browser_subscribes_and_only_its_patient_can_remove_it(users, as_user, push_service):
    a, b = as_user(users.patient()), as_user(users.patient())
    body = {
        "endpoint": "https://push.example.test/send/abc123",
        "keys": push_service.subscribe()["keys"],
        "expirationTime": None,
    }
    response = a.post("/api/v1/patients/me/push-subscriptions", json=body)
    assert response.status_code == 201, response.get_json()
    subscription_id = response.get_json()["id"]
    # The same browser again (a new tap on "Remind me"): still one subscription.
    again = a.post("/api/v1/patients/me/push-subscriptions", json=body).get_json()["id"]
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 1
    assert b.delete(f"/api/v1/patients/me/push-subscriptions/{again}").status_code == 404
    assert a.delete(f"/api/v1/patients/me/push-subscriptions/{subscription_id}").status_code == 404
    assert a.delete(f"/api/v1/patients/me/push-subscriptions/{again}").status_code == 204
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


NOT_PUSH_SERVICES = (
    "http://push.example.test/x",
    "https://127.0.0.1/x",
    "https://localhost/x",
    "https://[::1]/x",
    "ftp://a/b",
)


def test_a_subscription_must_name_a_push_service_on_the_internet(logged_in, push_service):
    for endpoint in NOT_PUSH_SERVICES:
        body = {"endpoint": endpoint, "keys": push_service.subscribe()["keys"]}
        response = logged_in.post("/api/v1/patients/me/push-subscriptions", json=body)
        assert response.status_code == 422, endpoint
        assert "endpoint" in response.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


# -- Sending -------------------------------------------------------------------------------------


def test_a_due_reminder_is_pushed_encrypted_to_the_subscription(app, users, push_service):
    patient, subscription = reminded(users, push_service)
    log_days(patient, DAY - timedelta(days=7), DAY - timedelta(days=1))
    assert send_due(utc(2026, 12, 1, 19, 59, 59)).reminders == 0
    assert push_service.received == []

    result = send_due(utc(2026, 12, 1, 20, 0))
    assert (result.reminders, result.pushes, result.failed) == (1, 1, [])
    [push] = push_service.pushes_to(subscription)
    assert push.message == {"title": "Time for your headache diary", "body": WORDS["today"], "url": "/today"}
    assert push.vapid_key == app.config["VAPID_PUBLIC_KEY"]
    assert push.claims["aud"] == push_service.origin
    assert push.claims["sub"] == app.config["VAPID_SUBJECT"]
    assert int(push.headers["ttl"]) == app.config["REMINDER_PUSH_TTL"]
    assert sent_rows(patient) == [DAY]


def test_two_missing_days_of_the_last_week_link_to_the_catch_up_page(users, push_service):
    one_missing, one = reminded(users, push_service)
    two_missing, two = reminded(users, push_service)
    week = (DAY - timedelta(days=7), DAY - timedelta(days=1))
    log_days(one_missing, *week, skip=(DAY - timedelta(days=3),))
    log_days(two_missing, *week, skip=(DAY - timedelta(days=3), DAY - timedelta(days=6)))
    # A day saved without answering the headache question is missing too.
    make_day(two_missing, DAY - timedelta(days=6), had_headache=None, soreness=3)
    send_due(utc(2026, 12, 1, 20, 0))
    assert push_service.pushes_to(one)[0].message["url"] == "/today"
    [push] = push_service.pushes_to(two)
    assert (push.message["url"], push.message["body"]) == ("/catch-up", WORDS["catch_up"])


def test_a_diary_filled_in_from_before_the_account_counts_for_catching_up(users, push_service):
    """The week looked back on starts at the diary's first day, not at the account's: a patient
    who joins and fills in the days before (or imports them) can have days to catch up."""
    patient, subscription = reminded(users, push_service, day=DAY + timedelta(days=8))  # joined on DAY
    log_days(patient, DAY - timedelta(days=20), DAY - timedelta(days=5))
    send_due(utc(2026, 12, 2, 20, 0))
    assert push_service.pushes_to(subscription)[0].message["url"] == "/catch-up"


def test_a_reminder_goes_once_per_local_day(users, push_service):
    patient, subscription = reminded(users, push_service, skip_if_logged=False)
    for instant in (utc(2026, 12, 1, 20, 0), utc(2026, 12, 1, 20, 1), utc(2026, 12, 1, 23, 59)):
        send_due(instant)
    assert len(push_service.pushes_to(subscription)) == 1
    send_due(utc(2026, 12, 2, 20, 0))
    assert len(push_service.pushes_to(subscription)) == 2
    assert sent_rows(patient) == [DAY, DAY + timedelta(days=1)]


def test_a_logged_day_is_skipped_only_when_the_patient_asked(users, push_service):
    skipping, skipping_sub = reminded(users, push_service, skip_if_logged=True)
    not_skipping, not_skipping_sub = reminded(users, push_service, skip_if_logged=False)
    unanswered, unanswered_sub = reminded(users, push_service, skip_if_logged=True)
    for patient in (skipping, not_skipping):
        make_day(patient, DAY)
    make_day(unanswered, DAY, had_headache=None, soreness=2)  # saved, question not answered
    result = send_due(utc(2026, 12, 1, 20, 0))
    assert result.skipped_logged == 1
    assert push_service.pushes_to(skipping_sub) == []
    assert len(push_service.pushes_to(not_skipping_sub)) == 1
    assert len(push_service.pushes_to(unanswered_sub)) == 1


@pytest.mark.parametrize(("status", "removed"), [(410, True), (404, True), (500, False)])
def test_a_subscription_the_push_service_no_longer_has_is_removed(users, push_service, status, removed):
    patient, gone = reminded(users, push_service)
    other = push_service.subscribe()
    add_push_subscription(patient, other["endpoint"], **other["keys"])
    push_service.answer(gone, status)
    result = send_due(utc(2026, 12, 1, 20, 0))
    assert (result.gone, result.pushes) == (int(removed), 1)
    kept = set(db.session.scalars(select(PushSubscription.endpoint)))
    assert kept == ({other["endpoint"]} if removed else {other["endpoint"], gone["endpoint"]})
    assert len(push_service.pushes_to(gone)) == 1  # it was tried


def test_an_email_reminder_links_to_the_diary_and_carries_no_health_data(app, users, push_service, mailbox):  # noqa: F811
    patient, _ = reminded(users, push_service, channels=("email",))
    make_day(
        patient,
        DAY - timedelta(days=1),
        headaches=[{"intensity": 7, "type": "migraine"}],
        medications=[{"name": "Sumatriptan 50 mg", "drug_class": "triptan"}],
    )
    result = send_due(utc(2026, 12, 1, 20, 0))
    assert (result.emails, result.pushes) == (1, 0)
    [message] = mailbox.wait_for(1)
    assert message["To"] == patient.email
    assert message["Subject"] == "Time for your headache diary"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "https://diary.clinic.test/catch-up" in text and "https://diary.clinic.test/catch-up" in html
    for word in ("Sumatriptan", "migraine", "7", "headache day"):
        assert word not in text, word


@pytest.mark.parametrize(
    ("zone", "at", "day", "not_yet", "due", "later"),
    [
        # 01:30 does not exist on 29 March in London: sent at 02:00 BST (01:00 UTC), once.
        (
            "Europe/London",
            "01:30",
            date(2026, 3, 29),
            utc(2026, 3, 29, 0, 59),
            utc(2026, 3, 29, 1, 0),
            utc(2026, 3, 29, 1, 30),
        ),
        # 01:30 comes twice on 25 October: sent at the first, not again at the second.
        (
            "Europe/London",
            "01:30",
            date(2026, 10, 25),
            utc(2026, 10, 25, 0, 29),
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 25, 1, 30),
        ),
        # UTC+14: 08:00 on 2 December is 18:00 UTC on the 1st.
        (
            "Pacific/Kiritimati",
            "08:00",
            date(2026, 12, 2),
            utc(2026, 12, 1, 17, 59),
            utc(2026, 12, 1, 18, 0),
            utc(2026, 12, 1, 23, 0),
        ),
        # UTC-11: 08:00 on 1 December is 19:00 UTC.
        (
            "Pacific/Pago_Pago",
            "08:00",
            date(2026, 12, 1),
            utc(2026, 12, 1, 18, 59),
            utc(2026, 12, 1, 19, 0),
            utc(2026, 12, 2, 10, 0),
        ),
    ],
)
def test_edge_days_and_far_off_zones_get_one_reminder_at_their_own_time(
    users, push_service, zone, at, day, not_yet, due, later
):
    patient, subscription = reminded(users, push_service, day=day, at=at, timezone=zone, skip_if_logged=False)
    assert send_due(not_yet).reminders == 0
    assert send_due(due).reminders == 1
    assert send_due(later).reminders == 0
    assert len(push_service.pushes_to(subscription)) == 1
    assert sent_rows(patient) == [day]


def test_two_senders_at_once_send_each_reminder_once(app, users, push_service):
    patients = [reminded(users, push_service, skip_if_logged=False) for _ in range(12)]
    db.session.remove()
    start, results, errors = threading.Barrier(2), [], []

    def sender():
        with app.app_context():
            start.wait(5)
            try:
                results.append(send_due(utc(2026, 12, 1, 20, 0)))
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sum(result.reminders for result in results) == len(patients)
    for patient, subscription in patients:
        assert len(push_service.pushes_to(subscription)) == 1
        assert sent_rows(patient) == [DAY]


def test_the_command_sends_what_is_due_now(app, users, push_service):
    patient, subscription = reminded(users, push_service)
    with clock.stopped_at(DAY, time(20, 30)):
        output = app.test_cli_runner().invoke(args=["reminders", "send-due"]).output
    assert output.startswith("reminders: 1 sent (1 push, 0 email)")
    assert len(push_service.pushes_to(subscription)) == 1


# -- The pages -----------------------------------------------------------------------------------


def post_form(client, url: str, data: dict):
    return client.client.post(url, data=data, headers={"X-CSRFToken": client.csrf_token()})


def test_the_catch_up_page_lists_missing_days_and_answers_one_in_a_tap(users, as_user):
    with clock.stopped_at(DAY - timedelta(days=20), time(9)):
        patient = users.patient()
    log_days(
        patient,
        DAY - timedelta(days=7),
        DAY - timedelta(days=1),
        skip=(DAY - timedelta(days=2), DAY - timedelta(days=4), DAY - timedelta(days=5)),
    )
    make_day(patient, DAY - timedelta(days=4), headaches=[{"intensity": 5}])
    with clock.stopped_at(DAY, time(12)):
        client = as_user(patient)
        page = client.get("/catch-up").get_data(as_text=True)
        assert "2 days of the last week are not filled in yet." in page
        assert "Sunday 29 November" in page and "Thursday 26 November" in page
        assert "Friday 27 November" not in page  # logged, with a headache
        assert 'href="/days/2026-11-29?headache=yes"' in page

        response = post_form(client, "/catch-up/2026-11-29", {})
        assert response.status_code == 302 and response.headers["Location"].endswith("/catch-up")
        saved = db.session.scalar(select(DayRecord).where(DayRecord.date == date(2026, 11, 29)))
        assert saved.had_headache is False
        page = client.get("/catch-up").get_data(as_text=True)
        assert "Saved Sunday 29 November as a day without a headache." in page
        assert "1 day of the last week is not filled in yet." in page

        # A day with a headache is never wiped by "No headache".
        post_form(client, "/catch-up/2026-11-27", {})
        assert (
            db.session.scalar(select(DayRecord.had_headache).where(DayRecord.date == date(2026, 11, 27)))
            is True
        )
        assert "A headache is already logged" in client.get("/catch-up").get_data(as_text=True)


def test_the_account_page_sets_reminders_without_javascript(users, as_user):
    client = as_user(users.patient())
    page = client.get("/account").get_data(as_text=True)
    assert 'id="reminders-title"' in page and "Remind me on this phone" in page
    form = {"enabled": "on", "time": "07:45", "channels": ["push"], "csrf_token": client.csrf_token()}
    response = post_form(client, "/account/reminders", form)
    assert response.status_code == 302
    assert client.get("/api/v1/patients/me/reminders").get_json() == {
        "enabled": True,
        "time": "07:45",
        "channels": ["push"],
        "skip_if_logged": False,
    }
    response = post_form(client, "/account/reminders", {**form, "time": "7 o'clock"})
    assert response.status_code == 422
    assert "Give the time as HH:MM" in response.get_data(as_text=True)
    assert client.get("/api/v1/patients/me/reminders").get_json()["time"] == "07:45"


# -- The keys ------------------------------------------------------------------------------------


@pytest.fixture
def instance_path(tmp_path, monkeypatch):
    """create_app's instance folder in tmp_path, and no VAPID settings from the shell."""
    path = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(path))
    for name in (*PRODUCTION_PUSH, "DIARY_ENV", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_production_needs_the_vapid_keys_from_the_environment(instance_path, monkeypatch):
    monkeypatch.setenv("DIARY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    with pytest.raises(ConfigError, match="VAPID_PRIVATE_KEY"):
        create_app()
    for name, value in PRODUCTION_PUSH.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("VAPID_PUBLIC_KEY", PRODUCTION_PUSH["VAPID_PUBLIC_KEY"][:-4] + "AAAA")
    with pytest.raises(ConfigError, match="not the public key"):
        create_app()
    monkeypatch.setenv("VAPID_PUBLIC_KEY", PRODUCTION_PUSH["VAPID_PUBLIC_KEY"])
    app = create_app()
    assert app.config["VAPID_PUBLIC_KEY"] == PRODUCTION_PUSH["VAPID_PUBLIC_KEY"]
    assert not (instance_path / "vapid_private_key").exists()
    with app.app_context():
        db.engine.dispose()


def test_development_generates_the_vapid_key_once_into_the_instance_folder(instance_path):
    first, second = create_app(), create_app()
    key_file = instance_path / "vapid_private_key"
    assert (
        first.config["VAPID_PRIVATE_KEY"]
        == key_file.read_text().strip()
        == second.config["VAPID_PRIVATE_KEY"]
    )
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(unb64url(first.config["VAPID_PUBLIC_KEY"])) == 65
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()
