"""Co-hosting, the origin's side: partners' count reports, each person counted once.

A report is accepted only from a server on a host the petition's front matter lists in
`partners`, only while the petition is open, and only as checked values (objects.py). When it
names the partner's list of hashed signatories (dedup.py), the worker fetches it before
counting: duplicates are subtracted from the partners' figures and shown on the page.
"""

import logging
from datetime import date

from chaton.core.db import utcnow, writing
from chaton.federation import dedup, objects
from chaton.federation.actors import base
from chaton.federation.fetch import FetchError, get_object
from chaton.federation.models import Cohosting, PartnerCount
from chaton.federation.origins import id_of
from chaton.orgs.models import Association
from chaton.petitions import signing
from chaton.petitions.models import Petition

log = logging.getLogger(__name__)
PAGES = dedup.MAX_HASHES // 5000 + 1


def _our_petition(url):
    prefix = base() + "/"
    parts = url[len(prefix):].split("/") if url.startswith(prefix) else []
    if len(parts) != 3 or parts[1] != "petitions":
        return None
    return (Petition.select().join(Association)
            .where((Association.slug == parts[0]) & (Petition.slug == parts[2])
                   & Petition.present).first())


def receive_count_report(obj, remote):
    """Accept a partner's count for one of our open petitions, from declared partners only."""
    report = objects.count_report(obj, remote.uri)
    petition = _our_petition(report["campaign"])
    if petition is None or remote.host not in (petition.meta.get("partners") or []):
        raise objects.Invalid(f"{remote.host} is not a partner of {report['campaign']}")
    if not petition.is_signable(date.today()):
        raise objects.Invalid(f"{report['campaign']} is closed: its count no longer changes")
    hashes = _fetch_hashes(report["signatories"], petition) if report["signatories"] else None
    fields = {"actor": remote.uri, "count": report["count"], "reported_at": utcnow()}
    if hashes is not None:
        fields["hashes"] = " ".join(sorted(hashes))
    with writing():
        PartnerCount.insert(petition=petition.id, partner=remote.host, **fields).on_conflict(
            conflict_target=[PartnerCount.petition, PartnerCount.partner],
            update=fields).execute()
    recount(petition)
    _tell_partner(petition, remote)


def _tell_partner(petition, remote):
    """Send the partner the petition as counted now (an Update of its Note): its copy shows
    the shared total without waiting for its next reading."""
    from chaton.federation.actors import CONTEXT, actor_id, petition_note, petition_url
    from chaton.federation.delivery import enqueue

    petition = Petition.get_by_id(petition.id)
    note = petition_note(petition)
    note.pop("@context")
    me = actor_id(petition.association.slug)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    enqueue({"@context": CONTEXT, "id": f"{petition_url(petition)}#counted-{stamp}",
             "type": "Update", "actor": me, "to": [remote.uri], "object": note},
            petition.association.slug, [remote.inbox])


def _fetch_hashes(url, petition):
    """A partner's hashed signatories (a collection in pages), or None when unavailable."""
    hashes = set()
    try:
        collection = get_object(url, signer=petition.association.slug)
        page_url, pages = id_of(collection.get("first")), 0
        while page_url and pages < PAGES and len(hashes) < dedup.MAX_HASHES:
            page = get_object(page_url, signer=petition.association.slug)
            items = page.get("orderedItems")
            if not isinstance(items, list) or not all(dedup.is_hash(h) for h in items):
                raise objects.Invalid(f"{page_url}: not a list of signatory hashes")
            hashes.update(items)
            page_url, pages = id_of(page.get("next")), pages + 1
    except (FetchError, objects.Invalid) as exc:
        log.warning("co-hosting: hashes of %s not usable (counted as reported): %s", url, exc)
        return None
    return hashes


def recount(petition):
    """Count each person once: the duplicates of every partner, and the petition's figure.

    Recounts of one petition take turns and read the partners' rows under their key: the
    figure is a sum over all of them, and two reports counted side by side would each write a
    sum missing the other's. Our own hashes, the long part, are made before taking the key
    (there is a secret once a partner asked for it, to send its hashes)."""
    state = Cohosting.get_or_none(Cohosting.petition == petition.id)
    secret = state.secret if state is not None else ""
    local = set(dedup.signatory_hashes(petition.id, secret)) if secret else set()
    with writing("recount", petition.id):
        rows = list(PartnerCount.select().where(PartnerCount.petition == petition.id))
        found = {}
        if secret and any(r.hashes for r in rows):
            found = dedup.duplicates(local, {r.partner: set(r.hashes.split()) for r in rows})
        for row in rows:
            row.duplicates = min(found.get(row.partner, 0), row.count)
            PartnerCount.update(duplicates=row.duplicates).where(PartnerCount.id == row.id).execute()
        Petition.update(partner_count=sum(r.counted for r in rows)).where(
            Petition.id == petition.id).execute()
        if state is not None:
            Cohosting.update(computed_count=petition.signature_count).where(
                Cohosting.id == state.id).execute()
        signing.record_milestones(Petition.get_by_id(petition.id))


def recount_stale():
    """Periodically: petitions whose own count changed since their last de-duplication (a
    person may have signed here after signing on a partner)."""
    for state in Cohosting.select().where(Cohosting.secret != ""):
        petition = Petition.get_or_none(Petition.id == state.petition)
        if (petition is not None and not petition.meta.get("cohost_of")
                and petition.signature_count != state.computed_count
                and PartnerCount.select().where(PartnerCount.petition == petition.id).exists()):
            recount(petition)


def secret_for(petition, signer):
    """The petition's hashing secret, for a server of a declared partner only (else None)."""
    if signer is None or petition.meta.get("cohost_of"):
        return None
    if signer.host not in (petition.meta.get("partners") or []):
        return None
    with writing():  # made once: asked side by side, the second request gets the first's secret
        Cohosting.insert(petition=petition.id, secret=dedup.new_secret()).on_conflict_ignore() \
            .execute()
        Cohosting.update(secret=dedup.new_secret()).where(
            (Cohosting.petition == petition.id) & (Cohosting.secret == "")).execute()
        return Cohosting.get(Cohosting.petition == petition.id).secret


def partner_counts(petition, duplicates=False):
    """({partner host: signatures counted}, duplicates removed) for a petition's page and JSON;
    with `duplicates`, {partner host: its duplicates} (partners need it to show the total)."""
    rows = list(PartnerCount.select().where(PartnerCount.petition == petition.id)
                .order_by(PartnerCount.partner))
    if duplicates:
        return {p.partner: p.duplicates for p in rows}
    return {p.partner: p.counted for p in rows}, sum(p.duplicates for p in rows)


def petition_context(petition):
    """For a petition's page and JSON: its partners' counts when it is co-hosted."""
    if not (petition.meta.get("partners") or petition.meta.get("cohost_of")):
        return {}
    partners, duplicates_removed = partner_counts(petition)
    return {"partners": partners, "duplicates_removed": duplicates_removed}
