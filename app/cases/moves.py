"""Moving a chronology entry recorded on the wrong case: the case it belongs on named by link or reference, checked,
then the entry moved (SPEC 2)."""

from flask import flash, redirect, render_template, request, url_for

from app.cases import bp
from app.cases.exports import subject_label
from app.cases.forms import MoveEntryForm
from app.extensions import db
from app.people.fields import REFERENCE_PROBLEMS, refuse_reference
from app.permissions import current_actor, practitioners
from safeguarding import cases, merging

UNKNOWN = "No case has that link or reference. Check it and try again"

# The case page offers "Move" beside each entry the viewer may move, as the service decides.
bp.add_app_template_global(merging.may_move, "may_move_entry")


@bp.route("/cases/<case_id>/chronology/<entry_id>/move", methods=["GET", "POST"])
@practitioners
def move_entry(case_id: str, entry_id: str):
    actor = current_actor()
    entry, source = merging.entry_to_move(db.session, actor, case_id, entry_id)
    confirming = request.form.get("step") == "confirm"
    form = MoveEntryForm()
    refused = None
    if form.validate_on_submit():
        try:
            if not confirming:
                _, _, target = merging.preview_move(db.session, actor, entry.id, form.case.data, source.id)
                return _page("cases/move_entry_check.html", form, entry, source, target=target)
            moved = merging.move_chronology_entry(db.session, actor, entry.id, form.case.data, source.id)
        except REFERENCE_PROBLEMS as problem:
            refused = refuse_reference(form, "case", problem, UNKNOWN)
        else:
            target = cases.load_case(db.session, moved.case_id)
            flash(f"Entry moved to the case about {subject_label(target, actor)}", "success")
            return redirect(url_for("cases.case", case_id=source.id, _anchor="chronology"))
    return _page("cases/move_entry.html", form, entry, source), refused or (422 if form.errors else 200)


def _page(template: str, form, entry, source, target=None):
    actor = current_actor()
    return render_template(
        template,
        form=form,
        entry=entry,
        case=source,
        subject=subject_label(source, actor),
        target=target,
        target_subject=subject_label(target, actor) if target else None,
    )
