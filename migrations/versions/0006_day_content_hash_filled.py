"""day records: every content hash filled

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-15

0004 and 0005 cleared the content hashes, and the write path then read a day back to tell a
repeated write. Here every record gets the hash of its content, so the write path need not.

The rule is copied from diary/operations/days.py (content_digest over dayshape.content) as it
stands at this revision, not imported: the application may change its rule later, and this
revision must keep computing what it computed. The digest is the sha256 of the day's content
as canonical JSON: keys sorted, no spaces, times written HH:MM, the headaches and medications
in the order of their position.
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CHUNK = 2000  # day records read and updated per round trip

DAY_FIELDS = ("had_headache", "soreness", "exercises_done", "triggers", "notes", "red_flags")
HEADACHE_FIELDS = (
    "start",
    "duration_minutes",
    "intensity",
    "type",
    "side",
    "locations",
    "symptoms",
    "neck_provoked",
)
MEDICATION_FIELDS = ("name", "drug_class", "doses", "time", "relief")

day_records = sa.table(
    "day_records",
    sa.column("id", sa.Integer),
    sa.column("had_headache", sa.Boolean),
    sa.column("soreness", sa.SmallInteger),
    sa.column("exercises_done", sa.Boolean),
    sa.column("triggers", sa.JSON),
    sa.column("notes", sa.Text),
    sa.column("red_flags", sa.JSON),
    sa.column("content_hash", sa.String),
)
headaches = sa.table(
    "headaches",
    sa.column("day_id", sa.Integer),
    sa.column("position", sa.SmallInteger),
    sa.column("start", sa.Time),
    sa.column("duration_minutes", sa.Integer),
    sa.column("intensity", sa.SmallInteger),
    sa.column("type", sa.String),
    sa.column("side", sa.String),
    sa.column("locations", sa.JSON),
    sa.column("symptoms", sa.JSON),
    sa.column("neck_provoked", sa.Boolean),
)
medications = sa.table(
    "medication_intakes",
    sa.column("day_id", sa.Integer),
    sa.column("position", sa.SmallInteger),
    sa.column("name", sa.String),
    sa.column("drug_class", sa.String),
    sa.column("doses", sa.SmallInteger),
    sa.column("time", sa.Time),
    sa.column("relief", sa.String),
)


def digest(content):
    """sha256 of the content as canonical JSON (operations.days.content_digest at revision 0006)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=lambda t: t.strftime("%H:%M"))
    return hashlib.sha256(text.encode()).hexdigest()


def _items(connection, table, names, first, last):
    """{day id: [item, ...] in position order} for the days with ids first..last."""
    by_day = {}
    rows = connection.execute(
        sa.select(table.c.day_id, *(table.c[name] for name in names))
        .where(table.c.day_id.between(first, last))
        .order_by(table.c.day_id, table.c.position)
    )
    for row in rows:
        by_day.setdefault(row.day_id, []).append({name: row._mapping[name] for name in names})
    return by_day


def upgrade():
    connection = op.get_bind()
    write = (
        day_records.update()
        .where(day_records.c.id == sa.bindparam("day_id"))
        .values(content_hash=sa.bindparam("digest"))
    )
    last = None
    while True:
        query = sa.select(day_records.c.id, *(day_records.c[name] for name in DAY_FIELDS))
        if last is not None:
            query = query.where(day_records.c.id > last)
        days = connection.execute(query.order_by(day_records.c.id).limit(CHUNK)).all()
        if not days:
            break
        first, last = days[0].id, days[-1].id
        day_headaches = _items(connection, headaches, HEADACHE_FIELDS, first, last)
        day_medications = _items(connection, medications, MEDICATION_FIELDS, first, last)
        connection.execute(
            write,
            [
                {
                    "day_id": day.id,
                    "digest": digest(
                        {
                            **{name: day._mapping[name] for name in DAY_FIELDS},
                            "headaches": day_headaches.get(day.id, []),
                            "medications": day_medications.get(day.id, []),
                        }
                    ),
                }
                for day in days
            ],
        )


def downgrade():
    # The hashes cover 0005's content too, and 0005's write path reads them as they are.
    pass
