"""CSV exports of the audit workspace's listings; cells are neutralised by safeguarding.csv_export (formulas
become text), since user agents, object ids and reasons come from outside."""

from collections.abc import Iterable

from safeguarding.audit_monitoring import FindingRow
from safeguarding.audit_review import GrantRow
from safeguarding.audit_workspace import EventRow
from safeguarding.csv_export import csv_text, neutralise

__all__ = ["csv_text", "events_csv", "findings_csv", "grants_csv", "neutralise"]

EVENT_HEADER = (
    "seq", "at", "actor_user_id", "actor_name", "agency", "role", "action", "object_type", "object_id",
    "person_ids", "outcome", "basis", "break_glass_reason", "purpose", "flagged", "request_id", "client_addr",
    "user_agent",
)  # fmt: skip


def events_csv(rows: Iterable[EventRow]) -> str:
    """Who accessed a person, what a user did, refused attempts: one line per event."""
    return csv_text(
        EVENT_HEADER,
        (
            (
                r.event.seq,
                r.event.at,
                r.event.actor_user_id,
                r.actor_name,
                r.agency_name,
                r.event.actor_role,
                r.event.action,
                r.event.object_type,
                r.event.object_id,
                " ".join(r.event.person_id_list),
                r.event.outcome,
                r.basis_text,
                r.break_glass_reason,
                r.event.purpose,
                r.event.flagged,
                r.event.request_id,
                r.event.client_addr,
                r.event.user_agent,
            )  # fmt: skip
            for r in rows
        ),
    )


GRANT_HEADER = (
    "grant_id", "user_id", "user_name", "agency", "person_id", "reason", "granted_at", "expires_at",
    "events_under_grant", "review_outcome", "reviewed_by", "reviewed_at", "review_note",
)  # fmt: skip


def grants_csv(rows: Iterable[GrantRow]) -> str:
    """Break-glass grants with their review (if any)."""
    return csv_text(
        GRANT_HEADER,
        (
            (
                r.grant.id,
                r.user.id,
                r.user.display_name,
                r.user.agency.name,
                r.grant.person_id,
                r.grant.reason,
                r.grant.granted_at,
                r.grant.expires_at,
                r.events,
                r.grant.review_outcome,
                r.reviewer.display_name if r.reviewer else None,
                r.grant.reviewed_at,
                r.grant.review_note,
            )  # fmt: skip
            for r in rows
        ),
    )


FINDING_HEADER = (
    "rule",
    "description",
    "at",
    "actor_user_id",
    "actor_name",
    "agency",
    "person_ids",
    "event_seqs",
    "detail",
)


def findings_csv(rows: Iterable[FindingRow]) -> str:
    """The privacy-monitoring report."""
    return csv_text(
        FINDING_HEADER,
        (
            (
                r.finding.rule,
                r.rule_text,
                r.finding.at,
                r.finding.actor_user_id,
                r.actor_name,
                r.agency_name,
                " ".join(r.finding.person_ids),
                " ".join(str(s) for s in r.finding.event_seqs),
                r.finding.detail,
            )  # fmt: skip
            for r in rows
        ),
    )
