"""Context pages: interactive maps of people, places and groups, and the work done on contexts."""

from flask import Blueprint

from app.contexts.forms import intervention_name

bp = Blueprint("contexts", __name__)
# Place and group pages (another blueprint) show assessment plans, so the name is an app-wide global.
bp.add_app_template_global(intervention_name, "intervention_name")

from app.contexts import insights, maps, work  # noqa: E402,F401  (routes register on bp)
