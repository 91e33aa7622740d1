"""Referral boxes are read a page at a time, newest first: each box's index ends in (sent_at, id).

Revision ID: 7d2e4b9c1a58
Revises: 4a6c0e1d9b27
Create Date: 2026-11-26 14:20:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d2e4b9c1a58"
down_revision = "4a6c0e1d9b27"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index("ix_referrals_to_agency_sent", ["to_agency_id", "sent_at", "id"], unique=False)
        batch_op.create_index("ix_referrals_from_agency_sent", ["from_agency_id", "sent_at", "id"], unique=False)
        batch_op.drop_index("ix_referrals_from_agency")


def downgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index("ix_referrals_from_agency", ["from_agency_id"], unique=False)
        batch_op.drop_index("ix_referrals_from_agency_sent")
        batch_op.drop_index("ix_referrals_to_agency_sent")
