"""The signed-in user's own account: changing their password."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from app.account import views  # noqa: E402,F401  (routes register on bp)
