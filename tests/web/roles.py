"""Permission sets used by the route matrices."""

from models.user import PRACTITIONER_ROLES, ROLES

PUBLIC = frozenset({"public"})
SIGNED_IN = frozenset(ROLES)
ADMIN = frozenset({"admin"})
PRACTITIONERS = frozenset(PRACTITIONER_ROLES)
# Personal data: practitioners, and safeguarding leads on the same terms as anyone else (never admins).
PERSONAL_DATA = PRACTITIONERS | {"safeguarding_lead"}
LEADS = frozenset({"safeguarding_lead"})
# Team managers, who hand their agency's cases to another lead worker.
MANAGERS = frozenset({"team_manager"})
