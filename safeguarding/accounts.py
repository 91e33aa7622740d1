"""Agencies, users and their credentials: creation, sign-in checks, MFA, lock-out and API tokens."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import NoReturn

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

import audit
from models.agency import AGENCY_KINDS, Agency
from models.base import get_by_id, storable_text, upsert_insert, utcnow
from models.crypto import current_keyring
from models.locking import claim
from models.user import ROLES, ApiToken, RecoveryCode, UnknownNameFailures, User
from safeguarding.errors import AccountLocked, NotFound, PermissionDenied, SignInRefused, ValidationFailed
from safeguarding.runtime import current as runtime
from safeguarding.validation import choice, clean_text

TOTP_STEP = 30
RECOVERY_CODE_COUNT = 10
GENERIC_REFUSAL = "The username, password or security code is not right"
MIN_PASSWORD_LENGTH = 12
# Failures further apart than this do not add up to a lock-out (for accounts and unknown names alike).
FAILURE_MEMORY = timedelta(days=30)


def _require_admin(actor) -> None:
    if actor is not None and actor.role != "admin":
        raise PermissionDenied("Only administrators manage agencies and users")


def create_agency(session: Session, actor, *, name, kind, external: bool = False) -> Agency:
    """Add an agency (actor None means the command line, run by an operator)."""
    _require_admin(actor)
    name = clean_text(name, field="name", label="the agency's name", max_length=120)
    kind = choice(kind, field="kind", label="the kind of agency", options=AGENCY_KINDS)
    if session.scalar(select(Agency).where(func.lower(Agency.name) == name.lower())):
        raise ValidationFailed({"name": "An agency with this name already exists"})
    agency = Agency(name=name, kind=kind, external=bool(external))
    session.add(agency)
    audit.record(session, action="create", actor=actor, object_type="agency", object_id=agency.id)
    return agency


def find_agency(session: Session, name_or_id: str) -> Agency:
    agency = session.get(Agency, name_or_id) or session.scalar(select(Agency).where(Agency.name == name_or_id))
    if agency is None:
        raise NotFound(f"No agency called {name_or_id!r}")
    return agency


def create_user(session: Session, actor, *, username, agency: Agency, role, given_name, family_name, password):
    """Add a user with a fresh TOTP secret (enrolment is confirmed at first sign-in); returns (user, secret)."""
    _require_admin(actor)
    username = clean_text(username, field="username", label="a username", max_length=64)
    if not username.replace(".", "").replace("_", "").replace("-", "").isalnum() or not username.isascii():
        raise ValidationFailed({"username": "Username must use only letters, numbers, dots, hyphens and underscores"})
    details = clean_user_details(given_name, family_name, role)
    _check_password_strength(password, username)
    if session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise ValidationFailed({"username": "This username is already taken"})
    secret = pyotp.random_base32()
    user = User(
        username=username,
        agency_id=agency.id,
        **details,
        password_hash=runtime().password_hasher.hash(password),
        data_key_id=current_keyring().system_key_id(session),
    )
    session.add(user)
    user.totp_secret = secret
    audit.record(session, action="create", actor=actor, object_type="user", object_id=user.id)
    return user, secret


# What each broken password rule says when an account is created; a password change words them its own way.
PASSWORD_MESSAGES = {
    "short": f"Password must be at least {MIN_PASSWORD_LENGTH} characters",
    "username": "The password must not be the username",
    "long": "Password must be 256 characters or fewer, with no control characters",
}


def clean_user_details(given_name, family_name, role) -> dict:
    """A user's name and role as an administrator gives them; ValidationFailed names the first bad one."""
    return {
        "role": choice(role, field="role", label="a role", options=ROLES),
        "given_name": clean_text(given_name, field="given_name", label="the user's given name", max_length=80),
        "family_name": clean_text(
            family_name, field="family_name", label="the user's family name", max_length=80, required=False
        )
        or "",
    }


