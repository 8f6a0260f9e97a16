"""Accounts, invitations and sign-in links: the operations behind the forms and commands."""

import hashlib
import secrets
from datetime import timedelta

from chaton.accounts import audit
from chaton.accounts.models import Account, Invitation, LoginLink, Membership
from chaton.accounts.passwords import hash_password
from chaton.accounts.roles import ROLES
from chaton.accounts.sessions import new_stamp
from chaton.core.db import utcnow, writing

INVITATION_DAYS = 7
LINK_MINUTES = 20


def digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalize_email(email):
    """An account's address in one spelling (its domain as petitions.signing spells it)."""
    from chaton.core.mail import normalize_domain

    local, _, domain = (email or "").strip().lower().rpartition("@")
    return f"{local}@{normalize_domain(domain)}" if local else (email or "").strip().lower()


def find_account(email):
    return Account.get_or_none(Account.email == normalize_email(email))


def create_account(email, name="", password=None, hoster=False):
    """A new account (its unique address refuses a second one). It takes the address's turn,
    as `accept` does, so that an acceptance finds the account a command line made meanwhile."""
    email = normalize_email(email)
    with writing("account", email):
        return Account.create(email=email, name=name.strip()[:200],
                              password_hash=hash_password(password) if password else "",
                              is_hoster=hoster, session_stamp=new_stamp())


def set_password(account, password):
    """A new password also signs every other session out."""
    with writing():
        Account.update(password_hash=hash_password(password), session_stamp=new_stamp()).where(
            Account.id == account.id).execute()
    return Account.get_by_id(account.id)


def make_hoster(account):
    with writing():
        Account.update(is_hoster=True).where(Account.id == account.id).execute()


def disable_account(account):
    """The account cannot sign in any more, and its sessions end (a new stamp)."""
    with writing():
        Account.update(disabled_at=utcnow(), session_stamp=new_stamp()).where(
            Account.id == account.id).execute()


def set_role(account, association, role):
    """Give the account this role in the association (replacing any other); False, changing
    nothing, when that would take the association's last administrator away."""
    assert role in ROLES
    with writing("admins", association.id):
        if role != "admin" and _last_admin(account, association):
            return False
        (Membership.insert(account=account, association=association, role=role,
                           created_at=utcnow())
         .on_conflict(conflict_target=[Membership.account, Membership.association],
                      update={Membership.role: role}).execute())
    return True


def remove_member(account, association):
    """Take the account out of the association; False when it is its last administrator."""
    with writing("admins", association.id):
        if _last_admin(account, association):
            return False
        Membership.delete().where((Membership.account == account)
                                  & (Membership.association == association)).execute()
    return True


def _last_admin(account, association):
    """Whether the account is the association's only admin.

    Called under `writing("admins", association_id)`: changes of roles in one association take
    turns, so two admins demoting or removing each other at once cannot both succeed (a
    condition in each statement's WHERE would not do: each sees the other still an admin)."""
    admins = Membership.select(Membership.account).where(
        (Membership.association == association) & (Membership.role == "admin"))
    return [m.account_id for m in admins] == [account.id]


def members(association):
    return list(Membership.select(Membership, Account).join(Account)
                .where(Membership.association == association).order_by(Account.email))


def admins_left(association, without=None):
    """How many admins the association would keep without this account."""
    query = Membership.select().where((Membership.association == association)
                                      & (Membership.role == "admin"))
    if without is not None:
        query = query.where(Membership.account != without)
    return query.count()


# --- invitations -------------------------------------------------------------------------

def invite(email, association=None, role="", hoster=False, invited_by=None):
    """Create an invitation and queue its mail; return (invitation, token)."""
    from chaton.accounts.tasks import mail_invitation

    assert hoster or role in ROLES
    token = secrets.token_urlsafe(32)
    with writing():
        invitation = Invitation.create(
            token_hash=digest(token), email=normalize_email(email), association=association,
            role="" if hoster else role, hoster=hoster, invited_by=invited_by,
            expires_at=utcnow() + timedelta(days=INVITATION_DAYS))
    audit.record("member.invite", association, target=invitation.email,
                 role=role or "hoster", account=invited_by)
    mail_invitation(invitation.id, token)
    return invitation, token


