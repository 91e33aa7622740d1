"""`demo seed`: a fictional borough to explore; refused under the production configuration."""

import click
from flask import current_app

from app.cli import JsonGroup, json_option
from app.cli.importing import terminal_progress
from app.extensions import db
from safeguarding import demo
from safeguarding.errors import PermissionDenied
from safeguarding.importer import import_document
from safeguarding.synthetic import borough

demo_cli = JsonGroup("demo", help="Demonstration data.")


@demo_cli.command("seed")
@click.option(
    "--people",
    type=click.IntRange(min=1),
    default=None,
    help="Also load a synthetic borough of about this many people through the import path.",
)
@click.option("--seed", "random_seed", type=int, default=1, show_default=True, help="Synthetic borough seed.")
@json_option
def seed(people: int | None, random_seed: int):
    if not current_app.config["DEMO_ALLOWED"]:
        raise PermissionDenied("Demo data is refused under the production configuration")
    accounts = demo.seed(db.session)
    lines = [f"Demo users (password for all: {demo.DEMO_PASSWORD}); add each TOTP secret to an authenticator app:"]
    lines += [f"  {a.username:<10} {a.role:<24} {a.totp_secret}  {a.agency}" for a in accounts]
    result = {
        "password": demo.DEMO_PASSWORD,
        "users": [{"username": a.username, "role": a.role, "totp_secret": a.totp_secret} for a in accounts],
    }
    if people:
        imported = import_document(db.session, borough(people, seed=random_seed), progress=terminal_progress())
        result["imported"] = {"created": imported.created, "updated": imported.updated}
        lines.append(
            f"Synthetic borough: {sum(imported.created.values()):,} records created, "
            f"{sum(imported.updated.values()):,} updated"
        )
    return result, "\n".join(lines)
