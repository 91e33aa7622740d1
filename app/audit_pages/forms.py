"""Forms of the audit workspace: the filters (GET, nothing to forge) and the break-glass review (POST, CSRF)."""

from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovTextArea, GovTextInput
from wtforms import FileField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from app.forms import BaseForm, choices, label_of
from app.people.fields import GovDateField, Radios, ReferenceField, at_most
from audit.actions import ACTIONS
from safeguarding import flagged_access
from safeguarding.audit_review import NOTE_MAX, REVIEW_OUTCOMES


class FilterForm(BaseForm):
    """A filter read from the query string: GET forms change nothing, so they carry no CSRF token."""

    class Meta:
        csrf = False


class EventFilterForm(FilterForm):
    """The filters every event listing takes beside its subject: the action, and the day to start from."""

    action = SelectField(
        "Action",
        widget=GovSelect(),
        default="",
        choices=choices(((a, label_of(a)) for a in sorted(ACTIONS)), "Any action"),
        validate_choice=False,  # checked by the workspace's query, with a GOV.UK message
    )
    since = GovDateField("From", description="Leave empty for all time. For example, 27 3 2026", past=True)

    def filters(self) -> dict:
        """The filters as the workspace's query takes them (text, as a query string gives them)."""
        return {"action": self.action.data or None, "since": self.since.data.isoformat() if self.since.data else None}


class PersonAccessForm(EventFilterForm):
    person_id = ReferenceField(
        "Person's reference",
        widget=GovTextInput(),
        description="The reference on their record, or a link to it, like 3f2b6c1e-0d7a-4e59-9b8e-2c4f1a6d9e30",
        validators=[InputRequired("Enter the person's reference"), at_most(300, "The reference")],
    )


class UserActivityForm(EventFilterForm):
    user_id = SelectField(
        "User",
        widget=GovSelect(),
        default="",
        validate_choice=False,  # checked against the list below, with a GOV.UK message
        validators=[InputRequired("Select the user")],
    )

    def set_users(self, users) -> None:
        self.user_id.choices = choices(
            ((u.id, f"{u.display_name} ({u.username}), {u.agency.name}") for u in users), "Select a user"
        )

    def validate_user_id(self, field) -> None:
        if field.data not in {value for value, *_ in field.choices if value}:
            raise ValidationError("Select a user from the list")


class MonitoringForm(FilterForm):
    day = GovDateField(
        "Date to report on", description="For example, 27 3 2026", required="Enter the date to report on", past=True
    )


class ReviewForm(BaseForm):
    outcome = RadioField(
        "Was the emergency access justified?",
        widget=Radios(),
        choices=choices(REVIEW_OUTCOMES.items()),
        validators=[InputRequired("Select whether the emergency access was justified")],
    )
    note = TextAreaField(
        "Note",
        widget=GovTextArea(),
        description="What you checked and decided. Needed when the access was not justified",
        validators=[at_most(NOTE_MAX, "The note")],
    )


class FlaggedAccessReviewForm(BaseForm):
    # The last event the lead was shown: the review covers those events and no later one.
    through_seq = HiddenField()
    outcome = RadioField(
        "Was the access appropriate?",
        widget=Radios(),
        choices=choices(flagged_access.OUTCOMES.items()),
        validators=[InputRequired("Select whether the access was appropriate")],
    )
    note = TextAreaField(
        "Note",
        widget=GovTextArea(),
        description="What you checked and decided. Needed when the access is a concern",
        validators=[at_most(NOTE_MAX, "The note")],
    )


class KeptCheckpointForm(BaseForm):
    checkpoint = FileField(
        "Checkpoint file",
        widget=GovFileInput(),
        description="A checkpoint downloaded from this page earlier and kept outside SafeContext (JSON)",
    )
