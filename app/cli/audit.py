"""`audit verify`, `audit export-checkpoint` and `audit grant`: the audit log from the command line."""

import json
import sys
from pathlib import Path

import click
from sqlalchemy import text

import audit
from app.cli import JsonGroup
from app.extensions import db
from safeguarding.errors import SafeguardingError
from safeguarding.runtime import current as runtime

audit_cli = JsonGroup("audit", help="Verify the audit log, export its checkpoint, grant an app role.")


def _finish(ok: bool, result: dict, message: str, as_json: bool, *, finding: bool = False) -> None:
    """Print the outcome (JSON as the last line with --json) and exit 0 or 1. A failure goes to standard error,
    except a finding (the log does not verify, and where): that is the command's answer, on standard output."""
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(message, err=not (ok or finding))
    sys.exit(0 if ok else 1)


def _note_cli_access(what: str, **detail) -> None:
    """Record a look at the log from the command line; a log that refuses the write is still checked."""
    try:
        with audit.request_context(f"cli-audit-{what}"):
            audit.record(
                db.session, action="audit_view", actor=None, object_type="audit_log", detail={"cli": what, **detail}
            )
        db.session.commit()
    except Exception as exc:  # verification must run even when the log cannot be written to
        db.session.rollback()
        click.echo(f"Warning: could not record this check in the audit log: {exc}", err=True)


@audit_cli.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@click.option("--quick", is_flag=True, help="Check hashes and the signed tree only, not every column.")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint exported earlier (audit export-checkpoint) and kept elsewhere.",
)
def verify_command(as_json: bool, quick: bool, checkpoint_file: Path | None):
    """Seal, then verify every event and checkpoint: exit 0 if the log verifies, 1 with the first bad event."""
    exported = None
    if checkpoint_file is not None:
        try:
            exported = checkpoint_file.read_text(encoding="utf-8")
            audit.load_exported(exported)
        except (ValueError, UnicodeError) as exc:
            message = f"{checkpoint_file} is not a usable exported checkpoint: {exc}"
            _finish(False, {"ok": False, "error": message}, f"Error: {message}", as_json)
    _note_cli_access("verify", mode="quick" if quick else "full", checkpoint=checkpoint_file is not None)
    result = audit.verify(db.engine, runtime().signing_key, exported, full=not quick)
    body = result.as_dict()
    if result.ok:
        checked = f" and the exported checkpoint of {json.loads(exported)['size']} events" if exported else ""
        _finish(True, body, f"The audit log verifies: {result.events} events{checked}.", as_json)
    body["error"] = f"The audit log does not verify from event {result.first_bad}: {result.reason}"
    message = f"First bad event: {result.first_bad}\n{result.reason}\n({result.events} events sealed)"
    _finish(False, body, message, as_json, finding=True)


@audit_cli.command("export-checkpoint")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write it to this file.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
def export_checkpoint_command(output: Path | None, as_json: bool):
    """Seal, then write the latest signed checkpoint as JSON, to keep outside this system."""
    from safeguarding.audit_status import latest_export

    _note_cli_access("export-checkpoint")
    try:
        document = latest_export(db.session)
    except SafeguardingError as exc:
        _finish(False, {"error": exc.message}, f"Error: {exc.message}", as_json)
    content = json.dumps(document, indent=2) + "\n"
    if output is None:
        click.echo(json.dumps(document) if as_json else content.rstrip("\n"))
        return
    output.write_text(content, encoding="utf-8")
    summary = {"output": str(output), "size": document["size"], "root": document["root"], "at": document["at"]}
    _finish(True, summary, f"Wrote the checkpoint of {document['size']} events to {output}", as_json)


@audit_cli.command("grant")
@click.argument("role")
@click.option("--dry-run", is_flag=True, help="Print the statements without running them.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
def grant_command(role: str, dry_run: bool, as_json: bool):
    """Give an application ROLE (not the tables' owner) insert-only rights on the audit tables (PostgreSQL)."""
    if db.engine.dialect.name != "postgresql":
        message = "Grants need PostgreSQL: SQLite has no database roles (its triggers still keep the log append-only)"
        _finish(False, {"error": message}, f"Error: {message}", as_json)
    try:
        statements = audit.grant_statements(role)
    except ValueError as exc:
        _finish(False, {"error": str(exc)}, f"Error: {exc}", as_json)
    if not as_json:
        for statement in statements:
            click.echo(statement + ";")
    if dry_run:
        _finish(True, {"role": role, "statements": statements, "applied": False}, "Not applied (--dry-run)", as_json)
    try:
        with db.engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    except Exception as exc:  # an unknown role or missing rights: report it, exit 1
        message = f"Could not apply the grants to {role}: {str(exc).splitlines()[0]}"
        _finish(False, {"error": message}, f"Error: {message}", as_json)
    summary = {"role": role, "statements": statements, "applied": True}
    _finish(True, summary, f"Applied: {role} may read and append to the audit log, never change or delete it", as_json)
