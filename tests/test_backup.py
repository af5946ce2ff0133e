"""The restore drill (docs/operations.md): a backup taken in the middle of a burst of writes,
restored into a fresh database, holds every write acknowledged before the backup began, none
begun after it ended, an intact database and the migrations at head. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from diary import backup, create_app
from diary.extensions import db
from diary.models import DayRecord, Headache, MedicationIntake

from . import clock
from .conftest import _create_postgres_database, _drop_postgres_database, test_config
from .factories import ApiClient, day_body

WRITERS = 4
BEFORE = 12  # writes acknowledged before the backup begins, at least
AFTER = 12  # writes begun after it ended, at least


@pytest.fixture
def fresh_url(backend, tmp_path):
    """The URL of a new, empty database of this backend (dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    url, name = _create_postgres_database()
    yield url
    _drop_postgres_database(name)


@pytest.fixture
def restored_app(fresh_url):
    app = create_app(test_config(fresh_url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Burst:
    """WRITERS patients each writing a new day after another through the API, noting when each
    write began and when its 201 came back."""

    def __init__(self, clients, patients):
        self.clients, self.patients = clients, patients
        self.writes: list[tuple[object, str, str, float, float]] = []  # patient id, day, note, began, acked
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._write, args=(i,)) for i in range(len(clients))]

    def _write(self, i: int) -> None:
        client, patient = self.clients[i], self.patients[i]
        today = clock.today(patient)
        n = 0
        while not self.stop.is_set() and n < 400:
            day, note = (today - timedelta(days=n)).isoformat(), f"write {i}-{n}"
            began = time.monotonic()
            response = client.put(f"/api/v1/patients/me/days/{day}", json=day_body(notes=note))
            if response.status_code != 201:
                self.errors.append(f"{day}: {response.status_code} {response.text}")
                return
            self.writes.append((patient.id, day, note, began, time.monotonic()))
            n += 1

    def wait_for(self, count: int, since: float = 0.0, timeout: float = 30) -> None:
        """Until `count` writes have begun after `since` (or a writer failed)."""
        deadline = time.monotonic() + timeout
        while sum(1 for w in self.writes if w[3] > since) < count and not self.errors:
            assert time.monotonic() < deadline, f"only {len(self.writes)} writes in {timeout}s"
            time.sleep(0.01)


def stored_days(app) -> set[tuple[object, str, str]]:
    with app.app_context():
        rows = db.session.execute(select(DayRecord.patient_id, DayRecord.date, DayRecord.notes)).all()
        return {(pid, day.isoformat(), note) for pid, day, note in rows}


def orphans(app) -> list[str]:
    """Rows whose foreign key names no row, for every foreign key of the models."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for fk in table.foreign_key_constraints:
                (child,), (parent,) = fk.column_keys, [e.column.name for e in fk.elements]
                count = db.session.scalar(
                    text(
                        f"SELECT count(*) FROM {table.name} c WHERE c.{child} IS NOT NULL AND NOT "
                        f"EXISTS (SELECT 1 FROM {fk.referred_table.name} p WHERE p.{parent} = c.{child})"
                    )
                )
                if count:
                    found.append(f"{table.name}.{child}: {count}")
    return found


def test_a_backup_in_a_burst_of_writes_restores_every_acknowledged_write(
    app, users, as_user, restored_app, backend, tmp_path
):
    patients = [users.patient() for _ in range(WRITERS)]
    burst = Burst([as_user(p) for p in patients], patients)
    path = tmp_path / "diary.backup"
    for thread in burst.threads:
        thread.start()
    try:
        burst.wait_for(BEFORE)
        began = time.monotonic()
        result = app.test_cli_runner().invoke(args=["backup", str(path)])
        ended = time.monotonic()
        burst.wait_for(AFTER, since=ended)
    finally:
        burst.stop.set()
        for thread in burst.threads:
            thread.join(30)
    assert result.exit_code == 0, result.output
    assert burst.errors == []
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner alone

    with restored_app.app_context():  # the CLI runs in the current app's context
        result = restored_app.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output

    restored = stored_days(restored_app)
    acknowledged = {(pid, day, note) for pid, day, note, _, acked in burst.writes if acked < began}
    later = {(pid, day, note) for pid, day, note, started, _ in burst.writes if started > ended}
    assert len(acknowledged) >= BEFORE and len(later) >= AFTER
    assert acknowledged <= restored
    assert not later & restored  # the restore is the backup's instant, not the live database
    # Intact: each restored day whole (one headache and one medicine each), no orphan rows.
    with restored_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Headache)) == len(restored)
        assert db.session.scalar(select(func.count()).select_from(MedicationIntake)) == len(restored)
        if backend == "sqlite":
            assert db.session.scalar(text("PRAGMA integrity_check")) == "ok"
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        assert backup.migration_version() == backup.head()
    assert orphans(restored_app) == []
    # The restored database serves: a patient of the backup logs in and reads a day back.
    pid, day, note = sorted(acknowledged)[0]
    with app.app_context():
        patient = next(p for p in patients if p.id == pid)
    client = ApiClient(restored_app.test_client())
    client.login(patient)
    assert client.get(f"/api/v1/patients/me/days/{day}").get_json()["notes"] == note


def test_a_restore_into_a_database_in_use_is_refused_and_changes_nothing(app, patient, tmp_path):
    path = tmp_path / "diary.backup"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    before = stored_days(app)
    result = app.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert stored_days(app) == before


def test_a_backup_of_a_migration_this_code_does_not_know_is_refused_and_changes_nothing(
    app, restored_app, tmp_path
):
    path = tmp_path / "diary.backup"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    with restored_app.app_context():
        backup.restore(path)
        db.session.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        db.session.commit()
        newer = Path(tmp_path / "newer.backup")
        backup.backup(newer)
        db.session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": backup.head()})
        db.session.commit()
        with pytest.raises(backup.BackupError, match="does not know"):
            backup.restore(newer, force=True)
        assert backup.migration_version() == backup.head()  # refused before anything changed
