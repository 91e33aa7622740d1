"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from models import agency, case, context, context_work, import_ref, person, referral, safeguarding_events, user  # noqa: F401
from models.crypto import data_keys  # noqa: F401
