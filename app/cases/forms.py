"""Forms for cases: opening, reassessing, closing and reopening one, its lead worker, the team, the plan, chronology
entries (and moving one to another case) and the filters."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired

from app.forms import BaseForm, choices, label_of, version_field
from app.people.fields import Checkboxes, GovDateField, Radios, ReferenceField, at_most
from app.people.labels import CONCERN_LABELS, SENSITIVITY_HINTS
from models.case import CHRONOLOGY_CATEGORIES, CONCERNS, RISK_LEVELS, SENSITIVITIES
from safeguarding.case_closure import CLOSED_REASON_MAX

CATEGORY_CHOICES = [(c, label_of(c)) for c in CHRONOLOGY_CATEGORIES]
SENSITIVITY_CHOICES = [(s, label_of(s)) for s in SENSITIVITIES]


class _AssessmentForm(BaseForm):
    """What a case is opened with and later reassessed to."""

    concerns = SelectMultipleField(
        "Concerns",
        widget=Checkboxes(),
        description="Select all that apply",
        choices=choices((c, CONCERN_LABELS[c]) for c in CONCERNS),
        validators=[InputRequired("Select at least one concern")],
    )
    risk_level = RadioField(
        "Risk level",
        widget=Radios(),
        choices=choices((r, label_of(r)) for r in RISK_LEVELS),
        validators=[InputRequired("Select the risk level")],
    )


class CaseForm(_AssessmentForm):
    summary = TextAreaField(
        "Summary of the concern",
        widget=GovTextArea(),
        description="What is happening, where, and who is involved. Every agency on the team will read it",
        validators=[InputRequired("Enter a summary of the concern"), at_most(5000, "The summary")],
    )


class MemberForm(BaseForm):
    username = StringField(
        "Username of the practitioner to add",
        widget=GovTextInput(),
        description="They can be in any agency of the partnership",
        validators=[InputRequired("Enter the username of the practitioner to add"), at_most(64, "The username")],
    )


class PlanActionForm(BaseForm):
    description = TextAreaField(
        "Action",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the action"), at_most(2000, "The action")],
    )
    owner_id = SelectField("Owner", widget=GovSelect(), validators=[InputRequired("Select who owns the action")])
    due_on = GovDateField("Due date (optional)", description="For example, 14 4 2026")


class RemoveMemberForm(BaseForm):
    """Nothing but the CSRF token: removing someone is a button on the team table."""


class CompleteActionForm(BaseForm):
    version = version_field()


class CloseCaseForm(BaseForm):
    closed_reason = TextAreaField(
        "Why is the case closing?",
        widget=GovTextArea(),
        description="For example, the plan is complete, or the family has moved away. Every agency on the team will "
        "read it",
        validators=[InputRequired("Enter why the case is closing"), at_most(CLOSED_REASON_MAX, "The reason")],
    )
    version = version_field()


class ReopenCaseForm(BaseForm):
    version = version_field()


class ClosureDecisionForm(BaseForm):
    """A team manager's approval of a request to close, or the lead's withdrawal of it: the version shown."""

    version = version_field()


class ReturnClosureForm(ClosureDecisionForm):
    reason = TextAreaField(
        "Why is the case not to close yet?",
        widget=GovTextArea(),
        description="The lead worker reads this on the case",
        validators=[InputRequired("Enter why the case is not to close yet"), at_most(CLOSED_REASON_MAX, "The reason")],
    )


class ReassessCaseForm(_AssessmentForm):
    version = version_field()


class LeadForm(BaseForm):
    """A team manager hands the case to another practitioner of the lead agency."""

    user_id = SelectField(
        "New lead worker",
        widget=GovSelect(),
        description="They join the team if they are not on it. The current lead worker stays on the team until "
        "taken off it",
        validators=[InputRequired("Select the new lead worker")],
    )
    version = version_field()


class EntryForm(BaseForm):
    occurred_on = GovDateField(
        "Date it happened", description="For example, 3 3 2026", required="Enter the date it happened", past=True
    )
    category = SelectField(
        "Category",
        widget=GovSelect(),
        default="",
        choices=choices(CATEGORY_CHOICES, "Select a category"),
        validators=[InputRequired("Select a category")],
    )
    sensitivity = RadioField(
        "Who may read it",
        widget=Radios(),
        choices=choices(SENSITIVITY_CHOICES),
        default="general",
        validators=[InputRequired("Select who may read the entry")],
    )
    summary = TextAreaField(
        "What happened",
        widget=GovTextArea(),
        validators=[InputRequired("Enter what happened"), at_most(10_000, "What happened")],
    )

    def sensitivity_params(self) -> dict:
        """A hint under each sensitivity, saying who will read the entry."""
        return {"items": [{"hint": {"text": SENSITIVITY_HINTS[value]}} for value, _ in SENSITIVITY_CHOICES]}


class MoveEntryForm(BaseForm):
    case = ReferenceField(
        "Link to, or reference of, the case to move it to",
        widget=GovTextInput(),
        description="Open that case in SafeContext and copy its address. You need to be on the team of both cases",
        validators=[
            InputRequired("Enter the link or reference of the case to move the entry to"),
            at_most(300, "The link or reference"),
        ],
    )


class FilterForm(BaseForm):
    """The chronology filters: a GET form, so no CSRF; ids prefixed to stay unique beside the entry form."""

    class Meta:
        csrf = False

    agency = SelectField("Agency", widget=GovSelect(), id="filter-agency", default="", choices=[])
    category = SelectField(
        "Category", widget=GovSelect(), id="filter-category", choices=choices(CATEGORY_CHOICES, "All categories")
    )
    sensitivity = SelectField(
        "Sensitivity",
        widget=GovSelect(),
        id="filter-sensitivity",
        choices=choices(SENSITIVITY_CHOICES, "All sensitivities"),
    )
