"""Form fields the casework pages share: the GOV.UK date input, a time of day, a record named by link or reference,
and service errors on fields."""

import re
from datetime import UTC, date, datetime, time

from flask import request
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovCheckboxInput, GovDateInput, GovRadioInput
from wtforms import Field, StringField
from wtforms.utils import unset_value
from wtforms.validators import Length, StopValidation, ValidationError

from app.extensions import db
from app.forms import field_subject
from app.people.labels import LONDON
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safeguarding.validation import uk_today

_PART_NAMES = ("a day", "a month", "a year")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


class DateInput(GovDateInput):
    """The GOV.UK date input; the field's id names the day box, so the error summary links to it."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params["id"] = field.name
        return params


class GovDateField(Field):
    """Day, month and year boxes that share one name; errors follow the GOV.UK date input pattern."""

    widget = DateInput()

    def __init__(self, label=None, validators=None, *, required: str | None = None, past: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required_message = required
        self.past = past
        self.id = f"{self.name}-day"
        self.parts = ("", "", "")

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if self.raw_data is not None:
            # The widget unpacks exactly three boxes, whatever the request carried.
            self.raw_data = self.parts if any(self.parts) else None

    def process_formdata(self, valuelist):
        values = [str(v).strip() for v in valuelist[:3]]
        self.parts = tuple(values + [""] * (3 - len(values)))
        self.data = None

    def _value(self):
        return " ".join(self.parts)

    def pre_validate(self, form):
        if self.data is not None and not any(self.parts):
            return  # given as a date, not typed in
        day, month, year = self.parts
        subject = field_subject(self)
        if not any(self.parts):
            raise StopValidation(self.required_message or "")
        missing = [name for name, part in zip(_PART_NAMES, self.parts, strict=True) if not part]
        if missing:
            raise StopValidation(f"{subject} must include {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise StopValidation(f"{subject} must be a real date")
        if len(year) != 4:
            raise StopValidation("Year must include 4 numbers")
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            raise StopValidation(f"{subject} must be a real date") from None
        if value.year < 1900:
            raise StopValidation(f"{subject} must be after 1900")
        if self.past and value > uk_today():
            raise StopValidation(f"{subject} must be today or in the past")
        self.data = value


TIME_HINT = "Use the 24-hour clock, for example 18:30"


def clock_time(message: str):
    """A validator for a 24-hour time such as 18:30 (or 18.30)."""

    def check(form, field):
        if field.data and not _TIME.match(field.data):
            raise ValidationError(message)

    return check


def parse_clock(value: str | None) -> time | None:
    match = _TIME.match(value or "")
    return time(int(match[1]), int(match[2])) if match else None


def shown_on_uk_clocks(day: date, clock: time) -> bool:
    """Whether UK clocks showed this time on this day: not in the hour skipped when they go forward in March."""
    local = datetime.combine(day, clock, tzinfo=LONDON)
    return local.astimezone(UTC).astimezone(LONDON).time() == clock


def local_iso(day: date | None, at: str | None) -> str | None:
    """A date and a time of day in UK time, as ISO 8601 with its offset (what the services expect)."""
    clock = parse_clock(at)
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock, tzinfo=LONDON).isoformat()


def reference_of(value):
    """The record id inside a pasted link or reference (or the text itself, for the service to refuse)."""
    if not isinstance(value, str):
        return value
    match = _UUID.search(value)
    return match[0].lower() if match else value.strip()


class ReferenceField(StringField):
    """A link to, or the reference of, a person, place or group."""

    def post_validate(self, form, validation_stopped):
        if self.data:
            self.data = reference_of(self.data)


def service_field(path: str, renames: dict[str, str] | None = None) -> str:
    """'$.aliases[2]' -> 'aliases'; a service's JSON path reduced to the form field it belongs to."""
    name = re.split(r"[.\[]", path.removeprefix("$."), maxsplit=1)[0]
    return (renames or {}).get(name, name)


def show_service_errors(form, fields: dict[str, str], renames: dict[str, str] | None = None, fallback=None) -> None:
    """Put a service's validation messages on the form's fields (unknown ones on the fallback field)."""
    mapped: dict[str, str] = {}
    for path, message in fields.items():
        name = service_field(path, renames)
        if name not in form._fields and fallback:
            name = fallback
        mapped.setdefault(name, message)
    form.apply_errors(mapped)


def reject_submission(form, failure, renames: dict[str, str] | None = None, fallback=None) -> None:
    """A service refused what the form sent (ValidationFailed): undo anything half-written, and show its messages
    on the form's fields."""
    db.session.rollback()
    show_service_errors(form, failure.fields, renames, fallback)


def confirming() -> bool:
    """Whether a form was posted from the page that showed what it names, to act on it (its `step`)."""
    return request.form.get("step") == "confirm"


def check_then_act(form, field: str, unknown: str, *, check, act):
    """A form that names a record by link or reference, posted first to show what it names (`check`), then from
    that page to act on it (`act`): the response of either, or None and the status to show the form again with.

    A service's refusal goes on the field, anything half-written undone: 422 for bad input (`unknown` when it names
    no such record), 409 for a conflict, 403 for a refusal (audited by the service)."""
    if not form.validate_on_submit():
        return None, 422 if form.errors else 200
    try:
        return (act if confirming() else check)(), None
    except ValidationFailed as failure:
        reject_submission(form, failure, fallback=field)
        return None, 422
    except (NotFound, Conflict, PermissionDenied) as problem:
        db.session.rollback()
        not_found = isinstance(problem, NotFound)
        form[field].errors = [*form[field].errors, unknown if not_found else problem.message]
        return None, 422 if not_found else problem.status


def at_most(limit: int, what: str) -> Length:
    """A length limit whose message says what to do."""
    return Length(max=limit, message=f"{what} must be {limit:,} characters or fewer")


class _WithoutEmptyHint:
    """govuk-frontend-wtf gives radios and checkboxes a hint even when the field has no description."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if not (params.get("hint") or {}).get("text"):
            params.pop("hint", None)
        return params


class Radios(_WithoutEmptyHint, GovRadioInput):
    pass


class Checkboxes(_WithoutEmptyHint, GovCheckboxesInput):
    pass


class Checkbox(_WithoutEmptyHint, GovCheckboxInput):
    pass
