"""One way to say no: the same status on pages and API, JSON under /api, GOV.UK pages elsewhere."""

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from safeguarding.errors import PermissionDenied, SafeguardingError, ValidationFailed

log = logging.getLogger("safecontext.errors")

MESSAGES = {
    400: "The request could not be read",
    401: "Sign in with a valid token",
    403: "You do not have permission to do that",
    404: "Page not found",
    405: "That method is not allowed here",
    409: "The record was changed by someone else, or that step is not allowed now",
    413: "The request is too large",
    422: "Check the information you gave",
    423: "This account is locked",
    429: "Too many attempts. Wait a minute and try again",
    500: "Sorry, there is a problem with the service",
    503: "The service cannot record this access right now, so it cannot show the data. Try again shortly",
}

TITLES = {
    403: "You do not have permission to see this page",
    404: "Page not found",
    422: "There is a problem with the address of this page",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def error_response(status: int, message: str | None = None, **extra):
    message = message or MESSAGES.get(status, "Something went wrong")
    if wants_json():
        body = {"error": message, **extra}
        response = jsonify(body)
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="safecontext"'
        return response
    title = TITLES.get(status, message)
    # A page has no fields to highlight for an address it was given: it lists what to fix instead of the message.
    problems = list(extra.get("fields", {}).values())
    page = render_template(
        "errors/error.html", status=status, title=title, message=None if problems else message, problems=problems
    )
    return page, status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = exc.description if exc.code in (400, 422) and exc.description else None
        return error_response(exc.code or 500, message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, "The form has expired or was not sent from this service. Go back and try again")

    @app.errorhandler(SafeguardingError)
    def domain_error(exc: SafeguardingError):
        db.session.rollback()
        extra = {}
        if isinstance(exc, ValidationFailed):
            extra["fields"] = exc.fields
        if isinstance(exc, PermissionDenied):
            extra["break_glass_allowed"] = exc.break_glass_allowed
        return error_response(exc.status, exc.message, **extra)

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(exc: StaleDataError):
        # Two people acted on one record at once (its version moved between read and write): the later one lost.
        db.session.rollback()
        return error_response(409, "Someone else changed this record at the same moment. Reload it and try again")

    @app.errorhandler(SQLAlchemyError)
    def database_unavailable(exc: SQLAlchemyError):
        # A database that refuses a write (the change or its audit event) fails closed, and says so.
        db.session.rollback()
        log.exception("database error on %s %s", request.method, request.path)
        return error_response(
            503, "The service cannot save or record this right now. Nothing was changed. Try again shortly"
        )

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)
