"""Migration 0007: the logins open at upgrade time keep working, each with an id of its own."""

from __future__ import annotations

import uuid

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from diary.extensions import db

from .test_migrations import empty_database_url, migrating_app  # noqa: F401  (fixtures)


def test_open_logins_get_an_id_each_and_keep_their_token(migrating_app):  # noqa: F811
    upgrade(revision="0006")
    user = uuid.uuid4()
    user_value = user.hex if db.engine.dialect.name == "sqlite" else user
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, password_hash, display_name, role, timezone, created_at) "
                "VALUES (:id, 'open@example.test', 'x', 'Open', 'patient', 'Europe/London', "
                "'2026-11-01 10:00:00+00:00')"
            ),
            {"id": user_value},
        )
        for digest in ("a" * 64, "b" * 64):
            connection.execute(
                text(
                    "INSERT INTO login_sessions (token_hash, user_id, created_at) "
                    "VALUES (:digest, :user, '2026-11-30 10:00:00+00:00')"
                ),
                {"digest": digest, "user": user_value},
            )

    upgrade(revision="0007")
    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT l.token_hash, l.id, u.disabled_at "
                "FROM login_sessions l JOIN users u ON u.id = l.user_id"
            )
        ).all()
    assert sorted(row.token_hash for row in rows) == ["a" * 64, "b" * 64]
    ids = {row.id for row in rows}
    assert len(ids) == 2 and None not in ids
    assert {row.disabled_at for row in rows} == {None}

    downgrade(revision="0006")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM login_sessions")).scalar() == 2
