"""A person's blind-index tokens are found through the unique index on (person_id, index_name, token), which
person_id leads: the separate index on person_id alone duplicated it, at the cost of one more index write for
every token a person's record or an import writes.

Revision ID: 5d2b8e7a9c31
Revises: 3e8a5c1f0b64
Create Date: 2026-11-27 04:10:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d2b8e7a9c31"
down_revision = "3e8a5c1f0b64"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_person_index_tokens_person_id", table_name="person_index_tokens")


def downgrade():
    op.create_index("ix_person_index_tokens_person_id", "person_index_tokens", ["person_id"], unique=False)
