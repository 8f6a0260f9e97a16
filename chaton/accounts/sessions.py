"""Who is signed in: the session cookie holds the account id, a fingerprint of its session
stamp, the sign-in time and the token of a session row kept on the server. Sessions expire
`admin_session_hours` after signing in; signing out deletes the row, so a copy of the cookie
opens nothing afterwards; a new stamp (password change, "sign out everywhere", account
disabled) ends them all at once, and their rows go too."""

import hashlib
import secrets
import time
from datetime import timedelta

from flask import current_app, g, session

from chaton.accounts.models import Account, AccountSession, Membership
from chaton.core.db import utcnow, writing


def new_stamp():
    return secrets.token_hex(16)


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(account):
    session.clear()  # a fresh session: no fixation of an earlier one
    session.permanent = True
    token = secrets.token_urlsafe(24)
    session["account"] = [account.id, account.session_stamp[:16], int(time.time()), token]
    with writing():
        Account.update(last_login_at=utcnow()).where(Account.id == account.id).execute()
        AccountSession.create(token_hash=_hash(token), account=account.id)
    g.pop("account", None)


def sign_out():
    """End this browser's session, on the server too."""
    value = session.pop("account", None)
    if isinstance(value, list) and len(value) == 4 and isinstance(value[3], str):
        with writing():
            AccountSession.delete().where(AccountSession.token_hash == _hash(value[3])).execute()
    g.pop("account", None)


def sign_out_everywhere(account):
    with writing():
        Account.update(session_stamp=new_stamp()).where(Account.id == account.id).execute()
        AccountSession.delete().where(AccountSession.account == account.id).execute()


def forget_expired():
    """Delete the rows of sessions past `admin_session_hours` (a periodic job)."""
    hours = float(current_app.config["CHATON"]["admin_session_hours"])
    with writing():
        AccountSession.delete().where(
            AccountSession.created_at < utcnow() - timedelta(hours=hours)).execute()


def current_account():
    """The signed-in account, or None (looked up once per request)."""
    if "account" not in g:
        g.account = _load()
    return g.account


def _load():
    value = session.get("account")
    if not isinstance(value, list) or len(value) != 4 or not isinstance(value[3], str):
        return None
    account_id, stamp, since, token = value
    hours = float(current_app.config["CHATON"]["admin_session_hours"])
    if not isinstance(since, int) or time.time() - since > hours * 3600:
        return None
    account = Account.get_or_none(Account.id == account_id)
    if account is None or account.disabled_at is not None or account.session_stamp[:16] != stamp:
        return None
    alive = AccountSession.select().where((AccountSession.token_hash == _hash(token))
                                         & (AccountSession.account == account.id)).exists()
    return account if alive else None


def role_in(association, account=None):
    """The current (or given) account's role in the association, or None."""
    account = account or current_account()
    if account is None or association is None:
        return None
    cache = g.setdefault("roles", {})
    key = (account.id, association.id)
    if key not in cache:
        row = Membership.get_or_none((Membership.account == account)
                                     & (Membership.association == association))
        cache[key] = row.role if row else None
    return cache[key]
