"""Forms for context pages: map filters (a GET form), assessments, meetings, weighting and safety ratings."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, ValidationError

from app.forms import BaseForm, choices
from app.people.fields import Checkbox, Checkboxes, GovDateField, Radios, ReferenceField, at_most
from app.people.labels import MEETING_LABELS, label
from models.context_work import CONTEXTS, MEETING_KINDS, SAFETY_RATINGS
from safeguarding.context_work import INTERVENTIONS

FAMILY_CHOICES = {
    "family": "Family",
    "peer": "Peers",
    "concern": "Concerns (exploitation suspected, adult contact)",
    "place": "Places (lives at, frequents, attends, seen at, found at)",
    "group": "Group membership",
    "protective": "Protective ties (trusted adult, guardian at a place)",
}
# The map's key and its summary of the filter name each family without the examples.
FAMILY_NAMES = {family: text.split(" (")[0] for family, text in FAMILY_CHOICES.items()}
INTERVENTION_LABELS = {
    "guardianship": "Guardianship (people who make the place or group safer)",
    "detached_youth_work": "Detached youth work",
    "licensing": "Licensing",
    "design_change": "Design change (lighting, layout, CCTV)",
    "policing": "Policing or disruption patrols",
    "education": "Education or awareness sessions",
    "disruption": "Disruption of those causing harm",
    "community_engagement": "Community engagement",
    "other": "Other",
}
# A person's meetings; a place or group has context conferences only.
PERSON_MEETING_KINDS = tuple(kind for kind in MEETING_KINDS if kind != "context_conference")
WEIGHT_LABELS = (("0", "None"), ("1", "Low"), ("2", "Medium"), ("3", "High"))
CONTEXT_LABELS = {
    "family": "Family",
    "peers": "Peers",
    "school": "School",
    "neighbourhood": "Neighbourhood",
    "online": "Online",
}


def intervention_label(code: str) -> str:
    return INTERVENTION_LABELS.get(code) or label(code)


def intervention_name(code: str) -> str:
    """An intervention in a plan: the words the form offered, without the examples in brackets."""
    return intervention_label(code).split(" (")[0]


RATING_LABELS = {"red": "Red: feels unsafe", "amber": "Amber: not sure", "green": "Green: feels safe"}


class MapFilterForm(BaseForm):
    """A GET form, so that a filtered map has its own address and works without JavaScript."""

    class Meta:
        csrf = False

    depth = RadioField(
        "How far from the centre",
        widget=Radios(),
        default="1",
        choices=choices([("1", "Direct links only"), ("2", "Two steps"), ("3", "Three steps")]),
    )
    kinds = SelectMultipleField(
        "Kinds of relationship",
        widget=Checkboxes(),
        description="Leave them all unselected to show every kind",
        choices=choices(FAMILY_CHOICES.items()),
    )
    since = GovDateField("Seen from (optional)", description="For example, 1 1 2026")
    until = GovDateField("Seen until (optional)", description="For example, 31 3 2026")

    def filters(self) -> dict:
        """The filter as the map service takes it."""
        return {
            "depth": self.depth.data or "1",
            "since": self.since.data.isoformat() if self.since.data else None,
            "until": self.until.data.isoformat() if self.until.data else None,
            "kinds": list(self.kinds.data or []) or None,
        }


class ConnectionForm(BaseForm):
    """A GET form: who to trace a connection to, so that the answer has its own address."""

    class Meta:
        csrf = False

    to = ReferenceField(
        "The other person's reference",
        widget=GovTextInput(),
        description="The reference on their record, or a link to it, like 3f2b6c1e-0d7a-4e59-9b8e-2c4f1a6d9e30",
        validators=[InputRequired("Enter the other person's reference"), at_most(300, "The reference")],
    )
    protective = BooleanField("Also trace through protective ties (trusted adults, guardians)", widget=Checkbox())


class InterventionForm(Form):
    intervention = SelectField(
        "Intervention",
        widget=GovSelect(),
        default="",
        choices=choices(((c, intervention_label(c)) for c in INTERVENTIONS), "Select an intervention"),
    )
    detail = StringField("What will be done", widget=GovTextInput(), validators=[at_most(2000, "The detail")])
    owner_agency_id = SelectField("Agency responsible", widget=GovSelect(), default="", choices=[])
    due_on = GovDateField("Due by (optional)", description="For example, 30 6 2026")

    def validate_intervention(self, field) -> None:
        if not field.data and (self.detail.data or self.owner_agency_id.data or any(self.due_on.parts)):
            raise ValidationError("Select the kind of intervention, or clear the other answers about it")


class ListsForm(BaseForm):
    """A base form whose lists of sub-forms take no filters (WTForms refuses them; their own fields strip)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if unbound_field.field_class in (FieldList, FormField):
                return unbound_field.bind(form=form, **options)
            return super().bind_field(form, unbound_field, options)


