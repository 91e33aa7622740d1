"""Administration forms: agencies and users."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.forms import BaseForm, choices, label_of
from models.agency import AGENCY_KINDS
from models.user import ROLES
from safeguarding.accounts import MIN_PASSWORD_LENGTH


class AgencyForm(BaseForm):
    name = StringField(
        "Agency name", widget=GovTextInput(), validators=[InputRequired("Enter the agency's name"), Length(max=120)]
    )
    kind = SelectField(
        "Kind of agency",
        widget=GovSelect(),
        choices=choices(((k, label_of(k)) for k in AGENCY_KINDS), "Select the kind of agency"),
        validators=[InputRequired("Select the kind of agency")],
    )
    external = BooleanField(
        "Outside the partnership (for example another police force or a national body)", widget=GovCheckboxInput()
    )
    submit = SubmitField("Create agency", widget=GovSubmitInput())


class UserDetailsForm(BaseForm):
    given_name = StringField(
        "Given name", widget=GovTextInput(), validators=[InputRequired("Enter the user's given name"), Length(max=80)]
    )
    family_name = StringField(
        "Family name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the user's family name"), Length(max=80)],
    )
    role = SelectField(
        "Role",
        widget=GovSelect(),
        choices=choices(((r, label_of(r)) for r in ROLES), "Select a role"),
        validators=[InputRequired("Select the user's role")],
    )


class UserForm(UserDetailsForm):
    username = StringField(
        "Username", widget=GovTextInput(), validators=[InputRequired("Enter a username"), Length(max=64)]
    )
    agency_id = SelectField(
        "Agency", widget=GovSelect(), validators=[InputRequired("Select the user's agency")], choices=[]
    )
    password = PasswordField(
        "Initial password",
        widget=GovPasswordInput(),
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Give it to the user in person",
        validators=[InputRequired("Enter an initial password"), Length(max=256)],
    )
    submit = SubmitField("Create user", widget=GovSubmitInput())
