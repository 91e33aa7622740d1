"""Forms for people: the search, recording a person, emergency access, relationships and missing episodes."""

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.forms import BaseForm, choices, version_field
from app.people.fields import (
    TIME_HINT,
    Checkbox,
    Checkboxes,
    GovDateField,
    Radios,
    ReferenceField,
    at_most,
    clock_time,
    local_iso,
    parse_clock,
    shown_on_uk_clocks,
)
from app.people.identifiers import IDENTIFIER_LABELS, IdentifierField
from app.people.labels import SEX_LABELS, label
from models.context import ALL_RELATIONSHIP_KINDS, PLACE_KINDS, RELATIONSHIP_KINDS
from models.person import SEXES
from safeguarding.context_directory import LISTED_KINDS
from safeguarding.contexts import GRADING_HANDLING, GRADING_INFORMATION, GRADING_SOURCE
from safeguarding.people import PURPOSE_MAX
from safeguarding.runtime import current as runtime


class SearchForm(BaseForm):
    given_name = StringField("Given name", widget=GovTextInput(), validators=[at_most(100, "Given name")])
    family_name = StringField("Family name", widget=GovTextInput(), validators=[at_most(100, "Family name")])
    date_of_birth = GovDateField(
        "Date of birth", description="For example, 27 3 2011. Leave blank if you do not know it", past=True
    )


