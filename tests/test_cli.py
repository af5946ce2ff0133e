"""The command line (diary/cli.py): `flask users create` and `flask demo`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from diary import operations
from diary.demo import DEMO_DAYS, DEMO_LOGINS
from diary.extensions import db
from diary.models import DayRecord, User

from . import clock
from .factories import PASSWORD


@pytest.fixture
def cli(app):
    """Run a command of this test's app, as `flask --app wsgi ...` would."""
    runner = app.test_cli_runner()

    def invoke(*args: str, **kwargs):
        result = runner.invoke(args=list(args), **kwargs)
        db.session.expire_all()  # the command committed through the same session
        return result

    return invoke


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_users_create_with_password_option(cli):
    result = cli(
        "users",
        "create",
        "--email",
        "Sam.Physio@Clinic.example",
        "--name",
        "Sam Patel",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    user = _user("sam.physio@clinic.example")
    assert user is not None and user.display_name == "Sam Patel"
    assert "Created therapist sam.physio@clinic.example" in result.stdout
    assert operations.authenticate("sam.physio@clinic.example", PASSWORD) == user


def test_users_create_asks_for_the_password_twice(cli):
    result = cli(
        "users",
        "create",
        "--email",
        "jo@clinic.example",
        "--name",
        "Jo Reed",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Repeat" in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert operations.authenticate("jo@clinic.example", PASSWORD) is not None


def test_users_create_prompt_refuses_a_mismatched_confirmation(cli):
    result = cli(
        "users",
        "create",
        "--email",
        "jo@clinic.example",
        "--name",
        "Jo Reed",
        input=f"{PASSWORD}\nsomething-else-entirely\n",
    )
    assert result.exit_code != 0
    assert _user("jo@clinic.example") is None


@pytest.mark.parametrize("second_email", ["ann@clinic.example", "ANN@Clinic.Example", " ann@clinic.example "])
def test_users_create_refuses_an_email_taken_in_any_case(cli, second_email):
    first = cli("users", "create", "--email", "ann@clinic.example", "--name", "Ann", "--password", PASSWORD)
    assert first.exit_code == 0, first.output
    result = cli(
        "users",
        "create",
        "--email",
        second_email,
        "--name",
        "Ann Again",
        "--password",
        "another-strong-passphrase-93",
    )
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert _count(User) == 1
    assert operations.authenticate("ann@clinic.example", PASSWORD) is not None


@pytest.mark.parametrize("weak", ["password", "12345678", "clinic2024", "ann"])
def test_users_create_refuses_a_weak_password(cli, weak):
    result = cli("users", "create", "--email", "ann@clinic.example", "--name", "Ann", "--password", weak)
    assert result.exit_code == 1
    assert result.stderr.startswith("password:")
    assert _user("ann@clinic.example") is None


@pytest.mark.parametrize("role", ["therapist", "patient"])
def test_users_create_stores_the_role(cli, role):
    result = cli(
        "users",
        "create",
        "--email",
        "role@clinic.example",
        "--name",
        "Role Test",
        "--role",
        role,
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    assert _user("role@clinic.example").role == role


def test_users_create_makes_therapists_by_default(cli):
    result = cli("users", "create", "--email", "t@clinic.example", "--name", "T", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert _user("t@clinic.example").role == "therapist"


def test_users_create_refuses_an_unknown_role(cli):
    result = cli(
        "users",
        "create",
        "--email",
        "x@clinic.example",
        "--name",
        "X",
        "--role",
        "admin",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 2  # a usage error, from click
    assert _user("x@clinic.example") is None


def test_demo_makes_a_patient_with_six_months_of_diary_and_a_therapist(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    for role, (email, password) in DEMO_LOGINS.items():
        assert f"{email}  password: {password}" in result.stdout
        user = operations.authenticate(email, password)
        assert user is not None and user.role == role
    patient = _user(DEMO_LOGINS["patient"][0])
    dates = list(
        db.session.scalars(
            select(DayRecord.date).where(DayRecord.patient_id == patient.id).order_by(DayRecord.date)
        )
    )
    today = clock.today(patient)
    assert 0.8 * DEMO_DAYS <= len(dates) <= DEMO_DAYS  # a few days are left missing, as in life
    assert dates[0] >= today - timedelta(days=DEMO_DAYS) and dates[-1] < today
    assert (dates[-1] - dates[0]).days >= 170  # about six months


def test_every_demo_day_holds_the_hash_of_its_stored_content(cli):
    from diary.operations.days import content_digest

    assert cli("demo").exit_code == 0
    db.session.expire_all()
    records = db.session.scalars(select(DayRecord)).all()
    assert records and all(r.content_hash == content_digest(operations.day_content(r)) for r in records)


def test_demo_twice_changes_nothing_the_second_time(cli):
    assert cli("demo").exit_code == 0
    from diary import demo
    from diary.models import TherapistLink, TreatmentSession

    tables = (User, DayRecord, TreatmentSession, TherapistLink)
    before = tuple(_count(t) for t in tables)
    result = cli("demo")
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.stdout
    assert tuple(_count(t) for t in tables) == before
    users, days, sessions, links = before
    assert users == 2 + len(demo.OTHER_PATIENTS) and links == 1 + len(demo.OTHER_PATIENTS)
    assert days > 0 and sessions >= len(demo.SESSION_DAYS_AGO)


def test_demo_shows_unanswered_days_a_thin_period_and_a_session_today(cli):
    from diary import clinical, queries
    from diary.models import TreatmentSession

    assert cli("demo").exit_code == 0
    patient = _user(DEMO_LOGINS["patient"][0])
    today = clock.today(patient)
    unanswered = set(
        db.session.scalars(
            select(DayRecord.date).where(DayRecord.patient_id == patient.id, DayRecord.had_headache.is_(None))
        )
    )
    assert today - timedelta(days=1) in unanswered and len(unanswered) >= 3
    priya = _user("priya@demo.example")
    picture = queries.patient_picture(priya)
    thin = picture.follow_up.latest_complete_period
    assert thin is not None and thin.days_logged < clinical.MIN_LOGGED_DAYS
    assert thin.headache_days_per_28 is None and thin.change_pct is None
    morgan = _user("morgan@demo.example")
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(TreatmentSession)
            .where(TreatmentSession.patient_id == morgan.id, TreatmentSession.date == clock.today(morgan))
        )
        == 1
    )
    summary = queries.patient_picture(morgan).follow_up
    assert summary.last_session.date < clock.today(morgan)
    assert summary.since_last_session.to_date == clock.today(morgan) - timedelta(days=1)
