"""The official handover: a "dossier de remise" of a petition, made on demand by its
association, as a printable page and a PDF, with a public address where anyone can check it.

What a handover fixes, at the moment it is made (a snapshot, stored): the text signed (its
revision and checksum), the dates, the counts (online, paper and other sources, partners, by
région and département), the thresholds and where they stood, and a digest of all that. The
list of signatories who agreed to be named (name and département only) is read when the
dossier is shown: whoever withdraws afterwards leaves it, as they leave the petition page.

Making one records a "handover" event: it appears in the feeds, on ActivityPub, on the petition
page, and goes to the signatories who asked for news.
"""

import hashlib
import json

import peewee

from chaton.core.db import BaseModel, JSONField, UTCDateTimeField, utcnow, writing
from chaton.core.events import record_event
from chaton.petitions import territory, thresholds
from chaton.petitions.models import Petition, PetitionRevision, PetitionUpdate, Signature


class Handover(BaseModel):
    petition = peewee.ForeignKeyField(Petition, on_delete="CASCADE")
    number = peewee.IntegerField()
    created_at = UTCDateTimeField(default=utcnow)
    snapshot = JSONField(default=dict)
    digest = peewee.CharField(max_length=64)

    class Meta:
        table_name = "handover"
        indexes = ((("petition", "number"), True),)


TABLES = [Handover]


def snapshot(petition, partners=None):
    """What the dossier certifies, as plain data (JSON)."""
    revision = (PetitionRevision.select().where(PetitionRevision.petition == petition)
                .order_by(PetitionRevision.number.desc()).first())
    counts = territory.area_counts(petition)
    return {
        "title": petition.title,
        "target": petition.target.get("name", ""),
        "demand": petition.meta.get("demand", ""),
        "revision": revision.number if revision else 0,
        "checksum": revision.checksum if revision else "",
        "opens": petition.opens_on.isoformat() if petition.opens_on else None,
        "closes": petition.closes_on.isoformat() if petition.closes_on else None,
        "counts": {"online": petition.signature_count, **petition.other_counts,
                   "partners": partners or {}, "total": petition.total_count},
        "departements": {p.code: p.count for p in territory.by_departement(counts)},
        "regions": {p.code: p.count for p in territory.by_region(counts)},
        "conditions": [c.as_data() for c in thresholds.conditions(petition)],
        "thresholds_reached": [
            {"value": u.value, "at": u.published_at.isoformat()}
            for u in PetitionUpdate.select().where((PetitionUpdate.petition == petition)
                                                   & (PetitionUpdate.kind == "threshold"))],
    }


def digest_of(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()


def make(petition, partners=None):
    """Record a new handover of the petition and its event; returns it."""
    data = snapshot(petition, partners)
    with writing():
        last = (Handover.select(peewee.fn.MAX(Handover.number))
                .where(Handover.petition == petition).scalar() or 0)
        handover = Handover.create(petition=petition, number=last + 1, snapshot=data,
                                   digest=digest_of(data))
        record_event(petition.association.slug, petition.slug, "handover", str(handover.number),
                     value=handover.number, campaign_kind="petitions")
    return handover


def find(petition, number):
    return Handover.get_or_none((Handover.petition == petition) & (Handover.number == number))


def named_signatories(petition):
    """(name, département name) of the confirmed signatories who agreed to be named."""
    from chaton import territory as france

    names = france.departements()
    rows = (Signature.select(Signature.name, Signature.area)
            .where((Signature.petition == petition) & (Signature.status == "confirmed")
                   & Signature.show_name & Signature.anonymized_at.is_null())
            .order_by(Signature.confirmed_at, Signature.id))
    return [(s.name, names.get(s.area, ("", ""))[0]) for s in rows]
