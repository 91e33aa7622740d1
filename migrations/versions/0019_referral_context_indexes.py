"""Referrals about a place or a group are found by their context: a context case's chronology lists them, and a
home referred is shown to the two agencies while the referral is open.

Revision ID: 5a7c2e9d4b61
Revises: 3e8b1d6f9a24
Create Date: 2026-11-29 10:00:00.000000

"""

from alembic import op

revision = "5a7c2e9d4b61"
down_revision = "3e8b1d6f9a24"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_referrals_place", "referrals", ["place_id"], unique=False)
    op.create_index("ix_referrals_group", "referrals", ["group_id"], unique=False)


def downgrade():
    op.drop_index("ix_referrals_group", table_name="referrals")
    op.drop_index("ix_referrals_place", table_name="referrals")
