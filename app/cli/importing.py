"""`import FILE.json [--dry-run] --json`: bring records in from an existing case-management system."""

import json
import sys

import click
from sqlalchemy.exc import IntegrityError

from app.cli import JsonCommand, json_option
from app.extensions import db
from safeguarding.errors import Conflict, ValidationFailed
from safeguarding.importer import import_document
from safeguarding.validation import DuplicateKey, json_object_without_duplicates


def _progress(section: str, done: int, total: int) -> None:
    click.echo(f"\rImporting {section}: {done}/{total}", err=True, nl=done >= total)


def terminal_progress():
    """A progress line on standard error when it is a terminal; nothing in pipes and logs."""
    return _progress if sys.stderr.isatty() else None


@click.command("import", cls=JsonCommand)
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and count what would change; write nothing.")
@json_option
def import_command(path: str, dry_run: bool):
    """Import one JSON document (agencies, people, places, groups, relationships, cases, chronology, ...)."""
    try:
        with open(path, encoding="utf-8-sig") as handle:  # a byte-order mark, as some exporters write, is skipped
            document = json.load(handle, object_pairs_hook=json_object_without_duplicates)
    except DuplicateKey as exc:
        raise ValidationFailed({"$": str(exc)}, f"Could not read {path}: a key is repeated") from None
    except OSError as exc:  # no such file, or no permission: the operator's to put right, not the file's
        raise ValidationFailed({"$": exc.strerror or str(exc)}, f"Could not open {path}") from None
    except ValueError as exc:  # bad JSON, bad UTF-8, or a number of over 4,300 digits
        raise ValidationFailed({"$": str(exc)}, f"Could not read {path} as JSON") from None
    except RecursionError:
        raise ValidationFailed(
            {"$": "The document nests deeper than any import needs"}, f"Could not read {path}"
        ) from None
    try:
        result = import_document(db.session, document, dry_run=dry_run, progress=terminal_progress())
    except IntegrityError:  # the app saved the same name or key while the import ran (imports take turns)
        raise Conflict(
            "Another change to the same records was saved while the import ran; nothing was written. "
            "Run the import again"
        ) from None
    body = result.as_dict() | {"dry_run": dry_run}
    lines = [
        ("Would create" if dry_run else "Created") + ": " + _counts(result.created),
        ("Would update" if dry_run else "Updated") + ": " + _counts(result.updated),
    ]
    if result.ignored:
        lines.append(f"Ignored {len(result.ignored)} fields outside the import format: " + ", ".join(result.ignored))
    return body, "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {section.replace('_', ' ')}" for section, n in counts.items() if n) or "nothing"
