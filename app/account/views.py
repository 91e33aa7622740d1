"""/account/password: a signed-in user changes their own password."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from app.account import bp
from app.account.forms import ChangePasswordForm
from app.extensions import db, limiter
from app.permissions import signed_in
from safeguarding import passwords
from safeguarding.errors import AccountLocked, ValidationFailed


def _limit() -> str:
    # A wrong current password is a guess at the account's password: throttled as guesses at sign-in are.
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@bp.route("/password", methods=["GET", "POST"])
@signed_in
@limiter.limit(_limit, methods=["POST"])
def change_password():
    user = current_user._get_current_object()  # the user itself: login_user below must not be handed the proxy
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            passwords.change_password(db.session, user, current=form.current_password.data, new=form.new_password.data)
        except ValidationFailed as failure:
            db.session.rollback()
            form.apply_errors(failure.fields)
        except AccountLocked as refusal:
            form.current_password.errors = [refusal.message]
        else:
            # Every other session ended with the old auth epoch; this one carries on under the new one.
            login_user(user)
            flash("Your password has been changed", "success")
            return redirect(url_for("main.home"))
    return render_template(
        "account/change_password.html", form=form, forced=user.must_change_password
    ), 422 if form.errors else 200
