"""A lead worker's request to close a case, awaiting a team manager's approval, and the last request returned.

Revision ID: 3e8b1d6f9a24
Revises: 9d3f5b7a2c18
Create Date: 2026-11-28 20:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "3e8b1d6f9a24"
down_revision = "9d3f5b7a2c18"
branch_labels = None
depends_on = None

# Added and dropped one by one, not in a batch: on SQLite a batch rebuilds the table, which rows of other tables
# refer to; and the users are plain ids, as SQLite cannot drop a column that holds a foreign key.
COLUMNS = (
    ("closure_requested_by_id", sa.String(36)),
    ("closure_requested_at", sa.DateTime(timezone=True)),
    ("closure_request_reason", sa.LargeBinary()),
    ("closure_returned_by_id", sa.String(36)),
    ("closure_returned_at", sa.DateTime(timezone=True)),
    ("closure_return_reason", sa.LargeBinary()),
)


def upgrade():
    for name, type_ in COLUMNS:
        op.add_column("cases", sa.Column(name, type_, nullable=True))


def downgrade():
    for name, _type in reversed(COLUMNS):
        op.drop_column("cases", name)
