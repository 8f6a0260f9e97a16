"""Roles in an association and what each allows.

- admin: everything below, plus members, settings, exports of personal data, invalidation,
  deletion;
- editor: write and publish campaigns, updates and answers;
- moderator: the moderation queue of consultations;
- all three: residents' proposals of petitions (publish one, or reject it with a public reason).
Every member sees the association's dashboard. Hoster admins run the instance (hoster area);
they reach an association's area only as one of its members, except its settings (colours,
logo, texts), which they may change for it (`require(..., hoster=True)`, chaton/admin/auth.py).
"""

from flask_babel import lazy_gettext as _l

ROLES = {
    "admin": {"view", "edit", "moderate", "manage", "proposals"},
    "editor": {"view", "edit", "proposals"},
    "moderator": {"view", "moderate", "proposals"},
}
ROLE_NAMES = {"admin": _l("Administrator"), "editor": _l("Editor"), "moderator": _l("Moderator")}
ROLE_HELP = {
    "admin": _l("Everything, including members, settings, exports and deletion."),
    "editor": _l("Writes and publishes campaigns, updates and answers; decides on residents' "
                 "proposals."),
    "moderator": _l("Moderates contributions and comments of consultations, and decides on "
                    "residents' proposals."),
}


def allows(role, permission):
    return permission in ROLES.get(role or "", ())
