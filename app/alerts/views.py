"""/alerts: the alerts the viewer may see, as GET /api/v1/alerts lists them (the same service, scoping and audit)."""

from flask import render_template, request

from app.alerts import bp
from app.alerts.forms import AlertFilterForm
from app.extensions import db
from app.permissions import current_actor, personal_data
from safeguarding import alerts, disclosure


@bp.get("/alerts")
@personal_data
def alerts_page():
    form = AlertFilterForm(formdata=request.args)
    if not form.validate():
        return render_template("alerts/alerts.html", form=form, rows=None), 422
    actor = current_actor()
    found = alerts.list_alerts(db.session, actor, form.kind.data or None)
    names = disclosure.full_names(db.session, actor, {a.person_id for a in found if a.person_id})
    places = alerts.place_names(db.session, found)
    # The service lists oldest first; a page of alerts reads newest first (stable, so the kinds keep their order).
    rows = [
        {"alert": a, "person_name": names.get(a.person_id), "place_name": places.get(a.place_id)}
        for a in sorted(found, key=lambda a: a.fired_on, reverse=True)
    ]
    return render_template("alerts/alerts.html", form=form, rows=rows, kind=form.kind.data or None)
