"""The data pages (docs/export-import.md): Account's downloads and "Bring in days from a file"
(upload, preview, choice for the conflicts, confirm), and the GP report from Progress."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

from sqlalchemy import select

from diary import clinical, queries, reports
from diary.demo import DEMO_PATIENT, load_demo_data
from diary.extensions import db
from diary.models import DayRecord, User

from . import clock
from .factories import PASSWORD, day_body
from .test_web_accounts import csrf_token, log_in


def logged_in_page(app, user: User, password: str = PASSWORD):
    client = app.test_client()
    assert log_in(client, user.email, password).status_code == 302
    return client


def choose_file(client, body: bytes, name: str = "diary.json"):
    token = csrf_token(client.get("/account").text)
    return client.post(
        "/account/import",
        data={"csrf_token": token, "file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_account_offers_each_download_with_a_line_about_it(mid_month, app, patient):
    page = logged_in_page(app, patient).get("/account").text
    for format_name in ("csv", "json", "fhir"):
        assert f"/api/v1/patients/me/export?format={format_name}" in page
    assert "Download my diary" in page and "Bring in days from a file" in page


def test_a_file_is_previewed_then_brought_in_with_the_conflicts_as_chosen(mid_month, app, patient):
    client = logged_in_page(app, patient)
    today = clock.today(patient)
    stored, other, new = (today - timedelta(days=n) for n in (3, 2, 1))
    for day in (stored, other):
        headers = {"X-CSRFToken": csrf_token(client.get("/account").text)}
        assert (
            client.put(f"/api/v1/patients/me/days/{day}", json=day_body(), headers=headers).status_code == 201
        )
    file = {
        "days": [
            {**day_body(), "date": str(stored)},
            {**day_body(soreness=8, notes="Étourdie ☁"), "date": str(other)},
            {**day_body(), "date": str(new)},
        ]
    }
    preview = choose_file(client, json.dumps(file).encode())
    assert preview.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview.text))
    assert "New days (not in your diary yet) 1" in text
    assert "Already in your diary, the same 1" in text
    assert "Already in your diary, different 1" in text
    assert db.session.scalar(select(DayRecord.soreness).where(DayRecord.date == other)) == 3  # nothing yet

    confirmed = client.post(
        "/account/import/confirm",
        data={
            "csrf_token": csrf_token(preview.text),
            "days": hidden(preview.text, "days"),
            "on_conflict": "replace",
        },
    )
    assert confirmed.status_code == 302
    db.session.expire_all()
    days = {
        r.date: r for r in db.session.scalars(select(DayRecord).where(DayRecord.patient_id == patient.id))
    }
    assert set(days) == {stored, other, new}
    assert days[other].soreness == 8 and days[other].notes == "Étourdie ☁"
    assert "1 new, 1 replaced; left as they were: 1" in client.get("/calendar").text


def test_a_bad_file_is_shown_with_what_to_fix_and_no_way_to_confirm(mid_month, app, patient):
    client = logged_in_page(app, patient)
    day = clock.today(patient) - timedelta(days=1)
    preview = choose_file(client, json.dumps({"days": [{"date": str(day), "soreness": 11}]}).encode())
    assert preview.status_code == 422
    assert "Soreness is 0 to 10." in preview.text and "/account/import/confirm" not in preview.text
    unreadable = choose_file(client, b"not a diary at all", "notes.txt")
    assert unreadable.status_code == 422 and "This is not a diary file" in unreadable.text
    assert db.session.scalar(select(DayRecord.id).where(DayRecord.patient_id == patient.id)) is None


def test_the_gp_report_shows_the_engines_months_and_the_treatment(mid_month, app):
    load_demo_data()
    patient = db.session.scalar(select(User).where(User.email == DEMO_PATIENT[0]))
    page = logged_in_page(app, patient, DEMO_PATIENT[1]).get("/progress/report")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    today = clock.today(patient)
    first = queries.first_diary_day(patient)
    rows = clinical.month_rows(queries.day_facts(patient), first, today)
    for row in rows:
        figures = f"{row.days_logged} of {row.days_in_month} {row.headache_days} {row.medication_days.acute}"
        assert figures in text, row
    assert any(row.overuse_reasons for row in rows)  # the demo's months of overuse, in plain words
    for row in rows:  # each month's reasons as the engine gives them (which ones depends on the date)
        if row.overuse_reasons:
            words = "; ".join(reports.PLAIN_OVERUSE_REASONS[reason] for reason in row.overuse_reasons)
            assert f"Yes: {words}" in text, row
    assert "Physiotherapy since" in text and "10 sessions" in text and "dry needling" in text
    assert "@page" not in page.text and "css/print.css" in page.text


def test_a_file_larger_than_the_apps_body_limit_is_previewed(mid_month, app, patient):
    """The app refuses bodies over 64 KiB; the import's own limit (20 MB) holds for the upload,
    set before the CSRF check reads the form."""
    today = clock.today(patient)
    days = [{**day_body(notes="x" * 1500), "date": str(today - timedelta(days=n))} for n in range(1, 80)]
    body = json.dumps({"days": days}).encode()
    assert len(body) > app.config["MAX_CONTENT_LENGTH"]
    preview = choose_file(logged_in_page(app, patient), body)
    assert preview.status_code == 200
    assert "New days (not in your diary yet) 79" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview.text))
