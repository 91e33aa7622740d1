"""Leads' reviews of flagged accesses, and the partial index that finds each user's flagged events.

Revision ID: 9d3f5b7a2c18
Revises: 8d3f6a1c5e92
Create Date: 2026-11-28 19:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "9d3f5b7a2c18"
down_revision = "8d3f6a1c5e92"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "flagged_access_reviews",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("through_seq", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("reviewed_by_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("note", sa.String(2000), nullable=True),
    )
    op.create_index("ix_flagged_access_reviews_user_id", "flagged_access_reviews", ["user_id"])
    op.create_index(
        "ix_audit_events_flagged",
        "audit_events",
        ["actor_user_id", "seq"],
        postgresql_where=sa.text("flagged"),
        sqlite_where=sa.text("flagged = 1"),
    )


def downgrade():
    op.drop_index("ix_audit_events_flagged", table_name="audit_events")
    op.drop_index("ix_flagged_access_reviews_user_id", table_name="flagged_access_reviews")
    op.drop_table("flagged_access_reviews")
