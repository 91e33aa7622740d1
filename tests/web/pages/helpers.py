"""Helpers for casework page tests: form posts, counts and what a page shows."""

from sqlalchemy import func, select

from app.extensions import db
from tests.web.helpers import page


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def post_form(client, form_path: str, data: dict, action: str | None = None, *, prefilled: bool = False):
    """Post to a page's form as a browser would: with the hidden inputs of the form on the page (the CSRF token, a
    record's version) as the page gave them, then `data` (action defaults to the page itself). prefilled: with every
    field as the page filled it in, as an edit page's untouched fields are sent."""
    target = action or form_path
    soup = page(client.get(form_path))
    forms = [form for form in soup.select("form") if form.select_one('input[name="csrf_token"]')]
    assert forms, f"no form with a CSRF field on {form_path}"
    form = next((form for form in forms if form.get("action") == target), forms[0])
    hidden = {field["name"]: field.get("value", "") for field in form.select('input[type="hidden"][name]')}
    return client.post(target, data={**(_filled_in(form) if prefilled else hidden), **data})


def _filled_in(form) -> dict:
    """What a browser sends of a form left as it is: inputs' values, textareas' text, ticked boxes and radios."""
    sent: dict[str, list[str]] = {}
    for field in form.select("input[name], textarea[name]"):
        if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        value = field.get_text() if field.name == "textarea" else field.get("value", "")
        sent.setdefault(field["name"], []).append(value.removeprefix("\n") if field.name == "textarea" else value)
    return sent


def post_confirmation(client, check_page, **changes):
    """Press the button on a page that shows what a form named, to act on it: its hidden inputs posted back (the
    CSRF token, the `step` and what was named), with any of them changed."""
    form = page(check_page).select_one('form:has(input[name="step"][value="confirm"])')
    hidden = {field["name"]: field.get("value", "") for field in form.select('input[type="hidden"][name]')}
    return client.post(form["action"], data={**hidden, **changes})


def dob(day: int | str, month: int | str, year: int | str) -> list[str]:
    """The three boxes of a GOV.UK date input, which share one name."""
    return [str(day), str(month), str(year)]


def error_summary(response) -> str:
    summary = page(response).select_one(".govuk-error-summary")
    assert summary is not None, "no error summary"
    return summary.get_text(" ", strip=True)


def assert_error_links_resolve(response) -> None:
    """Every link in the error summary goes to an element of the page (GOV.UK: to the field to fix)."""
    soup = page(response)
    for link in soup.select(".govuk-error-summary a"):
        target = link["href"].removeprefix("#")
        assert soup.find(id=target) is not None, f"error summary links to missing #{target}"


def main_text(response) -> str:
    return page(response).select_one("main").get_text(" ", strip=True)


def assert_strict_page(response):
    """assert_good_page, plus what the strict CSP and WCAG need: no inline styles, one inline script
    (the GOV.UK template's, allowed by hash), and a label for every visible form control."""
    from tests.web.helpers import assert_good_page

    soup = assert_good_page(response)
    assert not soup.select("[style]") and not soup.select("style"), "inline styles break the CSP"
    assert len([s for s in soup.select("script") if not s.get("src")]) <= 1, "inline scripts break the CSP"
    for control in soup.select("input, select, textarea"):
        if control.get("type") in ("hidden", "submit"):
            continue
        labelled = soup.select_one(f'label[for="{control.get("id")}"]') or control.get("aria-label")
        assert control.get("id") and labelled, f"unlabelled control {control}"
    return soup