def _check_password_strength(password, username: str, messages=PASSWORD_MESSAGES, field: str = "password") -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({field: messages["short"]})
    # The username is the first guess of anyone trying passwords.
    if password.casefold() == username.casefold():
        raise ValidationFailed({field: messages["username"]})
    if len(password) > 256 or "\x00" in password:
        raise ValidationFailed({field: messages["long"]})


def check_password(session: Session, username, password, now: datetime | None = None) -> User:
    """First factor. Every refusal is audited; lock-out after repeated failures."""
    now = now or utcnow()
    user = None
    # A name with a NUL is no account's and must not reach the query (PostgreSQL refuses it): it counts as unknown.
    if isinstance(username, str) and username and storable_text(username):
        user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    hasher = runtime().password_hasher
    if user is None:
        _refuse_unknown_name(session, username, password, now)
    _refuse_if_locked(session, user, now)
    if not _password_matches(hasher, user.password_hash, password):
        _count_failure(session, user, now, "bad_password")
    _refuse_if_unavailable(session, user, now)  # said only to whoever knows the password
    return user


def _password_matches(hasher: PasswordHasher, password_hash: str, password) -> bool:
    try:
        return hasher.verify(password_hash, password if isinstance(password, str) else "")
    except (VerificationError, InvalidHashError):
        return False


@cache
def _stand_in_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def _refuse_if_unavailable(session: Session, user: User, now: datetime) -> None:
    if not user.active:
        _refuse(session, user, "deactivated", "This account has been deactivated. Contact your administrator")
    _refuse_if_locked(session, user, now)


def _refuse_if_locked(session: Session, user: User, now: datetime) -> None:
    if user.locked_until and user.locked_until > now:
        _refuse_as_locked(session, user)


def _refuse_as_locked(session: Session, user: User | None) -> NoReturn:
    audit.record(session, action="sign_in_failed", actor=user, outcome="denied", detail={"why": "locked"})
    session.commit()
    raise AccountLocked("This account is locked after repeated failed sign-ins. Try again later")


def _refuse_unknown_name(session: Session, username, password, now: datetime) -> NoReturn:
    """Refuse a name that matches no account as an account is refused: a locked name before any password work, then
    the same hashing work, and a lock after as many failures (counted by one statement, as concurrent guesses all
    count), so that neither the time taken nor a lock-out tells a guesser which usernames exist."""
    hasher, settings, failures = runtime().password_hasher, runtime().auth, UnknownNameFailures
    named = isinstance(username, str) and username.strip()
    name_hash = runtime().indexer.sign_in_name(username.strip()) if named else None
    if name_hash is not None:
        # Kept only while a name could still matter (a lock in force, a failure still counted): no table of typos.
        session.execute(
            delete(failures).where(
                failures.last_failed_at < now - FAILURE_MEMORY,
                or_(failures.locked_until.is_(None), failures.locked_until <= now),
            )
        )
        locked_until = session.scalar(select(failures.locked_until).where(failures.name_hash == name_hash))
        if locked_until and locked_until > now:
            _refuse_as_locked(session, None)
    _password_matches(hasher, _stand_in_hash(hasher), password)
    if name_hash is None:
        _refuse(session, None, "unknown_user")
    counted = session.execute(
        upsert_insert(session, failures)
        .values(name_hash=name_hash, failures=1, last_failed_at=now)
        .on_conflict_do_update(
            index_elements=["name_hash"],
            set_={"failures": _failures_after(failures.failures, failures.last_failed_at, now), "last_failed_at": now},
        )
        .returning(failures.failures)
    ).scalar_one()
    if counted >= settings.lockout_threshold:
        session.execute(
            update(failures)
            .where(failures.name_hash == name_hash)
            .values(failures=0, locked_until=now + settings.lockout_period)
        )
    _refuse(session, None, "unknown_user")


