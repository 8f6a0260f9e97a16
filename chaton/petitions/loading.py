"""The petition an address names, for the petition pages and the capabilities built on them
(feeds, federation, the organisers' pages): a public module, not a view module."""

from chaton.admin.auth import is_member
from chaton.core.cache import TTLCache
from chaton.core.lookup import found_or_404
from chaton.orgs.loading import load_association
from chaton.orgs.models import Association
from chaton.petitions.models import Petition

_petitions = TTLCache(ttl=2.0)


def load_petition(org, slug, counts_needed=True):
    """The petition of the URL; drafts only for the association's members.

    Without `counts_needed` (signing: only the text, status and revision matter, and those
    change with the content, which clears the cache) the row may come from a 2-second cache.
    """
    association = load_association(org)
    petition = None if counts_needed else _petitions.get((association.id, slug))
    if petition is None:
        petition = Petition.find(association, slug)
        if petition is not None:
            _petitions.set((association.id, slug), petition)
    if petition is not None and petition.status == "draft" and not is_member(association):
        petition = None
    petition = found_or_404(petition)
    petition.association = association
    return petition


def listed(association=None):
    """The association's public petitions, open ones first, newest first; for the instance
    home (None), the open petitions of every public association, most signed first."""
    if association is None:
        return list(Petition.select(Petition, Association).join(Association)
                    .where(Petition.present & (Petition.status == "open") & ~Petition.archived
                           & Association.is_public())
                    .order_by(Petition.signature_count.desc(), Petition.id).limit(50))
    petitions = list(Petition.select().where(
        (Petition.association == association) & Petition.present
        & (Petition.status != "draft") & ~Petition.archived).order_by(Petition.id.desc()))
    petitions.sort(key=lambda p: p.status != "open")
    return petitions
