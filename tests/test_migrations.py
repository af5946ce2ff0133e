"""Alembic migrations: one head, and upgrading an empty database gives exactly the models' schema.

Each test makes its own brand-new database (a SQLite file, or a PostgreSQL database created and
dropped here), because the shared test databases are already migrated.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from diary import create_app
from diary.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
VERSION_TABLE = "alembic_version"


@pytest.fixture
def empty_database_url(backend, tmp_path):
    """The URL of a new, empty database on this backend, removed after the test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"diary_migrations_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}")
    try:
        yield (
            make_url(POSTGRES_URL)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrating_app(empty_database_url):
    """An app on the empty database, inside its app context."""
    app = create_app(
        {
            "DIARY_ENV": "testing",
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _schema_differences() -> list:
    """What autogenerate would write to bring the database to the models (types compared too)."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names()) - {VERSION_TABLE}


def _current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _revisions_base_to_head() -> list[str]:
    script = ScriptDirectory(str(MIGRATIONS))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def test_migrations_have_exactly_one_head_and_one_base():
    script = ScriptDirectory(str(MIGRATIONS))
    assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()}; merge them"
    assert len(script.get_bases()) == 1, f"several bases: {script.get_bases()}"


def test_upgrading_an_empty_database_gives_exactly_the_models_schema(migrating_app):
    assert _tables() == set()
    upgrade()
    assert _current_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert _tables() == set(db.metadata.tables)
    differences = _schema_differences()
    assert not differences, (
        "the models and the migrations differ; make a revision with "
        f"`flask --app wsgi db migrate -m ...` and review it: {differences}"
    )


def test_downgrade_to_base_leaves_no_tables_and_upgrade_works_again(migrating_app):
    upgrade()
    downgrade(revision="base")
    assert _tables() == set()
    assert _current_revision() is None
    upgrade()
    assert _tables() == set(db.metadata.tables)
    assert not _schema_differences()


def test_each_revision_downgrades_and_upgrades_again(migrating_app):
    """The stairway: every step up can be taken back down and up again."""
    previous = "base"
    for revision in _revisions_base_to_head():
        upgrade(revision=revision)
        downgrade(revision=previous)
        assert _current_revision() == (None if previous == "base" else previous)
        upgrade(revision=revision)
        assert _current_revision() == revision
        previous = revision


def test_the_headache_question_reads_version_1_records_as_version_1_did(migrating_app):
    """0004: a record stored before the question could be left open keeps version 1's reading
    (headaches: true; none: false), and its content hash is cleared (it no longer covers the
    whole content). Down again, step by step, every record and headache is kept."""
    from sqlalchemy import text

    upgrade(revision="0003")
    patient = uuid.uuid4()
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, password_hash, display_name, role, timezone, created_at) "
                "VALUES (:id, 'v1@example.test', 'x', 'Version One', 'patient', 'Europe/London', "
                "'2026-11-01 10:00:00+00:00')"
            ),
            {"id": patient.hex if db.engine.dialect.name == "sqlite" else patient},
        )
        for day_id, day, notes in (
            (1, "2026-11-01", "a headache"),
            (2, "2026-11-02", "headache-free"),
            (3, "2026-11-03", "soreness only"),
        ):
            connection.execute(
                text(
                    "INSERT INTO day_records (id, patient_id, date, soreness, exercises_done, triggers, "
                    "notes, version, content_hash, created_at, updated_at) VALUES (:id, :patient, :day, "
                    "2, NULL, '[]', :notes, 1, :hash, '2026-11-03 10:00:00+00:00', "
                    "'2026-11-03 10:00:00+00:00')"
                ),
                {
                    "id": day_id,
                    "patient": patient.hex if db.engine.dialect.name == "sqlite" else patient,
                    "day": day,
                    "notes": notes,
                    "hash": "0" * 64,
                },
            )
        for position in (0, 1):
            connection.execute(
                text(
                    "INSERT INTO headaches (day_id, position, intensity, type, locations, symptoms) "
                    "VALUES (1, :position, 6, 'tension', '[]', '[]')"
                ),
                {"position": position},
            )

    upgrade(revision="0004")
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT notes, had_headache, content_hash FROM day_records ORDER BY date")
        ).all()
    assert [(notes, None if had is None else bool(had), digest) for notes, had, digest in rows] == [
        ("a headache", True, None),
        ("headache-free", False, None),
        ("soreness only", False, None),
    ]

    for revision, column in (("0003", "had_headache"), ("0002", "content_hash")):
        downgrade(revision=revision)
        with db.engine.connect() as connection:
            assert column not in {c["name"] for c in inspect(connection).get_columns("day_records")}
            assert connection.execute(text("SELECT count(*) FROM day_records")).scalar() == 3
            assert connection.execute(text("SELECT count(*) FROM headaches")).scalar() == 2


def test_red_flags_give_existing_records_an_empty_list(migrating_app):
    """0005: a record stored before red flags holds none ([]), its content hash is cleared (it no
    longer covers the whole content), and down again every record and headache is kept."""
    import json

    from sqlalchemy import text

    upgrade(revision="0004")
    patient = uuid.uuid4()
    patient_value = patient.hex if db.engine.dialect.name == "sqlite" else patient
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, password_hash, display_name, role, timezone, created_at) "
                "VALUES (:id, 'v4@example.test', 'x', 'Before Flags', 'patient', 'Europe/London', "
                "'2026-11-01 10:00:00+00:00')"
            ),
            {"id": patient_value},
        )
        for day_id, day, had in ((1, "2026-11-01", True), (2, "2026-11-02", None)):
            connection.execute(
                text(
                    "INSERT INTO day_records (id, patient_id, date, had_headache, soreness, triggers, "
                    "version, content_hash, created_at, updated_at) VALUES (:id, :patient, :day, :had, 2, "
                    "'[]', 1, :hash, '2026-11-03 10:00:00+00:00', '2026-11-03 10:00:00+00:00')"
                ),
                {"id": day_id, "patient": patient_value, "day": day, "had": had, "hash": "0" * 64},
            )
        connection.execute(
            text(
                "INSERT INTO headaches (day_id, position, intensity, type, locations, symptoms) "
                "VALUES (1, 0, 8, 'migraine', '[]', '[]')"
            )
        )

    upgrade(revision="0005")
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT red_flags, content_hash FROM day_records ORDER BY date")).all()
    flags = [value if isinstance(value, list) else json.loads(value) for value, _ in rows]
    assert flags == [[], []]
    assert [digest for _, digest in rows] == [None, None]

    downgrade(revision="0004")
    with db.engine.connect() as connection:
        assert "red_flags" not in {c["name"] for c in inspect(connection).get_columns("day_records")}
        assert connection.execute(text("SELECT count(*) FROM day_records")).scalar() == 2
        assert connection.execute(text("SELECT count(*) FROM headaches")).scalar() == 1


def test_every_content_hash_is_filled_as_the_app_computes_it(migrating_app):
    """0006: every record stored under version 1 (0003) or 2 (0005) gets the hash the write path
    computes for its content now (times, nulls, lists, items by position, more than one chunk), so
    the same body again is still a 200 that changes nothing."""
    from datetime import time, timedelta

    import sqlalchemy as sa
    from sqlalchemy import insert, select

    from diary import passwords
    from diary.models import DayRecord, Headache, MedicationIntake, User
    from diary.operations.days import content_digest, day_content

    from . import clock
    from .conftest import IsolatedClient
    from .factories import PASSWORD, ApiClient

    # day_records as these revisions have it (the model's table would add later columns); the
    # item tables have not changed since.
    days = sa.table(
        "day_records",
        *(
            sa.column(name, DayRecord.__table__.c[name].type)
            for name in (
                "id",
                "patient_id",
                "date",
                "had_headache",
                "soreness",
                "exercises_done",
                "triggers",
                "notes",
                "red_flags",
                "version",
                "content_hash",
                "created_at",
                "updated_at",
            )
        ),
    )
    headaches, medications = Headache.__table__, MedicationIntake.__table__
    patient = uuid.uuid4()
    today, now = clock.today("Europe/London"), clock.now()
    upgrade(revision="0003")
    with db.engine.begin() as connection:
        connection.execute(
            insert(User.__table__).values(
                id=patient,
                email="hashes@example.test",
                password_hash=passwords.hash_password(PASSWORD),
                display_name="Old Hashes",
                role="patient",
                timezone="Europe/London",
                created_at=now,
            )
        )
        # Version 1: no headache question; 2,100 days, so the migration takes more than one chunk.
        connection.execute(
            insert(days).values(
                [
                    {
                        "id": n,
                        "patient_id": patient,
                        "date": today - timedelta(days=n),
                        "soreness": n % 11 or None,
                        "exercises_done": (None, True, False)[n % 3],
                        "triggers": ["stress", "poor_sleep"][: n % 3],
                        "notes": "Sore, \u00e9t\u00e9 \U0001f915" if n % 5 == 0 else None,
                        "version": 1,
                        "content_hash": "0" * 64,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in range(1, 2101)
                ]
            )
        )
        for n in (1, 2, 2100):
            for position in (1, 0):  # stored out of order: the hash follows the position
                connection.execute(
                    insert(headaches).values(
                        day_id=n,
                        position=position,
                        intensity=4 + position,
                        type="tension",
                        start=time(8, 5 + position),
                        side="both" if position else None,
                        locations=["neck", "temples"][position:],
                        symptoms=[],
                        neck_provoked=bool(position),
                    )
                )
        connection.execute(
            insert(medications).values(
                day_id=1,
                position=0,
                name="Ibuprofen 400 mg",
                drug_class="non_opioid_analgesic",
                doses=2,
                time=time(9, 0),
                relief="partial",
            )
        )
    upgrade(revision="0005")
    with db.engine.begin() as connection:
        # Version 2: the question left open, and red flags.
        connection.execute(
            insert(days).values(
                id=3000,
                patient_id=patient,
                date=today,
                had_headache=None,
                soreness=None,
                triggers=[],
                red_flags=["getting_worse"],
                version=1,
                created_at=now,
                updated_at=now,
            )
        )

    upgrade()
    db.session.expire_all()
    records = db.session.scalars(select(DayRecord)).all()
    assert len(records) == 2101
    assert all(r.content_hash == content_digest(day_content(r)) for r in records)

    migrating_app.test_client_class = IsolatedClient  # each request in its own app context, as served
    api = ApiClient(migrating_app.test_client())
    api.login(db.session.get(User, patient))
    for n in (1, 5, 3000):  # with headaches and a medication, with notes, with the question open
        address = f"/api/v1/patients/me/days/{db.session.get(DayRecord, n).date.isoformat()}"
        stored = api.get(address).get_json()
        response = api.put(address, json=stored)
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == stored and response.headers["ETag"] == api.get(address).headers["ETag"]
    with db.engine.connect() as connection:
        assert connection.execute(select(days.c.version).distinct()).scalars().all() == [1]


def test_drug_classes_are_filled_from_the_stored_medications(migrating_app):
    """0012: each record stored before gets the bits of its medications' classes (none: 0), as
    the write path computes them now; down again every record and medication is kept."""
    from sqlalchemy import text

    from diary.models import drug_class_bits

    upgrade(revision="0011")
    patient = uuid.uuid4()
    patient_value = patient.hex if db.engine.dialect.name == "sqlite" else patient
    taken = {
        1: [],
        2: ["triptan"],
        3: ["non_opioid_analgesic", "non_opioid_analgesic", "opioid"],
        4: ["other"],
    }
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, password_hash, display_name, role, timezone, created_at) "
                "VALUES (:id, 'v11@example.test', 'x', 'Before Bits', 'patient', 'Europe/London', "
                "'2026-11-01 10:00:00+00:00')"
            ),
            {"id": patient_value},
        )
        for day_id, classes in taken.items():
            connection.execute(
                text(
                    "INSERT INTO day_records (id, patient_id, date, had_headache, triggers, version, "
                    "created_at, updated_at) VALUES (:id, :patient, :day, true, '[]', 1, "
                    "'2026-11-03 10:00:00+00:00', '2026-11-03 10:00:00+00:00')"
                ),
                {"id": day_id, "patient": patient_value, "day": f"2026-11-0{day_id}"},
            )
            for position, drug_class in enumerate(classes):
                connection.execute(
                    text(
                        "INSERT INTO medication_intakes (day_id, position, name, drug_class, doses) "
                        "VALUES (:day, :position, 'A medicine', :class, 1)"
                    ),
                    {"day": day_id, "position": position, "class": drug_class},
                )

    upgrade(revision="0012")
    with db.engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT id, drug_classes FROM day_records")).all())
    assert stored == {day_id: drug_class_bits(classes) for day_id, classes in taken.items()}
    assert stored[3] == drug_class_bits(["non_opioid_analgesic", "opioid"]) != 0

    downgrade(revision="0011")
    with db.engine.connect() as connection:
        assert "drug_classes" not in {c["name"] for c in inspect(connection).get_columns("day_records")}
        assert connection.execute(text("SELECT count(*) FROM day_records")).scalar() == 4
        assert connection.execute(text("SELECT count(*) FROM medication_intakes")).scalar() == 5
