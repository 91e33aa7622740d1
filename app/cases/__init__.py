"""Cases: opening one, the case page with its team, plan and merged multi-agency chronology."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from app.cases import exports, moves, views  # noqa: E402,F401  (routes register on bp)
