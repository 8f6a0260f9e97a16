"""Request safety: CSRF (Flask-WTF), per-IP rate limits (Flask-Limiter), body size, proxies,
security headers. Nothing here is specific to a capability."""

import functools
import re
from urllib.parse import urlsplit

from flask import abort, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.middleware.proxy_fix import ProxyFix

from chaton.core import ratelimits
from chaton.core.text import first_control, strip_control

csrf = CSRFProtect()
# where it counts depends on the database (chaton.core.ratelimits.configure)
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def rate_limit(setting):
    """A Flask-Limiter decorator whose limit is read from a setting ('' disables it)."""
    return limiter.limit(
        lambda: current_app.config["CHATON"][setting] or "1000000 per second",
        exempt_when=lambda: not current_app.config["CHATON"][setting],
        methods=["POST"],
    )


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def from_this_site():
    """Whether a request was sent by a page of this site, as browsers tell it (Go 1.25's
    CrossOriginProtection): `Sec-Fetch-Site` when the browser sends it (every current one),
    else `Origin` against the host asked; a request with neither comes from no browser (an
    old one, a script, a mail client's one-click unsubscribe) and has no victim to abuse."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return bool(parts.netloc) and parts.netloc.lower() == request.host.lower()


def anonymous_form(view):
    """For the forms of people without an account (signing, joining a consultation, the
    buttons of mailed links): no session-bound token, so that the pages holding them can be
    cached and shared, and no cookie is set; a form posted from another site is refused (403).
    The honeypot, the rate limits and the e-mail confirmation stay. Signed-in forms keep their
    tokens. See docs/security.md."""
    @functools.wraps(view)
    def checked(*args, **kwargs):
        if request.method not in SAFE_METHODS and not from_this_site():
            abort(403)
        return view(*args, **kwargs)

    return csrf.exempt(checked)


def safe_next(target, default=""):
    """A local path to go back to after a form, or default: never another site."""
    target = re.sub(r"[\x00-\x20\\]", "", target or "")
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return default
    return target


def _has_nul(multidict):
    return any("\x00" in key or any("\x00" in v for v in values)
               for key, values in multidict.lists())


def refuse_nul_characters():
    """A NUL character in an address or its query is refused with a 400: nothing legitimate
    sends one, and PostgreSQL text cannot hold it (a lookup would end as a 500). In a form,
    every control character is removed from every field before any view reads it (core/text.py),
    except a NUL, refused (400) as a sign of a forged request."""
    if "\x00" in request.path or _has_nul(request.args):
        abort(400)
    if request.method == "POST" and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        if _has_nul(request.form):
            abort(400)
        if any(first_control(v) for values in request.form.listvalues() for v in values):
            request.form = ImmutableMultiDict(
                [(key, strip_control(value)) for key, value in request.form.items(multi=True)])


def add_headers(response):
    for key, value in HEADERS.items():
        response.headers.setdefault(key, value)
    framers = g.get("frame_ancestors")
    if framers is not None:  # a page other sites may frame (petitions/embed.py), and only them
        allowed = " ".join(framers) or "'none'"
        response.headers["Content-Security-Policy"] = CSP.replace(
            "frame-ancestors 'none'", f"frame-ancestors {allowed}")
        del response.headers["X-Frame-Options"]  # it has no allow-list; CSP replaces it
    if request.path.startswith(("/s/", "/admin", "/hoster")) or "/admin" in request.path:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    settings = app.config["CHATON"]
    if settings["trusted_proxies"]:
        n = int(settings["trusted_proxies"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.before_request(refuse_nul_characters)
    csrf.init_app(app)
    ratelimits.configure(app)
    limiter.init_app(app)
    app.after_request(add_headers)
