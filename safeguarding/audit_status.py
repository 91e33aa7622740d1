"""Whether the audit log verifies, and its latest signed checkpoint for keeping a copy elsewhere."""

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import audit
from audit.models import AuditEvent
from safeguarding.errors import NotFound, ValidationFailed
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


KEPT_CHECKPOINT_MAX = 64 * 1024  # an exported checkpoint is about 1 KB; its frontier holds a few dozen hashes


def log_status(session: Session, *, full: bool = False, kept: str | None = None) -> LogStatus:
    """Seal, verify (quick unless `full`; against a kept checkpoint too when given) and read the latest
    checkpoint; callers audit the look first."""
    engine = session.get_bind()
    result = audit.verify(engine, runtime().signing_key, kept, full=full)
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


def kept_checkpoint(raw: bytes) -> tuple[str, int]:
    """A checkpoint exported earlier and kept elsewhere, as uploaded: its text and size, once its own signature
    verifies; ValidationFailed saying what is wrong otherwise."""
    if not raw:
        raise ValidationFailed({"checkpoint": "Choose the checkpoint file you kept"})
    if len(raw) > KEPT_CHECKPOINT_MAX:
        raise ValidationFailed({"checkpoint": "The file must be smaller than 64 KB: a checkpoint is about 1 KB"})
    try:
        text = raw.decode("utf-8")
        checkpoint, _ = audit.load_exported(text)
    except ValueError as exc:  # UnicodeDecodeError and json's errors are ValueErrors too
        raise ValidationFailed(
            {"checkpoint": f"The file is not a checkpoint exported from SafeContext, or it was changed: {exc}"}
        ) from None
    return text, checkpoint.size
