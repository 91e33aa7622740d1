"""A log of writes to relationships, so that a process holding the borough's adjacency applies what changed instead
of reading every relationship again after each write.

The triggers of relationships write it in the writing transaction, beside the links stamp of 0007: on SQLite the
per-row triggers bump the stamp and log the row; on PostgreSQL statement triggers with transition tables log the
rows a statement wrote (after the stamp's own trigger, by the order of their names), and TRUNCATE empties the log.

Revision ID: 6c2a9d4e1f37
Revises: 4b7d1e9c2a50
Create Date: 2026-11-28 13:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "6c2a9d4e1f37"
down_revision = "4b7d1e9c2a50"
branch_labels = None
depends_on = None

# The relationships' triggers as 0007 left them on SQLite (a migration keeps its own copy).
SQLITE_LINKS_BUMP = (
    "INSERT INTO graph_changes (id, counter, stamp, links_stamp) VALUES (1, 1, {new}, {new}) "
    "ON CONFLICT (id) DO UPDATE SET counter = counter + 1, stamp = excluded.stamp, links_stamp = excluded.links_stamp"
).format(new="lower(hex(randomblob(16)))")
# Each event of a trigger, and the row (SQLite) or transition table (PostgreSQL) holding what it wrote.
EVENTS = {"INSERT": "NEW", "UPDATE": "NEW", "DELETE": "OLD"}
# The text SQLAlchemy stores for a UTC time on SQLite, to the microsecond.
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
SQLITE_LOG = (
    "INSERT INTO link_changes (relationship_id, links_stamp, changed_at) "
    "SELECT {row}.id, links_stamp, " + SQLITE_NOW + " FROM graph_changes WHERE id = 1"
)
POSTGRES_FUNCTION = """
CREATE FUNCTION log_link_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM link_changes;
    ELSE
        INSERT INTO link_changes (relationship_id, links_stamp, transaction_id, changed_at)
        SELECT c.id, g.links_stamp, txid_current(), now() FROM changed_rows c, graph_changes g WHERE g.id = 1;
        IF FOUND THEN
            RETURN NULL;
        END IF;
    END IF;
    -- A statement that wrote no row still moved the stamp: log the stamp alone.
    INSERT INTO link_changes (relationship_id, links_stamp, transaction_id, changed_at)
    SELECT NULL, links_stamp, txid_current(), now() FROM graph_changes WHERE id = 1;
    RETURN NULL;
END $$
"""


def upgrade():
    op.create_table(
        "link_changes",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("relationship_id", sa.String(length=36), nullable=True),
        sa.Column("links_stamp", sa.String(length=36), nullable=True),
        sa.Column("transaction_id", sa.BigInteger(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_link_changes")),
    )
    with op.batch_alter_table("link_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_changes_links_stamp"), ["links_stamp"], unique=False)
        batch_op.create_index(
            "ix_link_changes_transaction_id",
            ["transaction_id"],
            unique=False,
            postgresql_where=sa.text("transaction_id IS NOT NULL"),
            sqlite_where=sa.text("transaction_id IS NOT NULL"),
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for event, table in EVENTS.items():
            op.execute(
                f"CREATE TRIGGER link_changes_{event.lower()} AFTER {event} ON relationships "
                f"REFERENCING {table} TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION log_link_changes()"
            )
        op.execute(
            "CREATE TRIGGER link_changes_truncate AFTER TRUNCATE ON relationships "
            "FOR EACH STATEMENT EXECUTE FUNCTION log_link_changes()"
        )
        return
    for event, row in EVENTS.items():
        _sqlite_trigger(event, f"{SQLITE_LINKS_BUMP}; {SQLITE_LOG.format(row=row)}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for event in (*EVENTS, "TRUNCATE"):
            op.execute(f"DROP TRIGGER link_changes_{event.lower()} ON relationships")
        op.execute("DROP FUNCTION log_link_changes()")
    else:
        for event in EVENTS:
            _sqlite_trigger(event, SQLITE_LINKS_BUMP)
    op.drop_table("link_changes")


def _sqlite_trigger(event: str, body: str) -> None:
    name = f"graph_changes_relationships_{event.lower()}"
    op.execute(f"DROP TRIGGER {name}")
    op.execute(f"CREATE TRIGGER {name} AFTER {event} ON relationships BEGIN {body}; END")
