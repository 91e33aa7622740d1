"""Start-up: resolve secrets and keys (environment, else development instance files) and configure the services."""

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from flask import Flask

from app.extensions import db
from models.crypto import KeyRing, MasterKeys, configure
from models.crypto.key_material import parse_previous_keys, resolve_key
from models.person import FLAGS
from safeguarding import runtime
from safeguarding.blind_index import BlindIndexer
from safeguarding.runtime import AuthSettings, LocationPromptRule, ReferralRules
from safeguarding.timescales import TimescalePolicy
from safeguarding.working_time import WorkingCalendar


def init_runtime(app: Flask) -> None:
    """Secret key, master keys (envelope), blind-index root and audit signing key; separate by design."""
    cfg = app.config
    generate = cfg["ALLOW_KEY_GENERATION"]
    instance = cfg["INSTANCE_PATH"]
    app.secret_key = cfg["SECRET_KEY_ENV"] or resolve_key("secret", None, instance, generate=generate).hex()
    master = MasterKeys(
        resolve_key("master", cfg["MASTER_KEY_ENV"], instance, generate=generate),
        parse_previous_keys(cfg["PREVIOUS_MASTER_KEYS_ENV"]),
    )
    configure(KeyRing(master), session_provider=lambda: db.session)
    runtime.configure(
        indexer=BlindIndexer(
            resolve_key("index", cfg["INDEX_KEY_ENV"], instance, generate=generate), cfg["PERSON_POPULATION"]
        ),
        signing_key=resolve_key("signing", cfg["SIGNING_KEY_ENV"], instance, generate=generate),
        # Argon2id; the type comes from the RFC 9106 profile, the costs from configuration.
        password_hasher=PasswordHasher(type=RFC_9106_LOW_MEMORY.type, **cfg["ARGON2_PARAMETERS"]),
        auth=AuthSettings(
            lockout_threshold=cfg["LOCKOUT_THRESHOLD"],
            lockout_period=cfg["LOCKOUT_PERIOD"],
            token_lifetime=cfg["API_TOKEN_LIFETIME"],
        ),
        timescales=TimescalePolicy.from_mapping(cfg["REFERRAL_TIMESCALES"]),
        calendar=WorkingCalendar(
            extra_holidays=cfg["EXTRA_BANK_HOLIDAYS"], cancelled_holidays=cfg["CANCELLED_BANK_HOLIDAYS"]
        ),
        referral_rules=ReferralRules(
            repeat_months=cfg["REPEAT_REFERRAL_WINDOW_MONTHS"],
            escalation_count=cfg["ESCALATION_REFERRALS"],
            escalation_days=cfg["ESCALATION_WINDOW_DAYS"],
        ),
        return_interview_within=timedelta(hours=cfg["RETURN_INTERVIEW_HOURS"]),
        person_flags=(*FLAGS, *cfg["EXTRA_PERSON_FLAGS"]),
        location_prompts=LocationPromptRule(
            min_children=cfg["LOCATION_ASSESSMENT_CHILDREN"], min_agencies=cfg["LOCATION_ASSESSMENT_AGENCIES"]
        ),
    )
