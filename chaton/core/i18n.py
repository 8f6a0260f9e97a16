"""Interface languages (Flask-Babel): French by default, English too.

The language is, in order: the visitor's explicit choice (a cookie set by /lang/<code>), the
association's language, the instance's `language` setting.
"""

from datetime import date

from flask import current_app, g, redirect, request
from flask_babel import Babel, format_date, format_datetime, format_number, get_locale

LANGUAGES = ("fr", "en")
COOKIE = "lang"


def select_locale():
    chosen = request.cookies.get(COOKIE) if request else None
    if chosen in LANGUAGES:
        return chosen
    association = g.get("association")
    if association is not None and association.language in LANGUAGES:
        return association.language
    return current_app.config["CHATON"]["language"]


def choose_language(code):
    """Remember the visitor's language and go back where they were (same site only)."""
    from chaton.core.security import safe_next

    response = redirect(safe_next(request.args.get("next"), "/"), code=303)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


def init_app(app):
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    app.add_url_rule("/lang/<code>", "choose_language", choose_language)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale, today=date.today)
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["date"] = lambda d, fmt="long": format_date(d, fmt) if d else ""
    app.jinja_env.filters["datetime"] = lambda d, fmt="medium": format_datetime(d, fmt) if d else ""
