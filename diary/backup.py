"""Backups and restores of the configured database (`flask --app wsgi backup PATH`, `restore PATH`;
docs/operations.md).

- SQLite: the sqlite3 online backup API copies the database in one step under a read
  transaction, so the copy is the database at one instant even while the app writes (WAL mode
  lets the writers carry on).
- PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, whatever the app does
  meanwhile) and `pg_restore`, found on PATH, given the URL's connection parts.

A restore goes into an empty database unless `force`; afterwards the database's migration
version must be one this code knows, and it is upgraded to the newest.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import URL

from .extensions import db, migrate


class BackupError(RuntimeError):
    """A backup or restore that cannot be done (the message says why, for the operator)."""


def _url() -> URL:
    return db.engine.url


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database has nothing to back up.")
    return Path(url.database)


def _pg_command(program: str, url: URL, *args: str) -> tuple[list[str], dict[str, str]]:
    """`program` with the URL's connection parts as options, the password in the environment
    (never on a command line, which other users of the machine can read)."""
    found = shutil.which(program)
    if found is None:
        raise BackupError(f"{program} is not on PATH (Debian: apt install postgresql-client).")
    command = [found, "--no-password"]
    if url.host:
        command += ["--host", url.host]
    if url.port:
        command += ["--port", str(url.port)]
    if url.username:
        command += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    for name, value in (url.query or {}).items():  # sslmode=require and the like
        if name.startswith("ssl") or name == "connect_timeout":
            env[f"PG{name.upper()}"] = str(value)
    return [*command, *args], env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _private_file(path: Path) -> Path:
    """A temporary file next to `path`, readable by us alone: a backup holds every diary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    os.chmod(name, 0o600)
    return Path(name)


def backup(path: str | Path) -> Path:
    """Write a backup of the configured database to `path` (replaced whole, or not at all)."""
    path = Path(path)
    url = _url()
    partial = _private_file(path)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_path(url), partial)
            _sqlite_check(partial)
        elif url.get_backend_name() == "postgresql":
            command, env = _pg_command(
                "pg_dump", url, "--format=custom", "--no-owner", f"--file={partial}", url.database or ""
            )
            _run(command, env)
        else:
            raise BackupError(f"No backup for {url.get_backend_name()} databases.")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _sqlite_copy(source: Path, target: Path, journal: str = "DELETE") -> None:
    """Copy with the online backup API: all pages in one step, one consistent instant. The
    copy keeps its journal in `journal` mode: a backup file is one file, the app's is WAL."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        dst.execute(f"PRAGMA journal_mode={journal}")
    finally:
        dst.close()
        src.close()


def _sqlite_check(path: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (result,) = connection.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not an SQLite database: {error}") from None
    finally:
        connection.close()
    if result != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {result}")


def tables() -> list[str]:
    return inspect(db.engine).get_table_names()


def restore(path: str | Path, force: bool = False) -> str:
    """Restore the backup at `path` into the configured database, then upgrade it to the newest
    migration. The database must hold no tables unless `force` (which replaces them all).
    Returns the migration version the backup was at."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    if tables() and not force:
        raise BackupError(
            "The database is not empty: restore into an empty one, or add --force to replace "
            "everything in it with the backup."
        )
    url = _url()
    version = backup_version(path, url)
    known = {script.revision for script in _scripts().walk_revisions()}
    if version not in known:
        raise BackupError(
            f"The backup is at migration {version!r}, which this version of the diary does not "
            "know: restore it with the version that made it."
        )
    db.session.remove()
    db.engine.dispose()  # no connection of ours holds the database while it is replaced
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(path, _sqlite_path(url), journal="WAL")
    elif url.get_backend_name() == "postgresql":
        if force:
            _drop_everything()
        command, env = _pg_command(
            "pg_restore",
            url,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={url.database}",
            str(path),
        )
        _run(command, env)
    upgrade()
    return version


def backup_version(path: Path, url: URL) -> str | None:
    """The migration version a backup file was made at, read before anything is restored."""
    if url.get_backend_name() == "sqlite":
        _sqlite_check(path)
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:  # no alembic_version: not a backup of the diary
            return None
        finally:
            connection.close()
        return row[0] if row else None
    if url.get_backend_name() == "postgresql":
        # The table's rows as pg_restore would load them: a COPY line, the version, then "\.".
        command, env = _pg_command("pg_restore", url, "--data-only", "--table=alembic_version", "--file=-")
        result = subprocess.run([*command, str(path)], env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BackupError(f"pg_restore cannot read {path}: {result.stderr.strip()}")
        lines = result.stdout.splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("COPY ") and "alembic_version" in line]
        return lines[starts[0] + 1] if starts and lines[starts[0] + 1] != "\\." else None
    raise BackupError(f"No restore for {url.get_backend_name()} databases.")


def _drop_everything() -> None:
    metadata = MetaData()
    metadata.reflect(db.engine)
    metadata.drop_all(db.engine)
    db.engine.dispose()


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.get_config())


def migration_version() -> str | None:
    """The database's migration version (alembic_version), None if it has none."""
    if "alembic_version" not in tables():
        return None
    with db.engine.connect() as connection:
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def head() -> str:
    return _scripts().get_current_head()
