"""One page of the alerts the viewer may see: escalations, exposure, location assessments, transitions, interviews."""

from flask import Blueprint

bp = Blueprint("alerts", __name__)

from app.alerts import views  # noqa: E402,F401  (routes register on bp)
