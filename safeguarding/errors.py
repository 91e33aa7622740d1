"""Domain exceptions; the web face maps each to one HTTP status and message."""


class SafeguardingError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationFailed(SafeguardingError):
    """Input that cannot be accepted; `fields` maps a JSON path or form field to what to fix."""

    status = 422

    def __init__(self, fields: dict[str, str], message: str = "Check the highlighted fields"):
        super().__init__(message)
        self.fields = fields


class NotFound(SafeguardingError):
    status = 404


class PermissionDenied(SafeguardingError):
    status = 403

    def __init__(self, message: str = "You do not have permission to do that", break_glass_allowed: bool = False):
        super().__init__(message)
        self.break_glass_allowed = break_glass_allowed


class Conflict(SafeguardingError):
    """A stale version or an illegal transition."""

    status = 409


class SignInRefused(SafeguardingError):
    status = 401


class AccountLocked(SafeguardingError):
    status = 423


class AuditUnavailable(SafeguardingError):
    """The access could not be recorded, so no data is returned (fail-closed)."""

    status = 503
