"""The base form: CSRF (Flask-WTF) and whitespace stripping on every field."""

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters and unbound_field.field_class.__name__ not in ("PasswordField",):
                unbound_field.kwargs["filters"] = [*filters, _strip]
            return unbound_field.bind(form=form, **options)

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
