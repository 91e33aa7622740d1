"""Rules about individual accesses: out of hours, to a namesake, to a restricted person, after deactivation."""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from audit.monitoring.facts import (
    LONDON,
    SUCCESS,
    AccessEvent,
    Finding,
    PersonFacts,
    UserFacts,
    in_time_order,
    long_date,
    people_of,
    plural,
    seqs_of,
    wall_clock,
)
from audit.monitoring.hours import AgencyHours

# Every outcome counts in these rules: a refused attempt on a record is as telling as a successful one.
# Events with no actor (system jobs, sign-in attempts for unknown accounts) describe no user to review.


def out_of_hours(
    events: Iterable[AccessEvent], hours: Mapping[str, AgencyHours], default: AgencyHours
) -> list[Finding]:
    """Access to people's records outside the actor's agency's hours; one finding per user per agency-local day."""
    groups: dict[tuple[str, str | None, date], list[AccessEvent]] = {}
    for event in in_time_order(events):
        if event.actor_user_id is None or not event.person_ids:
            continue
        agency = hours.get(event.actor_agency_id, default) if event.actor_agency_id else default
        if agency.is_working(event.at):
            continue
        key = (event.actor_user_id, event.actor_agency_id, agency.local(event.at).date())
        groups.setdefault(key, []).append(event)

    findings = []
    for (user_id, agency_id, local_day), group in groups.items():
        agency = hours.get(agency_id, default) if agency_id else default
        times = ", ".join(dict.fromkeys(f"{agency.local(event.at):%H:%M %Z}" for event in group))
        detail = (
            f"{plural(len(group), 'access', 'accesses')} to {plural(len(people_of(group)), 'person', 'people')} "
            f"outside their agency's working hours on {local_day:%A} {long_date(local_day)}, at {times}"
        )
        findings.append(Finding("out_of_hours", user_id, people_of(group), seqs_of(group), detail, group[0].at))
    return findings


def same_family_name(
    events: Iterable[AccessEvent], users: Mapping[str, UserFacts], people: Mapping[str, PersonFacts]
) -> list[Finding]:
    """Access to a person known by the user's own family name (blind-index tokens compared); one per event."""
    findings = []
    for event in in_time_order(events):
        user = users.get(event.actor_user_id) if event.actor_user_id else None
        if user is None or user.family_name_token is None:
            continue
        namesakes = tuple(
            pid
            for pid in dict.fromkeys(event.person_ids)
            if pid in people and user.family_name_token in people[pid].family_name_tokens
        )
        if namesakes:
            detail = (
                f"{_describe(event)} of {plural(len(namesakes), 'person', 'people')} sharing the user's family name"
            )
            findings.append(Finding("same_family_name", event.actor_user_id, namesakes, (event.seq,), detail, event.at))
    return findings


def restricted_access(events: Iterable[AccessEvent], people: Mapping[str, PersonFacts]) -> list[Finding]:
    """Any access to a restricted person; one finding per event. People missing from `people` count as unrestricted."""
    findings = []
    for event in in_time_order(events):
        if event.actor_user_id is None:
            continue
        restricted = tuple(pid for pid in dict.fromkeys(event.person_ids) if pid in people and people[pid].restricted)
        if restricted:
            detail = f"{_describe(event)} of {plural(len(restricted), 'restricted person', 'restricted people')}"
            findings.append(
                Finding("restricted_access", event.actor_user_id, restricted, (event.seq,), detail, event.at)
            )
    return findings


def after_deactivation(
    events: Iterable[AccessEvent], users: Mapping[str, UserFacts], *, tz: str = LONDON
) -> list[Finding]:
    """Any event, of any action or outcome, by a user at or after their deactivation; one per user per local day."""
    zone = ZoneInfo(tz)
    groups: dict[tuple[str, datetime, date], list[AccessEvent]] = {}
    for event in in_time_order(events):
        user = users.get(event.actor_user_id) if event.actor_user_id else None
        # At the deactivation instant itself the account is already closed, so that counts too.
        if user is None or user.deactivated_at is None or event.at < user.deactivated_at:
            continue
        key = (event.actor_user_id, user.deactivated_at, event.at.astimezone(zone).date())
        groups.setdefault(key, []).append(event)

    findings = []
    for (user_id, deactivated_at, _), group in groups.items():
        actions = ", ".join(f"{action} x{count}" for action, count in Counter(e.action for e in group).items())
        when = wall_clock(deactivated_at, tz)
        detail = f"{plural(len(group), 'event')} after the account was deactivated on {when}: {actions}"
        findings.append(Finding("after_deactivation", user_id, people_of(group), seqs_of(group), detail, group[0].at))
    return findings


def _describe(event: AccessEvent) -> str:
    """'view', 'break glass', or 'view (denied)' when it did not succeed."""
    action = event.action.replace("_", " ")
    return action if event.outcome == SUCCESS else f"{action} ({event.outcome})"
