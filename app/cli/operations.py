"""`keys` and `retention` commands: key rotation, blind-index rebuild, retention purge and erasure."""

import sys
from datetime import date

import click
from flask import current_app

from app.cli import JsonGroup, json_option
from app.extensions import db
from safeguarding import key_operations, retention
from safeguarding.errors import ValidationFailed
from safeguarding.validation import iso_date, uk_today

keys_cli = JsonGroup("keys", help="Master keys and blind indexes.")
retention_cli = JsonGroup("retention", help="Retention schedule and erasure.")


def _progress(label: str):
    """Progress on a terminal only: scripts reading --json get one clean last line."""
    if not sys.stderr.isatty():
        return None
    return lambda done, total: click.echo(f"\r{label}: {done}/{total}", err=True, nl=done >= total)


@keys_cli.command("rotate")
@click.option(
    "--batch-size",
    default=500,
    show_default=True,
    type=click.IntRange(min=1),
    help="Data keys re-wrapped per committed batch.",
)
@json_option
def rotate(batch_size: int):
    """Re-wrap every data key under the active master key (SAFECONTEXT_MASTER_KEY); resumable."""
    result = key_operations.rotate_master_key(db.session, _progress("Re-wrapping data keys"), batch_size)
    return result, f"Re-wrapped {result['rewrapped']} data keys; none remain under old keys"


@keys_cli.command("status")
@json_option
def status():
    result = key_operations.key_status(db.session)
    return result, "\n".join(f"{key}: {value}" for key, value in result.items())


@keys_cli.command("reindex")
@json_option
def reindex():
    """Rebuild every blind index under the current index key (after SAFECONTEXT_INDEX_KEY changes)."""
    result = key_operations.rebuild_blind_indexes(db.session, _progress("Re-indexing people"))
    return result, f"Re-indexed {result['reindexed']} people"


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="List what is due without erasing anything.")
@click.option("--as-of", "as_of", default=None, help="Apply the schedule as at this date (YYYY-MM-DD).")
@json_option
def purge(dry_run: bool, as_of: str | None):
    """Erase (crypto-shred) everyone the retention schedule makes due."""
    day = _as_of(as_of)
    schedule = retention.RetentionSchedule.configured(current_app.config)
    due = retention.purge(db.session, day, dry_run=dry_run, schedule=schedule)
    items = [{"person_id": d.person_id, "due_on": d.due_on.isoformat(), "reasons": list(d.reasons)} for d in due]
    verb = "due" if dry_run else "erased"
    lines = [f"{len(due)} people {verb} as of {day.isoformat()}"] + [
        f"  {i['person_id']}  due {i['due_on']}" for i in items
    ]
    return {
        "as_of": day.isoformat(),
        "dry_run": dry_run,
        "due" if dry_run else "erased": items,
        "count": len(items),
    }, "\n".join(lines)


@retention_cli.command("erase")
@click.argument("person_id")
@click.option("--reason", required=True, help="The lawful basis for this erasure.")
@json_option
def erase(person_id: str, reason: str):
    """Erase one person on a lawful request."""
    erased = retention.erase(db.session, person_id, reason=reason)
    return {"erased": erased, "person_id": person_id}, f"Erased {person_id} ({len(erased)} records)"


def _as_of(value: str | None) -> date:
    if value is None:
        return uk_today()
    try:
        return iso_date(value)
    except ValueError:
        raise ValidationFailed({"as_of": "Give the date as YYYY-MM-DD"}) from None
