"""Process-wide keys and settings the services need, set once at start-up (by the app factory or a CLI)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher

from models.person import FLAGS
from safeguarding.blind_index import BlindIndexer
from safeguarding.timescales import TimescalePolicy
from safeguarding.validation import add_months, london_day
from safeguarding.working_time import WorkingCalendar


@dataclass(frozen=True)
class AuthSettings:
    lockout_threshold: int = 5
    lockout_period: timedelta = timedelta(minutes=15)
    token_lifetime: timedelta = timedelta(hours=8)


@dataclass(frozen=True)
class ReferralRules:
    """Repeat referrals (2+ in the window) and the escalation rule (N referrals about a child within a window).

    Both windows count UK calendar days, as practitioners do: neither the time of day a referral was sent nor a
    change of the clocks moves their edge, and "12 months" is twelve calendar months, leap years included.
    """

    repeat_months: int = 12
    escalation_count: int = 3
    escalation_days: int = 90

    def repeats(self, earlier: datetime, later: datetime) -> bool:
        """Whether a referral sent at `later` repeats one sent at `earlier` (earlier <= later)."""
        return london_day(later) <= add_months(london_day(earlier), self.repeat_months)

    def escalates(self, first: datetime, last: datetime) -> bool:
        """Whether referrals from `first` to `last` fall within the escalation window (first <= last)."""
        return (london_day(last) - london_day(first)).days <= self.escalation_days


@dataclass(frozen=True)
class LocationPromptRule:
    """A place prompts a location assessment when this many children, in this many agencies' records, are linked to it
    (SPEC section 7: by default three children and two agencies)."""

    min_children: int = 3
    min_agencies: int = 2


@dataclass(frozen=True)
class Runtime:
    indexer: BlindIndexer
    signing_key: bytes
    password_hasher: PasswordHasher
    auth: AuthSettings
    timescales: TimescalePolicy = field(default_factory=TimescalePolicy)
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    referral_rules: ReferralRules = field(default_factory=ReferralRules)
    # A return-home interview is offered within this time of the child's return (SPEC 2: 72 hours, configurable).
    return_interview_within: timedelta = timedelta(hours=72)
    location_prompts: LocationPromptRule = field(default_factory=LocationPromptRule)
    person_flags: tuple[str, ...] = FLAGS  # SPEC 2's list, then any the deployment adds


_current: Runtime | None = None


def configure(**parts) -> Runtime:
    global _current
    _current = Runtime(**parts)
    return _current


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("safeguarding.runtime is not configured: create the app (or call configure) first")
    return _current
