"""Interface languages (Flask-Babel): French by default, English too.

The language is, in order: the one named in the address (`?lang=en`, what the language links
and every link of a page read in a chosen language carry), the one a page's subject names
(`pin_language`: a signatory's mailed links open in the language they signed in), a `lang`
cookie set by earlier
versions, the browser's preference (`Accept-Language`), the association's language, the
instance's `language` setting.

Why in the address: a shared cache (nginx, a CDN) keeps one copy per address, so a page in
English and the same page in French are two addresses and never mix, and no cookie is needed
(a cookie would make every page private to one visitor). A page chosen by the browser's
preference says `Vary: Accept-Language`, which caches honour. `<link rel="alternate"
hreflang>` names each language's address.
"""

from datetime import date
from urllib.parse import urlencode

from flask import current_app, g, has_request_context, redirect, request
from flask_babel import Babel, get_locale, refresh

from chaton.core import formats

LANGUAGES = ("fr", "en")
PARAM = "lang"
COOKIE = "lang"
# endpoints whose addresses do not change with the language (files, machines' documents)
NEUTRAL = {"theme_static", "orgs.media", "orgs.rendition", "branding.stylesheet", "orgs.source",
           "orgs.health", "petitions.qr_code", "choose_language"}


def select_locale():
    if not request:
        return current_app.config["CHATON"]["language"]
    named = request.args.get(PARAM)
    if named in LANGUAGES:
        g.language_in_url = named
        return named
    pinned = g.get("pinned_language")
    if pinned in LANGUAGES:  # its addresses stay as mailed: the next page pins it again
        return pinned
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    g.language_negotiated = True
    preferred = request.accept_languages.best_match(LANGUAGES)
    if preferred:
        return preferred
    association = g.get("association")
    if association is not None and association.language in LANGUAGES:
        return association.language
    return current_app.config["CHATON"]["language"]


def _named_in_address():
    named = request.args.get(PARAM) if has_request_context() else None
    return named if named in LANGUAGES else None


def pin_language(code):
    """This page is in `code` unless its address names another language (a signatory's pages,
    opened from a mail whose links do not say the language they were written in)."""
    g.pinned_language = code
    refresh()  # a language chosen earlier in this request is chosen again


def keep_language(endpoint, values):
    """Links of a page read in a language named in its address keep that language (also when
    nothing was translated yet, as in the redirect that answers a form)."""
    named = g.get("language_in_url") or _named_in_address()
    if named and endpoint not in NEUTRAL and PARAM not in values:
        values[PARAM] = named


def vary_on_language(response):
    """A page whose language came from the browser's preference varies with it."""
    if g.get("language_negotiated"):
        response.vary.add("Accept-Language")
    return response


def address_in(code):
    """This page's address in another language (`?lang=code`, other parameters kept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != PARAM]
    return request.path + "?" + urlencode([*args, (PARAM, code)])


def choose_language(code):
    """Older links (/lang/<code>?next=...): go back where they were, in that language."""
    from chaton.core.security import safe_next

    target = safe_next(request.args.get("next"), "/")
    if code in LANGUAGES:
        path, _, query = target.partition("?")
        args = [pair for pair in query.split("&") if pair and not pair.startswith(PARAM + "=")]
        target = path + "?" + "&".join([*args, f"{PARAM}={code}"])
    return redirect(target, code=303)


def init_app(app):
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    app.add_url_rule("/lang/<code>", "choose_language", choose_language)
    app.url_defaults(keep_language)
    app.after_request(vary_on_language)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale, today=date.today,
                                 address_in=address_in)
    formats.install(app)
