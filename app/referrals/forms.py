"""Forms for referrals: making one, and the receiving agency's and the sender's steps."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.forms import BaseForm, choices
from app.people.fields import Radios, at_most
from app.referrals.labels import LAWFUL_BASIS_LABELS, URGENCY_LABELS, timescale_hint
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
    # One reason box under each choice that needs one, as GOV.UK conditional radios do.
    overridden_reason = TextAreaField(
        "Why was consent overridden?",
        widget=GovTextArea(),
        validators=[at_most(2000, "The reason")],
    )
    not_sought_reason = TextAreaField(
        "Why was consent not sought?",
        widget=GovTextArea(),
        validators=[at_most(2000, "The reason")],
    )

    REASON_FIELDS = {"consent_overridden": "overridden_reason", "no_consent_sought": "not_sought_reason"}
    REASON_MISSING = {
        "overridden_reason": "Explain why consent was overridden",
        "not_sought_reason": "Explain why consent was not sought",
    }

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        reason_field = self.REASON_FIELDS.get(self.lawful_basis.data)
        if reason_field and not self[reason_field].data and not self[reason_field].errors:
            self[reason_field].errors.append(self.REASON_MISSING[reason_field])
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

    def lawful_basis_params(self, reason_html: dict) -> dict:
        items = []
        for code, _label in LAWFUL_BASIS_CHOICES:
            item = {"hint": {"text": LAWFUL_BASIS_HINTS[code]}}
            if code in reason_html:
                item["conditional"] = {"html": reason_html[code]}
            items.append(item)
        return {"items": items}

    def referral_data(self, person_id: str) -> dict:
        basis = self.lawful_basis.data or None
        reason_field = self.REASON_FIELDS.get(basis)
        return {
            "person_id": person_id,
            "to_agency_id": self.to_agency_id.data,
            "urgency": self.urgency.data,
            "reason": self.reason.data,
            "lawful_basis": basis,
            "lawful_basis_reason": self[reason_field].data if reason_field else None,
        }

    def service_fields(self) -> dict[str, str]:
        """Where the service's messages belong: the basis's reason goes under the chosen radio."""
        return {"lawful_basis_reason": self.REASON_FIELDS.get(self.lawful_basis.data, "lawful_basis")}


class StepForm(BaseForm):
    """Acknowledge or withdraw: nothing to fill in but the CSRF token."""


class AcceptForm(BaseForm):
    case_id = SelectField("Case", widget=GovSelect(), default="", validators=[Optional()])

    def set_cases(self, open_cases) -> None:
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
