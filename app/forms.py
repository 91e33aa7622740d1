"""The base form: CSRF (Flask-WTF), whitespace stripping on every field, and messages that name their field."""

import re

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput


def _strip(value):
    return value.strip() if isinstance(value, str) else value


# WTForms' own messages do not say which field they are about: each is said again with the field's label.
_GENERIC_MESSAGES = (
    (re.compile(r"Not a valid choice\.?|'.*' is not a valid choice for this field\.?"), "Select {label} from the list"),
    (re.compile(r"Field cannot be longer than (\d+) characters?\."), "{Label} must be {0} characters or fewer"),
    (re.compile(r"This field is required\."), "Enter {label}"),
)


def field_subject(field) -> str:
    """A field's label as the subject of a message: 'First seen (optional)' -> 'First seen'."""
    return str(field.label.text).removesuffix(" (optional)")


def _with_label(field, message: str) -> str:
    for pattern, wording in _GENERIC_MESSAGES:
        if match := pattern.fullmatch(str(message)):
            subject = field_subject(field)
            return wording.format(*match.groups(), label=subject[:1].lower() + subject[1:], Label=subject)
    return message


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters and unbound_field.field_class.__name__ not in ("PasswordField",):
                unbound_field.kwargs["filters"] = [*filters, _strip]
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.errors, list):
                field.errors[:] = [_with_label(field, message) for message in field.errors]
        return valid

    def apply_errors(self, fields: dict[str, str]) -> None:
        """Show a service's validation errors against the matching fields (others on the form)."""
        for name, message in fields.items():
            field = getattr(self, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
            else:
                self.form_errors.append(message)


def version_field() -> IntegerField:
    """The version of the record the page showed, posted back as a whole number: an edit based on a stale one is
    refused (409), never saved over another's change."""
    return IntegerField(widget=HiddenInput(), validators=[InputRequired("Reload the page and try again")])


def choices(pairs, prompt: str | None = None) -> list[SelectChoice]:
    """Select options from (value, label) pairs, with an optional empty first option asking to choose."""
    options = [SelectChoice("", prompt)] if prompt else []
    return options + [SelectChoice(value, label) for value, label in pairs]


def label_of(code: str) -> str:
    """A readable label for a fixed code: 'social_care' -> 'Social care'."""
    return code.replace("_", " ").capitalize()
