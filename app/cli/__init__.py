"""Command-line interface: `flask --app wsgi <group> <command>`, with --json output for scripts."""

import json
import sys
from collections.abc import Callable
from functools import wraps

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db
from safeguarding.errors import SafeguardingError


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


class JsonGroup(AppGroup):
    """A group of JsonCommands, each run inside the app context (as Flask's AppGroup runs them)."""

    command_class = JsonCommand


def json_option(command: Callable) -> Callable:
    """Add --json; on a domain error print {"error", ...} and exit 1, whatever the output mode."""

    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
    @wraps(command)
    def run(*args, as_json: bool, **kwargs):
        try:
            result, text = command(*args, **kwargs)
        except SafeguardingError as exc:
            db.session.rollback()
            body = {"error": exc.message, **({"fields": exc.fields} if hasattr(exc, "fields") else {})}
            if as_json:
                click.echo(json.dumps(body))
            else:
                click.echo(f"Error: {exc.message}", err=True)
                for path, message in body.get("fields", {}).items():
                    click.echo(f"  {path}: {message}", err=True)
            sys.exit(1)
        click.echo(json.dumps(result) if as_json else text)

    return run


def register_commands(app: Flask) -> None:
    from app.cli.accounts import agencies_cli, users_cli
    from app.cli.analysis import analysis_cli
    from app.cli.audit import audit_cli
    from app.cli.demo import demo_cli
    from app.cli.importing import import_command
    from app.cli.operations import keys_cli, retention_cli

    for group in (agencies_cli, users_cli, demo_cli, keys_cli, retention_cli, audit_cli, analysis_cli, import_command):
        app.cli.add_command(group)
