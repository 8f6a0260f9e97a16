"""Mail for accounts: invitations and sign-in links (sent by the worker)."""

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from huey import crontab

from chaton.accounts.models import Account, Invitation
from chaton.accounts.roles import ROLE_HELP, ROLE_NAMES
from chaton.core.mail import send_templated
from chaton.core.tasks import periodic, task


def inviter(invitation):
    """Who invites, as the mail names them: "Ada Martin (ada@example.org)", else the site's team
    (an invitation from the command line, as the first admin of `chaton org create`)."""
    from flask_babel import gettext

    account = invitation.invited_by
    if account is None:
        return gettext("The team of %(site)s",
                       site=current_app.config["CHATON"]["instance_name"])
    return f"{account.name} ({account.email})" if account.name else account.email


def unexpected_contact(invitation):
    """Whom to tell about an invitation not expected: who sent it, else the association's
    contact, else the instance's."""
    from flask_babel import gettext

    if invitation.invited_by is not None:
        return invitation.invited_by.email
    email = (invitation.association.contact.get("email") if invitation.association else None)
    return email or gettext("the team of %(site)s",
                            site=current_app.config["CHATON"]["instance_name"])


@task()
def mail_invitation(invitation_id, token):
    """The invitation: who invites, to what and with which role, what Chaton is, until when
    the link works, and what to do when it was not expected."""
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
        role_help=ROLE_HELP.get(invitation.role, ""),
        # called by the template, in the mail's language
        inviter=lambda: inviter(invitation), if_unexpected=lambda: unexpected_contact(invitation),
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
