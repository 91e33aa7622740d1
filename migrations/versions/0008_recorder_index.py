"""People are found by who recorded them and when: the recorder rule of the access policy asks for a user's
records of the last 30 days, read from the index alone (it holds the ids too).

Revision ID: 3e8a5c1f0b64
Revises: 9b3f6a2d7c10
Create Date: 2026-11-26 18:45:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "3e8a5c1f0b64"
down_revision = "9b3f6a2d7c10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_people_recorded_by_created", "people", ["recorded_by_id", "created_at", "id"], unique=False)


def downgrade():
    op.drop_index("ix_people_recorded_by_created", table_name="people")
