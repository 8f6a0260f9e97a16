"""What proposals keep for an association, as its archive and its deletion see them."""

from flask_babel import lazy_gettext as _l

from chaton.orgs.archive import Table, iso
from chaton.proposals.models import Proposal, ProposalSupport


def proposal_rows(association):
    for p in (Proposal.select().where(Proposal.association == association.id)
              .order_by(Proposal.created_at).iterator()):
        yield {"proposal": p.code, "status": p.status, "title": p.title, "target": p.target,
               "demand": p.demand, "story": p.story, "author_name": p.author_name,
               "author_email": p.email or "", "supporters": p.supporter_count,
               "reason": p.reason, "note": p.note, "petition": p.petition_slug,
               "created_at": iso(p.created_at), "confirmed_at": iso(p.confirmed_at),
               "submitted_at": iso(p.submitted_at), "decided_at": iso(p.decided_at),
               "erased_at": iso(p.erased_at)}


def support_rows(association):
    query = (ProposalSupport.select(ProposalSupport, Proposal.code).join(Proposal)
             .where((Proposal.association == association.id)
                    & ProposalSupport.confirmed_at.is_null(False))
             .order_by(Proposal.created_at, ProposalSupport.id))
    for s in query.iterator():
        yield {"proposal": s.proposal.code, "name": s.name, "email": s.email or "",
               "language": s.language, "confirmed_at": iso(s.confirmed_at)}


PROPOSAL = {"proposal": "the proposal's code (its page: /<association>/proposals/<code>)"}
ARCHIVE = [
    Table("data/proposals.csv", "Residents' proposals of petitions and the decisions on them. "
          "Personal data: the author's address (erased with retention).", {
              **PROPOSAL, "status": "unconfirmed, gathering, waiting, published or rejected",
              "title": "title", "target": "whom it asks", "demand": "what it asks",
              "story": "why (Markdown)", "author_name": "its author's name (shown publicly)",
              "author_email": "its author's address (empty once erased)",
              "supporters": "confirmed supporters", "reason": "the rejection's code",
              "note": "the decision's public note", "petition": "the petition it became",
              "created_at": "when it was sent (UTC)", "confirmed_at": "when its author "
              "confirmed it (UTC)", "submitted_at": "when it had its supporters (UTC)",
              "decided_at": "when it was decided (UTC)",
              "erased_at": "when retention erased the addresses (UTC)"}, proposal_rows,
          personal=True, summary=_l("The residents' proposals of petitions, with the "
                                    "decisions taken. Personal data: the authors' addresses.")),
    Table("data/proposal_supports.csv", "Confirmed supporters of proposals. Personal data.", {
        **PROPOSAL, "name": "name given", "email": "e-mail address",
        "language": "language of the form", "confirmed_at": "when it was confirmed (UTC)"},
          support_rows, personal=True,
          summary=_l("The confirmed supporters of the proposals. Personal data.")),
]


def erased(association):
    """What deleting the association erases of its proposals."""
    proposals = Proposal.select(Proposal.id).where(Proposal.association == association.id)
    return {"proposals": proposals.count()}
