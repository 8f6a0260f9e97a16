"""The audit log: every admin action, readable by the association's admins (hoster actions
on an association are recorded in its log too, so they are visible to it)."""

from flask import has_request_context

from chaton.accounts.models import AuditEntry
from chaton.core.db import writing


def record(action, association=None, target="", account=None, **details):
    """Write one entry; the actor is the signed-in account, else the command line."""
    if account is None and has_request_context():
        from chaton.accounts.sessions import current_account

        account = current_account()
    actor = account.email if account is not None else "command line"
    with writing():
        return AuditEntry.create(association=association, account=account, actor=actor,
                                 action=action, target=str(target)[:500], details=details)


def entries(association=None, hoster=False):
    """Newest first: one association's log, or the instance-wide log of hoster actions."""
    query = AuditEntry.select().order_by(AuditEntry.id.desc())
    if hoster:  # what concerns no association, and what hosters did to associations
        return query.where(AuditEntry.association.is_null() | AuditEntry.action.startswith("hoster."))
    return query.where(AuditEntry.association == association)


# Labels of actions in the log; each part of the application adds its own with `label()`.
LABELS = {}


def label(action, text):
    LABELS[action] = text


def describe(action):
    return LABELS.get(action, action)


# Labels of the details' keys (`record(..., role="editor")`); a key without one shows as it is.
DETAIL_LABELS = {}


def label_detail(key, text):
    DETAIL_LABELS[key] = text


def describe_detail(key):
    return DETAIL_LABELS.get(key, key)


def _labels():
    from flask_babel import lazy_gettext as _l

    for action, text in {
        "member.invite": _l("Invitation sent"),
        "member.invite_revoke": _l("Invitation withdrawn"),
        "member.join": _l("Invitation accepted"),
        "member.role": _l("Role changed"),
        "member.remove": _l("Member removed"),
        "account.password": _l("Password changed"),
    }.items():
        label(action, text)
    for key, text in {
        "role": _l("role"), "number": _l("number"), "fields": _l("fields"), "file": _l("file"),
        "files": _l("files"), "size": _l("size in bytes"), "reason": _l("reason"),
        "name": _l("name"), "domains": _l("domains"), "org": _l("association"),
        "opens": _l("opens on"), "confirmed": _l("confirmed"), "pending": _l("pending"),
        "max_campaigns": _l("campaigns at most"), "max_storage_mb": _l("storage at most (MB)"),
    }.items():
        label_detail(key, text)


_labels()
