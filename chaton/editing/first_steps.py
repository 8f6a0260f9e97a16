"""A new association's first steps, on its dashboard: a first campaign, its texts, colour and
logo, a second member of its team. Each step links to the page where it is done and is ticked
once done; the list is gone once every step is.

A member sees the steps their role lets them do (editors: the first campaign).
"""

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from chaton.admin.auth import can
from chaton.core.capability import content_kinds


@dataclass(frozen=True)
class Step:
    name: str  # "campaign", "description", "color", "logo", "team"
    label: object
    url: str
    done: bool


def has_campaign(association):
    """Any petition or consultation (any installed kind of campaign), drafts included."""
    for kind in content_kinds():
        if not kind.model:
            continue
        model = kind.function("model")
        if model.select().where((model.association == association) & model.present).exists():
            return True
    return False


def has_team(association):
    """Another member, or someone invited to become one."""
    from chaton.accounts import service

    return len(service.members(association)) > 1 or bool(service.pending_invitations(association))


def steps(association):
    """The steps the signed-in member may do, in order (each checked only when shown)."""
    org = association.slug
    settings = url_for("association_settings.edit", org=org)
    meta = association.meta or {}
    table = [  # name, what to do, where, who may, done?
        ("campaign", _l("Create your first petition"),
         url_for("editing.new_campaign", org=org, kind="petition"), "edit",
         lambda: has_campaign(association)),
        ("description", _l("Describe the association in one sentence"), settings + "#description",
         "manage", lambda: bool(meta.get("description"))),
        ("color", _l("Choose its colour"), settings + "#color", "manage",
         lambda: bool(meta.get("color"))),
        ("logo", _l("Add its logo"), settings + "#logo_file", "manage", lambda: bool(meta.get("logo"))),
        ("team", _l("Invite a second member of the team"), url_for("members.index", org=org) + "#email",
         "manage", lambda: has_team(association)),
    ]
    return [Step(name, label, url, done()) for name, label, url, permission, done in table
            if can(permission)]


def dashboard_context(association):
    """`first_steps`: the steps, while one is left to do (else empty); `first_campaign`: the
    step of the first campaign while it is to do (the dashboard's next step)."""
    shown = steps(association)
    if all(step.done for step in shown):
        shown = []
    first = next((s for s in shown if s.name == "campaign" and not s.done), None)
    return {"first_steps": shown, "first_campaign": first}
