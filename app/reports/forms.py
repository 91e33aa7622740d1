"""Forms for reports and subject access: the report period (GET), a person's reference (GET) and re-authentication."""

from datetime import timedelta

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from app.forms import BaseForm
from app.people.fields import GovDateField, ReferenceField, at_most, reference_of
from safeguarding.reports import Period


class QueryForm(BaseForm):
    """A form read from the query string: GET forms change nothing, so they carry no CSRF token."""

    class Meta:
        csrf = False


class PeriodForm(QueryForm):
    """The report's period as people think of it: a first and a last day, both included."""

    period_start = GovDateField("First day", description="For example, 1 1 2026", required="Enter the first day")
    period_end = GovDateField("Last day", description="For example, 31 3 2026", required="Enter the last day")

    def validate_period_end(self, field) -> None:
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError("The last day must be the same as or after the first day")

    def period(self) -> Period:
        """The service's period, which ends at midnight after the last day (its end is exclusive)."""
        return Period.parse(self.period_start.data.isoformat(), (self.period_end.data + timedelta(days=1)).isoformat())

    @classmethod
    def showing(cls, period: Period) -> "PeriodForm":
        return cls(formdata=None, data={"period_start": period.start, "period_end": period.end - timedelta(days=1)})


class PersonReferenceForm(QueryForm):
    person_id = ReferenceField(
        "Person's reference",
        widget=GovTextInput(),
        description="The reference on their record, or a link to it, like 3f2b6c1e-0d7a-4e59-9b8e-2c4f1a6d9e30",
        validators=[InputRequired("Enter the person's reference"), at_most(300, "The reference")],
    )

    def validate_person_id(self, field) -> None:
        if len(reference_of(field.data) or "") != 36:
            raise ValidationError("Enter the reference from the person's record, or paste a link to it")


class ReauthenticateForm(BaseForm):
    password = PasswordField(
        "Password", widget=GovPasswordInput(), validators=[InputRequired("Enter your password"), Length(max=256)]
    )
    code = StringField(
        "Security code",
        widget=GovTextInput(),
        description="The 6-digit code from your authenticator app, or one of your recovery codes",
        validators=[InputRequired("Enter the security code from your authenticator app"), Length(max=40)],
    )
    submit = SubmitField("Confirm and continue", widget=GovSubmitInput())
