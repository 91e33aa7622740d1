"""Context pages: interactive maps of people, places and groups, and the work done on contexts."""

from flask import Blueprint

bp = Blueprint("contexts", __name__)

from app.contexts import maps, work  # noqa: E402,F401  (routes register on bp)
