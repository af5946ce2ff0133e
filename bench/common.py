"""What the benchmarks share: a throw-away database on either backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def fresh_database(backend: str, postgres_url: str, workdir: Path, name: str = "bench") -> Iterator[str]:
    """The URL of a new, empty database; a PostgreSQL one is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / f'{name}.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    database = f"diary_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        yield (
            make_url(postgres_url)
            .set(drivername="postgresql+psycopg", database=database)
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def fill_drug_classes(connection) -> None:
    """Set each day record's drug-class bits from its medications, for a benchmark that inserts
    rows itself (the app's write path sets them as it writes)."""
    from sqlalchemy import select, update

    from diary.models import DRUG_CLASS_BITS, DayRecord, MedicationIntake

    days, medications = DayRecord.__table__.c, MedicationIntake.__table__.c
    for drug_class, bit in DRUG_CLASS_BITS.items():
        connection.execute(
            update(DayRecord.__table__)
            .where(days.id.in_(select(medications.day_id).where(medications.drug_class == drug_class)))
            .values(drug_classes=days.drug_classes.op("|")(bit))
        )
