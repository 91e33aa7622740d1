"""An administrator corrects a user's name or changes their role. A new role ends the account's sessions and API
tokens, so that nothing issued under the old role outlives it."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import audit
from models.case import Case
from models.user import PRACTITIONER_ROLES, User
from safeguarding import accounts
from safeguarding.errors import PermissionDenied, ValidationFailed


def change_user(session: Session, actor, user: User, data: dict) -> list[str]:
    """Change a user's given name, family name or role; audited with the fields changed (and the roles, which are
    not personal data). Returns the fields changed, none when nothing was."""
    if actor is None or actor.role != "admin":
        raise PermissionDenied("Only administrators manage agencies and users")
    clean = accounts.clean_user_details(data.get("given_name"), data.get("family_name"), data.get("role"))
    changed = [field for field, value in clean.items() if getattr(user, field) != value]
    if "role" in changed:
        _refuse_role_change(session, actor, user, clean["role"])
    if not changed:
        return []
    detail = {"change": "details_changed", "fields": changed}
    if "role" in changed:
        detail |= {"from_role": user.role, "to_role": clean["role"]}
        accounts.end_sessions_and_tokens(user)
    for field in changed:
        setattr(user, field, clean[field])
    audit.record(session, action="update", actor=actor, object_type="user", object_id=user.id, detail=detail)
    session.commit()
    return changed


def _refuse_role_change(session: Session, actor, user: User, role: str) -> None:
    if user.id == actor.id:
        raise ValidationFailed({"role": "Another administrator must change your role"})
    if role in PRACTITIONER_ROLES:
        return
    leading = session.scalar(
        select(func.count()).select_from(Case).where(Case.lead_worker_id == user.id, Case.status == "open")
    )
    if leading:
        cases = "case" if leading == 1 else "cases"
        message = f"{user.display_name} leads {leading} open {cases}: a team manager must give them a new lead first"
        raise ValidationFailed({"role": message})
