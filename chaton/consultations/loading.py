"""The consultation, topic or contribution an address names (404 otherwise): a public module,
for the consultation pages, their exports and the capabilities built on them."""

from datetime import date

from chaton.admin.auth import is_member
from chaton.consultations.models import Consultation, Contribution, Topic
from chaton.core.lookup import found_or_404
from chaton.orgs.loading import load_association
from chaton.orgs.models import Association


def load_consultation(org, slug):
    """The consultation of the URL; drafts only for the association's members."""
    association = load_association(org)
    consultation = Consultation.find(association, slug)
    if consultation is not None and consultation.status == "draft" and not is_member(association):
        consultation = None
    consultation = found_or_404(consultation)
    consultation.association = association
    return consultation


def load_topic(consultation, topic_slug):
    topic = found_or_404(Topic.get_or_none((Topic.consultation == consultation)
                                           & (Topic.slug == topic_slug) & Topic.present))
    topic.consultation = consultation
    return topic


def load_contribution(consultation, number):
    return found_or_404(Contribution.get_or_none((Contribution.consultation == consultation)
                                                 & (Contribution.number == number)))


def listed(association=None):
    """The association's published consultations (its page); for the instance home (None),
    those of every public association where people can take part today."""
    return open_consultations() if association is None else listed_for(association)


def listed_for(association):
    """The association's published consultations, newest first (for its page)."""
    return list(Consultation.select().where((Consultation.association == association)
                                            & Consultation.present & ~Consultation.archived
                                            & (Consultation.status == "published"))
                .order_by(Consultation.id.desc()))


def open_consultations(limit=20):
    """Published consultations where people can take part today, for the home page."""
    today = date.today()
    rows = (Consultation.select(Consultation, Association).join(Association)
            .where(Consultation.present & (Consultation.status == "published")
                   & ~Consultation.archived & Association.is_public())
            .order_by(Consultation.participant_count.desc(), Consultation.id))
    found = [c for c in rows if any(c.schedule().allows(a, today) for a in ("vote", "contribute"))]
    return found[:limit]
