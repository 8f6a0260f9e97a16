"""Retention: once a petition has been closed for its retention period, its signatories'
personal data is erased. Counts (online, per day, per area) and the revision signed stay."""

from datetime import date, timedelta

from flask import current_app

from chaton.core.db import utcnow, writing
from chaton.core.events import Event
from chaton.orgs.models import Association
from chaton.petitions.models import Petition, Signature

CLOSED = ("closed", "won", "answered")
ENDED = (*CLOSED, "removed")


def closed_on(petition, today):
    """The day a petition stopped collecting signatures, or None while it still collects."""
    if petition.closes_on and petition.closes_on < today:
        return petition.closes_on
    if petition.status in CLOSED or not petition.present:
        event = (Event.select().where((Event.association == petition.association.slug)
                                      & (Event.campaign == petition.slug)
                                      & Event.kind.in_(ENDED))
                 .order_by(Event.created_at).first())
        return event.created_at.date() if event else today
    return None


def due_petitions(today=None):
    """Petitions whose retention period has run out and that still hold personal data."""
    today = today or date.today()
    instance_days = current_app.config["CHATON"]["retention_days"]
    due = []
    for petition in Petition.select(Petition, Association).join(Association):
        ended = closed_on(petition, today)
        # the petition's retention_days, else its association's, else the instance's
        default_days = petition.association.meta.get("retention_days") or instance_days
        if ended and ended + timedelta(days=petition.retention_days(default_days)) <= today:
            due.append(petition)
    return due


def anonymize(petition):
    """Erase names, e-mails, postal codes, communes, comments and share codes (who brought
    whom) of a petition; return how many."""
    with writing():
        Signature.delete().where((Signature.petition == petition)
                                 & (Signature.status == "pending")).execute()
        return (Signature.update(name="", email=None, email_key=None, postal_code="", commune=None,
                                 comment="", show_name=False, keep_informed=False,
                                 share_code=None, via=None, anonymized_at=utcnow())
                .where((Signature.petition == petition) & Signature.anonymized_at.is_null())
                .execute())


def run(today=None):
    """Anonymize every due petition; return {petition path: signatures anonymized}."""
    return {f"{p.association.slug}/{p.slug}": anonymize(p) for p in due_petitions(today)}
