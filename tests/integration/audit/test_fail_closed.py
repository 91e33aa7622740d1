"""If the audit event cannot be written, the change it records is not written either."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import Actor, AuditEvent, record

ACTOR = Actor("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", "social_worker")
casework = sa.Table("casework", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))

BREAK_INSERTS = {
    "sqlite": [
        "CREATE TRIGGER audit_unavailable BEFORE INSERT ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION audit_unavailable() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$",
        "CREATE TRIGGER audit_unavailable BEFORE INSERT ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_unavailable()",
    ],
}


def test_a_failed_audit_insert_fails_the_callers_transaction(audit_engine):
    casework.create(audit_engine)
    with audit_engine.begin() as conn:
        for statement in BREAK_INSERTS[audit_engine.dialect.name]:
            conn.exec_driver_sql(statement)
    with Session(audit_engine) as session:
        session.execute(casework.insert().values(id=1))
        with pytest.raises(sa.exc.DBAPIError, match="audit store unavailable"):
            record(session, action="update", actor=ACTOR, object_type="case", object_id="1")
        with pytest.raises(sa.exc.InvalidRequestError):
            session.commit()
    with audit_engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(casework)) == 0
        assert conn.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
