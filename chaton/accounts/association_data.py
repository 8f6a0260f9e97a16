"""What the accounts keep for an association, as its archive and its deletion see it: its team
(never a password) and its audit log (declared in `chaton/accounts/__init__.py`)."""

import json

from flask_babel import lazy_gettext as _l

from chaton.accounts import audit
from chaton.accounts.models import Account, AuditEntry, Membership
from chaton.orgs import deletion
from chaton.orgs.archive import Table, iso


def member_rows(association):
    query = (Membership.select(Membership.role, Membership.created_at, Account.email, Account.name,
                               Account.last_login_at).join(Account)
             .where(Membership.association == association.id).order_by(Account.email))
    for m in query.objects():
        yield {"email": m.email, "name": m.name, "role": m.role, "member_since": iso(m.created_at),
               "last_sign_in": iso(m.last_login_at)}


def audit_rows(association):
    for e in (AuditEntry.select().where(AuditEntry.association == association.id)
              .order_by(AuditEntry.id).iterator()):
        yield {"at": iso(e.created_at), "actor": e.actor, "action": e.action,
               "target": e.target, "details": json.dumps(e.details, ensure_ascii=False)}


ARCHIVE = [
    Table("data/members.csv", "The association's team on this instance (no password).", {
        "email": "e-mail address of the account", "name": "name", "role":
        "admin, editor or moderator", "member_since": "when (UTC)",
        "last_sign_in": "last sign-in (UTC)"}, member_rows, personal=True,
        summary=_l("The association's team on this site (no password).")),
    Table("data/audit_log.csv", "Every action taken in the association area, oldest first.", {
        "at": "when (UTC)", "actor": "who (account e-mail, or command line)",
        "action": "action code", "target": "what it was about",
        "details": "details (JSON)"}, audit_rows, personal=True,
        summary=_l("Every action taken in the association area, oldest first.")),
]


def erased(association):
    """What deleting the association erases of its team (the accounts stay)."""
    return {"members": Membership.select().where(Membership.association == association.id)
            .count()}


@deletion.deleted.connect
def record_deletion(association, actor=None, summary=None):
    """One instance-level entry (association None) keeps the slug, the name and the counts."""
    audit.record("association.delete", None, target=association.slug, account=actor,
                 name=association.name, **summary.counts())
