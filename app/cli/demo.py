"""`demo seed`: a fictional borough to explore; refused under the production configuration."""

from flask import current_app
from flask.cli import AppGroup

from app.cli import json_option
from app.extensions import db
from safeguarding import demo
from safeguarding.errors import PermissionDenied

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("seed")
@json_option
def seed():
    if not current_app.config["DEMO_ALLOWED"]:
        raise PermissionDenied("Demo data is refused under the production configuration")
    accounts = demo.seed(db.session)
    lines = [f"Demo users (password for all: {demo.DEMO_PASSWORD}); add each TOTP secret to an authenticator app:"]
    lines += [f"  {a.username:<10} {a.role:<24} {a.totp_secret}  {a.agency}" for a in accounts]
    result = {
        "password": demo.DEMO_PASSWORD,
        "users": [{"username": a.username, "role": a.role, "totp_secret": a.totp_secret} for a in accounts],
    }
    return result, "\n".join(lines)
