"""Forms for referrals: making one, recording one received from outside, and the receiving agency's and the
sender's steps."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from app.forms import BaseForm, choices
from app.people.fields import TIME_HINT, Checkboxes, GovDateField, Radios, at_most, clock_time, local_iso
from app.people.labels import CONCERN_LABELS
from app.referrals.labels import LAWFUL_BASIS_LABELS, URGENCY_LABELS, timescale_hint
from models.case import CONCERNS
from models.referral import LAWFUL_BASES, URGENCIES

LAWFUL_BASIS_CHOICES = [(code, LAWFUL_BASIS_LABELS[code]) for code in LAWFUL_BASES if code != "not_recorded"]
LAWFUL_BASIS_HINTS = {
    "consent": "The young person (or their parent or carer) agreed to this referral",
    "consent_overridden": "They refused, and sharing is justified to protect a child",
    "no_consent_sought": "Asking would put a child at risk, or would prejudice an investigation",
}


class ReferralForm(BaseForm):
    to_agency_id = SelectField(
        "Agency to refer to",
        widget=GovSelect(),
        default="",
        validators=[InputRequired("Select the agency to refer to")],
    )
    urgency = RadioField(
        "Urgency",
        widget=Radios(),
        choices=choices((u, URGENCY_LABELS[u]) for u in URGENCIES),
        validators=[InputRequired("Select the urgency")],
    )
    reason = TextAreaField(
        "Reason for the referral",
        widget=GovTextArea(),
        description="What has happened, what you are worried about, and what you would like the agency to do. "
        "Only practitioners of your agency and the agency you refer to can read it",
        validators=[InputRequired("Enter the reason for the referral"), at_most(10_000, "The reason")],
    )
    lawful_basis = RadioField(
        "Lawful basis for sharing",
        widget=Radios(),
        description="Select one if you can. If you do not, the referral is marked as not recorded",
        choices=choices(LAWFUL_BASIS_CHOICES),
        validators=[Optional()],
    )
    # One box below the radios, not one revealed under each choice: GOV.UK's conditional reveal puts
    # aria-expanded on radio inputs, which ARIA does not allow (axe-core reports it as critical).
    lawful_basis_reason = TextAreaField(
        "If consent was overridden or not sought, why?",
        widget=GovTextArea(),
        description="Leave this blank if consent was given",
        validators=[at_most(2000, "The reason")],
    )

    REASON_MISSING = {
        "consent_overridden": "Explain why consent was overridden",
        "no_consent_sought": "Explain why consent was not sought",
    }

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        missing = self.REASON_MISSING.get(self.lawful_basis.data)
        if missing and not self.lawful_basis_reason.data and not self.lawful_basis_reason.errors:
            self.lawful_basis_reason.errors.append(missing)
            valid = False
        return valid

    def set_agencies(self, agencies, own_agency_id: str) -> None:
        """Every agency except the user's own; external bodies marked, as local timescales do not apply to them."""
        self.to_agency_id.choices = choices(
            ((a.id, f"{a.name} (external)" if a.external else a.name) for a in agencies if a.id != own_agency_id),
            "Select an agency",
        )

    def urgency_params(self) -> dict:
        return {"items": [{"hint": {"text": timescale_hint(u)}} for u in URGENCIES]}

    def lawful_basis_params(self) -> dict:
        return {"items": [{"hint": {"text": LAWFUL_BASIS_HINTS[code]}} for code, _label in LAWFUL_BASIS_CHOICES]}

    def referral_data(self, about: dict) -> dict:
        """What the service takes; `about` names the person (person_id) or the place or group (subject)."""
        return {**self._shared_data(about), "to_agency_id": self.to_agency_id.data}

    def _shared_data(self, about: dict) -> dict:
        basis = self.lawful_basis.data or None
        return {
            **about,
            "urgency": self.urgency.data,
            "reason": self.reason.data,
            "lawful_basis": basis,
            "lawful_basis_reason": self.lawful_basis_reason.data if basis in self.REASON_MISSING else None,
        }


class ReceivedReferralForm(ReferralForm):
    """A referral the user's agency received from a body outside the partnership (SPEC 3), recorded as it arrives."""

    to_agency_id = None  # the user's own agency
    from_agency_id = SelectField(
        "Received from",
        widget=GovSelect(),
        default="",
        validators=[InputRequired("Select the agency the referral came from")],
    )

    def set_agencies(self, agencies, own_agency_id: str) -> None:
        """The bodies outside the partnership: a partner agency's practitioners send their own referrals."""
        self.own_agency_id = own_agency_id
        self.from_agency_id.choices = choices(
            ((a.id, a.name) for a in agencies if a.external), "Select an agency outside the partnership"
        )

    received_on = GovDateField(
        "Date it was received (optional)", description="Leave blank for now. For example, 27 11 2026", past=True
    )
    received_time = StringField(
        "Time it was received",
        widget=GovTextInput(),
        description=TIME_HINT,
        validators=[Optional(), clock_time("Enter the time it was received as hours and minutes, like 18:30")],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # A date and a time, or neither: checked once both fields have been (an empty time stops its own checks).
        if self.received_on.data and not self.received_time.data and not self.received_time.errors:
            self.received_time.errors.append("Enter the time it was received")
        if self.received_time.data and not self.received_on.data and not self.received_on.errors:
            self.received_on.errors.append("Enter the date it was received too")
        return valid and not (self.received_on.errors or self.received_time.errors)

    def referral_data(self, about: dict) -> dict:
        return {
            **self._shared_data(about),
            "from_agency_id": self.from_agency_id.data,
            "to_agency_id": self.own_agency_id,
            "received_at": local_iso(self.received_on.data, self.received_time.data),
        }


class StepForm(BaseForm):
    """Acknowledge or withdraw: nothing to fill in but the CSRF token."""


class AcceptForm(BaseForm):
    case_id = SelectField("Case", widget=GovSelect(), default="", validators=[Optional()])
    concerns = SelectMultipleField(
        "Concerns for the new case",
        widget=Checkboxes(),
        description="Select all that apply. A case you link keeps its own",
        choices=choices((c, CONCERN_LABELS[c]) for c in CONCERNS),
    )

    def validate_concerns(self, field) -> None:
        if self.opens_case and not self.case_id.data and not field.data:
            raise ValidationError("Select at least one concern for the new case")

    def acceptance(self) -> dict:
        """What the service takes: the case to link, or the new case's concerns (nothing for an outside body)."""
        if not self.opens_case:
            return {}
        if self.case_id.data:
            return {"case_id": self.case_id.data, **({"concerns": self.concerns.data} if self.concerns.data else {})}
        return {"case_id": None, "concerns": self.concerns.data}

    def set_cases(self, open_cases, *, outside: bool = False) -> None:
        """The cases accepting may link; outside: the referral went to a body outside the partnership, whose
        acceptance its sender records, which opens or links no case here."""
        self.opens_case = not outside
        self.case_id.choices = choices(
            (
                (c.id, f"Case opened {c.opened_on.day} {c.opened_on:%B %Y}, led by {c.lead_agency.name}")
                for c in open_cases
            ),
            "Open a new case in your agency",
        )


class DeclineForm(BaseForm):
    decline_reason = TextAreaField(
        "Why are you declining this referral?",
        widget=GovTextArea(),
        description="For example, below threshold and signposted to Early Help. The sender will read this",
        validators=[InputRequired("Enter the reason for declining the referral"), at_most(1000, "The reason")],
    )
