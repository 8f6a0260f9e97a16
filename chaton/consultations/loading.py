"""The consultation, topic or contribution an address names (404 otherwise): a public module,
for the consultation pages, their exports and the capabilities built on them."""

from chaton.admin.auth import is_member
from chaton.consultations.models import Consultation, Contribution, Topic
from chaton.core.lookup import found_or_404
from chaton.orgs.loading import load_association


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
