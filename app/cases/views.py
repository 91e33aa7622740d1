"""Opening a case and the case page: summary, team, plan and the merged multi-agency chronology."""

from functools import partial

from flask import flash, redirect, render_template, request, url_for

from app.cases import bp
from app.cases.forms import (
    CaseForm,
    CloseCaseForm,
    ClosureDecisionForm,
    CompleteActionForm,
    EntryForm,
    FilterForm,
    LeadForm,
    MemberForm,
    PlanActionForm,
    ReassessCaseForm,
    RemoveMemberForm,
    ReopenCaseForm,
    ReturnClosureForm,
)
from app.extensions import db
from app.forms import choices, label_of
from app.people.fields import reject_submission
from app.people.views import transition_due
from app.permissions import current_actor, managers, personal_data, practitioners
from app.referrals.subjects import FormSubject, context_subject, person_subject
from safeguarding import (
    accounts,
    case_chronology,
    case_closure,
    case_lists,
    cases,
    closure_approval,
    contexts,
    family,
    policy,
)
from safeguarding.access import load_person
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safeguarding.validation import uk_today


@bp.route("/people/<person_id>/cases/new", methods=["GET", "POST"])
@practitioners
def new(person_id: str):
    return _new_case_page(person_subject(person_id, "cases.new", None))


@bp.route("/places/<place_id>/cases/new", methods=["GET", "POST"])
@practitioners
def new_about_place(place_id: str):
    return _new_case_page(context_subject("place", place_id, "cases.new_about_place", "case"))


@bp.route("/groups/<group_id>/cases/new", methods=["GET", "POST"])
@practitioners
def new_about_group(group_id: str):
    return _new_case_page(context_subject("group", group_id, "cases.new_about_group", "case"))


def _new_case_page(about: FormSubject):
    """Open a case about a person, place or group (refused, 403, before the form is shown, by the subject's check)."""
    form = CaseForm()
    if form.validate_on_submit():
        data = {
            "subject": {"type": about.kind, "id": about.id},
            "concerns": form.concerns.data,
            "risk_level": form.risk_level.data,
            "summary": form.summary.data,
        }
        try:
            case = cases.open_case(db.session, current_actor(), data)
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="summary")
        else:
            flash(
                "Case opened. You are its lead worker. Add practitioners from other agencies to the team, "
                "and record what has happened in the chronology",
                "success",
            )
            return redirect(url_for("cases.case", case_id=case.id))
    return render_template("cases/new.html", form=form, about=about), 422 if form.errors else 200


@bp.get("/cases")
@personal_data
def caseload():
    return _caseload_page()


def _caseload_page(problem: str | None = None, status: int = 200):
    """Your cases; closed ones are offered for reopening here, as closing took their page away from their team."""
    load = case_lists.caseload(db.session, current_actor())
    return render_template(
        "cases/caseload.html", caseload=load, reopen_form=ReopenCaseForm(formdata=None), problem=problem
    ), status


@bp.get("/cases/<case_id>")
@personal_data
def case(case_id: str):
    return render_case(case_id)


@bp.post("/cases/<case_id>/members")
@practitioners
def add_member(case_id: str):
    form = MemberForm()
    if form.validate_on_submit():
        wanted = form.username.data.casefold()
        user = next((u for u in accounts.list_users(db.session) if u.username.casefold() == wanted), None)
        if user is None:
            form.username.errors.append("No user has that username. Check it and try again")
        else:
            try:
                cases.add_member(db.session, current_actor(), case_id, user.id)
            except ValidationFailed as failure:
                reject_submission(form, failure, fallback="username")
            except Conflict as conflict:
                db.session.rollback()
                form.username.errors.append(conflict.message)
            else:
                flash(f"{user.display_name} ({user.agency.name}) is now on the team", "success")
                return redirect(url_for("cases.case", case_id=case_id, _anchor="team"))
    return render_case(case_id, posted=form, member_form=form)


