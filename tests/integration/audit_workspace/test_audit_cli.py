"""`flask audit verify` and `audit export-checkpoint` on the real schema: exit 0 on a sound log, 1 with the first
bad event after tampering, and an exported checkpoint that exposes a rebuilt log."""

import json

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from audit import AuditCheckpoint, AuditEvent, AuditEventPerson, load_exported, seal
from audit.canonical import canonical_bytes, json_text
from audit.derived_columns import insertable
from tests.web.helpers import audit_events


def sealed_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_not(None)))


def test_verify_exits_0_on_a_sound_log(cli, caseload):
    code, output, body = cli("audit", "verify", "--json")
    assert code == 0, output
    assert body["ok"] is True and body["events"] == sealed_count() and "first_bad" not in body
    code, output, _ = cli("audit", "verify")
    assert code == 0 and "The audit log verifies" in output
    code, _, body = cli("audit", "verify", "--quick", "--json")
    assert code == 0 and body["ok"] is True


def test_each_check_from_the_command_line_is_itself_audited(cli, caseload):
    cli("audit", "verify", "--quick")
    (event,) = audit_events("audit_view")
    assert event.actor_user_id is None and event.detail_dict == {"cli": "verify", "mode": "quick", "checkpoint": False}


def swap(a: int, b: int) -> list[str]:
    return [
        f"UPDATE audit_events SET seq = -1 WHERE seq = {a}",
        f"UPDATE audit_events SET seq = {a} WHERE seq = {b}",
        f"UPDATE audit_events SET seq = {b} WHERE seq = -1",
    ]


def delete_events(where: str) -> list[str]:
    return [
        f"DELETE FROM audit_event_people WHERE event_id IN (SELECT id FROM audit_events WHERE {where})",  # noqa: S608
        f"DELETE FROM audit_events WHERE {where}",  # noqa: S608
    ]


TAMPERING = {
    "a field edited": (["UPDATE audit_events SET actor_role = 'safeguarding_lead' WHERE seq = 5"], 5),
    "an event deleted": (delete_events("seq = 5"), 5),
    "two events swapped": (swap(4, 5), 4),
}
FIRST_WITH_PEOPLE = "SELECT min(e.seq) FROM audit_events e JOIN audit_event_people p ON p.event_id = e.id"


@pytest.mark.parametrize("kind", TAMPERING)
def test_verify_exits_1_with_the_first_bad_event_after_tampering(app, cli, caseload, tamper, kind):
    assert cli("audit", "verify")[0] == 0  # seals everything so far
    statements, first_bad = TAMPERING[kind]
    tamper(*statements)
    code, output, _ = cli("audit", "verify")
    assert code == 1
    assert f"First bad event: {first_bad}" in output
    # The finding is the command's answer: on standard output, where a script reads it.
    assert f"First bad event: {first_bad}" in app.test_cli_runner().invoke(args=["audit", "verify"]).stdout
    code, _, body = cli("audit", "verify", "--json")
    assert code == 1
    assert (body["ok"], body["first_bad"]) == (False, first_bad)
    assert body["reason"] and body["error"] and isinstance(body["events"], int)


def test_a_person_unlinked_from_an_event_is_caught_by_the_full_check(cli, caseload, tamper):
    cli("audit", "verify")
    seq = db.session.scalar(sa.text(FIRST_WITH_PEOPLE))
    tamper(f"DELETE FROM audit_event_people WHERE event_id = (SELECT id FROM audit_events WHERE seq = {seq})")  # noqa: S608
    code, _, body = cli("audit", "verify", "--json")
    assert (code, body["first_bad"]) == (1, seq) and "person index" in body["reason"]


def test_a_truncated_log_fails_at_the_first_missing_event(cli, caseload, tamper):
    cli("audit", "verify")
    total = sealed_count()
    tamper(*delete_events(f"seq > {total - 3}"))
    code, _, body = cli("audit", "verify", "--json")
    assert code == 1 and body["first_bad"] == total - 2


