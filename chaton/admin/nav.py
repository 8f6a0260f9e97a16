"""The association area's navigation: each part of the area registers its entry once.

`register("admin.members", _l("Members"), "manage", order=80)`; the menu shows an entry only
to the roles allowed to use it (templates call `admin_nav()`).
"""

from dataclasses import dataclass

from flask import g, request, url_for

from chaton.accounts.roles import allows
from chaton.accounts.sessions import role_in


@dataclass(frozen=True)
class Entry:
    endpoint: str
    label: object
    permission: str
    order: int


ENTRIES = {}


def register(endpoint, label, permission="view", order=50):
    ENTRIES[endpoint] = Entry(endpoint, label, permission, order)


def admin_nav():
    """[(url, label, current)] of the entries the signed-in member may use."""
    association = g.get("association")
    role = role_in(association)
    if role is None:
        return []
    items = []
    for entry in sorted(ENTRIES.values(), key=lambda e: e.order):
        if allows(role, entry.permission):
            url = url_for(entry.endpoint, org=association.slug)
            items.append((url, entry.label, request.endpoint == entry.endpoint))
    return items


def init_app(app):
    from chaton.accounts.audit import describe, describe_detail
    from chaton.accounts.roles import ROLE_HELP, ROLE_NAMES
    from chaton.admin.auth import can

    app.jinja_env.globals.update(admin_nav=admin_nav, role_names=ROLE_NAMES, role_help=ROLE_HELP,
                                 describe_action=describe, describe_detail=describe_detail,
                                 can=can)
