"""An imported referral's state and times, and what a stored referral keeps of its own progress when a re-import
updates it: a referral only moves forward (SPEC section 3), so progress made on the record since is never taken back,
and the times the item gives must fall in order with the times the record keeps."""

from datetime import datetime

from models.referral import STATE_STEP
from safeguarding.validation import uk_time_text

PROGRESS = ("acknowledged_at", "decided_at", "decline_reason", "status")
# A referral's times in the order they happen, each pair (earlier, later); withdrawn_at is only ever the record's.
ORDER = (
    ("sent_at", "acknowledged_at"),
    ("acknowledged_at", "decided_at"),
    ("sent_at", "decided_at"),
    ("sent_at", "withdrawn_at"),
)
DONE = {"acknowledged_at": "acknowledged", "decided_at": "decided", "withdrawn_at": "withdrawn"}


def imported_status(item: dict) -> str:
    """The state a checked referral item brings: its outcome, else acknowledged or submitted."""
    return item["outcome"] or ("acknowledged" if item["acknowledged_at"] else "submitted")


def imported_times(item: dict) -> dict[str, datetime | None]:
    """A checked referral item's times; a decision also acknowledges, as in the service, when the old system kept only
    the decision."""
    return {
        "sent_at": item["sent_at"],
        "acknowledged_at": item["acknowledged_at"] or item["decided_at"],
        "decided_at": item["decided_at"],
    }


def kept_progress(before: str, status: str) -> frozenset[str]:
    """Which PROGRESS columns a stored referral in state `before` keeps when an item in `status` updates it: one as
    far along or further (otherwise decided, or withdrawn) keeps them all, one moving on from acknowledged keeps when
    it was acknowledged, and one moving on from submitted, or in the item's state, takes the item's."""
    if before in (status, "submitted"):
        return frozenset()
    if STATE_STEP[status] > STATE_STEP[before]:
        return frozenset({"acknowledged_at"})
    return frozenset(PROGRESS)


def progress_problems(index: int, item: dict, before: str, on_record: dict[str, datetime | None]) -> dict[str, str]:
    """By path, each time of a checked item that falls out of order with a time its stored referral (in state
    `before`, with these acknowledged_at, decided_at and withdrawn_at) keeps and the item does not give."""
    kept = kept_progress(before, imported_status(item)) | {"withdrawn_at"}
    times = imported_times(item) | {name: on_record[name] for name in kept & on_record.keys()}
    found = {}
    for first, then in ORDER:
        at_first, at_then = times.get(first), times.get(then)
        if at_first is None or at_then is None or at_then >= at_first or (first in kept) == (then in kept):
            continue
        given, kept_name, at = (then, first, at_first) if first in kept else (first, then, at_then)
        found.setdefault(
            f"$.referrals[{index}].{given}",
            f"{given.replace('_', ' ')} is {'before' if given == then else 'after'} the referral was "
            f"{DONE[kept_name]} on the record, at {uk_time_text(at)} (UK time), which the import keeps",
        )
    return found
