"""Error pages: every refusal is a clear page in the visitor's language, never a traceback."""

import logging

import peewee
from flask import make_response, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from chaton.core.themes import render

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You are not allowed to see this page."),
    404: _l("This page does not exist (or no longer exists)."),
    405: _l("This address does not accept this kind of request."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts from your connection. Please wait a few minutes and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
    503: _l("The site is very busy. Nothing was saved: please try again in a moment."),
}


def error_page(code, message=None, detail=None):
    """A themed error page with the given status; `detail` says why, under the message."""
    text = message or MESSAGES.get(code, MESSAGES[400])
    wants_json = request.path.endswith(".json")
    if wants_json:
        return {"error": str(text) + (f" {detail}" if detail else ""), "status": code}, code
    try:
        return render("error.html", code=code, message=text, detail=detail), code
    except Exception:  # a broken theme must not turn a 404 into a 500 loop
        log.exception("cannot render the error page")
        return f"Error {code}", code, {"Content-Type": "text/plain; charset=utf-8"}


def handle_http(exc):
    return error_page(exc.code or 500)


def handle_csrf(exc):
    return error_page(400, _l("This form has expired or was not sent from this site. "
                              "Please go back, reload the page and try again."))


def handle_database_busy(exc):
    """The database gave up a wait (a lock held too long, a lost connection): the transaction
    was rolled back, nothing was saved, and trying again in a moment will work."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path,
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    response = make_response(error_page(503))
    response.headers["Retry-After"] = "5"
    return response


def handle_unexpected(exc):
    log.exception("unexpected error on %s %s", request.method, request.path)
    return error_page(500)


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(peewee.OperationalError, handle_database_busy)
    app.register_error_handler(peewee.InterfaceError, handle_database_busy)
    app.register_error_handler(Exception, handle_unexpected)
