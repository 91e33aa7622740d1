"""The append-only, tamper-evident audit log (SPEC section 5): record events, seal them, verify the log.

record(session, action=..., actor=...)      in the caller's transaction; the caller commits
record_durably(engine, action=..., ...)     on its own, group-committed with concurrent requests; waits until durable
set_request_context(...) / reset_request_context(token)
seal(engine, signing_key)                   -> Checkpoint | None; BackgroundSealer(engine, key).start()
verify(engine, signing_key, exported)       -> VerifyResult(ok, events, first_bad, reason)
append_only_ddl(dialect) / drop_append_only_ddl(dialect) / grant_statements(role)   for the migration
"""

from audit.actions import ACTIONS, OUTCOMES, Actor
from audit.context import RequestContext, request_context, reset_request_context, set_request_context
from audit.group_commit import AuditWriteFailed, record_durably
from audit.models import AuditCheckpoint, AuditEvent, AuditEventPerson
from audit.record import record
from audit.schema import append_only_ddl, drop_append_only_ddl, grant_statements
from audit.sealer import AuditIntegrityError, BackgroundSealer, latest_checkpoint, seal
from audit.signing import Checkpoint, export_checkpoint, key_id, load_exported, public_key_from_raw
from audit.verify import VerifyResult, verify

__all__ = [
    "ACTIONS",
    "OUTCOMES",
    "Actor",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditEventPerson",
    "AuditIntegrityError",
    "AuditWriteFailed",
    "BackgroundSealer",
    "Checkpoint",
    "RequestContext",
    "VerifyResult",
    "append_only_ddl",
    "drop_append_only_ddl",
    "export_checkpoint",
    "grant_statements",
    "key_id",
    "latest_checkpoint",
    "load_exported",
    "public_key_from_raw",
    "record",
    "record_durably",
    "request_context",
    "reset_request_context",
    "seal",
    "set_request_context",
    "verify",
]