def _failures_after(count, last_failed_at, now: datetime):
    """SQL for the failure count after one more: a count whose last failure is older than FAILURE_MEMORY starts
    again at 1, for accounts and unknown names alike."""
    return case((last_failed_at < now - FAILURE_MEMORY, 1), else_=count + 1)


def _count_failure(session: Session, user: User, now: datetime, why: str) -> NoReturn:
    settings = runtime().auth
    # Counted in the database, not from the value read: twenty wrong guesses sent at once count twenty.
    failures = session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_sign_ins=_failures_after(User.failed_sign_ins, User.last_failed_sign_in_at, now),
            last_failed_sign_in_at=now,
        )
        .returning(User.failed_sign_ins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(user, "failed_sign_ins", failures)
    set_committed_value(user, "last_failed_sign_in_at", now)
    if failures >= settings.lockout_threshold:
        user.locked_until = now + settings.lockout_period
        user.failed_sign_ins = 0
    _refuse(session, user, why)


def _refuse(session: Session, user: User | None, why: str, message: str = GENERIC_REFUSAL) -> NoReturn:
    audit.record(session, action="sign_in_failed", actor=user, outcome="failure", detail={"why": why})
    session.commit()
    raise SignInRefused(message)


def verify_second_factor(session: Session, user: User, code, now: datetime | None = None) -> str:
    """Second factor: a TOTP code (each accepted once) or an unused recovery code; returns which was used."""
    now = now or utcnow()
    _refuse_if_unavailable(session, user, now)
    code = (code or "").strip().replace(" ", "") if isinstance(code, str) else ""
    if code.isdigit() and len(code) == 6 and _accept_totp(session, user, code, now):
        return "totp"
    if _use_recovery_code(session, user, code, now):
        return "recovery_code"
    _count_failure(session, user, now, "bad_totp")


def _accept_totp(session: Session, user: User, code: str, now: datetime) -> bool:
    totp = pyotp.TOTP(user.totp_secret)
    current_step = int(now.timestamp()) // TOTP_STEP
    # One step either side tolerates clock drift; a step at or before the last used one is a replay.
    for step in (current_step - 1, current_step, current_step + 1):
        if step > user.totp_last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return _claim_step(session, user, step)
    return False


def _claim_step(session: Session, user: User, step: int) -> bool:
    """Record the step as used, unless a concurrent sign-in with the same code got there first: a conditional
    update, which the database serialises, so the code is accepted once even when sent many times at once."""
    return claim(session, user, User.totp_last_step < step, totp_last_step=step)


def _use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    if not code:
        return False
    wanted = _hash_code(code)
    for stored in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        if stored.used_at is None and hmac.compare_digest(stored.code_hash, wanted):
            # Claimed as a TOTP step is: one code sent many times at once is used once.
            return claim(session, stored, RecoveryCode.used_at.is_(None), used_at=now)
    return False


def _hash_code(code: str) -> str:
    # Recovery codes carry 50+ bits of randomness, so a plain SHA-256 is enough to keep them unusable if leaked.
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def complete_sign_in(session: Session, user: User, method: str, channel: str) -> None:
    user.failed_sign_ins = 0
    user.locked_until = None
    audit.record(session, action="sign_in", actor=user, detail={"method": method, "channel": channel})
    session.commit()


def confirm_enrolment(session: Session, user: User, code, now: datetime | None = None) -> list[str]:
    """Confirm the authenticator with a first code; returns fresh recovery codes, shown once."""
    now = now or utcnow()
    _refuse_if_unavailable(session, user, now)  # the page's enrolment step comes after the password, as a code does
    code = code.strip().replace(" ", "") if isinstance(code, str) else ""
    if not (code.isdigit() and len(code) == 6 and _accept_totp(session, user, code, now)):
        _count_failure(session, user, now, "bad_totp")
    user.totp_confirmed = True
    return _new_recovery_codes(session, user)


def second_factor_or_enrolment(session: Session, user: User, code) -> tuple[str, list[str] | None]:
    """The second factor where there is no enrolment page (the API): (method, None) for a confirmed authenticator;
    otherwise a first valid code proves it holds the secret `users create` gave and confirms it, as the page does,
    giving ("totp_enrolment", fresh recovery codes)."""
    if user.totp_confirmed:
        return verify_second_factor(session, user, code), None
    return "totp_enrolment", confirm_enrolment(session, user, code)


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.query(RecoveryCode).filter(RecoveryCode.user_id == user.id).delete()
    codes = ["-".join(secrets.token_hex(3) for _ in range(3)) for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(code)))
    return codes


