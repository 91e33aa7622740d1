"""The safeguarding lead's audit workspace: log status, who accessed a record, what a user did, refusals,
break-glass review, privacy monitoring and CSV exports. Only safeguarding leads reach any of it."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint

bp = Blueprint("audit_pages", __name__, url_prefix="/audit")
LONDON = ZoneInfo("Europe/London")


@bp.app_template_filter("audit_time")
def audit_time(value: datetime | None) -> str:
    """'27 March 2026 at 18:30:05 GMT': to the second, with the zone, as an audit trail needs."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M:%S %Z}"


from app.audit_pages import exports, views  # noqa: E402,F401  (routes register on bp)
