"""Moving a chronology entry recorded on the wrong case: the case it belongs on named by link or reference, checked,
then the entry moved (SPEC 2)."""

from flask import flash, redirect, render_template, url_for

from app.cases import bp
from app.cases.exports import subject_label
from app.cases.forms import MoveEntryForm
from app.extensions import db
from app.people.fields import check_then_act
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
    form = MoveEntryForm()
    done, status = check_then_act(
        form,
        "case",
        UNKNOWN,
        check=lambda: _check_page(form, *merging.preview_move(db.session, actor, entry.id, form.case.data, source.id)),
        act=lambda: _move(actor, entry, source, form.case.data),
    )
    if done is not None:
        return done
    return _page("cases/move_entry.html", form, entry, source), status


def _check_page(form, entry, source, target):
    return _page("cases/move_entry_check.html", form, entry, source, target)


def _move(actor, entry, source, to_case_id: str):
    moved = merging.move_chronology_entry(db.session, actor, entry.id, to_case_id, source.id)
    target = cases.load_case(db.session, moved.case_id)
    flash(f"Entry moved to the case about {subject_label(target, actor)}", "success")
    return redirect(url_for("cases.case", case_id=source.id, _anchor="chronology"))


def _page(template: str, form, entry, source, target=None):
    """The entry, the case it is on and, once named, the case it would move to, as far as the viewer may see them."""
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
