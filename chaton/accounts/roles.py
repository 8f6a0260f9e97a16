"""Roles in an association and what each allows.

- admin: everything below, plus members, settings, exports of personal data, invalidation,
  deletion;
- editor: write and publish campaigns, updates and answers;
- moderator: the moderation queue of consultations.
Every member sees the association's dashboard. Hoster admins run the instance (hoster area);
they reach an association's area only as one of its members, except its settings (colours,
logo, texts), which they may change for it (`require(..., hoster=True)`, chaton/admin/auth.py).
"""

from flask_babel import lazy_gettext as _l

ROLES = {
    "admin": {"view", "edit", "moderate", "manage"},
    "editor": {"view", "edit"},
    "moderator": {"view", "moderate"},
}
ROLE_NAMES = {"admin": _l("Administrator"), "editor": _l("Editor"), "moderator": _l("Moderator")}
ROLE_HELP = {
    "admin": _l("Everything, including members, settings, exports and deletion."),
    "editor": _l("Writes and publishes campaigns, updates and answers."),
    "moderator": _l("Moderates contributions and comments of consultations."),
}


def allows(role, permission):
    return permission in ROLES.get(role or "", ())