@bp.post("/cases/<case_id>/team/<user_id>/remove")
@practitioners
def remove_member(case_id: str, user_id: str):
    if not RemoveMemberForm().validate_on_submit():
        return render_case(case_id, team_only=True, status=422, problem="Reload the page and try again")
    try:
        cases.remove_member(db.session, current_actor(), case_id, user_id)
    except Conflict as conflict:
        db.session.rollback()
        return render_case(case_id, status=409, problem=conflict.message)
    flash("Removed from the team. They keep any other access they have to the person", "success")
    return redirect(url_for("cases.case", case_id=case_id, _anchor="team"))


@bp.post("/cases/<case_id>/chronology")
@practitioners
def add_entry(case_id: str):
    form = EntryForm()
    if form.validate_on_submit():
        data = {
            "occurred_on": form.occurred_on.data.isoformat(),
            "category": form.category.data,
            "sensitivity": form.sensitivity.data,
            "summary": form.summary.data,
        }
        try:
            case_chronology.add_chronology_entry(db.session, current_actor(), case_id, data)
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="summary")
        else:
            flash("Entry added to the chronology", "success")
            return redirect(url_for("cases.case", case_id=case_id, _anchor="chronology"))
    return render_case(case_id, posted=form, entry_form=form)


@bp.post("/cases/<case_id>/actions")
@practitioners
def add_action(case_id: str):
    form = PlanActionForm()
    form.owner_id.choices = choices([(request.form.get("owner_id", ""), "")])  # the service checks the team
    if form.validate_on_submit():
        data = {
            "description": form.description.data,
            "owner_id": form.owner_id.data,
            "due_on": form.due_on.data.isoformat() if form.due_on.data else None,
        }
        try:
            cases.add_plan_action(db.session, current_actor(), case_id, data)
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="description")
        else:
            flash("Action added to the plan", "success")
            return redirect(url_for("cases.case", case_id=case_id, _anchor="plan"))
    return render_case(case_id, posted=form, action_form=form)


@bp.post("/cases/<case_id>/actions/<action_id>/done")
@practitioners
def complete_action(case_id: str, action_id: str):
    form = CompleteActionForm()
    if not form.validate_on_submit():
        return render_case(case_id, team_only=True, status=422, problem="Reload the page and try again")
    try:
        action = cases.complete_plan_action(db.session, current_actor(), action_id, form.version.data)
    except Conflict as conflict:
        db.session.rollback()
        return render_case(case_id, status=409, problem=conflict.message)
    flash("Action marked as done", "success")
    return redirect(url_for("cases.case", case_id=action.case_id, _anchor="plan"))


CLOSED = "Case closed. Its team no longer sees the case's subject through it"


@bp.post("/cases/<case_id>/close")
@practitioners
def close(case_id: str):
    return _lead_change(
        case_id,
        CloseCaseForm(),
        lambda form: {"version": form.version.data, "status": "closed", "closed_reason": form.closed_reason.data},
        case_closure.change_case_status,
        lambda case: CLOSED if not case.is_open else "Your request to close the case is with a team manager",
        form_name="close_form",
        fallback="closed_reason",
    )


@bp.post("/cases/<case_id>/closure-request/approve")
@managers
def approve_closure(case_id: str):
    return _lead_change(
        case_id,
        ClosureDecisionForm(),
        lambda form: {"version": form.version.data},
        closure_approval.approve_closure,
        CLOSED,
        form_name="approve_form",
        fallback="version",
        manager=True,
    )


@bp.post("/cases/<case_id>/closure-request/return")
@managers
def return_closure(case_id: str):
    return _lead_change(
        case_id,
        ReturnClosureForm(),
        lambda form: {"version": form.version.data, "reason": form.reason.data},
        closure_approval.return_closure,
        "The request to close is returned to the lead worker, with your reason",
        form_name="return_form",
        fallback="reason",
        manager=True,
    )


@bp.post("/cases/<case_id>/closure-request/withdraw")
@practitioners
def withdraw_closure(case_id: str):
    return _lead_change(
        case_id,
        ClosureDecisionForm(),
        lambda form: {"version": form.version.data},
        closure_approval.withdraw_closure_request,
        "Your request to close the case is withdrawn",
        form_name="withdraw_form",
        fallback="version",
    )


