"""day records: red flags (the warning signs a patient reported, diary/redflags.py)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08

Existing records get an empty list. The column keeps its server default '[]', so a row written
without it (an older version of the app during a deploy) is still a valid day. The content
hashes no longer cover the whole content, so they are cleared, as in 0004.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

day_records = sa.table("day_records", sa.column("content_hash", sa.String))


def upgrade():
    with op.batch_alter_table("day_records", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("red_flags", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.execute(day_records.update().values(content_hash=None))


def downgrade():
    op.execute(day_records.update().values(content_hash=None))
    # A plain DROP COLUMN, never a copy of the table (see 0004: on SQLite the copy would delete
    # every headache and medication with the original table).
    with op.batch_alter_table("day_records", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("red_flags")
