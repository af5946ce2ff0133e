"""day records: the headache question (had_headache true, false or null)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Records stored under version 1 of the clinical rules keep version 1's reading, set once here:
a record holding headaches had a headache (true), any other record was headache-free (false).
The content hashes no longer cover the whole content, so they are cleared: a repeated write is
then recognised by reading the record back (operations.days), and the next write sets them.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

day_records = sa.table(
    "day_records",
    sa.column("id", sa.Integer),
    sa.column("had_headache", sa.Boolean),
    sa.column("content_hash", sa.String),
)
headaches = sa.table("headaches", sa.column("day_id", sa.Integer))


def upgrade():
    with op.batch_alter_table("day_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("had_headache", sa.Boolean(), nullable=True))
    holds_headaches = sa.exists().where(headaches.c.day_id == day_records.c.id)
    op.execute(day_records.update().values(had_headache=holds_headaches, content_hash=None))


def downgrade():
    # Version 1 reads "no headaches" as headache-free: the unanswered days become that again.
    op.execute(day_records.update().values(content_hash=None))
    # A plain DROP COLUMN (SQLite 3.35+), never a copy of the table: on SQLite, dropping the
    # original table would delete every headache and medication with it (ON DELETE CASCADE).
    with op.batch_alter_table("day_records", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("had_headache")
