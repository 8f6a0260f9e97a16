"""Associations on their own host names: `https://petitions.asso.example/` serves its association.

A small WSGI middleware reads the Host header (after ProxyFix, so `X-Forwarded-Host` counts
only when `trusted_proxies` says a proxy sets it) and, when the host belongs to an association,
prefixes the path with `/<slug>`: `/` becomes `/<slug>/`, `/petitions/x` becomes
`/<slug>/petitions/x`. Paths that already start with `/<slug>/` (the links Flask generates)
and instance-wide paths (`/static`, `/theme`, `/account`, `/.well-known`...: every literal
first segment of the URL map) are left alone. Everything else lands under `/<slug>/`, so a
request on one association's domain can never reach another association's pages: `/other/`
becomes `/<slug>/other/`, which does not exist.

Unknown hosts (the instance's own, an IP address) are served as before.
"""

import re
import time

import peewee
from flask import current_app, request
from flask_babel import gettext as _

from chaton.core.cache import generation

# first segments that an association serves itself on its domain although the instance has
# them too: its privacy notice (with its privacy contact) rather than the instance's
ASSOCIATION_OWN = {"privacy"}
LABEL_RE = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
CACHE_SECONDS = 5.0

_cache = {"generation": None, "at": float("-inf"), "hosts": {}}


class DomainError(ValueError):
    """A host name that cannot be used; the message says why (translated)."""


def base_host():
    from urllib.parse import urlsplit

    return (urlsplit(current_app.config["CHATON"]["base_url"]).hostname or "").lower()


def normalize_host(text):
    """The ASCII, lower-case form of a host name typed by a person; DomainError if unusable."""
    value = (text or "").strip().lower().rstrip(".")
    if not value:
        raise DomainError(_("Write a host name, such as petitions.association.example."))
    if any(c in value for c in "/:@ \t?#\\"):
        raise DomainError(_("Write the host name only, without https://, port or path: for "
                            "example petitions.association.example."))
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        value = ""
    labels = value.split(".")
    if (not value or len(value) > 253 or len(labels) < 2
            or not all(LABEL_RE.fullmatch(label) for label in labels) or labels[-1].isdigit()):
        raise DomainError(_("“%(host)s” is not a host name: use letters, digits, dashes and "
                            "dots, such as petitions.association.example.", host=text.strip()))
    if value == base_host():
        raise DomainError(_("%(host)s is the address of the instance itself (base_url): give "
                            "the association a host name of its own.", host=value))
    return value


def host_map():
    """{host: association slug}, read from the database at most every few seconds."""
    if _cache["generation"] == generation() and time.monotonic() - _cache["at"] < CACHE_SECONDS:
        return _cache["hosts"]
    from chaton.hoster.models import AssociationDomain
    from chaton.orgs.models import Association

    try:
        hosts = dict(AssociationDomain.select(AssociationDomain.host, Association.slug)
                     .join(Association).tuples())
    except peewee.DatabaseError:  # before `chaton db upgrade` made the table
        hosts = {}
    _cache.update(generation=generation(), at=time.monotonic(), hosts=hosts)
    return hosts


def forget():
    """Read the table again at the next request (a domain was added or removed here)."""
    _cache["generation"] = None


def request_host(environ):
    """The host of a WSGI request, lower-case, without its port."""
    host = (environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "").strip().lower()
    if host.startswith("["):  # an IPv6 address: never an association's domain
        return ""
    return host.partition(":")[0].rstrip(".")


def instance_wide_segments(url_map):
    """First path segments that belong to the instance (/account, /theme, /.well-known...)."""
    found = set()
    for rule in url_map.iter_rules():
        first = rule.rule.lstrip("/").split("/", 1)[0]
        if first and "<" not in first:
            found.add(first)
    return found - ASSOCIATION_OWN


def route(path, slug, instance_wide):
    """The path to serve for `path` requested on the domain of association `slug`."""
    first = path.lstrip("/").split("/", 1)[0]
    if first == slug or first in instance_wide:
        return path
    return f"/{slug}/{path.lstrip('/')}"


TEAM_AREAS = ("account", "hoster")


def is_team_area(path, slug):
    """Sign-in, account, hoster and association area paths (served on base_url only)."""
    parts = path.lstrip("/").split("/", 2)
    return parts[0] in TEAM_AREAS or (parts[0] == slug and len(parts) > 1 and parts[1] == "admin")


class DomainRouter:
    """WSGI middleware: requests on an association's domain are served under /<slug>/."""

    def __init__(self, wsgi_app, flask_app):
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app
        self._instance_wide = None

    def __call__(self, environ, start_response):
        host = request_host(environ)
        slug = host_map().get(host) if host else None
        if slug:
            if self._instance_wide is None:  # blueprints are registered after the middleware
                self._instance_wide = instance_wide_segments(self.flask_app.url_map)
            environ["chaton.domain"] = slug
            path = route(environ.get("PATH_INFO") or "/", slug, self._instance_wide)
            if is_team_area(path, slug):
                return self._to_main_host(path, environ, start_response)
            environ["PATH_INFO"] = path
        return self.wsgi_app(environ, start_response)

    def _to_main_host(self, path, environ, start_response):
        """Sessions live on the instance's own address only: a cookie set on an association's
        domain would serve whoever controls that domain's DNS, for every association of the
        account. So signing in and the areas always happen on base_url."""
        from urllib.parse import quote

        from werkzeug.utils import redirect

        query = environ.get("QUERY_STRING", "")
        target = self.flask_app.config["CHATON"]["base_url"] + quote(path, safe="/%")
        return redirect(target + (f"?{query}" if query else ""), 302)(environ, start_response)


def served_domain():
    """The slug of the association whose domain this request came on, or None."""
    return request.environ.get("chaton.domain") if request else None


def instance_home():
    """The instance's home page: on an association's domain, `/` is that association's."""
    if served_domain():
        return current_app.config["CHATON"]["base_url"] + "/"
    return "/"


def init_app(app):
    """Install the router; call before security.init_app, whose ProxyFix must run first."""
    from chaton.hoster.quotas import human_size

    forget()  # another app of the same process (tests) may have filled the cache
    app.wsgi_app = DomainRouter(app.wsgi_app, app)
    app.jinja_env.globals.update(instance_home=instance_home, human_size=human_size)
