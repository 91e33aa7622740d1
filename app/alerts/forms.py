"""The alerts page's filter: a GET form, so no CSRF."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField
from wtforms.validators import AnyOf, Optional

from app.forms import BaseForm, choices
from app.people.labels import ALERT_LABELS
from safeguarding.alerts import ALERT_KINDS


class AlertFilterForm(BaseForm):
    class Meta:
        csrf = False

    # The service's kinds, named from the one table of labels (a kind without a label fails at import).
    kind = SelectField(
        "Kind of alert",
        widget=GovSelect(),
        choices=choices(((kind, ALERT_LABELS[kind]) for kind in ALERT_KINDS), "All alerts"),
        validate_choice=False,
        validators=[Optional(), AnyOf(ALERT_KINDS, message="Select a kind of alert from the list")],
    )