class AssessmentForm(ListsForm):
    findings = TextAreaField(
        "Findings",
        widget=GovTextArea(),
        description="What happens in this context, who is harmed there and what makes it safer or less safe",
        validators=[InputRequired("Enter the findings of the assessment"), at_most(20_000, "The findings")],
    )
    assessed_on = GovDateField("Date of the assessment (optional)", description="Leave blank for today", past=True)
    interventions = FieldList(FormField(InterventionForm), min_entries=3, max_entries=3)

    def set_agencies(self, agencies) -> None:
        for row in self.interventions:
            row.owner_agency_id.choices = choices(((a.id, a.name) for a in agencies), "Not assigned yet")

    def assessment_data(self, subject_type: str, subject_id: str) -> dict:
        plan = []
        for row in self.interventions:
            if not row.intervention.data:
                continue
            due = row.due_on.data
            plan.append(
                {
                    "intervention": row.intervention.data,
                    "detail": row.detail.data or None,
                    "owner_agency_id": row.owner_agency_id.data or None,
                    "due_on": due.isoformat() if due else None,
                }
            )
        return {
            "subject": {"type": subject_type, "id": subject_id},
            "findings": self.findings.data,
            "assessed_on": self.assessed_on.data.isoformat() if self.assessed_on.data else None,
            "interventions": plan,
        }


class ActionForm(Form):
    action = StringField("Action", widget=GovTextInput(), validators=[at_most(2000, "The action")])
    due_on = GovDateField("Due by (optional)", description="For example, 30 6 2026")


class MeetingForm(ListsForm):
    """A meeting about a subject: a person's asks its kind (strategy meeting or MACE panel); a place's or group's is
    a context conference."""

    kind = RadioField(
        "Kind of meeting",
        widget=Radios(),
        choices=choices((kind, MEETING_LABELS[kind]) for kind in PERSON_MEETING_KINDS),
        # Any other value (a context conference about a person) is refused in the same words as none.
        validate_choice=False,
        validators=[
            InputRequired("Select strategy meeting or MACE panel"),
            AnyOf(PERSON_MEETING_KINDS, message="Select strategy meeting or MACE panel"),
        ],
    )
    held_on = GovDateField(
        "Date of the conference", description="For example, 12 3 2026", required="Enter the date it was held", past=True
    )
    attendee_ids = SelectMultipleField("Who attended", widget=Checkboxes(), choices=[])
    not_invited_agency_ids = SelectMultipleField(
        "Agencies holding information who were not invited (optional)",
        widget=Checkboxes(),
        description="Reviews keep finding agencies that knew something missing from the room",
        choices=[],
    )
    decisions = TextAreaField(
        "Decisions",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the decisions made"), at_most(20_000, "The decisions")],
    )
    actions = FieldList(FormField(ActionForm), min_entries=3, max_entries=3)

    def __init__(self, subject_type: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.subject_type = subject_type
        if subject_type == "person":
            self.held_on.label.text = "Date of the meeting"
        else:
            del self.kind

    def set_people(self, users, agencies) -> None:
        self.attendee_ids.choices = choices((u.id, f"{u.display_name}, {u.agency.name}") for u in users)
        self.not_invited_agency_ids.choices = choices((a.id, a.name) for a in agencies)

    def meeting_kind(self) -> str:
        return self.kind.data if self.subject_type == "person" else "context_conference"

    def meeting_data(self, subject_id: str) -> dict:
        actions = [
            {"action": row.action.data, "due_on": row.due_on.data.isoformat() if row.due_on.data else None}
            for row in self.actions
            if row.action.data
        ]
        return {
            "kind": self.meeting_kind(),
            "subject": {"type": self.subject_type, "id": subject_id},
            "held_on": self.held_on.data.isoformat() if self.held_on.data else None,
            "attendee_ids": list(self.attendee_ids.data or []),
            "not_invited_agency_ids": list(self.not_invited_agency_ids.data or []),
            "decisions": self.decisions.data,
            "actions": actions,
        }


class WeightingForm(BaseForm):
    assessed_on = GovDateField("Date (optional)", description="Leave blank for today", past=True)

    def weighting_data(self) -> dict:
        weights = {
            context: {"harm": int(self[f"{context}_harm"].data), "safety": int(self[f"{context}_safety"].data)}
            for context in CONTEXTS
        }
        return {
            "weights": weights,
            "assessed_on": self.assessed_on.data.isoformat() if self.assessed_on.data else None,
        }


for _context in CONTEXTS:
    _name = CONTEXT_LABELS[_context]
    for _part, _what in (("harm", "harm"), ("safety", "safety")):
        setattr(
            WeightingForm,
            f"{_context}_{_part}",
            RadioField(
                f"{_name}: contribution to {_what}",
                widget=Radios(),
                choices=choices(WEIGHT_LABELS),
                validators=[InputRequired(f"Select how much {_name.lower()} contributes to {_what}")],
            ),
        )


class SafetyRatingForm(BaseForm):
    place = ReferenceField(
        "Link to, or reference of, the place",
        widget=GovTextInput(),
        description="Open the place's page in SafeContext and copy its address or the reference shown there",
        validators=[InputRequired("Enter the link or reference of the place"), at_most(300, "The link or reference")],
    )
    rating = RadioField(
        "How does the young person feel about this place?",
        widget=Radios(),
        choices=choices((r, RATING_LABELS[r]) for r in SAFETY_RATINGS),
        validators=[InputRequired("Select red, amber or green")],
    )
    rated_on = GovDateField("Date (optional)", description="Leave blank for today", past=True)

    def rating_data(self) -> dict:
        return {
            "place_id": self.place.data,
            "rating": self.rating.data,
            "rated_on": self.rated_on.data.isoformat() if self.rated_on.data else None,
        }
