"""Access to the association areas and the hoster area, by role.

Signed-out visitors are sent to the sign-in page. A signed-in account that is not a member of
the association gets a 404, exactly as for an association that does not exist, so one
association's admins learn nothing about another's area; a member whose role does not allow
the action gets a 403.
"""

from functools import wraps

from flask import abort, g, redirect, request, url_for

from chaton.accounts.roles import allows
from chaton.accounts.sessions import current_account, role_in


def can(permission, association=None):
    """True when the signed-in account's role in the association allows the permission."""
    return allows(role_in(association or g.get("association")), permission)


def _to_login():
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def require(permission):
    """Decorator for views under /<org>/admin: the role must allow `permission`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_account() is None:
                return _to_login()
            role = role_in(g.get("association"))
            if role is None:
                abort(404)
            if not allows(role, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapper.access = permission  # checked by the test that walks every admin route
        return wrapper

    return decorator



def hoster_required(view):
    """Decorator for the hoster area: hoster admins only (404 for everybody else signed in)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        account = current_account()
        if account is None:
            return _to_login()
        if not account.is_hoster:
            abort(404)
        return view(*args, **kwargs)

    wrapper.access = "hoster"
    return wrapper


def is_member(association):
    """True when the signed-in account has any role in the association (drafts, fresh pages)."""
    return role_in(association) is not None