def get_user(session: Session, user_id: str) -> User:
    user = get_by_id(session, User, user_id)
    if user is None:
        raise NotFound("No such user")
    return user


def end_sessions_and_tokens(user: User) -> None:
    """Every page session and API token issued before ends at once: each carries the auth epoch it was issued under."""
    user.auth_epoch += 1


def deactivate_user(session: Session, actor, user: User) -> None:
    """Deactivation ends every session and token at once (the auth epoch moves on)."""
    _require_admin(actor)
    if actor is not None and actor.id == user.id:
        message = "You cannot deactivate your own account"
        raise ValidationFailed({"user": message}, message)
    user.active = False
    user.deactivated_at = utcnow()
    end_sessions_and_tokens(user)
    audit.record(
        session, action="update", actor=actor, object_type="user", object_id=user.id, detail={"change": "deactivated"}
    )
    session.commit()


def sign_out(session: Session, user: User) -> None:
    """Signing out ends the account's sessions everywhere, on the server: a copied session cookie or a token issued
    before stops working (a signed cookie alone would stay valid until it expired)."""
    end_sessions_and_tokens(user)
    audit.record(session, action="sign_out", actor=user)
    session.commit()


def reactivate_user(session: Session, actor, user: User) -> None:
    _require_admin(actor)
    user.active = True
    user.deactivated_at = None
    audit.record(
        session, action="update", actor=actor, object_type="user", object_id=user.id, detail={"change": "reactivated"}
    )
    session.commit()


def reset_mfa(session: Session, actor, user: User) -> None:
    """A lost device: new secret, enrolment again at next sign-in, old recovery codes and sessions void."""
    _require_admin(actor)
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed = False
    user.totp_last_step = 0
    end_sessions_and_tokens(user)
    session.query(RecoveryCode).filter(RecoveryCode.user_id == user.id).delete()
    audit.record(
        session, action="update", actor=actor, object_type="user", object_id=user.id, detail={"change": "mfa_reset"}
    )
    session.commit()


def unlock_user(session: Session, actor, user: User) -> None:
    _require_admin(actor)
    user.locked_until = None
    user.failed_sign_ins = 0
    audit.record(
        session, action="update", actor=actor, object_type="user", object_id=user.id, detail={"change": "unlocked"}
    )
    session.commit()


def issue_token(session: Session, user: User, now: datetime | None = None) -> tuple[str, datetime]:
    """A bearer token; only its hash is stored."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    expires_at = now + runtime().auth.token_lifetime
    session.add(
        ApiToken(user_id=user.id, token_hash=_token_hash(token), auth_epoch=user.auth_epoch, expires_at=expires_at)
    )
    return token, expires_at


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The token's user while it is unexpired and the account active and unchanged; else None."""
    now = now or utcnow()
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked or row.expires_at <= now:
        return None
    user = row.user
    if not user.active or row.auth_epoch != user.auth_epoch:
        return None
    return user


def revoke_token(session: Session, user: User, token: str) -> None:
    """End one API token (a script's, say, that may have leaked) and leave the account's other tokens and
    sessions working, as signing out would not."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.user_id == user.id))
    claim(session, row, ApiToken.revoked.is_(False), revoked=True)
    audit.record(session, action="sign_out", actor=user, detail={"channel": "api", "token": "revoked"})
    session.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.family_name, User.given_name)))


def list_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.name)))
