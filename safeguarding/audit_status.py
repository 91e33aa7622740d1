"""Whether the audit log verifies, and its latest signed checkpoint for keeping a copy elsewhere."""

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import audit
from audit.models import AuditEvent
from safeguarding.errors import NotFound
from safeguarding.runtime import current as runtime


@dataclass(frozen=True)
class LogStatus:
    """The status panel: the verification, how thorough it was, and the latest checkpoint."""

    result: audit.VerifyResult
    mode: str  # "quick": leaves and signed tree; "full": every column and the person index too
    checkpoint: audit.Checkpoint | None
    unsealed: int

    def as_dict(self) -> dict[str, Any]:
        """The JSON of GET /audit/verify: {"ok", "events", "first_bad"?, "reason"?, "mode"}."""
        return {**self.result.as_dict(), "mode": self.mode}


def log_status(session: Session, *, full: bool = False) -> LogStatus:
    """Seal, verify (quick unless `full`) and read the latest checkpoint; callers audit the look first."""
    engine = session.get_bind()
    result = audit.verify(engine, runtime().signing_key, full=full)
    unsealed = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_(None)))
    return LogStatus(result, "full" if full else "quick", audit.latest_checkpoint(engine), unsealed or 0)


def latest_export(session: Session) -> dict[str, Any]:
    """Seal, then the latest signed checkpoint as a self-contained JSON document; NotFound on an empty log."""
    engine = session.get_bind()
    key = runtime().signing_key
    # A log that contradicts its checkpoint is not extended: export the last one signed, which verify() still uses.
    with suppress(audit.AuditIntegrityError):
        audit.seal(engine, key)
    checkpoint = audit.latest_checkpoint(engine)
    if checkpoint is None:
        raise NotFound("The audit log has no checkpoint yet: nothing has been recorded")
    return audit.export_checkpoint(checkpoint, key)
