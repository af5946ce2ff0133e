"""the drug classes of each day on its record (issue 15)

day_records.drug_classes holds the classes of the day's medications as bits
(diary/models.py DRUG_CLASS_BITS), so that the triage list and the months count class days from
the day records and their index alone, without reading the medications of every day: at 10,000
patients that read was most of the triage list's time (docs/performance.md). The column is
filled here from the medications stored before; the covering index of the figures gains it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The classes in the order of their bits (1, 2, 4, ...), as diary/models.py DRUG_CLASS_BITS had
# them when this was written: a migration keeps its own copy.
CLASSES_BY_BIT = (
    "non_opioid_analgesic",
    "triptan",
    "ergot",
    "opioid",
    "combination_analgesic",
    "other_acute",
    "other",
)
FIGURES = ["patient_id", "date", "had_headache", "soreness"]


# Plain ALTER TABLE, not batch_alter_table: on SQLite a batch may copy the table and drop the
# old one, and with foreign keys on, that drop deletes every headache and medication (ON DELETE
# CASCADE). SQLite adds a NOT NULL column with a constant default in place.


def upgrade():
    op.add_column(
        "day_records",
        sa.Column("drug_classes", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
    )
    for n, drug_class in enumerate(CLASSES_BY_BIT):
        op.execute(
            sa.text(
                "UPDATE day_records SET drug_classes = drug_classes | :bit WHERE id IN "
                "(SELECT day_id FROM medication_intakes WHERE drug_class = :drug_class)"
            ).bindparams(bit=1 << n, drug_class=drug_class)
        )
    op.drop_index("ix_day_records_patient_date_figures", table_name="day_records")
    op.create_index("ix_day_records_patient_date_figures", "day_records", [*FIGURES, "drug_classes", "id"])


def downgrade():
    op.drop_index("ix_day_records_patient_date_figures", table_name="day_records")
    op.create_index("ix_day_records_patient_date_figures", "day_records", [*FIGURES, "id"])
    with op.batch_alter_table("day_records", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("drug_classes")
