"""The partnership report for safeguarding leads: the page (tables and charts) and its CSV download."""

from datetime import timedelta

from flask import Response, render_template, request

from app.extensions import db
from app.permissions import current_actor, leads
from app.reports import bp
from app.reports.charts import bar_chart
from app.reports.display import SUPPRESSION_NOTE, report_csv
from app.reports.forms import PeriodForm
from app.reports.periods import requested_period
from app.reports.tables import sections
from safeguarding import reports
from safeguarding.errors import ValidationFailed

# The service's field names for the ISO query string, and the form fields that show their errors.
PERIOD_FIELDS = {"start": "period_start", "end": "period_end"}


def _period_from_request() -> tuple[reports.Period | None, PeriodForm]:
    """The period asked for: the form's first and last days, ISO start and end, or the last full quarter."""
    args = request.args
    if any(name in args for name in PERIOD_FIELDS.values()):
        form = PeriodForm(formdata=args)
        if not form.validate():
            return None, form
        try:
            return form.period(), form
        except ValidationFailed as failure:
            form.apply_errors({PERIOD_FIELDS.get(k, k): v for k, v in failure.fields.items()})
            return None, form
    try:
        period = requested_period(args)
    except ValidationFailed as failure:
        form = PeriodForm(formdata=None)
        form.apply_errors({PERIOD_FIELDS.get(k, k): v for k, v in failure.fields.items()})
        return None, form
    return period, PeriodForm.showing(period)


@bp.get("/reports/partnership")
@leads
def partnership():
    period, form = _period_from_request()
    if period is None:
        return _page(form=form, report=None), 422
    report = reports.partnership_report(db.session, current_actor(), period)
    laid_out = sections(report)
    charts = {
        group.key: bar_chart(f"chart-{group.key.replace('_', '-')}", group.title, group.bars)
        for section in laid_out
        for group in section.groups
        if group.chart and group.rows  # with no rows the page says "None in either period" instead
    }
    return _page(
        form=form,
        report=report,
        period=period,
        previous=period.previous(),
        sections=laid_out,
        charts=charts,
    )


def _page(**context) -> str:
    return render_template(
        "reports/partnership.html", suppression_note=SUPPRESSION_NOTE, one_day=timedelta(days=1), **context
    )


@bp.get("/reports/partnership.csv")
@leads
def partnership_csv():
    period = requested_period(request.args)
    report = reports.partnership_report(db.session, current_actor(), period, action="export")
    body = report_csv(period, sections(report))
    last = period.end - timedelta(days=1)
    filename = f"safecontext-partnership-report-{period.start.isoformat()}-to-{last.isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})
