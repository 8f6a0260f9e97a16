"""Access to the association areas and the hoster area, by role.

Signed-out visitors are sent to the sign-in page. Every refusal to a signed-in account is a
403 page that says why (not a member of the association, a role that does not allow the action,
not a hoster admin); a 404 stays for what does not exist. The areas' addresses reveal nothing
the public pages do not: an association's page already says it exists.

A hoster admin may act in the parts of an association's area that allow it
(`require(..., hoster=True)`, the settings: colours, logo, texts), without being one of its
members: `g.as_hoster` is then true, and the view records its action in the audit log as the
hoster's.
"""

from functools import wraps

from flask import abort, g, make_response, redirect, request, url_for
from flask_babel import gettext as _

from chaton.accounts.roles import allows
from chaton.accounts.sessions import current_account, role_in


def can(permission, association=None, hoster=False):
    """True when the signed-in account's role in the association allows the permission (or,
    with `hoster=True`, when the account is a hoster admin)."""
    if allows(role_in(association or g.get("association")), permission):
        return True
    account = current_account() if hoster else None
    return bool(account and account.is_hoster)


def _to_login():
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def refuse(reason):
    """Stop the request with a 403 page that says why."""
    from chaton.core.errors import error_page

    abort(make_response(error_page(403, detail=reason)))


def _refusal(association, role):
    from chaton.accounts.roles import ROLE_NAMES

    if role is None:
        return _("You are not a member of %(name)s, so its area is closed to you. If you should "
                 "be, ask one of its administrators to invite you.", name=association.name)
    return _("Your role in %(name)s (%(role)s) does not allow this. Ask one of its "
             "administrators if you need it.", role=ROLE_NAMES.get(role, role),
             name=association.name)


def require(permission, hoster=False):
    """Decorator for views under /<org>/admin: the role must allow `permission` (or, with
    `hoster=True`, the account be a hoster admin: `g.as_hoster` says so to the view)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            account = current_account()
            if account is None:
                return _to_login()
            association = g.get("association")
            if not can(permission, association):
                if not can(permission, association, hoster=hoster):
                    refuse(_refusal(association, role_in(association)))
                g.as_hoster = True
            return view(*args, **kwargs)

        wrapper.access = permission  # checked by the test that walks every admin route
        return wrapper

    return decorator


def hoster_required(view):
    """Decorator for the hoster area: hoster admins only (a 403 for everybody else signed in)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        account = current_account()
        if account is None:
            return _to_login()
        if not account.is_hoster:
            refuse(_("This area is for the administrators of this site (its hoster). An "
                     "association's own pages are in its area, from your account's page."))
        return view(*args, **kwargs)

    wrapper.access = "hoster"
    return wrapper


def is_member(association):
    """True when the signed-in account has any role in the association (drafts, fresh pages)."""
    return role_in(association) is not None
