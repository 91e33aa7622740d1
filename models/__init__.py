"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from models import (  # noqa: F401
    agency,
    case,
    context,
    context_work,
    graph_state,
    import_ref,
    person,
    referral,
    safeguarding_events,
    user,
)
from models.crypto import data_keys  # noqa: F401
