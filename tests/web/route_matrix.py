"""Who may use each route: the table the route-matrix test checks every registered route against.

Add a row with every new route (API routes in matrix_api.py, casework pages in matrix_pages.py).
Values: PUBLIC, SIGNED_IN (every role) or a set of roles.
"""

from tests.web.matrix_api import API_MATRIX
from tests.web.matrix_pages import PAGES_MATRIX
from tests.web.roles import ADMIN, PUBLIC, SIGNED_IN

MATRIX = {
    "assets.govuk": PUBLIC,
    "assets.govuk_assets": PUBLIC,
    "assets.static_file": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.verify": PUBLIC,
    "auth.enrol": PUBLIC,
    "auth.recovery_codes": SIGNED_IN,
    "auth.sign_out": SIGNED_IN,
    "auth.extend_session": SIGNED_IN,
    "account.change_password": SIGNED_IN,
    "main.home": SIGNED_IN,
    "main.healthz": PUBLIC,
    "admin.agencies": ADMIN,
    "admin.new_agency": ADMIN,
    "admin.users": ADMIN,
    "admin.new_user": ADMIN,
    "admin.user": ADMIN,
    "admin.account_action": ADMIN,
    "admin.temporary_password": ADMIN,
    "admin.edit_user": ADMIN,
    "api.create_token": PUBLIC,
    "api.openapi": PUBLIC,
    "api.me": SIGNED_IN,
    "api.revoke_current_token": SIGNED_IN,
    **API_MATRIX,
    **PAGES_MATRIX,
}
