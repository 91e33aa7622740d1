"""Command-line interface: `flask --app wsgi <group> <command>`, with --json output for scripts."""

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import NoReturn

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.config import ConfigurationError
from app.extensions import db
from models.crypto.errors import CryptoError
from safeguarding.errors import SafeguardingError
from safeguarding.working_time import TimescaleConfigError


class JsonCommand(click.Command):
    """A command whose usage errors (a missing argument, an unknown option), asked for --json, end as every other
    failure does: {"error"} as the last line and exit status 1, instead of click's text and status 2."""

    def make_context(self, info_name, args, parent=None, **extra):
        wants_json = "--json" in args  # read first: parsing consumes the list
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            if not wants_json:
                raise
            click.echo(json.dumps({"error": exc.format_message()}))
            raise click.exceptions.Exit(1) from None

    def invoke(self, ctx: click.Context):
        # The app context (and its session) has ended by the time an error reaches here: nothing to roll back.
        try:
            return super().invoke(ctx)
        except SQLAlchemyError as exc:
            _fail({"error": database_problem(exc)}, ctx.params.get("as_json", False))


class JsonGroup(AppGroup):
    """A group of JsonCommands, each run inside the app context (as Flask's AppGroup runs them)."""

    command_class = JsonCommand


def json_option(command: Callable) -> Callable:
    """Add --json; on a domain error print {"error", ...} and exit 1, whatever the output mode (JsonCommand turns
    a database error into the same)."""

    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
    @wraps(command)
    def run(*args, as_json: bool, **kwargs):
        try:
            result, text = command(*args, **kwargs)
        except SafeguardingError as exc:
            db.session.rollback()
            _fail({"error": exc.message, **({"fields": exc.fields} if hasattr(exc, "fields") else {})}, as_json)
        except CryptoError as exc:  # a data key under a master key not configured (a rotation half done), say
            db.session.rollback()
            _fail({"error": f"A key this needs is not usable: {exc}"}, as_json)
        click.echo(json.dumps(result) if as_json else text)

    return run


def database_problem(exc: SQLAlchemyError) -> str:
    """What an operator needs from a database error: the database's own words and the usual remedy."""
    cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return f"The database refused this ({cause}); if the schema is missing or old, run `flask --app wsgi db upgrade`"


def _fail(body: dict, as_json: bool) -> NoReturn:
    if as_json:
        click.echo(json.dumps(body))
    else:
        click.echo(f"Error: {body['error']}", err=True)
        for path, message in body.get("fields", {}).items():
            click.echo(f"  {path}: {message}", err=True)
    sys.exit(1)


@contextmanager
def startup_failures_reported() -> Iterator[None]:
    """A command that cannot start (a bad key, a bad setting) ends as any failing command does, with status 1 and
    the reason, {"error"} as the last line with --json, instead of a traceback: the app is made before the command
    is found, so the command's own handler is too late."""
    try:
        yield
    except (ConfigurationError, CryptoError, TimescaleConfigError, SQLAlchemyError) as exc:
        message = database_problem(exc) if isinstance(exc, SQLAlchemyError) else str(exc)
        _fail({"error": f"SafeContext could not start: {message}"}, as_json="--json" in sys.argv[1:])


def register_commands(app: Flask) -> None:
    from app.cli.accounts import agencies_cli, users_cli
    from app.cli.analysis import analysis_cli
    from app.cli.audit import audit_cli
    from app.cli.demo import demo_cli
    from app.cli.importing import import_command
    from app.cli.operations import keys_cli, retention_cli

    for group in (agencies_cli, users_cli, demo_cli, keys_cli, retention_cli, audit_cli, analysis_cli, import_command):
        app.cli.add_command(group)
