"""Administration: agencies and users only (administrators see no personal data)."""

from flask import Blueprint, flash, redirect, render_template, url_for

from app.admin.forms import AgencyForm, UserDetailsForm, UserForm
from app.auth.forms import PlainForm
from app.extensions import db
from app.forms import choices
from app.permissions import current_actor, roles
from safeguarding import accounts, passwords, user_changes
from safeguarding.errors import ValidationFailed

bp = Blueprint("admin", __name__, url_prefix="/admin")

admin_only = roles("admin")


@bp.get("/agencies")
@admin_only
def agencies():
    return render_template("admin/agencies.html", agencies=accounts.list_agencies(db.session))


@bp.route("/agencies/new", methods=["GET", "POST"])
@admin_only
def new_agency():
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            agency = accounts.create_agency(
                db.session, current_actor(), name=form.name.data, kind=form.kind.data, external=form.external.data
            )
        except ValidationFailed as failure:
            db.session.rollback()
            form.apply_errors(failure.fields)
        else:
            db.session.commit()
            flash(f"Agency {agency.name} created", "success")
            return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_new.html", form=form), 422 if form.errors else 200


@bp.get("/users")
@admin_only
def users():
    return render_template("admin/users.html", users=accounts.list_users(db.session))


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def new_user():
    form = UserForm()
    form.agency_id.choices = choices(((a.id, a.name) for a in accounts.list_agencies(db.session)), "Select an agency")
    if form.validate_on_submit():
        try:
            user, _secret = accounts.create_user(
                db.session,
                current_actor(),
                username=form.username.data,
                agency=accounts.find_agency(db.session, form.agency_id.data),
                role=form.role.data,
                given_name=form.given_name.data,
                family_name=form.family_name.data,
                password=form.password.data,
            )
        except ValidationFailed as failure:
            db.session.rollback()
            form.apply_errors(failure.fields)
        else:
            db.session.commit()
            flash(f"{user.display_name} can now sign in and set up their authenticator app", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_new.html", form=form), 422 if form.errors else 200


@bp.get("/users/<user_id>")
@admin_only
def user(user_id: str):
    return render_template("admin/user.html", user=accounts.get_user(db.session, user_id), form=PlainForm())


@bp.route("/users/<user_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_user(user_id: str):
    target = accounts.get_user(db.session, user_id)
    form = UserDetailsForm(obj=target)
    if form.validate_on_submit():
        try:
            changed = user_changes.change_user(db.session, current_actor(), target, form.data)
        except ValidationFailed as failure:
            db.session.rollback()
            form.apply_errors(failure.fields)
        else:
            signed_out = " and signed out everywhere" if "role" in changed else ""
            flash(
                f"{target.display_name}'s details are saved{signed_out}" if changed else "Nothing was changed",
                "success",
            )
            return redirect(url_for("admin.user", user_id=target.id))
    return render_template("admin/user_edit.html", form=form, user=target), 422 if form.errors else 200


ACCOUNT_ACTIONS = {
    "deactivate": (accounts.deactivate_user, "{name} is deactivated and signed out everywhere"),
    "reactivate": (accounts.reactivate_user, "{name} can sign in again"),
    "reset-mfa": (accounts.reset_mfa, "{name} will set up a new authenticator at their next sign-in"),
    "unlock": (accounts.unlock_user, "{name} is unlocked"),
}


@bp.post("/users/<user_id>/<any(deactivate, reactivate, 'reset-mfa', unlock):action>")
@admin_only
def account_action(user_id: str, action: str):
    target = accounts.get_user(db.session, user_id)
    if PlainForm().validate_on_submit():
        service, message = ACCOUNT_ACTIONS[action]
        service(db.session, current_actor(), target)
        flash(message.format(name=target.display_name), "success")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.post("/users/<user_id>/temporary-password")
@admin_only
def temporary_password(user_id: str):
    target = accounts.get_user(db.session, user_id)
    if not PlainForm().validate_on_submit():
        return redirect(url_for("admin.user", user_id=target.id))
    password = passwords.set_temporary_password(db.session, current_actor(), target)
    # Shown in this answer only (never stored, flashed or put in an address), and no page of it is cached.
    return render_template("admin/temporary_password.html", user=target, password=password)
