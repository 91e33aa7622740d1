"""Making a referral, the agency's inbox and outbox, a referral with the viewer's steps, and leads' escalations."""

from flask import flash, redirect, render_template, request, url_for

from app.extensions import db
from app.people.fields import reject_submission
from app.people.labels import date_time
from app.permissions import current_actor, leads, practitioners
from app.referrals import bp
from app.referrals.forms import AcceptForm, DeclineForm, ReceivedReferralForm, ReferralForm, StepForm
from app.referrals.subjects import FormSubject, context_subject, person_subject
from models.user import User
from safeguarding import accounts, alerts, disclosure, referral_boxes, referral_escalation, referrals
from safeguarding.errors import Conflict, ValidationFailed

DONE = {
    "acknowledge": "Referral acknowledged. Decide whether to accept or decline it",
    "decline": "Referral declined. The sender can see your reason",
    "withdraw": "Referral withdrawn",
}
BOX_PAGE = 50  # referrals a box page shows, newest first
ACCEPTED = {
    False: "Referral accepted. The case is open in your agency",
    True: "Referral accepted and linked to the open case",
}
# The answer of a body outside the partnership, which its sender records.
RECORDED = {"acknowledge": "acknowledged", "accept": "accepted", "decline": "declined"}


@bp.route("/people/<person_id>/referrals/new", methods=["GET", "POST"])
@practitioners
def new(person_id: str):
    about = person_subject(person_id, "referrals.new", request.args.get("case"))
    return _referral_page(about, ReferralForm(), _sent_message)


@bp.route("/people/<person_id>/referrals/received", methods=["GET", "POST"])
@practitioners
def received(person_id: str):
    about = person_subject(person_id, "referrals.received", request.args.get("case"))
    return _referral_page(about, ReceivedReferralForm(), _received_message)


@bp.route("/places/<place_id>/referrals/new", methods=["GET", "POST"])
@practitioners
def new_about_place(place_id: str):
    return _referral_page(
        context_subject("place", place_id, "referrals.new_about_place", "referral"), ReferralForm(), _sent_message
    )


@bp.route("/groups/<group_id>/referrals/new", methods=["GET", "POST"])
@practitioners
def new_about_group(group_id: str):
    return _referral_page(
        context_subject("group", group_id, "referrals.new_about_group", "referral"), ReferralForm(), _sent_message
    )


@bp.route("/places/<place_id>/referrals/received", methods=["GET", "POST"])
@practitioners
def received_about_place(place_id: str):
    about = context_subject("place", place_id, "referrals.received_about_place", "referral")
    return _referral_page(about, ReceivedReferralForm(), _received_message)


@bp.route("/groups/<group_id>/referrals/received", methods=["GET", "POST"])
@practitioners
def received_about_group(group_id: str):
    about = context_subject("group", group_id, "referrals.received_about_group", "referral")
    return _referral_page(about, ReceivedReferralForm(), _received_message)


def _referral_page(about: FormSubject, form: ReferralForm, message):
    """Make a referral about a person, place or group, or record one about a person received from outside: the
    same fields, to or from another agency."""
    actor = current_actor()
    form.set_agencies(accounts.list_agencies(db.session), actor.agency_id)
    if form.validate_on_submit():
        try:
            referral = referrals.submit_referral(db.session, actor, form.referral_data(about.data()))
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="reason")
        else:
            flash(message(referral), "success")
            return redirect(url_for("referrals.referral", referral_id=referral.id))
    return render_template(
        "referrals/new.html", form=form, about=about, received=form.to_agency_id is None
    ), 422 if form.errors else 200


def _received_message(referral) -> str:
    return f"Referral from {referral.from_agency.name} recorded. It is in your agency's inbox"


def _sent_message(referral) -> str:
    due = referrals.timeliness(referral).due
    sent = f"Referral sent to {referral.to_agency.name}."
    if due.acknowledge_by is None:
        return f"{sent} Local timescales do not apply to agencies outside the partnership"
    if due.acknowledge_by == due.decide_by:
        return f"{sent} They must acknowledge it and decide whether to accept it by {date_time(due.decide_by)}"
    return (
        f"{sent} They must acknowledge it by {date_time(due.acknowledge_by)} "
        f"and decide whether to accept it by {date_time(due.decide_by)}"
    )


@bp.get("/referrals/inbox")
@practitioners
def inbox():
    return _box("inbox")


@bp.get("/referrals/outbox")
@practitioners
def outbox():
    return _box("outbox")


