"""Merging a duplicate record into the one being worked on: the duplicate named, the two records checked side by
side, then merged (SPEC 2)."""

from flask import flash, redirect, render_template, url_for

from app.extensions import db
from app.people import bp
from app.people.fields import check_then_act, confirming
from app.people.forms import MergeConfirmForm, MergeForm
from app.permissions import current_actor, practitioners
from safeguarding import disclosure, merging
from safeguarding.validation import uk_today

UNKNOWN = "No person has that link or reference. Check it and try again"


@bp.route("/people/<person_id>/merge", methods=["GET", "POST"])
@practitioners
def merge(person_id: str):
    actor = current_actor()
    survivor = merging.survivor_for_merge(db.session, actor, person_id)
    form = MergeConfirmForm() if confirming() else MergeForm()
    done, status = check_then_act(
        form,
        "duplicate",
        UNKNOWN,
        check=lambda: _check_page(*merging.preview_merge(db.session, actor, survivor.id, form.duplicate.data)),
        act=lambda: _merge(actor, survivor, form),
    )
    if done is not None:
        return done
    return render_template("people/merge.html", form=form, person=survivor), status


def _check_page(survivor, duplicate, accesses):
    """Both records side by side, each as far as the policy lets the viewer see it, and the merge to confirm."""
    today = uk_today()
    pairs = zip((survivor, duplicate), accesses, strict=True)
    views = [disclosure.person_view(db.session, person, access, today) for person, access in pairs]
    return render_template("people/merge_check.html", person=survivor, duplicate=duplicate, records=views)


def _merge(actor, survivor, form):
    versions = (form.survivor_version.data, form.duplicate_version.data)
    merging.merge_people(db.session, actor, survivor.id, form.duplicate.data, versions)
    flash(
        f"Records merged. The duplicate now points to {survivor.display_name}'s record, and its names are kept here "
        "as other names",
        "success",
    )
    return redirect(url_for("people.person", person_id=survivor.id))
