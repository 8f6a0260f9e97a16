"""Mails of proposals (the links to confirm, the team told, the decision told) and their
expiry and retention."""

import logging

from flask_babel import lazy_gettext as _l
from huey import crontab

from chaton.core import mail
from chaton.core.tasks import periodic, task
from chaton.proposals import proposing, publishing
from chaton.proposals.models import Proposal, ProposalSupport

log = logging.getLogger(__name__)
TEAM_PERMISSION = "proposals"


def _send(to, language, template, subject, proposal, **context):
    mail.send_templated(to, template, subject, proposal.association, language,
                        list_unsubscribe=False, subject_vars={"title": proposal.title},
                        proposal=proposal, reason_label=publishing.reason_label,
                        reason_text=publishing.reason_text, **context)


@task(retries=12, retry_delay=120)
def send_link(kind, row_id, outcome="new"):
    """The link that confirms a proposal (its author's) or a support; a note when the support
    counts already (the page that sent it says the same in every case)."""
    model = Proposal if kind == "author" else ProposalSupport
    row = model.get_or_none(model.id == row_id)
    if row is None or not row.email:
        return
    proposal = row if kind == "author" else row.proposal
    if kind == "author":
        subject = _l("Confirm your proposal: %(title)s")
    elif outcome == "confirmed":
        subject = _l("Your support already counts: %(title)s")
    else:
        subject = _l("Confirm your support: %(title)s")
    _send(row.email, row.language, "mail/proposal_link.txt", subject, proposal, kind=kind,
          outcome=outcome, person=row, token=proposing.token_for(row))


@task(retries=12, retry_delay=120)
def tell_team(proposal_id):
    """The association's members who decide on proposals: one waits for them."""
    from chaton.accounts.models import Account, Membership
    from chaton.accounts.roles import allows

    proposal = Proposal.get_or_none(Proposal.id == proposal_id)
    if proposal is None or proposal.status != "waiting":
        return
    members = (Account.select(Account, Membership.role).join(Membership)
               .where((Membership.association == proposal.association_id)
                      & Account.disabled_at.is_null()).objects())
    for member in members:
        if allows(member.role, TEAM_PERMISSION):
            _send(member.email, proposal.association.language, "mail/proposal_waiting.txt",
                  _l("A proposal waits for your decision: %(title)s"), proposal)


@task(retries=12, retry_delay=120)
def send_decision(proposal_id):
    """Its author is told the decision; when it is published, its supporters are asked to sign."""
    proposal = Proposal.get_or_none(Proposal.id == proposal_id)
    if proposal is None or proposal.status not in ("published", "rejected"):
        return
    subject = (_l("Your proposal is published: %(title)s") if proposal.status == "published"
               else _l("Your proposal was not published: %(title)s"))
    if proposal.email:
        _send(proposal.email, proposal.language, "mail/proposal_decision.txt", subject,
              proposal, to_author=True)
    if proposal.status == "published":
        for supporter in proposing.confirmed_supporters(proposal):
            if supporter.email:
                _send(supporter.email, supporter.language, "mail/proposal_decision.txt",
                      _l("The petition you supported is open: %(title)s"), proposal,
                      to_author=False, person=supporter)


@periodic(crontab(minute="*/15"))
def expire_proposals():
    removed = proposing.expire()
    if removed:
        log.info("%d proposals expired", removed)


@periodic(crontab(hour="3", minute="40"))
def erase_decided_proposals():
    for proposal in proposing.due_for_erasure():
        proposing.erase(proposal)
        log.info("retention: proposal %s: addresses erased", proposal.code)
