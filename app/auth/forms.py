"""Sign-in forms: password first, then the authenticator code."""

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.forms import BaseForm


class SignInForm(BaseForm):
    username = StringField(
        "Username", widget=GovTextInput(), validators=[InputRequired("Enter your username"), Length(max=64)]
    )
    password = PasswordField(
        "Password", widget=GovPasswordInput(), validators=[InputRequired("Enter your password"), Length(max=256)]
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class CodeForm(BaseForm):
    code = StringField(
        "Security code",
        widget=GovTextInput(),
        description="The 6-digit code from your authenticator app, or one of your recovery codes",
        validators=[InputRequired("Enter the security code from your authenticator app"), Length(max=40)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class EnrolForm(BaseForm):
    code = StringField(
        "Security code",
        widget=GovTextInput(),
        description="Enter the 6-digit code your authenticator app now shows",
        validators=[InputRequired("Enter the 6-digit code from your authenticator app"), Length(max=10)],
    )
    submit = SubmitField("Confirm and continue", widget=GovSubmitInput())


class PlainForm(BaseForm):
    """A form with only its CSRF token, for buttons that change state (sign out, extend session)."""
