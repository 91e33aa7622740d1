"""A referral box's count leaves out referrals about erased people from its indexes alone: the box indexes carry
person_id, and a partial index lists the few erased people. Before, the count read every referral of the box
and looked its person up (about 57 ms for a box of 7,343 referrals, against 2 ms now).

Revision ID: 9e4f2a6b8c13
Revises: 2c8e5a7d1f63
Create Date: 2026-11-27 22:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "9e4f2a6b8c13"
down_revision = "2c8e5a7d1f63"
branch_labels = None
depends_on = None

_ERASED = sa.text("erased_at IS NOT NULL")


def upgrade():
    _replace_box_indexes(["to_agency_id", "status", "person_id"], ["from_agency_id", "sent_at", "id", "person_id"])
    op.create_index("ix_people_erased", "people", ["id"], sqlite_where=_ERASED, postgresql_where=_ERASED)


def downgrade():
    op.drop_index("ix_people_erased", table_name="people")
    _replace_box_indexes(["to_agency_id", "status"], ["from_agency_id", "sent_at", "id"])


def _replace_box_indexes(inbox_status: list[str], outbox_sent: list[str]) -> None:
    # Index statements alone: a batch operation could copy the table on SQLite, cascading to its history.
    for name, columns in (
        ("ix_referrals_to_agency_status", inbox_status),
        ("ix_referrals_from_agency_sent", outbox_sent),
    ):
        op.drop_index(name, table_name="referrals")
        op.create_index(name, "referrals", columns)
