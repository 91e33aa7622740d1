"""Graph change stamp, bumped by triggers on every write to the graph tables, and stored whole-graph analyses.

Revision ID: 4a6c0e1d9b27
Revises: 5c0a7e3f21d4
Create Date: 2026-11-26 08:30:00

"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "4a6c0e1d9b27"
down_revision = "5c0a7e3f21d4"
branch_labels = None
depends_on = None

# Frozen here as the schema stood at this revision (models.graph_state.GRAPH_TABLES may grow later).
GRAPH_TABLES = ("people", "person_flags", "places", "groups", "relationships")
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")
SQLITE_BUMP = (
    "INSERT INTO graph_changes (id, counter, stamp) VALUES (1, 1, lower(hex(randomblob(16)))) "
    "ON CONFLICT (id) DO UPDATE SET counter = counter + 1, stamp = excluded.stamp"
)
# Statement-level on PostgreSQL, and once per transaction: a bulk insert runs a statement per row, and updating
# the one row again and again in a transaction lengthens its chain of versions that each later update must walk.
POSTGRES_FUNCTION = """
CREATE FUNCTION bump_graph_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO graph_changes (id, counter, stamp, bumped_by) VALUES (1, 1, gen_random_uuid()::text, txid_current())
    ON CONFLICT (id) DO UPDATE
        SET counter = graph_changes.counter + 1, stamp = EXCLUDED.stamp, bumped_by = EXCLUDED.bumped_by
        WHERE graph_changes.bumped_by IS DISTINCT FROM EXCLUDED.bumped_by;
    RETURN NULL;
END $$
"""


def upgrade():
    op.create_table(
        "graph_changes",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("counter", sa.BigInteger(), nullable=False),
        sa.Column("stamp", sa.String(length=36), nullable=False),
        sa.Column("bumped_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graph_changes")),
    )
    op.create_table(
        "graph_analyses",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("graph_stamp", sa.String(length=36), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_graph_analyses")),
    )
    op.execute(
        sa.text("INSERT INTO graph_changes (id, counter, stamp) VALUES (1, 0, :stamp)").bindparams(
            stamp=uuid.uuid4().hex
        )
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for table in GRAPH_TABLES:
            op.execute(
                f"CREATE TRIGGER graph_changes_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_graph_changes()"
            )
        return
    for table in GRAPH_TABLES:
        for event in SQLITE_EVENTS:
            op.execute(
                f"CREATE TRIGGER graph_changes_{table}_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {SQLITE_BUMP}; END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in GRAPH_TABLES:
            op.execute(f"DROP TRIGGER graph_changes_{table} ON {table}")
        op.execute("DROP FUNCTION bump_graph_changes()")
    else:
        for table in GRAPH_TABLES:
            for event in SQLITE_EVENTS:
                op.execute(f"DROP TRIGGER graph_changes_{table}_{event.lower()}")
    op.drop_table("graph_analyses")
    op.drop_table("graph_changes")
