"""Casework about people and their contexts: search, record, the person page, emergency access, places, groups."""

from flask import Blueprint

from app.people import labels
from safeguarding import policy

bp = Blueprint("people", __name__)

# Template filters for every casework page (the cases blueprint uses them too).
bp.add_app_template_filter(labels.label, "label")
bp.add_app_template_filter(labels.long_date, "long_date")
bp.add_app_template_filter(labels.date_time, "date_time")
bp.add_app_template_filter(labels.clock, "clock")
bp.add_app_template_filter(labels.multiline, "multiline")
bp.add_app_template_global(labels.RISK_TAG_CLASSES, "RISK_TAG_CLASSES")
bp.add_app_template_global(labels.SAFETY_TAG_CLASSES, "SAFETY_TAG_CLASSES")
bp.add_app_template_global(labels.SENSITIVITY_TAG_CLASSES, "SENSITIVITY_TAG_CLASSES")
bp.add_app_template_global(policy.may_see_personal_data, "may_see_personal_data")
bp.add_app_template_global(policy.may_record_people, "may_record_people")

from app.people import links, merge, places, views  # noqa: E402,F401  (routes register on bp)
