"""Mail for accounts: invitations and sign-in links (sent by the worker)."""

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from huey import crontab

from chaton.accounts.models import Account, Invitation
from chaton.accounts.roles import ROLE_NAMES
from chaton.core.mail import send_templated
from chaton.core.tasks import periodic, task


@task()
def mail_invitation(invitation_id, token):
    invitation = Invitation.get_or_none(Invitation.id == invitation_id)
    if invitation is None:
        return
    association = invitation.association
    if association is None:
        subject = _l("Invitation to administer %(place)s")
        place = current_app.config["CHATON"]["instance_name"]
    else:
        subject, place = _l("Invitation to join %(place)s"), association.name
    send_templated(
        invitation.email, "mail/invitation.txt", subject, association,
        association.language if association else None, list_unsubscribe=False,
        subject_vars={"place": place},
        invitation=invitation, role_name=ROLE_NAMES.get(invitation.role, ""),
        link=lambda: url_for("accounts.invitation", token=token, _external=True))


@task()
def mail_login_link(account_id, token):
    account = Account.get_or_none(Account.id == account_id)
    if account is None:
        return
    send_templated(account.email, "mail/login_link.txt", _l("Your sign-in link"), None, None,
                   list_unsubscribe=False,
                   link=lambda: url_for("accounts.use_link", token=token, _external=True))


@periodic(crontab(minute="17"))
def forget_expired_sessions():
    from chaton.accounts.sessions import forget_expired

    forget_expired()
