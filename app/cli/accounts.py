"""`agencies create` and `users create`."""

import sys

import click

from app.cli import JsonGroup, json_option
from app.extensions import db
from safeguarding import accounts
from safeguarding.errors import ValidationFailed

agencies_cli = JsonGroup("agencies", help="Manage agencies.")
users_cli = JsonGroup("users", help="Manage users.")


@agencies_cli.command("create")
@click.argument("name")
@click.option("--kind", required=True, help="social_care, police, youth_service, education, health, ...")
@click.option("--external", is_flag=True, help="Outside the partnership.")
@json_option
def create_agency(name: str, kind: str, external: bool):
    agency = accounts.create_agency(db.session, None, name=name, kind=kind, external=external)
    db.session.commit()
    return {"id": agency.id, "name": agency.name}, f"Created agency {agency.name} ({agency.id})"


@users_cli.command("create")
@click.argument("username")
@click.option("--agency", "agency_name", required=True, help="The agency's name (or id).")
@click.option("--role", required=True)
@click.option("--name", "display_name", default=None, help='"GIVEN FAMILY"')
@json_option
def create_user(username: str, agency_name: str, role: str, display_name: str | None):
    """Create a user; the password is the first line of standard input."""
    password = _first_line_of_input()
    # Without --name the username stands in as the given name; the family name can be added later.
    given, _, family = (display_name or username).strip().partition(" ")
    user, secret = accounts.create_user(
        db.session,
        None,
        username=username,
        agency=accounts.find_agency(db.session, agency_name),
        role=role,
        given_name=given,
        family_name=family.strip() or None,
        password=password,
    )
    db.session.commit()
    result = {"id": user.id, "username": user.username, "totp_secret": secret}
    return result, f"Created user {user.username} ({user.id}); TOTP secret: {secret}"


def _first_line_of_input() -> str:
    """The first line of standard input, as text: closed or not UTF-8, it is refused rather than half read."""
    try:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        line.encode("utf-8")  # undecodable bytes come through as lone surrogates, which no hash takes
    except (OSError, UnicodeError):
        raise ValidationFailed({"password": "Give the password as UTF-8 text on the first line of input"}) from None
    return line.rstrip("\r\n")
