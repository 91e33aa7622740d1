"""Failed sign-ins under usernames that match no account, counted and locked as an account's are: without them a
lock-out (423) told a guesser which usernames exist. Only a keyed hash of each name is kept. An account's failures
now carry the time of the last one, so that failures a month apart add up to a lock-out for neither.

Revision ID: 7f3b1c9e2a48
Revises: 5d2b8e7a9c31
Create Date: 2026-11-27 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "7f3b1c9e2a48"
down_revision = "5d2b8e7a9c31"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("last_failed_sign_in_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "unknown_name_failures",
        sa.Column("name_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name_hash", name=op.f("pk_unknown_name_failures")),
    )
    op.create_index(
        op.f("ix_unknown_name_failures_last_failed_at"), "unknown_name_failures", ["last_failed_at"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_unknown_name_failures_last_failed_at"), table_name="unknown_name_failures")
    op.drop_table("unknown_name_failures")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("last_failed_sign_in_at")
