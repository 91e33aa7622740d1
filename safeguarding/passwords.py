"""Passwords after an account is created: a user changes their own; an administrator sets a temporary one for a
user who forgot theirs, which the user replaces at their next sign-in before anything else."""

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

import audit
from models.base import utcnow
from models.user import User

# The sign-in checks themselves, shared rather than copied: one hashing, one set of rules, one failure count.
from safeguarding.accounts import (
    MIN_PASSWORD_LENGTH,
    _check_password_strength,
    _count_failure,
    _password_matches,
    _refuse_if_locked,
    _require_admin,
    end_sessions_and_tokens,
)
from safeguarding.errors import AccountLocked, PermissionDenied, SignInRefused, ValidationFailed
from safeguarding.runtime import current as runtime

# The creation rules, said as what to do on the form that changes a password.
NEW_PASSWORD_MESSAGES = {
    "short": f"Enter a new password that is at least {MIN_PASSWORD_LENGTH} characters long",
    "username": "Enter a new password that is not your username",
    "long": "Enter a new password that is 256 characters or fewer, with no control characters",
}
WRONG_CURRENT = "The current password is not right"
LOCKED = "Your account is locked after too many wrong passwords. Try again later, or ask your administrator"
# Read out or copied by hand: no 0/O or 1/l/I to confuse. 16 characters of 55 are about 92 bits.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_GROUPS, TEMPORARY_GROUP_LENGTH = 4, 4


def change_password(session: Session, user: User, *, current, new, now: datetime | None = None) -> None:
    """A user replaces their own password. A wrong current one counts towards the lock-out as a failed sign-in does;
    the new one keeps the rules of creation; every other session and API token of the account ends."""
    now = now or utcnow()
    _check_current_password(session, user, current, now)
    _check_password_strength(new, user.username, NEW_PASSWORD_MESSAGES, field="new_password")
    if new == current:
        raise ValidationFailed({"new_password": "Enter a new password that is different from your current one"})
    user.password_hash = runtime().password_hasher.hash(new)
    user.must_change_password = False
    # Proving the password ends a run of failures, as signing in does.
    user.failed_sign_ins = 0
    end_sessions_and_tokens(user)
    detail = {"change": "password_changed"}  # what changed, never the password
    audit.record(session, action="update", actor=user, object_type="user", object_id=user.id, detail=detail)
    session.commit()


def _check_current_password(session: Session, user: User, current, now: datetime) -> None:
    """Whoever holds a session must still know its password: guessing here is guessing at sign-in (counted,
    audited as a failed sign-in, and locked after as many failures)."""
    try:
        _refuse_if_locked(session, user, now)
        if not _password_matches(runtime().password_hasher, user.password_hash, current):
            _count_failure(session, user, now, "bad_current_password")
    except AccountLocked:
        raise AccountLocked(LOCKED) from None
    except SignInRefused:
        if user.locked_until and user.locked_until > now:  # this failure was the one that locked the account
            raise AccountLocked(LOCKED) from None
        raise ValidationFailed({"current_password": WRONG_CURRENT}, WRONG_CURRENT) from None


def set_temporary_password(session: Session, actor, user: User) -> str:
    """An administrator's reset of a forgotten password: a random temporary one, returned to be shown once, that the
    user must replace at their next sign-in; every session and API token of the account ends."""
    _require_admin(actor)
    if actor is not None and actor.id == user.id:
        message = "You cannot set a temporary password for your own account. Change your password instead"
        raise ValidationFailed({"user": message}, message)
    temporary = "-".join(
        "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(TEMPORARY_GROUP_LENGTH))
        for _ in range(TEMPORARY_GROUPS)
    )
    user.password_hash = runtime().password_hasher.hash(temporary)
    user.must_change_password = True
    # A lock earned guessing at the forgotten password would keep the user from the one they are given.
    user.failed_sign_ins = 0
    user.locked_until = None
    end_sessions_and_tokens(user)
    detail = {"change": "password_reset"}  # never the password
    audit.record(session, action="update", actor=actor, object_type="user", object_id=user.id, detail=detail)
    session.commit()
    return temporary


def refuse_temporary_password(session: Session, user: User) -> None:
    """A temporary password opens only the page that replaces it: no API token is issued for it."""
    if user.must_change_password:
        detail = {"why": "password_change_due"}
        audit.record(session, action="sign_in_failed", actor=user, outcome="denied", detail=detail)
        session.commit()
        raise PermissionDenied(
            "Your password is a temporary one. Sign in to SafeContext in a web browser and choose a new password first"
        )
