"""Practitioners and administrators who sign in, and their API tokens."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.agency import Agency
from models.base import Base, UTCDateTime, UUIDPrimaryKey, utcnow
from models.crypto import EncryptedField

ROLES = (
    "social_worker",
    "police_officer",
    "team_manager",
    "youth_worker",
    "health_practitioner",
    "education_practitioner",
    "safeguarding_lead",
    "admin",
)

# Roles that do casework with personal data (every role except the lead's audit role and the admin).
PRACTITIONER_ROLES = (
    "social_worker",
    "police_officer",
    "team_manager",
    "youth_worker",
    "health_practitioner",
    "education_practitioner",
)


class User(UUIDPrimaryKey, Base):
    """A person who signs in; belongs to exactly one agency and has one role."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    given_name: Mapped[str] = mapped_column(String(80))
    family_name: Mapped[str] = mapped_column(String(80))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    role: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(200))
    # The TOTP seed is a secret: encrypted under the system data key, bound to this row.
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    totp_secret_enc: Mapped[bytes | None] = mapped_column("totp_secret", LargeBinary)
    totp_secret = EncryptedField("totp_secret_enc", "totp_secret", "str")
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set with a temporary password from an administrator: the user chooses their own before any other page.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Bumped on deactivation, MFA reset or password change: every session and token issued before is void.
    auth_epoch: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship(lazy="joined")

    def encryption_key_id(self) -> str:
        return self.data_key_id

    # The four attributes Flask-Login expects; the session id carries the auth epoch so that
    # deactivation or an MFA reset ends existing sessions at once.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.auth_epoch}"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def agency_name(self) -> str:
        return self.agency.name

    def __repr__(self) -> str:
        return f"<User {self.username!r} {self.role}>"


class RecoveryCode(UUIDPrimaryKey, Base):
    """A single-use code for a lost authenticator; only its hash is stored."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(UUIDPrimaryKey, Base):
    """A bearer token for the JSON API; only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    auth_epoch: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined")


class UnknownNameFailures(Base):
    """Failed sign-ins under a username that matches no account, counted and locked as an account's are, so that
    a lock-out (423) is no sign that an account exists. Only a keyed hash of the name is kept."""

    __tablename__ = "unknown_name_failures"

    name_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
