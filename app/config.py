"""Configuration classes, chosen by SAFECONTEXT_CONFIG and filled from the environment."""

import os
import re
from datetime import timedelta
from pathlib import Path

from limits.errors import ConfigurationError as LimitsConfigurationError
from limits.storage import storage_from_string

from models.person import FLAGS
from safeguarding.graph.ego import DEFAULT_MAX_NODES

ENV_PREFIX = "SAFECONTEXT_"


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name, default)


class BaseConfig:
    NAME = "base"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the session's own timeouts bound a form's life
    MAX_CONTENT_LENGTH = 1024 * 1024
    IDLE_TIMEOUT = timedelta(minutes=20)
    IDLE_WARNING = timedelta(minutes=2)
    ABSOLUTE_TIMEOUT = timedelta(hours=8)
    API_TOKEN_LIFETIME = timedelta(hours=8)
    LOCKOUT_THRESHOLD = 5
    LOCKOUT_PERIOD = timedelta(minutes=15)
    SIGN_IN_RATE_LIMIT = "20 per minute"
    # Where the sign-in throttle counts: "memory://" counts per server process, so several processes or servers
    # each allow the full rate; a shared store (e.g. "redis://host:6379", with the redis package) counts once.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    ARGON2_PARAMETERS = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    PERSON_POPULATION = 100_000  # planned population for blind-index sizing
    CONTEXT_MAP_MAX_NODES = DEFAULT_MAX_NODES  # nearest and most recent first; the rest are counted as omitted
    # Overrides of the SPEC timescales, e.g. {"red": {"acknowledge": "30m"}, "green": {"decide": 5}}.
    REFERRAL_TIMESCALES: dict | None = None
    # One-off closure days (ISO dates) beside the England and Wales bank holidays: GOV.UK's bundled list, then
    # the regular rules for later years, which cannot know a one-off bank holiday announced after this release.
    EXTRA_BANK_HOLIDAYS: tuple = ()
    # Bank holidays that are working days after all (ISO dates): one moved by proclamation, whose new day goes above.
    CANCELLED_BANK_HOLIDAYS: tuple = ()
    REPEAT_REFERRAL_WINDOW_MONTHS = 12  # calendar months, by UK dates
    ESCALATION_REFERRALS = 3
    ESCALATION_WINDOW_DAYS = 90  # UK calendar days from the first referral's to the last's
    RETURN_INTERVIEW_HOURS = 72  # a return-home interview is offered within this time of the return
    # The retention schedule (SPEC 8): kept until the latest of this birthday, these years after the last case
    # closed, and these years after the person was last recorded or updated.
    RETENTION_AGE = 25
    RETENTION_YEARS_AFTER_CLOSURE = 6
    RETENTION_YEARS_AFTER_ACTIVITY = 6
    # Flags beside SPEC 2's list (SPEC 2: "more by configuration"), as codes: lower-case letters, digits and
    # underscores, e.g. ("gang_associated",); pages show them as the code made readable ("Gang associated").
    EXTRA_PERSON_FLAGS: tuple = ()
    LOCATION_ASSESSMENT_CHILDREN = 3  # children linked to a place (in the records of...
    LOCATION_ASSESSMENT_AGENCIES = 2  # ...this many agencies) that prompt a location assessment
    FORCE_HTTPS = False
    # How many reverse proxies stand in front of the app (0: none). Their X-Forwarded-For and -Proto are believed
    # only then: a client could otherwise set them itself to slip the sign-in throttle or write the audit's address.
    TRUSTED_PROXIES = 0
    ALLOW_KEY_GENERATION = False
    DEMO_ALLOWED = False
    AUDIT_SEAL_INTERVAL = 1.0
    AUDIT_BACKGROUND_SEALER = True
    # Working hours by agency kind for the privacy-monitoring report, Europe/London, bank holidays closed:
    # "always" (round the clock) or (start, end) Monday to Friday; "default" covers every kind not listed.
    AGENCY_WORKING_HOURS: dict = {"police": "always", "default": ("08:00", "18:00")}
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None


class DevelopmentConfig(BaseConfig):
    NAME = "development"
    ALLOW_KEY_GENERATION = True
    DEMO_ALLOWED = True


