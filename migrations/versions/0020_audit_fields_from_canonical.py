"""On SQLite an audit event's fields become virtual columns read out of its canonical bytes (audit.derived_columns).

A log whose stored fields disagree anywhere with their canonical bytes is left as it is, with an error naming the
first such event: replacing the columns would erase the evidence of an edit. PostgreSQL keeps plain columns.

Revision ID: c4e8a2f6d913
Revises: 5a7c2e9d4b61
Create Date: 2026-11-29 12:00:00.000000

"""

from alembic import op

from audit.derived_columns import SQLITE_EXPRESSIONS
from audit.schema import append_only_ddl, drop_append_only_ddl

revision = "c4e8a2f6d913"
down_revision = "5a7c2e9d4b61"
branch_labels = None
depends_on = None

# The indexes that name a field; they are dropped with the stored columns and made again over the virtual ones.
_INDEXES = {
    "ix_audit_events_action": "CREATE INDEX ix_audit_events_action ON audit_events (action)",
    "ix_audit_events_actor_user_id": "CREATE INDEX ix_audit_events_actor_user_id ON audit_events (actor_user_id)",
    "ix_audit_events_at": "CREATE INDEX ix_audit_events_at ON audit_events (at)",
    "ix_audit_events_unsealed": "CREATE INDEX ix_audit_events_unsealed ON audit_events (at, id) WHERE seq IS NULL",
    "ix_audit_events_flagged": (
        "CREATE INDEX ix_audit_events_flagged ON audit_events (actor_user_id, seq) WHERE flagged = 1"
    ),
}
# Each field's column as migration 0001 made it, in that order.
_STORED = {
    "at": "DATETIME NOT NULL",
    "actor_user_id": "VARCHAR(36)",
    "actor_agency_id": "VARCHAR(36)",
    "actor_role": "VARCHAR(40)",
    "action": "VARCHAR(40) NOT NULL",
    "object_type": "VARCHAR(40)",
    "object_id": "VARCHAR(100)",
    "person_ids": "TEXT NOT NULL",
    "outcome": "VARCHAR(20) NOT NULL",
    "reason": "TEXT",
    "purpose": "TEXT",
    "detail": "TEXT",
    "flagged": "BOOLEAN NOT NULL",
    "request_id": "VARCHAR(64)",
    "client_addr": "VARCHAR(64)",
    "user_agent": "VARCHAR(512)",
}


def _rebuild(columns: list[str], fields_derived: bool) -> None:
    for statement in drop_append_only_ddl("sqlite"):
        op.execute(statement)
    for name in _INDEXES:
        op.execute(f"DROP INDEX {name}")
    for statement in columns:
        op.execute(statement)
    for statement in _INDEXES.values():
        op.execute(statement)
    for statement in append_only_ddl("sqlite", sqlite_fields_derived=fields_derived):
        op.execute(statement)


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    bind = op.get_bind()
    agree = " AND ".join(f"{name} IS {expression}" for name, expression in SQLITE_EXPRESSIONS.items())
    differs = bind.exec_driver_sql(
        f"SELECT coalesce(seq, id) FROM audit_events WHERE NOT ({agree}) ORDER BY seq IS NULL, seq LIMIT 1"  # noqa: S608
    ).scalar()
    if differs is not None:
        raise RuntimeError(
            f"audit event {differs}: its stored fields disagree with its canonical bytes. Nothing was changed: "
            "run `flask audit verify` and keep this database as evidence before going on."
        )
    statements = [f"ALTER TABLE audit_events DROP COLUMN {name}" for name in _STORED]
    statements += [
        f"ALTER TABLE audit_events ADD COLUMN {name} {stored} GENERATED ALWAYS AS ({SQLITE_EXPRESSIONS[name]}) VIRTUAL"
        for name, stored in _STORED.items()
    ]
    _rebuild(statements, fields_derived=True)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    statements = []
    for name, stored in _STORED.items():
        # A NOT NULL column added to rows that exist needs a default; every row gets its value at once.
        default = " DEFAULT ''" if stored.endswith("NOT NULL") else ""
        statements += [
            f"ALTER TABLE audit_events RENAME COLUMN {name} TO {name}_derived",
            f"ALTER TABLE audit_events ADD COLUMN {name} {stored}{default}",
            f"UPDATE audit_events SET {name} = {name}_derived",  # noqa: S608 - constants only
            f"ALTER TABLE audit_events DROP COLUMN {name}_derived",
        ]
    _rebuild(statements, fields_derived=False)
