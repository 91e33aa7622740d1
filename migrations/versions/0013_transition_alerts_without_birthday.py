"""Transition alerts no longer state the 18th birthday in their detail: alerts are stored as plain text, and the
birthday gives the encrypted date of birth away. Stored ones are rewritten to the new text; going back leaves them
so, as the birthdays cannot be restored from the alerts table alone.

Revision ID: 4b7d1e9c2a50
Revises: 9e4f2a6b8c13
Create Date: 2026-11-28 02:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "4b7d1e9c2a50"
down_revision = "9e4f2a6b8c13"
branch_labels = None
depends_on = None

# The text of safeguarding.alerts.TRANSITION_DETAIL when this revision was written (a migration keeps its own copy).
DETAIL = "Approaching 18 (17 years 6 months or older): plan the transition to adult services"


def upgrade():
    op.execute(sa.text("UPDATE alerts SET detail = :detail WHERE kind = 'transition'").bindparams(detail=DETAIL))


def downgrade():
    pass
