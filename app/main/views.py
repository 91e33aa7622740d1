"""Home page and health check."""

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from app.extensions import db, talisman
from app.permissions import current_actor, public, signed_in
from app.templating import referral_counts
from safeguarding import alerts, audit_review, closure_approval, membership_reviews, policy, referral_escalation
from safeguarding.runtime import current as runtime

bp = Blueprint("main", __name__)


@bp.get("/")
@signed_in
def home():
    actor = current_actor()
    lead = actor.role == "safeguarding_lead"
    escalations = len(referral_escalation.past_decision_time(db.session)) if lead else None
    escalation_alerts = alerts.count_recent_escalation_alerts(db.session, actor) if lead else None
    awaiting_review = audit_review.count_awaiting_review(db.session) if lead else None
    return render_template(
        "main/home.html",
        actor=actor,
        counts=referral_counts(actor),
        escalations=escalations,
        escalation_alerts=escalation_alerts,
        escalation_days=runtime().referral_rules.escalation_days,
        awaiting_review=awaiting_review,
        closure_requests=closure_approval.awaiting_decision(db.session, actor),
        memberships_due=membership_reviews.count_due(db.session, actor) if policy.may_record_people(actor) else None,
    )


@bp.get("/healthz")
@public
# A load balancer checks the app itself over plain HTTP: a redirect to HTTPS would read as the app being down.
@talisman(force_https=False)
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