@bp.post("/cases/<case_id>/reopen")
@practitioners
def reopen(case_id: str):
    form = ReopenCaseForm()
    # Posted from the caseload, problems are shown there: its lead may not see a closed case's own page.
    problem_page = _caseload_page if request.form.get("from") == "caseload" else partial(_case_problem, case_id)
    if not form.validate_on_submit():
        return problem_page(problem="Reload the page and try again", status=422)
    try:
        case_closure.change_case_status(
            db.session, current_actor(), case_id, {"version": form.version.data, "status": "open"}
        )
    except Conflict as conflict:
        db.session.rollback()
        return problem_page(problem=conflict.message, status=409)
    flash("Case reopened. Its team sees the case's subject through it again", "success")
    return redirect(url_for("cases.case", case_id=case_id))


def _case_problem(case_id: str, *, problem: str, status: int):
    return render_case(case_id, status_change=True, status=status, problem=problem)


@bp.post("/cases/<case_id>/assessment")
@practitioners
def reassess(case_id: str):
    return _lead_change(
        case_id,
        ReassessCaseForm(),
        lambda form: {"version": form.version.data, "risk_level": form.risk_level.data, "concerns": form.concerns.data},
        case_closure.change_case_assessment,
        "Risk level and concerns saved",
        form_name="reassess_form",
        fallback="risk_level",
    )


@bp.post("/cases/<case_id>/lead")
@managers
def reassign_lead(case_id: str):
    form = LeadForm()
    form.user_id.choices = choices([(request.form.get("user_id", ""), "")])  # the service checks who may lead
    if form.validate_on_submit():
        data = {"user_id": form.user_id.data, "version": form.version.data}
        try:
            changed = cases.reassign_lead(db.session, current_actor(), case_id, data)
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="user_id")
        except Conflict as conflict:
            db.session.rollback()
            return render_case(case_id, lead_change=True, status=409, problem=conflict.message)
        else:
            flash(f"{changed.lead_worker.display_name} is now the lead worker", "success")
            readable = policy.case_role(db.session, current_actor(), changed) is not None
            return redirect(
                url_for("cases.case", case_id=case_id, _anchor="team") if readable else url_for("main.home")
            )
    elif form.version.errors:  # nothing the user can fix in the form
        return render_case(case_id, lead_change=True, status=422, problem="Reload the page and try again")
    return render_case(case_id, posted=form, lead_change=True, lead_form=form)


def _lead_change(
    case_id: str, form, change_data, change, done: str, *, form_name: str, fallback: str, manager: bool = False
):
    """A lead's form posted (close, reassess, withdraw a request to close), or a team manager's (approve or return
    one): the change made and the case page again (or home, when the change left the caller no way to read the
    case), or the form with its errors (422) or the conflict (409)."""
    who = {"lead_change": True} if manager else {"status_change": True}
    if form.validate_on_submit():
        try:
            changed = change(db.session, current_actor(), case_id, change_data(form))
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback=fallback)
        except Conflict as conflict:
            db.session.rollback()
            return render_case(case_id, status=409, problem=conflict.message, **who)
        else:
            flash(done(changed) if callable(done) else done, "success")
            readable = policy.case_role(db.session, current_actor(), changed) is not None
            return redirect(url_for("cases.case", case_id=case_id) if readable else url_for("main.home"))
    elif form.version.errors:  # a page from before the form had a version: nothing the user can fix in the form
        return render_case(case_id, status=422, problem="Reload the page and try again", **who)
    return render_case(case_id, posted=form, **who, **{form_name: form})