class PersonForm(BaseForm):
    given_name = StringField(
        "Given name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person's given name"),
            at_most(100, "Given name"),
        ],
    )
    family_name = StringField(
        "Family name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person's family name"),
            at_most(100, "Family name"),
        ],
    )
    aliases = TextAreaField(
        "Other names, aliases and street names (optional)",
        widget=GovTextArea(),
        description="One name on each line",
        validators=[at_most(2100, "Aliases")],
    )
    date_of_birth = GovDateField(
        "Date of birth",
        description="For example, 27 3 2011. If you do not know it, enter your best estimate and tick the box below",
        required="Enter the person's date of birth, or your best estimate of it",
        past=True,
    )
    dob_estimated = BooleanField("The date of birth is estimated", widget=Checkbox())
    sex = RadioField(
        "Sex (optional)",
        widget=Radios(),
        choices=choices((code, SEX_LABELS[code]) for code in SEXES),
        validators=[Optional()],
    )
    ethnicity = StringField("Ethnicity (optional)", widget=GovTextInput(), validators=[at_most(100, "Ethnicity")])
    first_language = StringField(
        "First language (optional)", widget=GovTextInput(), validators=[at_most(100, "First language")]
    )
    special_needs = TextAreaField(
        "Special educational needs (optional)",
        widget=GovTextArea(),
        description="For example, an EHC plan, SEN support, or needs being assessed",
        validators=[at_most(1000, "Special educational needs")],
    )
    address = TextAreaField("Address (optional)", widget=GovTextArea(), validators=[at_most(500, "Address")])
    phone = StringField("Phone number (optional)", widget=GovTextInput(), validators=[at_most(40, "Phone number")])
    nhs_number = IdentifierField("nhs_number", description="10 digits, like 485 777 3456")
    pnc = IdentifierField("pnc", description="Like 12/345678A")
    upn = IdentifierField("upn", description="A letter then 12 digits, from the school")
    notes = TextAreaField("Notes (optional)", widget=GovTextArea(), validators=[at_most(10_000, "Notes")])
    flags = SelectMultipleField(
        "Flags (optional)",
        widget=Checkboxes(),
        description="Select all that apply. Your name is recorded against each flag you set",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # SPEC 2's flags and any the deployment adds, known only once the app is configured.
        self.flags.choices = choices((code, label(code, "flag")) for code in runtime().person_flags)

    def person_data(self, stored_identifiers: dict | None = None) -> dict:
        """The fields as the people service takes them; stored identifiers the form does not offer are kept."""
        kept = {k: v for k, v in (stored_identifiers or {}).items() if k not in IDENTIFIER_LABELS}
        typed = {code: self[code].data for code in IDENTIFIER_LABELS if self[code].data}
        born = self.date_of_birth.data
        return {
            "given_name": self.given_name.data,
            "family_name": self.family_name.data,
            "aliases": [line.strip() for line in (self.aliases.data or "").splitlines() if line.strip()],
            "date_of_birth": born.isoformat() if born else None,
            "dob_estimated": bool(self.dob_estimated.data),
            "sex": self.sex.data or None,
            "ethnicity": self.ethnicity.data,
            "first_language": self.first_language.data,
            "special_needs": self.special_needs.data,
            "address": self.address.data,
            "phone": self.phone.data,
            "notes": self.notes.data,
            "identifiers": {**kept, **typed},
            "flags": list(self.flags.data or []),
        }


class EditPersonForm(PersonForm):
    version = version_field()

    def fill(self, stored: dict) -> None:
        """Show the stored fields (person_data's shape) for editing."""
        for name, value in stored.items():
            if name in self:
                self[name].data = value
        for code in IDENTIFIER_LABELS:
            self[code].data = (stored["identifiers"] or {}).get(code)
        self.aliases.data = "\n".join(stored["aliases"] or [])
        self.date_of_birth.data = date.fromisoformat(stored["date_of_birth"]) if stored["date_of_birth"] else None


class PurposeForm(BaseForm):
    purpose = StringField(
        "Why are you looking at this record?",
        widget=GovTextInput(),
        description="For example, preparing for a strategy meeting. It is kept with the record of this access",
        validators=[InputRequired("Enter why you are looking at this record"), at_most(PURPOSE_MAX, "The purpose")],
    )


class BreakGlassForm(BaseForm):
    reason = TextAreaField(
        "Why do you need emergency access to this record?",
        widget=GovTextArea(),
        description="At least 20 characters. Say what has happened and why you cannot wait for a case or referral",
        validators=[
            InputRequired("Explain why you need emergency access"),
            Length(min=20, message="Explain why you need emergency access in at least 20 characters"),
            at_most(2000, "The reason"),
        ],
    )


def _kind_choices():
    family_of = {kind: family for family, kinds in RELATIONSHIP_KINDS.items() for kind in kinds}
    return [(kind, f"{label(family_of[kind])}: {label(kind, 'kind').lower()}") for kind in ALL_RELATIONSHIP_KINDS]


GRADING_PROMPT = "Not graded"


class RelationshipForm(BaseForm):
    kind = SelectField(
        "Kind of relationship",
        widget=GovSelect(),
        default="",
        choices=choices(_kind_choices(), "Select the kind of relationship"),
        validators=[InputRequired("Select the kind of relationship")],
    )
    target = ReferenceField(
        "Link to, or reference of, the other person, place or group",
        widget=GovTextInput(),
        description="Open their page in SafeContext and copy its address or the reference shown there. "
        "Family, peer, concern and trusted-adult relationships join two people; the others join a place or a group",
        validators=[
            InputRequired("Enter the link or reference of the person, place or group"),
            at_most(300, "The link or reference"),
        ],
    )
    first_seen = GovDateField("First seen (optional)", description="For example, 14 2 2026", past=True)
    last_seen = GovDateField("Last seen (optional)", description="For example, 1 3 2026", past=True)
    grading_source = SelectField(
        "Source", widget=GovSelect(), default="", choices=choices([(s, s) for s in GRADING_SOURCE], GRADING_PROMPT)
    )
    # The GOV.UK select macro writes option values in lower case: the letter grades are read back in upper case.
    grading_information = SelectField(
        "Information",
        widget=GovSelect(),
        default="",
        coerce=str.upper,
        choices=choices([(i, i) for i in GRADING_INFORMATION], GRADING_PROMPT),
    )
    grading_handling = SelectField(
        "Handling",
        widget=GovSelect(),
        default="",
        coerce=str.upper,
        choices=choices([(h, h) for h in GRADING_HANDLING], GRADING_PROMPT),
    )
    notes = TextAreaField("Notes (optional)", widget=GovTextArea(), validators=[at_most(5000, "Notes")])

    def relationship_data(self, person_id: str, target_type: str) -> dict:
        grades = (self.grading_source.data, self.grading_information.data, self.grading_handling.data)
        return {
            "source": {"type": "person", "id": person_id},
            "target": {"type": target_type, "id": self.target.data},
            "kind": self.kind.data,
            "first_seen": self.first_seen.data.isoformat() if self.first_seen.data else None,
            "last_seen": self.last_seen.data.isoformat() if self.last_seen.data else None,
            "grading": dict(zip(("source", "information", "handling"), grades, strict=True)) if any(grades) else None,
            "notes": self.notes.data,
        }


class EpisodeReturnForm(BaseForm):
    """The return and the return-home interview offer: recorded with the episode, or later as they happen."""

    returned_on = GovDateField("Date returned (optional)", description="Leave blank if still missing", past=True)
    returned_time = StringField(
        "Time returned (optional)",
        widget=GovTextInput(),
        description=TIME_HINT,
        validators=[clock_time("Enter the time returned as hours and minutes, like 07:15")],
    )
    interview_on = GovDateField("Date the return-home interview was offered (optional)", past=True)
    interview_time = StringField(
        "Time the return-home interview was offered (optional)",
        widget=GovTextInput(),
        description=TIME_HINT,
        validators=[clock_time("Enter the time the interview was offered as hours and minutes, like 10:00")],
    )

    PAIRS = (("returned_on", "returned_time", "return"), ("interview_on", "interview_time", "interview offer"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for day, at, what in self.PAIRS:
            day_field, time_field = self[day], self[at]
            if day_field.data and not time_field.data and not time_field.errors:
                time_field.errors.append(f"Enter the time of the {what}")
                valid = False
            if time_field.data and not day_field.data and not day_field.errors:
                day_field.errors.append(f"Enter the date of the {what}")
                valid = False
            clock = parse_clock(time_field.data)
            if day_field.data and clock and not time_field.errors and not shown_on_uk_clocks(day_field.data, clock):
                time_field.errors.append(
                    f"UK clocks did not show {clock:%H:%M} that day: they went forward from 01:00 to 02:00. "
                    f"Enter the time as the clock showed it"
                )
                valid = False
        return valid

    def return_data(self) -> dict:
        return {
            "returned_at": local_iso(self.returned_on.data, self.returned_time.data),
            "return_interview_offered_at": local_iso(self.interview_on.data, self.interview_time.data),
        }


class MissingEpisodeForm(EpisodeReturnForm):
    PAIRS = (("reported_on", "reported_time", "report"), *EpisodeReturnForm.PAIRS)

    reported_on = GovDateField(
        "Date reported missing", required="Enter the date the child was reported missing", past=True
    )
    reported_time = StringField(
        "Time reported missing",
        widget=GovTextInput(),
        description=TIME_HINT,
        validators=[
            InputRequired("Enter the time the child was reported missing"),
            clock_time("Enter the time reported missing as hours and minutes, like 18:30"),
        ],
    )
    found_at = ReferenceField(
        "Where the child was found (optional)",
        widget=GovTextInput(),
        description="The link to, or reference of, the place in SafeContext",
        validators=[at_most(300, "The link or reference")],
    )

    def episode_data(self) -> dict:
        return {
            "reported_at": local_iso(self.reported_on.data, self.reported_time.data),
            **self.return_data(),
            "found_at_place_id": self.found_at.data or None,
        }


class EpisodeUpdateForm(EpisodeReturnForm):
    version = version_field()

    def update_data(self) -> dict:
        """Only what was entered: a blank field leaves what is already recorded as it is."""
        return {key: value for key, value in self.return_data().items() if value} | {"version": self.version.data}


class MoveEpisodeForm(BaseForm):
    version = version_field()
    to_person = ReferenceField(
        "Link to, or reference of, the right child's record",
        widget=GovTextInput(),
        description="Open their record in SafeContext and copy its address or the reference shown there",
        validators=[InputRequired("Enter the link or reference of the right child's record"), at_most(300, "The link")],
    )


class EndRelationshipForm(BaseForm):
    ended_on = GovDateField(
        "Date the relationship ended (optional)", description="For example, 27 3 2026. Leave blank for today", past=True
    )


class ReviewMembershipForm(BaseForm):
    """Nothing but the CSRF token: confirming a membership is a button on the relationships table."""


class MergeForm(BaseForm):
    duplicate = ReferenceField(
        "Link to, or reference of, the duplicate record",
        widget=GovTextInput(),
        description="Open the duplicate's page in SafeContext and copy its address or the reference shown there",
        validators=[
            InputRequired("Enter the link or reference of the duplicate record"),
            at_most(300, "The link or reference"),
        ],
    )


class MergeConfirmForm(MergeForm):
    """The merge confirmed on the page that showed both records, with the versions they were shown at."""

    survivor_version = version_field()
    duplicate_version = version_field()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.survivor_version.errors or self.duplicate_version.errors:
            # Hidden on the page: nothing to correct there but to look at the two records again.
            self.survivor_version.errors = self.duplicate_version.errors = []
            self.duplicate.errors = [*self.duplicate.errors, "Continue to check the two records again"]
        return valid


class GroupFinderForm(BaseForm):
    """A GET form: a search has its own address, and changes nothing."""

    class Meta:
        csrf = False

    name = StringField("Name holds", widget=GovTextInput(), validators=[at_most(200, "The name")])


class PlaceFinderForm(GroupFinderForm):
    kind = SelectField(
        "Kind of place",
        widget=GovSelect(),
        choices=choices(((k, label(k)) for k in LISTED_KINDS), "Any kind"),
        validate_choice=False,  # checked by the directory, with a GOV.UK message
    )
    area = StringField("Area or ward", widget=GovTextInput(), validators=[at_most(120, "Area or ward")])


class PlaceForm(BaseForm):
    name = StringField(
        "Name of the place",
        widget=GovTextInput(),
        description="For example, Rowan Court stairwell, or Northbridge bus station",
        validators=[InputRequired("Enter the name of the place"), at_most(200, "The name")],
    )
    kind = RadioField(
        "Kind of place",
        widget=Radios(),
        choices=choices((k, label(k)) for k in PLACE_KINDS),
        validators=[InputRequired("Select the kind of place")],
    )
    area = StringField("Area or ward (optional)", widget=GovTextInput(), validators=[at_most(120, "Area or ward")])
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        description="What happens there and why it matters. Do not name young people here",
        validators=[at_most(5000, "The description")],
    )


class CorrectPlaceForm(PlaceForm):
    version = version_field()


class GroupForm(BaseForm):
    name = StringField(
        "Name of the group",
        widget=GovTextInput(),
        description="The name the group is known by, or a neutral description such as 'Rowan Court peer group'",
        validators=[InputRequired("Enter the name of the group"), at_most(200, "The name")],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        description="Avoid labelling young people: say what is known and how",
        validators=[at_most(5000, "The description")],
    )


class NewGroupForm(GroupForm):
    # Offered when the group comes from a proposed peer group: its people the recorder sees in full (choices are set
    # by the view), each recorded as a member in the same transaction as the group.
    members = SelectMultipleField(
        "Members",
        widget=Checkboxes(),
        description="Each person ticked is recorded as a member, due for review in 6 months. Untick anyone you do "
        "not know to be a member",
        choices=[],
    )


class CorrectGroupForm(GroupForm):
    version = version_field()
