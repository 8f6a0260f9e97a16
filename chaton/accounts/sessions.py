"""Who is signed in: the session cookie holds the account id, a fingerprint of its session
stamp and the sign-in time. Sessions expire `admin_session_hours` after signing in; a new
stamp (password change, "sign out everywhere", account disabled) ends them all at once."""

import secrets
import time

from flask import current_app, g, session

from chaton.accounts.models import Account, Membership
from chaton.core.db import utcnow, writing


def new_stamp():
    return secrets.token_hex(16)


def sign_in(account):
    session.clear()  # a fresh session: no fixation of an earlier one
    session.permanent = True
    session["account"] = [account.id, account.session_stamp[:16], int(time.time())]
    with writing():
        Account.update(last_login_at=utcnow()).where(Account.id == account.id).execute()
    g.pop("account", None)


def sign_out():
    session.pop("account", None)
    g.pop("account", None)


def sign_out_everywhere(account):
    with writing():
        Account.update(session_stamp=new_stamp()).where(Account.id == account.id).execute()


def current_account():
    """The signed-in account, or None (looked up once per request)."""
    if "account" not in g:
        g.account = _load()
    return g.account


def _load():
    value = session.get("account")
    if not isinstance(value, list) or len(value) != 3:
        return None
    account_id, stamp, since = value
    hours = float(current_app.config["CHATON"]["admin_session_hours"])
    if not isinstance(since, int) or time.time() - since > hours * 3600:
        return None
    account = Account.get_or_none(Account.id == account_id)
    if account is None or account.disabled_at is not None or account.session_stamp[:16] != stamp:
        return None
    return account


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
