"""The append-only DDL stays in step with the model and refuses what it cannot express."""

import pytest

from audit.canonical import EVENT_FIELDS
from audit.models import AuditEvent
from audit.schema import FROZEN_EVENT_COLUMNS, append_only_ddl, drop_append_only_ddl, grant_statements


def test_every_column_but_seq_and_leaf_hash_is_frozen():
    columns = {c.name for c in AuditEvent.__table__.columns}
    assert set(FROZEN_EVENT_COLUMNS) == columns - {"seq", "leaf_hash"}


def test_the_canonical_bytes_cover_every_stored_field():
    assert set(EVENT_FIELDS) == set(FROZEN_EVENT_COLUMNS) - {"canonical"}


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_each_installed_trigger_has_a_drop(dialect):
    installed = [s for s in append_only_ddl(dialect) if s.startswith("CREATE TRIGGER")]
    dropped = [s for s in drop_append_only_ddl(dialect) if s.startswith("DROP TRIGGER")]
    assert len(installed) == len(dropped) > 0


def test_a_sealing_update_on_sqlite_leaves_the_stored_columns_unchanged_and_the_derived_ones_to_them():
    (derived,) = [s for s in append_only_ddl("sqlite", sqlite_fields_derived=True) if "seal_only" in s]
    (plain,) = [s for s in append_only_ddl("sqlite") if "seal_only" in s]
    assert "NEW.id IS OLD.id" in derived and "NEW.canonical IS OLD.canonical" in derived
    assert "NEW.action" not in derived and "NEW.person_ids" not in derived
    assert all(f"NEW.{column} IS OLD.{column}" in plain for column in FROZEN_EVENT_COLUMNS)


def test_unknown_dialects_are_refused():
    with pytest.raises(ValueError):
        append_only_ddl("mysql")
    with pytest.raises(ValueError):
        drop_append_only_ddl("mysql")


def test_grants_leave_the_app_role_without_delete_and_only_sealing_updates():
    statements = grant_statements("safecontext_app")
    assert "GRANT UPDATE (seq, leaf_hash) ON audit_events TO safecontext_app" in statements
    assert not any("DELETE" in s or "TRUNCATE" in s for s in statements if s.startswith("GRANT"))
    with pytest.raises(ValueError):
        grant_statements("app; DROP TABLE audit_events")
