"""A user given a temporary password by an administrator must choose their own at their next sign-in: a flag on the
user, false for every existing account.

Revision ID: 8d3f6a1c5e92
Revises: 6c2a9d4e1f37
Create Date: 2026-12-01 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "8d3f6a1c5e92"
down_revision = "6c2a9d4e1f37"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both engines: a batch rebuild of users on SQLite would fail on the rows that refer to them.
def upgrade():
    op.add_column("users", sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column("users", "must_change_password")
