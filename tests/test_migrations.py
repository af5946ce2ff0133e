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
        yield make_url(POSTGRES_URL).set(drivername="postgresql+psycopg", database=name) \
            .render_as_string(hide_password=False)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrating_app(empty_database_url):
    """An app on the empty database, inside its app context."""
    app = create_app({"DIARY_ENV": "testing", "SECRET_KEY": "test-secret-key",
                      "SQLALCHEMY_DATABASE_URI": empty_database_url})
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
        f"`flask --app wsgi db migrate -m ...` and review it: {differences}")


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
