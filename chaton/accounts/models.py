"""People who run associations: accounts, their role in each association, invitations,
sign-in links, and the audit log of what they did."""

import peewee

from chaton.core.db import BaseModel, JSONField, UTCDateTimeField, utcnow
from chaton.orgs.models import Association


class Account(BaseModel):
    """A person who signs in: association admins, editors, moderators and hoster admins."""

    email = peewee.CharField(max_length=254, unique=True)  # lower-cased
    name = peewee.CharField(max_length=200, default="")
    password_hash = peewee.CharField(max_length=200, default="")  # empty: sign-in links only
    is_hoster = peewee.BooleanField(default=False)
    session_stamp = peewee.CharField(max_length=32)  # a new one signs every session out
    created_at = UTCDateTimeField(default=utcnow)
    last_login_at = UTCDateTimeField(null=True)
    disabled_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "account"

    def __str__(self):
        return self.name or self.email


class Membership(BaseModel):
    """One account's role in one association."""

    account = peewee.ForeignKeyField(Account, backref="memberships", on_delete="CASCADE")
    association = peewee.ForeignKeyField(Association, backref="memberships", on_delete="CASCADE")
    role = peewee.CharField(max_length=16)  # admin, editor, moderator
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "membership"
        indexes = ((("account", "association"), True),)


class Invitation(BaseModel):
    """An e-mail invitation to join an association with a role, or to become a hoster admin."""

    token_hash = peewee.CharField(max_length=64, unique=True)
    email = peewee.CharField(max_length=254)
    association = peewee.ForeignKeyField(Association, null=True, on_delete="CASCADE")
    role = peewee.CharField(max_length=16, default="")  # empty for a hoster invitation
    hoster = peewee.BooleanField(default=False)
    invited_by = peewee.ForeignKeyField(Account, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField()
    accepted_at = UTCDateTimeField(null=True)
    revoked_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "invitation"


class LoginLink(BaseModel):
    """A single-use sign-in link sent by e-mail (the alternative to a password)."""

    token_hash = peewee.CharField(max_length=64, unique=True)
    account = peewee.ForeignKeyField(Account, on_delete="CASCADE")
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField()
    used_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "login_link"


class AuditEntry(BaseModel):
    """One admin action: who, what, on what, when. Association admins read their own."""

    association = peewee.ForeignKeyField(Association, null=True, on_delete="CASCADE")
    account = peewee.ForeignKeyField(Account, null=True, on_delete="SET NULL")
    actor = peewee.CharField(max_length=254)  # the account's e-mail then, or "command line"
    action = peewee.CharField(max_length=64)
    target = peewee.CharField(max_length=500, default="")
    details = JSONField(default=dict)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "audit_entry"
        indexes = ((("association", "created_at"), False),)


class AccountSession(BaseModel):
    """One signed-in browser. The cookie holds its token; the row is what makes the cookie
    valid, so signing out (or a password change, or disabling the account) ends the session
    on the server: a copy of the cookie taken before opens nothing."""

    token_hash = peewee.CharField(max_length=64, unique=True)
    account = peewee.ForeignKeyField(Account, on_delete="CASCADE", index=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "account_session"


TABLES = [Account, Membership, Invitation, LoginLink, AuditEntry, AccountSession]
