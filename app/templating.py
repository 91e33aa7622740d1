"""What every page template can use: the actor, the navigation for their role, the session timer."""

from datetime import UTC, datetime

from flask import Flask, current_app, request, url_for

from app.permissions import current_actor
from models.user import PRACTITIONER_ROLES

CASEWORK_ROLES = {*PRACTITIONER_ROLES, "safeguarding_lead"}

# (label, endpoint, roles that see it): pages are still guarded by their own decorators.
NAVIGATION = (
    ("Home", "main.home", None),
    ("Search", "people.search", CASEWORK_ROLES),
    ("Record a person", "people.new", set(PRACTITIONER_ROLES)),
    ("Agencies", "admin.agencies", {"admin"}),
    ("Users", "admin.users", {"admin"}),
)


def nav_items(actor) -> list[dict]:
    items = []
    for label, endpoint, allowed in NAVIGATION:
        if endpoint in current_app.view_functions and (allowed is None or actor.role in allowed):
            items.append({"text": label, "href": url_for(endpoint), "active": request.endpoint == endpoint})
    return items


def init_templating(app: Flask) -> None:
    @app.context_processor
    def page_globals():
        cfg = current_app.config
        return {
            "current_actor": current_actor,
            "now": lambda: datetime.now(UTC),
            "nav_items": nav_items,
            "session_timeout": {
                "idle": int(cfg["IDLE_TIMEOUT"].total_seconds()),
                "warning": int(cfg["IDLE_WARNING"].total_seconds()),
            },
        }