def render_case(
    case_id: str,
    *,
    posted=None,
    team_only=False,
    status_change=False,
    lead_change=False,
    status: int | None = None,
    problem: str | None = None,
    **forms,
):
    """The case page, with any form that was just posted and its errors (422), or a problem to show."""
    actor = current_actor()
    record, role = cases.view_case(db.session, actor, case_id)
    may_change_status = policy.may_change_case_status(actor, record)
    may_reassign = policy.may_reassign_case(actor, record)
    allowed = may_reassign if lead_change else may_change_status if status_change else role == "team"
    if (posted is not None or team_only or status_change or lead_change) and not allowed:
        # Only those offered these forms may post them; whoever else does is refused as the services would refuse them.
        record_denial(db.session, actor, object_type="case", object_id=record.id)
        refusal = cases.LEAD_REFUSAL if lead_change else case_closure.REFUSAL if status_change else None
        raise PermissionDenied(refusal or "Only the case team can do that")
    filters = _filters()
    _, entries = case_chronology.chronology(db.session, actor, record.id, **filters.chosen)
    team = record.current_members
    forms.setdefault("member_form", MemberForm(formdata=None))
    forms.setdefault("entry_form", EntryForm(formdata=None))
    forms.setdefault("action_form", PlanActionForm(formdata=None))
    forms.setdefault("close_form", CloseCaseForm(formdata=None))
    forms.setdefault("return_form", ReturnClosureForm(formdata=None))
    forms.setdefault(
        "reassess_form", ReassessCaseForm(formdata=None, risk_level=record.risk_level, concerns=record.concerns)
    )
    forms.setdefault("lead_form", LeadForm(formdata=None))
    candidates = cases.lead_candidates(db.session, record) if may_reassign else []
    forms["lead_form"].user_id.choices = choices(
        [(u.id, f"{u.display_name} ({label_of(u.role).lower()})") for u in candidates], "Select the new lead worker"
    )
    forms["action_form"].owner_id.choices = choices(
        [(m.user_id, f"{m.user.display_name} ({m.user.agency.name})") for m in team], "Select the owner"
    )
    if forms["action_form"].owner_id.data is None:
        forms["action_form"].owner_id.data = actor.id
    subject = _subject(record, actor)
    return render_template(
        "cases/case.html",
        case=record,
        role=role,
        team=team,
        manages_team=cases.manages_team(actor, record),
        may_change_status=may_change_status,
        may_reassign=may_reassign,
        closing_needs_approval=may_change_status and case_closure.needs_approval(db.session, actor, record),
        lead_candidates=candidates,
        subject=subject,
        plan=cases.plan(db.session, record),
        entries=entries,
        filters=filters,
        family_cases=[c for c in subject["family_cases"] if c.id != record.id],
        done_form=CompleteActionForm(formdata=None),
        problem=problem,
        form=posted,
        today=uk_today(),
        **forms,
    ), status or (422 if posted is not None and posted.errors else 200)


def _filters() -> FilterForm:
    filters = FilterForm(formdata=request.args)
    filters.agency.choices = choices(((a.id, a.name) for a in accounts.list_agencies(db.session)), "All agencies")
    filters.validate()
    filters.chosen = {}
    for name, param in (("agency", "agency_id"), ("category", "category"), ("sensitivity", "sensitivity")):
        field = filters[name]
        # A value that is not one of the choices filters nothing, and its select shows "All".
        filters.chosen[param] = None if field.errors else (field.data or None)
        field.errors = []
    filters.active = any(filters.chosen.values())
    return filters


def _subject(record, actor) -> dict:
    """What the viewer may see of the case's subject: a person's name where the policy allows it."""
    subject = {"type": record.subject_type, "id": record.subject_id, "label": None, "turns_18": None}
    subject["family_cases"] = []
    if record.subject_type == "person":
        try:
            person = load_person(db.session, record.subject_person_id)
        except NotFound:
            return subject
        if policy.person_access(db.session, actor, person.id).visible:
            subject["label"] = person.display_name
            if record.is_open:
                subject["turns_18"] = transition_due(person.date_of_birth, uk_today())
        subject["family_cases"] = family.linked_family_cases(db.session, actor, person.id)
    elif record.subject_type == "place":
        subject["label"] = contexts.load_place(db.session, record.subject_place_id).name
    else:
        subject["label"] = contexts.load_group(db.session, record.subject_group_id).name
    return subject