class TestConfig(BaseConfig):
    NAME = "test"
    TESTING = True
    ALLOW_KEY_GENERATION = True
    DEMO_ALLOWED = True
    # Cheap hashing so the suite stays fast; never used outside tests.
    ARGON2_PARAMETERS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    SIGN_IN_RATE_LIMIT = "1000 per minute"
    AUDIT_BACKGROUND_SEALER = False


class ProductionConfig(BaseConfig):
    NAME = "production"
    SESSION_COOKIE_SECURE = True
    FORCE_HTTPS = True


CONFIGS = {c.NAME: c for c in (DevelopmentConfig, TestConfig, ProductionConfig)}

RETENTION_SETTINGS = ("RETENTION_AGE", "RETENTION_YEARS_AFTER_CLOSURE", "RETENTION_YEARS_AFTER_ACTIVITY")
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "DATABASE_URL", "MASTER_KEY", "INDEX_KEY", "SIGNING_KEY")


class ConfigurationError(RuntimeError):
    """The app refuses to start with a missing or unsafe setting."""


def load_config(name: str | None, overrides: dict | None = None) -> dict:
    """Build the settings mapping for one configuration name from its class and the environment."""
    name = name or env("CONFIG", "development")
    if name not in CONFIGS:
        raise ConfigurationError(f"SAFECONTEXT_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}")
    cls = CONFIGS[name]
    settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    if name == "production":
        missing = [ENV_PREFIX + k for k in REQUIRED_IN_PRODUCTION if not env(k)]
        if missing:
            raise ConfigurationError("Production needs these settings: " + ", ".join(missing))
    settings["INSTANCE_PATH"] = str(Path(env("INSTANCE_PATH") or Path.cwd() / "instance").resolve())
    settings["SQLALCHEMY_DATABASE_URI"] = _driver_url(env("DATABASE_URL")) or _sqlite_url(settings["INSTANCE_PATH"])
    for name in ("PERSON_POPULATION", "CONTEXT_MAP_MAX_NODES", "TRUSTED_PROXIES", *RETENTION_SETTINGS):
        if env(name):
            settings[name] = _positive_int(name)
    if env("RATELIMIT_STORAGE_URI"):
        settings["RATELIMIT_STORAGE_URI"] = env("RATELIMIT_STORAGE_URI")
    if env("EXTRA_PERSON_FLAGS"):
        settings["EXTRA_PERSON_FLAGS"] = tuple(code.strip() for code in env("EXTRA_PERSON_FLAGS").split(","))
    settings["SECRET_KEY_ENV"] = env("SECRET_KEY")
    settings["MASTER_KEY_ENV"] = env("MASTER_KEY")
    settings["PREVIOUS_MASTER_KEYS_ENV"] = env("PREVIOUS_MASTER_KEYS")
    settings["INDEX_KEY_ENV"] = env("INDEX_KEY")
    settings["SIGNING_KEY_ENV"] = env("SIGNING_KEY")
    settings.update(overrides or {})
    _check_flags(settings["EXTRA_PERSON_FLAGS"])
    _check_throttle_storage(settings["RATELIMIT_STORAGE_URI"])
    return settings


def _check_throttle_storage(uri: str) -> None:
    """Refuse to start on a throttle store that cannot be used, rather than fail every sign-in."""
    try:
        storage_from_string(uri)
    except LimitsConfigurationError as error:
        raise ConfigurationError(f"{ENV_PREFIX}RATELIMIT_STORAGE_URI cannot be used ({error}): {uri!r}") from None


_FLAG_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")  # fits PersonFlag.flag, and reads as words once made readable


def _check_flags(extra) -> None:
    bad = [code for code in extra if not isinstance(code, str) or not _FLAG_CODE.fullmatch(code) or code in FLAGS]
    if bad or len(set(extra)) != len(extra):
        raise ConfigurationError(
            f"{ENV_PREFIX}EXTRA_PERSON_FLAGS must be new flag codes, each once, of lower-case letters, digits and "
            f"underscores (up to 40 characters), not {bad[0] if bad else 'a repeated code'!r}"
        )


def _sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "safecontext.sqlite3")


def _driver_url(url: str | None) -> str | None:
    """Accept plain postgres:// URLs and use psycopg 3, the driver we ship."""
    if url and url.split("://", 1)[0] in ("postgres", "postgresql"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _positive_int(name: str) -> int:
    value = env(name, "")
    if not value.isdigit() or int(value) <= 0:
        raise ConfigurationError(f"{ENV_PREFIX}{name} must be a positive whole number, not {value!r}")
    return int(value)
