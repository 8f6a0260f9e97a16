"""The association's protected area: one admin token per association (`chaton org token`).

The token is shown once and stored hashed; signing in keeps a short fingerprint of the hash in
the session, so issuing a new token signs everybody out.
"""

import hashlib
import secrets
from functools import wraps

from flask import g, redirect, request, session, url_for

from chaton.core.cache import invalidate_all
from chaton.core.db import writing
from chaton.orgs.models import Association


def _hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(association):
    """Create a new admin token for an association (the old one stops working)."""
    token = secrets.token_urlsafe(24)
    with writing():
        Association.update(admin_token_hash=_hash(token)).where(
            Association.id == association.id).execute()
    invalidate_all()
    return token


def check_token(association, token):
    expected = association.admin_token_hash
    return bool(expected) and secrets.compare_digest(expected, _hash(token or ""))


def sign_in(association):
    session.permanent = True
    admins = dict(session.get("admin", {}))
    admins[association.slug] = association.admin_token_hash[:16]
    session["admin"] = admins


def sign_out(association):
    admins = dict(session.get("admin", {}))
    admins.pop(association.slug, None)
    session["admin"] = admins


def is_admin(association):
    """True when this visitor signed in to this association's area (with its current token)."""
    if association is None or not association.admin_token_hash:
        return False
    return session.get("admin", {}).get(association.slug) == association.admin_token_hash[:16]


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_admin(g.get("association")):
            return redirect(url_for("admin.login", org=kwargs["org"], next=request.path))
        return view(*args, **kwargs)

    return wrapper
