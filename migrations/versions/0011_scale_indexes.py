"""indexes for a clinic network (issue 15)

From the plans bench/scale.py printed for 10,000 patients with two years of diary each
(docs/performance.md, "At clinic-network scale"):
- The access log is a large table there (a read of each patient's figures on every day a
  therapist opens the list): the daily list-read check scanned all of it by actor, and a
  patient's events were read through an index on the patient alone. (patient_id, at) serves
  what that index served and the reads by time; (actor_id, at) the list-read check, and the
  SET NULL when a therapist's account is erased.
- The triage list and the windowed figures count days from (patient_id, date, had_headache,
  soreness, id) alone, with no visit to the table, whose rows of one patient lie scattered.
- A day's drug classes come from (day_id, drug_class) alone; it replaces the index on day_id.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.create_index("ix_access_events_patient_at", ["patient_id", "at"], unique=False)
        batch_op.create_index("ix_access_events_actor_at", ["actor_id", "at"], unique=False)
        batch_op.drop_index(batch_op.f("ix_access_events_patient_id"))
    with op.batch_alter_table("day_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_day_records_patient_date_figures",
            ["patient_id", "date", "had_headache", "soreness", "id"],
            unique=False,
        )
    with op.batch_alter_table("medication_intakes", schema=None) as batch_op:
        batch_op.create_index("ix_medication_intakes_day_class", ["day_id", "drug_class"], unique=False)
        batch_op.drop_index(batch_op.f("ix_medication_intakes_day_id"))


def downgrade():
    with op.batch_alter_table("medication_intakes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_medication_intakes_day_id"), ["day_id"], unique=False)
        batch_op.drop_index("ix_medication_intakes_day_class")
    with op.batch_alter_table("day_records", schema=None) as batch_op:
        batch_op.drop_index("ix_day_records_patient_date_figures")
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_events_patient_id"), ["patient_id"], unique=False)
        batch_op.drop_index("ix_access_events_actor_at")
        batch_op.drop_index("ix_access_events_patient_at")
