"""What every page template can use: the actor, the navigation for their role, the session timer."""

import logging
import time
from datetime import UTC, datetime

from flask import Flask, current_app, g, request, session, url_for
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.permissions import current_actor
from models.user import PRACTITIONER_ROLES
from safeguarding import referral_boxes
from safeguarding.alerts import interview_hours

log = logging.getLogger("safecontext.templating")

CASEWORK_ROLES = {*PRACTITIONER_ROLES, "safeguarding_lead"}

# (label, endpoint, roles that see it): pages are still guarded by their own decorators.
NAVIGATION = (
    ("Home", "main.home", None),
    ("Search", "people.search", CASEWORK_ROLES),
    ("Record a person", "people.new", set(PRACTITIONER_ROLES)),
    ("Referrals", "referrals.inbox", set(PRACTITIONER_ROLES)),
    ("Places", "contexts.heat_map", CASEWORK_ROLES),
    ("Alerts", "alerts.alerts_page", CASEWORK_ROLES),
    ("Analysis", "contexts.analysis", CASEWORK_ROLES),
    ("Escalations", "referrals.escalations", {"safeguarding_lead"}),
    ("Audit", "audit_pages.overview", {"safeguarding_lead"}),
    ("Reports", "reports.partnership", {"safeguarding_lead"}),
    ("Subject access", "reports.subject_access_start", {"safeguarding_lead"}),
    ("Agencies", "admin.agencies", {"admin"}),
    ("Users", "admin.users", {"admin"}),
)


def referral_counts(actor) -> dict[str, int]:
    """What waits in the actor's agency's inbox and what they sent unacknowledged; once per request."""
    if "referral_counts" not in g:
        try:
            g.referral_counts = referral_boxes.awaiting_action(db.session, actor) if actor else {}
        except SQLAlchemyError:
            # The navigation must still render on the error page that says the database is unavailable.
            db.session.rollback()
            log.exception("could not count referrals for the navigation")
            g.referral_counts = {}
    return g.referral_counts


def nav_items(actor) -> list[dict]:
    items = []
    for label, endpoint, allowed in NAVIGATION:
        if endpoint in current_app.view_functions and (allowed is None or actor.role in allowed):
            item = {"text": label, "href": url_for(endpoint), "active": request.endpoint == endpoint}
            if endpoint == "referrals.inbox":
                item = _with_inbox_count(item, referral_counts(actor).get("inbox_open", 0))
            items.append(item)
    return items


def _with_inbox_count(item: dict, waiting: int) -> dict:
    """The receiving agency's in-app notification: how many referrals wait in its inbox."""
    if not waiting:
        return item
    badge = Markup(
        '{} <strong class="govuk-tag govuk-tag--red sc-nav-count">{}'
        '<span class="govuk-visually-hidden"> waiting in your agency\'s inbox</span></strong>'
    ).format(item.pop("text"), waiting)
    return {**item, "html": badge}


def init_templating(app: Flask) -> None:
    @app.context_processor
    def page_globals():
        cfg = current_app.config
        return {
            "current_actor": current_actor,
            "now": lambda: datetime.now(UTC),
            "nav_items": nav_items,
            "referral_counts": referral_counts,
            "return_interview_hours": interview_hours,
            "session_timeout": {
                "idle": int(cfg["IDLE_TIMEOUT"].total_seconds()),
                "warning": int(cfg["IDLE_WARNING"].total_seconds()),
                # Seconds until the absolute limit, which no activity extends: the page warns before it too.
                "absolute": max(
                    0, int(session.get("signed_in_at", 0) + cfg["ABSOLUTE_TIMEOUT"].total_seconds() - time.time())
                ),
            },
        }
