"""Every route declares who may use it; one decorator per route, refusals audited, deny by default."""

from collections.abc import Callable
from functools import wraps

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from app.extensions import db
from models.base import parse_id
from models.user import PRACTITIONER_ROLES, ROLES
from safeguarding.denials import record_denial

PUBLIC = frozenset({"public"})
SIGNED_IN = frozenset(ROLES)


def current_actor():
    """The signed-in user of this request: the API token's user, else the page session's, else None."""
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user
    return current_user if current_user.is_authenticated else None


def public(view: Callable) -> Callable:
    view.permission = PUBLIC
    return view


def roles(*allowed: str) -> Callable:
    """Only these roles; anyone else signed in gets 403 (audited), anonymous callers must sign in."""
    unknown = set(allowed) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            actor = current_actor()
            if actor is None:
                return unauthenticated()
            if actor.role not in allowed:
                record_denial(
                    db.session, actor, object_type="route", object_id=request.endpoint, person_ids=_person_named(kwargs)
                )
                abort(403)
            return view(*args, **kwargs)

        guarded.permission = frozenset(allowed)
        return guarded

    return decorate


def _person_named(view_args: dict) -> list[str]:
    """The person a refused route names in its URL, so that the attempt shows among who tried to reach them."""
    person_id = parse_id(view_args.get("person_id"))
    return [person_id] if person_id else []


signed_in = roles(*ROLES)
practitioners = roles(*PRACTITIONER_ROLES)
# Personal data: practitioners, and safeguarding leads on the same terms (the policy then decides per record).
personal_data = roles(*PRACTITIONER_ROLES, "safeguarding_lead")
leads = roles("safeguarding_lead")
# Team managers: they hand their agency's cases to another lead worker (the service checks the agency).
managers = roles("team_manager")


def unauthenticated():
    if request.blueprint == "api":
        abort(401)
    return redirect(url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None))
