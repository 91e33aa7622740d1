"""Referrals between agencies: make one, the agency's inbox and outbox, a referral and its steps, escalations."""

from flask import Blueprint

from app.referrals import labels

bp = Blueprint("referrals", __name__)

bp.add_app_template_filter(labels.lines, "lines")
bp.add_app_template_global(labels.URGENCY_TAG_CLASSES, "URGENCY_TAG_CLASSES")
bp.add_app_template_global(labels.STATUS_LABELS, "REFERRAL_STATUS_LABELS")
bp.add_app_template_global(labels.STATUS_TAG_CLASSES, "REFERRAL_STATUS_TAG_CLASSES")
bp.add_app_template_global(labels.LAWFUL_BASIS_LABELS, "LAWFUL_BASIS_LABELS")

from app.referrals import views  # noqa: E402,F401  (routes register on bp)
