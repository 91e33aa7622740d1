"""A second stamp moved only by writes to relationships, so that editing a person keeps cached adjacencies.

The adjacency behind ego maps and the context-neighbour rule holds relationships only; the first stamp still moves
with every graph table, for the borough graph of whole-graph analyses, which also holds birth dates and flags.

Revision ID: 9b3f6a2d7c10
Revises: 7d2e4b9c1a58
Create Date: 2026-11-26 14:30:00.000000

"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "9b3f6a2d7c10"
down_revision = "7d2e4b9c1a58"
branch_labels = None
depends_on = None

# As the schema stood at revision 0005, which created one trigger a table (or a table and event on SQLite).
OTHER_TABLES = ("people", "person_flags", "places", "groups")
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")
NEW_STAMP = "lower(hex(randomblob(16)))"
# A write to another graph table that finds no row (an emptied table) starts both stamps.
SQLITE_BUMP = (
    "INSERT INTO graph_changes (id, counter, stamp, links_stamp) VALUES (1, 1, {new}, {new}) "
    "ON CONFLICT (id) DO UPDATE SET counter = counter + 1, stamp = excluded.stamp"
).format(new=NEW_STAMP)
SQLITE_LINKS_BUMP = (
    "INSERT INTO graph_changes (id, counter, stamp, links_stamp) VALUES (1, 1, {new}, {new}) "
    "ON CONFLICT (id) DO UPDATE SET counter = counter + 1, stamp = excluded.stamp, links_stamp = excluded.links_stamp"
).format(new=NEW_STAMP)
# PostgreSQL bumps each stamp once per transaction, each with its own guard: a transaction that writes a person
# and then a relationship must still move the links stamp.
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION bump_graph_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO graph_changes (id, counter, stamp, links_stamp, bumped_by)
    VALUES (1, 1, gen_random_uuid()::text, gen_random_uuid()::text, txid_current())
    ON CONFLICT (id) DO UPDATE
        SET counter = graph_changes.counter + 1, stamp = EXCLUDED.stamp, bumped_by = EXCLUDED.bumped_by
        WHERE graph_changes.bumped_by IS DISTINCT FROM EXCLUDED.bumped_by;
    RETURN NULL;
END $$
"""
POSTGRES_LINKS_FUNCTION = """
CREATE FUNCTION bump_link_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO graph_changes (id, counter, stamp, links_stamp, bumped_by, links_bumped_by)
    VALUES (1, 1, gen_random_uuid()::text, gen_random_uuid()::text, txid_current(), txid_current())
    ON CONFLICT (id) DO UPDATE
        SET counter = graph_changes.counter + 1, stamp = EXCLUDED.stamp, links_stamp = EXCLUDED.links_stamp,
            bumped_by = EXCLUDED.bumped_by, links_bumped_by = EXCLUDED.links_bumped_by
        WHERE graph_changes.links_bumped_by IS DISTINCT FROM EXCLUDED.links_bumped_by;
    RETURN NULL;
END $$
"""
POSTGRES_OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION bump_graph_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO graph_changes (id, counter, stamp, bumped_by) VALUES (1, 1, gen_random_uuid()::text, txid_current())
    ON CONFLICT (id) DO UPDATE
        SET counter = graph_changes.counter + 1, stamp = EXCLUDED.stamp, bumped_by = EXCLUDED.bumped_by
        WHERE graph_changes.bumped_by IS DISTINCT FROM EXCLUDED.bumped_by;
    RETURN NULL;
END $$
"""
OLD_SQLITE_BUMP = (
    "INSERT INTO graph_changes (id, counter, stamp) VALUES (1, 1, lower(hex(randomblob(16)))) "
    "ON CONFLICT (id) DO UPDATE SET counter = counter + 1, stamp = excluded.stamp"
)


def upgrade():
    with op.batch_alter_table("graph_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("links_stamp", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("links_bumped_by", sa.BigInteger(), nullable=True))
    op.execute(sa.text("UPDATE graph_changes SET links_stamp = :stamp").bindparams(stamp=uuid.uuid4().hex))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_LINKS_FUNCTION)
        op.execute("DROP TRIGGER graph_changes_relationships ON relationships")
        op.execute(
            "CREATE TRIGGER graph_changes_relationships AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON relationships "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_link_changes()"
        )
        return
    _sqlite_triggers({**dict.fromkeys(OTHER_TABLES, SQLITE_BUMP), "relationships": SQLITE_LINKS_BUMP})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER graph_changes_relationships ON relationships")
        op.execute(
            "CREATE TRIGGER graph_changes_relationships AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON relationships "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_graph_changes()"
        )
        op.execute("DROP FUNCTION bump_link_changes()")
        op.execute(POSTGRES_OLD_FUNCTION)
    else:
        _sqlite_triggers(dict.fromkeys((*OTHER_TABLES, "relationships"), OLD_SQLITE_BUMP))
    # Plain ALTER TABLE (SQLite 3.35 and later): a batch copy of the table would break the triggers naming it.
    op.execute("ALTER TABLE graph_changes DROP COLUMN links_bumped_by")
    op.execute("ALTER TABLE graph_changes DROP COLUMN links_stamp")


def _sqlite_triggers(bumps: dict[str, str]) -> None:
    for table, bump in bumps.items():
        for event in SQLITE_EVENTS:
            name = f"graph_changes_{table}_{event.lower()}"
            op.execute(f"DROP TRIGGER {name}")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {bump}; END")