def pending_invitations(association=None, hoster=False):
    query = Invitation.select().where(Invitation.accepted_at.is_null()
                                      & Invitation.revoked_at.is_null()
                                      & (Invitation.expires_at > utcnow()))
    if hoster:
        return list(query.where(Invitation.hoster == True))  # noqa: E712
    return list(query.where(Invitation.association == association))


def open_invitation(token):
    """The invitation a token designates, if still valid."""
    found = Invitation.get_or_none(Invitation.token_hash == digest(token or ""))
    if (found is None or found.accepted_at or found.revoked_at or found.expires_at < utcnow()):
        return None
    return found


def accept(invitation, name="", password=None):
    """Join (creating the account if needed); the link proves the address. Returns the account,
    or None when the invitation was accepted or withdrawn meanwhile.

    One transaction: the invitation is taken (only if still open: of two acceptances at once, or
    an acceptance and a withdrawal, one wins), then the account is found or made under its
    address's turn, so that two invitations to one address accepted at once make one account."""
    with writing("account", normalize_email(invitation.email)):
        changed = Invitation.update(accepted_at=utcnow()).where(
            (Invitation.id == invitation.id) & Invitation.accepted_at.is_null()
            & Invitation.revoked_at.is_null() & (Invitation.expires_at > utcnow())).execute()
        if not changed:
            return None
        account = find_account(invitation.email)
        if account is None:
            account = create_account(invitation.email, name=name, password=password)
        if invitation.hoster:
            make_hoster(account)
        else:
            set_role(account, invitation.association, invitation.role)
    audit.record("member.join", invitation.association, target=account.email,
                 role=invitation.role or "hoster", account=account)
    return Account.get_by_id(account.id)


def revoke_invitation(invitation):
    """Withdraw a pending invitation; False when it was accepted (or withdrawn) meanwhile."""
    with writing():
        changed = Invitation.update(revoked_at=utcnow()).where(
            (Invitation.id == invitation.id) & Invitation.accepted_at.is_null()
            & Invitation.revoked_at.is_null()).execute()
    if changed:
        audit.record("member.invite_revoke", invitation.association, target=invitation.email)
    return bool(changed)


# --- sign-in links -----------------------------------------------------------------------

def send_login_link(email):
    """Mail a sign-in link when the address has an active account; silent otherwise."""
    from chaton.accounts.tasks import mail_login_link

    account = find_account(email)
    if account is None or account.disabled_at is not None:
        return None
    token = create_login_link(account)
    mail_login_link(account.id, token)
    return token


def create_login_link(account, minutes=LINK_MINUTES):
    token = secrets.token_urlsafe(32)
    with writing():
        LoginLink.create(token_hash=digest(token), account=account,
                         expires_at=utcnow() + timedelta(minutes=minutes))
    return token


def use_login_link(token):
    """The account of a valid, unused link; the link stops working."""
    link = LoginLink.get_or_none(LoginLink.token_hash == digest(token or ""))
    if link is None or link.used_at or link.expires_at < utcnow():
        return None
    with writing():  # used once: of two uses at once, only the one that marks it goes on
        changed = LoginLink.update(used_at=utcnow()).where(
            (LoginLink.id == link.id) & LoginLink.used_at.is_null()
            & (LoginLink.expires_at > utcnow())).execute()
    account = Account.get_or_none(Account.id == link.account_id)
    if not changed or account is None or account.disabled_at is not None:
        return None
    return account


def link_is_valid(token):
    link = LoginLink.get_or_none(LoginLink.token_hash == digest(token or ""))
    return link is not None and not link.used_at and link.expires_at > utcnow()
