"""Safeguarding leads' reports and data rights: the partnership report (page, CSV) and subject access bundles."""

from flask import Blueprint

from app.reports import display

bp = Blueprint("reports", __name__)

bp.add_app_template_filter(display.figure, "report_figure")
bp.add_app_template_filter(display.change, "report_change")
bp.add_app_template_filter(display.share, "report_share")
bp.add_app_template_filter(display.when, "bundle_time")


from app.reports import subject_access, views  # noqa: E402,F401  (routes register on bp)