def _box(box: str):
    actor = current_actor()
    status = request.args.get("status") or None
    page = referral_boxes.list_referrals(
        db.session, actor, box, status=status, limit=BOX_PAGE, after=request.args.get("after") or None
    )
    found = page.referrals
    return render_template(
        "referrals/box.html",
        box=box,
        status=status,
        page=page,
        first_page=not request.args.get("after"),
        rows=_rows(found),
        subjects=disclosure.referral_subjects(db.session, actor, found),
    )


@bp.get("/referrals/<referral_id>")
@practitioners
def referral(referral_id: str):
    return render_referral(referral_id)


@bp.post("/referrals/<referral_id>/<any(acknowledge, accept, decline, withdraw):action>")
@practitioners
def step(referral_id: str, action: str):
    actor = current_actor()
    record = referrals.load_referral(db.session, referral_id)
    form = {"accept": AcceptForm, "decline": DeclineForm}.get(action, StepForm)()
    if action == "accept":
        form.set_cases(referrals.cases_to_link(db.session, current_actor(), record), outside=record.to_agency.external)
    if not form.validate_on_submit():
        return render_referral(referral_id, posted=form, status=422)
    data = {}
    if action == "accept":
        data = form.acceptance()
    if action == "decline":
        data["reason"] = form.decline_reason.data
    try:
        moved = referrals.transition(db.session, actor, record.id, action, data)
    except ValidationFailed as failure:
        reject_submission(form, failure, {"reason": "decline_reason"}, fallback=next(iter(form._fields)))
        return render_referral(referral_id, posted=form, status=422)
    except Conflict as conflict:
        db.session.rollback()
        return render_referral(referral_id, status=409, problem=conflict.message)
    flash(_done_message(moved, action, data), "success")
    return redirect(url_for("referrals.referral", referral_id=record.id))


def _done_message(referral, action: str, data: dict) -> str:
    if referral.to_agency.external and action in RECORDED:
        return f"Recorded that {referral.to_agency.name} {RECORDED[action]} the referral"
    if action == "accept":
        return _accepted_message(referral, linked=bool(data["case_id"]))
    return DONE[action]


def _accepted_message(referral, *, linked: bool) -> str:
    """Whether the sender joined the case team: not one outside the partnership, nor one who may no longer join."""
    if referrals.sender_joined_case(db.session, referral):
        return f"{ACCEPTED[linked]}. You and the sender are on its team"
    return f"{ACCEPTED[linked]}. You are on its team; the sender is not (outside the partnership, or unable to join)"


def render_referral(referral_id: str, *, posted=None, status: int | None = None, problem: str | None = None):
    """The referral page, with a form that was just posted and its errors, or a problem to show."""
    actor = current_actor()
    record = referrals.view_referral(db.session, actor, referral_id)
    actions = referrals.available_actions(actor, record)
    accept_form = posted if isinstance(posted, AcceptForm) else AcceptForm(formdata=None)
    accept_form.set_cases(
        referrals.cases_to_link(db.session, actor, record) if "accept" in actions else [],
        outside=record.to_agency.external,
    )
    decline_form = posted if isinstance(posted, DeclineForm) else DeclineForm(formdata=None)
    steps = referral_boxes.history(db.session, record)
    people = {u: db.session.get(User, u) for u in {s.actor_id for s in steps} | {record.sender_id} if u}
    return render_template(
        "referrals/referral.html",
        referral=record,
        timing=referrals.timeliness(record),
        repeat=referral_escalation.is_repeat(db.session, record),
        subject=disclosure.referral_subjects(db.session, actor, [record])[record.id],
        withheld=record.id in disclosure.withheld_referrals(db.session, actor, [record]),
        actions=actions,
        accept_form=accept_form,
        decline_form=decline_form,
        steps=steps,
        people=people,
        form=posted,
        problem=problem,
    ), status or 200


@bp.get("/referrals/escalations")
@leads
def escalations():
    actor = current_actor()
    overdue = referral_escalation.escalation_list(db.session, actor)
    fired = alerts.list_alerts(db.session, actor, "escalation")
    return render_template("referrals/escalations.html", rows=_rows(overdue), alerts=fired)


def _rows(found: list) -> list[dict]:
    """A list's referrals with their timing and repeat flags, worked out for the whole list at once."""
    repeats = referral_escalation.repeat_flags(db.session, found)
    return [{"referral": r, "timing": referrals.timeliness(r), "repeat": repeats[r.id]} for r in found]
