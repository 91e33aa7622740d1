"""Search: the blind-index lookup index also holds the person id, so counting hits never reads the table.

Revision ID: 5c0a7e3f21d4
Revises: 8823d262c78c
Create Date: 2026-11-26 09:20:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c0a7e3f21d4'
down_revision = '8823d262c78c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person_index_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_person_index_tokens_search', ['index_name', 'token', 'person_id'], unique=False)
        batch_op.drop_index('ix_person_index_tokens_lookup')


def downgrade():
    with op.batch_alter_table('person_index_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_person_index_tokens_lookup', ['index_name', 'token'], unique=False)
        batch_op.drop_index('ix_person_index_tokens_search')
