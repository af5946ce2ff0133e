"""Settings from the environment (diary/config.py): secret key, database URL, SQLite pragmas."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from diary import create_app
from diary.config import ConfigError
from diary.extensions import db

from .push import PRODUCTION_PUSH

ROOT = Path(__file__).resolve().parent.parent
CONFIG_SOURCE = (ROOT / "diary" / "config.py").read_text()
# Every variable config.py reads, found in its source so a new one is covered the day it appears.
ENVIRONMENT_VARIABLES = sorted(
    set(re.findall(r"""os\.environ\.get\(\s*["']([A-Z0-9_]+)["']""", CONFIG_SOURCE))
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """None of the settings' variables leak in from the shell running the tests."""
    for name in ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def instance_path(tmp_path, monkeypatch) -> Path:
    """create_app's instance folder, moved into tmp_path (create_app takes no instance_path)."""
    path = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(path))
    return path


def app_key(app: Flask) -> str:
    return app.config["SECRET_KEY"]


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


def test_config_reads_the_documented_variables():
    assert {"DIARY_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(ENVIRONMENT_VARIABLES)


def test_production_refuses_to_start_without_a_secret_key(instance_path, monkeypatch):
    monkeypatch.setenv("DIARY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    assert not (instance_path / "secret_key").exists()


def test_production_starts_with_a_secret_key(instance_path, monkeypatch):
    monkeypatch.setenv("DIARY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    for name, value in PRODUCTION_PUSH.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    assert app.config["SECRET_KEY"] == "a-long-random-production-secret"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not (instance_path / "secret_key").exists()
    _dispose(app)


def test_unknown_environment_is_refused(instance_path, monkeypatch):
    monkeypatch.setenv("DIARY_ENV", "staging")
    with pytest.raises(ConfigError, match="DIARY_ENV"):
        create_app()


def test_development_key_is_generated_once_into_the_instance_folder(instance_path):
    first = create_app()
    key_file = instance_path / "secret_key"
    assert app_key(first) == key_file.read_text().strip()
    assert len(app_key(first)) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = create_app()
    assert app_key(second) == app_key(first)
    assert first.config["DIARY_ENV"] == "development"
    _dispose(first)
    _dispose(second)


@pytest.mark.parametrize(
    ("given", "used"),
    [
        (
            "postgres://diary:pw@db.internal:5432/diary",
            "postgresql+psycopg://diary:pw@db.internal:5432/diary",
        ),
        ("postgresql://diary@127.0.0.1/diary", "postgresql+psycopg://diary@127.0.0.1/diary"),
        ("postgresql+psycopg://diary@127.0.0.1/diary", "postgresql+psycopg://diary@127.0.0.1/diary"),
        ("sqlite:////var/lib/diary/diary.db", "sqlite:////var/lib/diary/diary.db"),
    ],
)
def test_database_url_goes_through_psycopg_3(instance_path, monkeypatch, given, used):
    monkeypatch.setenv("DATABASE_URL", given)
    app = create_app({"SECRET_KEY": "test"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == used
    _dispose(app)


def test_database_defaults_to_sqlite_in_the_instance_folder(instance_path):
    app = create_app({"SECRET_KEY": "test"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance_path / 'diary.db'}"
    _dispose(app)


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(instance_path, tmp_path):
    app = create_app(
        {"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pragmas.db'}"}
    )
    with app.app_context():
        pragma = lambda name: db.session.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") > 0
        db.session.remove()
        db.engine.dispose()


def test_settings_come_from_the_environment(instance_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    monkeypatch.setenv("LOGIN_LIMIT_PER_ADDRESS", "40 per 15 minutes")
    monkeypatch.setenv("TRUST_PROXY_HOPS", "1")
    app = create_app({"SECRET_KEY": "test"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    assert app.config["LOGIN_LIMIT_PER_ACCOUNT"] == "5 per 15 minutes"
    assert app.config["LOGIN_LIMIT_PER_ADDRESS"] == "40 per 15 minutes"
    assert app.config["TRUST_PROXY_HOPS"] == 1
    assert isinstance(app.wsgi_app, ProxyFix)
    _dispose(app)


def test_rate_limits_are_kept_in_memory_without_redis(instance_path):
    app = create_app({"SECRET_KEY": "test"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    _dispose(app)


def test_every_environment_variable_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    undocumented = [name for name in ENVIRONMENT_VARIABLES if f"`{name}`" not in readme]
    assert not undocumented, f"README.md does not describe {undocumented}"


def test_each_postgresql_connection_plans_for_pages_in_memory(app, backend):
    """PostgreSQL's planner is told that a page read is cheap (the diary's indexes stay cached),
    on every connection of the pool; SQLite has no such setting."""
    with app.app_context():
        if backend == "sqlite":
            assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
            return
        with db.engine.connect() as first, db.engine.connect() as second:
            for connection in (first, second):
                assert connection.execute(text("SHOW random_page_cost")).scalar() == "1.1"


def test_postgres_options_can_be_left_out_for_a_connection_pooler(instance_path, monkeypatch):
    monkeypatch.setenv("POSTGRES_OPTIONS", "")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://diary@db.internal/diary"})
    assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    monkeypatch.setenv("POSTGRES_OPTIONS", "-c work_mem=64MB")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://diary@db.internal/diary"})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"options": "-c work_mem=64MB"}
