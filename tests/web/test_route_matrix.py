"""Every route declares its permission, matches the role x route matrix, and behaves as it says."""

import uuid

import pytest

from models.user import ROLES
from tests.web.route_matrix import MATRIX, PUBLIC


def routes(app):
    for rule in app.url_map.iter_rules():
        yield rule, app.view_functions[rule.endpoint]


def test_every_route_has_a_permission_and_a_row_in_the_matrix(app):
    missing_decorator = [rule.rule for rule, view in routes(app) if not hasattr(view, "permission")]
    assert missing_decorator == [], "routes without a permission decorator"
    missing_row = sorted({rule.endpoint for rule, _ in routes(app)} - set(MATRIX))
    assert missing_row == [], "routes missing from tests/web/route_matrix.py"
    wrong = {
        rule.endpoint: sorted(view.permission) for rule, view in routes(app) if view.permission != MATRIX[rule.endpoint]
    }
    assert wrong == {}, "decorator and matrix disagree"


def placeholder_url(app, rule, record_id: str | None = None) -> str:
    """Fill each URL variable with a value that parses but names no record, or record_id (or the first allowed
    word)."""
    values = {}
    for name in rule.arguments:
        items = getattr(rule._converters[name], "items", None)
        values[name] = sorted(items)[0] if items else record_id or str(uuid.uuid4())
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def protected_rules(app):
    for rule, view in routes(app):
        if view.permission != PUBLIC:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method, view.permission


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_exactly_where_the_matrix_says(app, login, api, make_user, role):
    user = make_user(role)
    headers = api(user)
    app.config["WTF_CSRF_ENABLED"] = False  # the permission check is under test here, not CSRF
    # Sign-out ends every session and token of the account, and ending the token ends the token, so they come last.
    ending = ("api.revoke_current_token", "auth.sign_out")
    for rule, method, allowed in sorted(protected_rules(app), key=lambda r: r[0].endpoint in ending):
        url = placeholder_url(app, rule)
        if rule.endpoint.startswith("api."):
            response = app.test_client().open(url, method=method, headers=headers, json={})
        else:
            response = login(user).open(url, method=method)
        if role in allowed:
            assert response.status_code != 403, (method, url)
        else:
            assert response.status_code == 403, (method, url, response.status_code)


def test_an_id_no_column_can_hold_names_no_record_on_any_page(app, login, make_user):
    """A NUL in a page's address (PostgreSQL refuses one in a query) is an unknown record, not a failed database."""
    app.config["WTF_CSRF_ENABLED"] = False
    clients = {}
    for rule, method, allowed in protected_rules(app):
        if rule.endpoint.startswith("api.") or not any(name.endswith("_id") for name in rule.arguments):
            continue
        role = sorted(allowed)[0]
        client = clients.get(role) or clients.setdefault(role, login(make_user(role)))
        response = client.open(placeholder_url(app, rule, record_id="\x00x"), method=method)
        assert response.status_code == 404, (method, rule.rule, response.status_code)


def test_anonymous_callers_are_sent_to_sign_in_or_get_401(app, client):
    app.config["WTF_CSRF_ENABLED"] = False  # so that the permission check, not CSRF, answers a POST
    for rule, method, _allowed in protected_rules(app):
        response = client.open(placeholder_url(app, rule), method=method)
        if rule.endpoint.startswith("api."):
            assert response.status_code == 401, (method, rule.rule)
            assert response.is_json
        else:
            assert response.status_code == 302, (method, rule.rule)
            assert response.headers["Location"].startswith("/sign-in")


def test_text_no_column_can_hold_never_gets_a_500_from_any_api_route(app, api, make_user):
    """A lone surrogate (valid JSON, not encodable as UTF-8) in every field an API route reads is refused."""
    users = {}
    odd = "x\udc80"
    body = {name: odd for name in ("name", "reason", "summary", "notes", "given_name", "family_name", "username")}
    for rule, method, allowed in protected_rules(app):
        if not rule.endpoint.startswith("api.") or method not in ("POST", "PATCH", "PUT"):
            continue
        role = sorted(allowed)[0]
        headers = users.get(role) or users.setdefault(role, api(make_user(role)))
        response = app.test_client().open(placeholder_url(app, rule), method=method, headers=headers, json=body)
        assert response.status_code in (404, 422), (method, rule.rule, response.status_code)
        if response.status_code == 422:
            assert response.get_json()["fields"], (method, rule.rule)
