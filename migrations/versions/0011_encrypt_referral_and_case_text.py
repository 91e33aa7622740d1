"""Free text written beside an encrypted record is encrypted with it: a referral's reason for overriding consent
or not seeking it, its reason for declining, the notes on its history (why it was declined or withdrawn), and why a
case closed. Each is about a child or their family, was kept as plain text, and so showed in a copy of the database
and outlived the person's erasure. Each is now encrypted under the record's own data key, which erasure shreds;
a referral's history rows carry their referral's key for that.

Existing text is encrypted here with the app's keyring; text whose key was already shredded is dropped, as the
erasure meant. The downgrade decrypts it back.

Revision ID: 2c8e5a7d1f63
Revises: 7f3b1c9e2a48
Create Date: 2026-11-27 20:00:00.000000

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from models.crypto.aead import associated_data, decrypt, encrypt
from models.crypto.errors import DecryptionError, KeyDestroyed
from models.crypto.registry import current_keyring

revision = "2c8e5a7d1f63"
down_revision = "7f3b1c9e2a48"
branch_labels = None
depends_on = None

# (table, column, its length as plain text)
_FIELDS = (
    ("referrals", "lawful_basis_reason", 1000),
    ("referrals", "decline_reason", 1000),
    ("referral_transitions", "note", 1000),
    ("cases", "closed_reason", 500),
)
_KEY_FK = "fk_referral_transitions_data_key_id_data_keys"


def upgrade():
    with op.batch_alter_table("referral_transitions") as batch_op:
        batch_op.add_column(sa.Column("data_key_id", sa.String(length=36), nullable=True))
    op.execute(
        "UPDATE referral_transitions SET data_key_id = "
        "(SELECT r.data_key_id FROM referrals r WHERE r.id = referral_transitions.referral_id)"
    )
    with op.batch_alter_table("referral_transitions") as batch_op:
        batch_op.alter_column("data_key_id", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_foreign_key(op.f(_KEY_FK), "data_keys", ["data_key_id"], ["id"])
    _convert(_encrypted, sa.LargeBinary)


def downgrade():
    _convert(_decrypted, sa.String)
    with op.batch_alter_table("referral_transitions") as batch_op:
        batch_op.drop_constraint(op.f(_KEY_FK), type_="foreignkey")
        batch_op.drop_column("data_key_id")


def _convert(change, new_type) -> None:
    """Read and change every value first, then replace each column by one of the new type and write the values back.

    Nothing is dropped before every value is changed: SQLite commits DDL at once, so a failure after a drop would
    lose the column. The columns are dropped and added rather than altered: SQLite alters a type by copying the
    table, and dropping `referrals` or `cases` would cascade to their history, team and chronology rows.
    """
    bind = op.get_bind()
    session = Session(bind=bind)
    changed = {}
    for table, column, _length in _FIELDS:
        rows = bind.execute(
            sa.text(f"SELECT id, data_key_id, {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
        ).all()
        changed[table, column] = [
            {"id": row_id, "value": change(session, table, column, row_id, key_id, value)}
            for row_id, key_id, value in rows
        ]
    for table, column, length in _FIELDS:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        op.add_column(table, sa.Column(column, new_type(length) if new_type is sa.String else new_type(), nullable=True))
        if changed[table, column]:
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"), changed[table, column])  # noqa: S608


def _key(session: Session, key_id: str) -> bytes | None:
    try:
        return current_keyring().key_for(session, key_id)
    except KeyDestroyed:
        return None


def _encrypted(session: Session, table: str, column: str, row_id: str, key_id: str, text: str) -> bytes | None:
    key = _key(session, key_id)
    return None if key is None else encrypt(key, key_id, text.encode("utf-8"), associated_data(table, column, row_id))


def _decrypted(session: Session, table: str, column: str, row_id: str, key_id: str, blob: bytes) -> str | None:
    """The plain text, or None for a shredded key or a value that fails its check (it was unreadable already)."""
    key = _key(session, key_id)
    if key is None:
        return None
    try:
        return decrypt(key, bytes(blob), associated_data(table, column, row_id)).decode("utf-8")
    except DecryptionError:
        return None
