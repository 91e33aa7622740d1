"""The append-only rule as SQL, for the migration to run: triggers on PostgreSQL and SQLite, and grants.

audit_events: no DELETE, no TRUNCATE, no INSERT of an already-sealed row, and one UPDATE only: the sealer
setting seq and leaf_hash from NULL, every other column unchanged. audit_event_people and audit_checkpoints:
insert only. The triggers stop the application and careless hands; a table owner or superuser can drop
them, which is what the signed checkpoints (and an exported copy) are for.
The SQL holds no "%" and no ":name", so it runs unchanged through text(), op.execute or exec_driver_sql.
"""

from audit.derived_columns import SQLITE_EXPRESSIONS

# Every audit_events column except seq and leaf_hash: a unit test fails when the model gains a column not listed.
FROZEN_EVENT_COLUMNS = (
    "id",
    "at",
    "actor_user_id",
    "actor_agency_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "person_ids",
    "outcome",
    "reason",
    "purpose",
    "detail",
    "flagged",
    "request_id",
    "client_addr",
    "user_agent",
    "canonical",
)
INSERT_ONLY_TABLES = ("audit_event_people", "audit_checkpoints")

_PG_EVENTS = """
CREATE OR REPLACE FUNCTION audit_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.seq IS NOT NULL OR NEW.leaf_hash IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'audit_events - only the sealer sets seq and leaf_hash';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.leaf_hash IS NULL
       AND NEW.seq IS NOT NULL AND NEW.leaf_hash IS NOT NULL
       AND ({new}) IS NOT DISTINCT FROM ({old}) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'audit_events is append-only - ' || TG_OP || ' refused';
END $$
"""
_PG_INSERT_ONLY = """
CREATE OR REPLACE FUNCTION audit_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = TG_TABLE_NAME || ' is append-only - ' || TG_OP || ' refused';
END $$
"""


def _postgresql() -> list[str]:
    statements = [
        _PG_EVENTS.strip().format(
            new=", ".join(f"NEW.{c}" for c in FROZEN_EVENT_COLUMNS),
            old=", ".join(f"OLD.{c}" for c in FROZEN_EVENT_COLUMNS),
        ),
        _PG_INSERT_ONLY.strip(),
        "CREATE TRIGGER audit_events_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_guard()",
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_insert_only()",
    ]
    for table in INSERT_ONLY_TABLES:
        statements += [
            f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_insert_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_insert_only()",
        ]
    return statements


def _sqlite(fields_derived: bool) -> list[str]:
    # Fields read out of canonical (audit.derived_columns) cannot change while it does not; comparing them would
    # have the sealing update read each event's fields out of its bytes twice.
    frozen = [c for c in FROZEN_EVENT_COLUMNS if not (fields_derived and c in SQLITE_EXPRESSIONS)]
    unchanged = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in frozen)
    seal_only = (
        "OLD.seq IS NULL AND OLD.leaf_hash IS NULL AND NEW.seq IS NOT NULL AND NEW.leaf_hash IS NOT NULL AND "
        + unchanged
    )
    statements = [
        "CREATE TRIGGER audit_events_insert_unsealed BEFORE INSERT ON audit_events "
        "WHEN NEW.seq IS NOT NULL OR NEW.leaf_hash IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'audit_events - only the sealer sets seq and leaf_hash'); END",
        f"CREATE TRIGGER audit_events_seal_only BEFORE UPDATE ON audit_events WHEN NOT ({seal_only}) "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only - UPDATE refused'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only - DELETE refused'); END",
    ]
    for table in INSERT_ONLY_TABLES:
        for op in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only - {op} refused'); END"
            )
    return statements


def append_only_ddl(dialect_name: str, *, sqlite_fields_derived: bool = False) -> list[str]:
    """Statements that install the append-only rule on this dialect ('postgresql' or 'sqlite');
    sqlite_fields_derived: the SQLite table reads its fields out of canonical (migration 0020 on)."""
    if dialect_name == "postgresql":
        return _postgresql()
    if dialect_name == "sqlite":
        return _sqlite(sqlite_fields_derived)
    raise ValueError(f"no append-only rule for dialect {dialect_name!r}")


def drop_append_only_ddl(dialect_name: str) -> list[str]:
    """Statements that remove what append_only_ddl installed (for the migration's downgrade)."""
    if dialect_name == "postgresql":
        triggers = [("audit_events_guard", "audit_events"), ("audit_events_no_truncate", "audit_events")]
        for table in INSERT_ONLY_TABLES:
            triggers += [(f"{table}_insert_only", table), (f"{table}_no_truncate", table)]
        drops = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in triggers]
        return [*drops, "DROP FUNCTION IF EXISTS audit_events_guard()", "DROP FUNCTION IF EXISTS audit_insert_only()"]
    if dialect_name == "sqlite":
        names = ["audit_events_insert_unsealed", "audit_events_seal_only", "audit_events_no_delete"]
        names += [f"{table}_no_{op}" for table in INSERT_ONLY_TABLES for op in ("update", "delete")]
        return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    raise ValueError(f"no append-only rule for dialect {dialect_name!r}")


def grant_statements(app_role: str) -> list[str]:
    """PostgreSQL grants for an application role that does not own the tables: no DELETE, TRUNCATE or DDL."""
    if not app_role.replace("_", "").isalnum():
        raise ValueError(f"unsafe role name {app_role!r}")
    return [
        f"REVOKE ALL ON audit_events, audit_event_people, audit_checkpoints FROM {app_role}",
        f"GRANT SELECT, INSERT ON audit_events, audit_event_people, audit_checkpoints TO {app_role}",
        f"GRANT UPDATE (seq, leaf_hash) ON audit_events TO {app_role}",
    ]