def test_quick_verification_catches_rewritten_canonical_bytes(cli, caseload, tamper):
    cli("audit", "verify")
    canonical = db.session.scalar(sa.select(AuditEvent.canonical).where(AuditEvent.seq == 3))
    tamper("UPDATE audit_events SET canonical = :c WHERE seq = 3", c=bytes(canonical).replace(b'"create"', b'"list"'))
    code, _, body = cli("audit", "verify", "--quick", "--json")
    assert (code, body["first_bad"]) == (1, 3)


def rebuild_with_an_innocent_basis(tamper, signing_key, seq: int) -> None:
    """An insider with the signing key rewrites one view so it looks like case-team work, and reseals the log."""
    events, links = AuditEvent.__table__, AuditEventPerson.__table__
    with db.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(events).order_by(events.c.seq)).mappings()]
        people = [dict(r) for r in conn.execute(sa.select(links)).mappings()]
    for row in rows:
        if row["seq"] == seq:
            detail = {"basis": ["case_team"]}
            fields = {**row, "person_ids": json.loads(row["person_ids"]), "detail": detail, "flagged": False}
            row.update(detail=json_text(detail), flagged=False, canonical=canonical_bytes(fields))
        row.update(seq=None, leaf_hash=None)
    tamper(
        sa.delete(links),
        sa.delete(events),
        sa.delete(AuditCheckpoint.__table__),
        sa.insert(events).values([insertable(row, db.engine.dialect.name) for row in rows]),
        sa.insert(links).values(people),
    )
    seal(db.engine, signing_key)


def test_an_exported_checkpoint_exposes_a_rebuilt_log(cli, caseload, tamper, tmp_path, signing_key):
    path = tmp_path / "checkpoint.json"
    code, output, body = cli("audit", "export-checkpoint", "--output", str(path), "--json")
    assert code == 0, output
    checkpoint, _ = load_exported(path.read_text())
    assert body["size"] == checkpoint.size == sealed_count()
    (glass_view,) = [e for e in audit_events("view") if e.actor_user_id == caseload["youth"].id]
    rebuild_with_an_innocent_basis(tamper, signing_key, glass_view.seq)
    code, _, body = cli("audit", "verify", "--json")
    assert code == 0, "rebuilt with the real key, the log is consistent on its own terms"
    code, output, body = cli("audit", "verify", "--checkpoint", str(path), "--json")
    assert code == 1 and body["ok"] is False
    assert body["first_bad"] <= glass_view.seq


def test_an_honest_log_verifies_against_an_older_export(cli, caseload, tmp_path, make_user):
    path = tmp_path / "checkpoint.json"
    cli("audit", "export-checkpoint", "--output", str(path))
    make_user("team_manager")  # the log grows
    code, output, body = cli("audit", "verify", "--checkpoint", str(path), "--json")
    assert code == 0, output
    assert body["events"] > json.loads(path.read_text())["size"]


def test_a_checkpoint_file_that_is_not_one_is_refused(cli, caseload, tmp_path):
    path = tmp_path / "checkpoint.json"
    path.write_text('{"size": 3, "root": "00"}')
    code, _, body = cli("audit", "verify", "--checkpoint", str(path), "--json")
    assert code == 1 and body["ok"] is False and "not a usable exported checkpoint" in body["error"]


def test_export_checkpoint_prints_the_document_without_output(cli, caseload):
    code, output, body = cli("audit", "export-checkpoint", "--json")
    assert code == 0
    checkpoint, _ = load_exported(body)
    assert checkpoint.size == sealed_count()
    assert audit_events("audit_view")[-1].detail_dict == {"cli": "export-checkpoint"}


def test_audit_grant_refuses_on_sqlite(tmp_path):
    app = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", "INSTANCE_PATH": str(tmp_path)}
    )
    result = app.test_cli_runner().invoke(args=["audit", "grant", "safecontext_app", "--json"])
    assert result.exit_code == 1
    assert "PostgreSQL" in json.loads(result.output.strip().splitlines()[-1])["error"]
    with app.app_context():
        db.engine.dispose()
