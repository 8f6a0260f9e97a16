"""Co-hosting: a partner instance collects signatures for another instance's petition.

The origin declares its partners (`partners: [host]` in the petition's front matter). A partner
that accepts (`chaton federation cohost URL --association ORG`) writes a local petition file
with `cohost_of: URL`: its signatories' data stays with it, under its privacy notice. After each
change of its confirmed count it sends the origin a signed report (an `Update` of a
`chaton:SignatureCount`); the origin accepts reports only from declared partners and shows
the total with a per-instance breakdown. See docs/federation.md.
"""

import logging
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from chaton.admin.files import markdown_file, write_atomic
from chaton.core.db import database, utcnow, writing
from chaton.federation import objects
from chaton.federation.actors import CONTEXT, actor_id, base, host, petition_url
from chaton.federation.fetch import FetchError, get_object
from chaton.federation.keys import INSTANCE
from chaton.federation.models import PartnerCount
from chaton.federation.origins import id_of
from chaton.federation.remote import fetch_actor
from chaton.orgs.models import Association
from chaton.petitions import signing
from chaton.petitions.models import Petition

log = logging.getLogger(__name__)


def _front_matter(campaign, status):
    """The co-hosted copy's front matter: the origin's text and signing rules, our status."""
    meta = {"title": campaign["title"], "summary": campaign["summary"] or None,
            "target": {"name": campaign["target"] or "?"}, "demand": campaign["demand"] or "?",
            "status": status, "cohost_of": campaign["id"]}
    if campaign["goal"]:
        meta["goal"] = campaign["goal"]
    if campaign["deadline"]:
        meta["closes"] = date.fromisoformat(campaign["deadline"])
    if campaign["language"]:
        meta["language"] = campaign["language"]
    if campaign["askPostalCode"]:
        meta["ask_postal_code"] = True
    return {k: v for k, v in meta.items() if v is not None}


def cohost(url, association_slug):
    """Accept to co-host a remote petition: write the local file and follow the origin's
    association (its updates then reach us); returns the file's path."""
    from chaton.federation.mirrors import follow

    association = Association.by_slug(association_slug)
    if association is None:
        raise FetchError(f"no association {association_slug!r} here")
    obj = get_object(url)
    if obj.get("chaton:kind") != "petition" or obj.get("id") != url:
        raise FetchError(f"{url} is not a Chaton petition")
    try:
        campaign = objects.campaign(obj, id_of(obj.get("attributedTo")))
    except objects.Invalid as exc:
        raise FetchError(f"{url}: {exc}") from None
    if host() not in campaign["partners"]:
        raise FetchError(f"{url} does not name this instance ({host()}) as a partner")
    slug = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    path = _content_dir() / association.slug / "petitions" / f"{slug}.md"
    if path.exists() and f"cohost_of: {url}" not in path.read_text(encoding="utf-8"):
        raise FetchError(f"{path} already exists")
    write_atomic(path, markdown_file(_front_matter(campaign, "open"), campaign["source"]))
    current_app.extensions["chaton_content"].refresh()
    follow(id_of(obj.get("attributedTo")))
    return path


def _content_dir():
    return Path(current_app.config["CHATON"]["content_dir"])


def sync_cohosted(campaign):
    """The origin changed its text or closed: rewrite our co-hosted copy (checked values)."""
    url = campaign["id"]
    changed = False
    for petition in Petition.select().where(Petition.present & Petition.meta.contains(url)):
        if petition.meta.get("cohost_of") != url:
            continue
        status = "closed" if campaign["status"] != "open" else petition.status
        path = _content_dir() / petition.association.slug / "petitions" / f"{petition.slug}.md"
        text = markdown_file(_front_matter(campaign, status), campaign["source"])
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)
            changed = True
    if changed:
        current_app.extensions["chaton_content"].refresh()


def on_count_changed(petition_id):
    """Called after a confirmation or a withdrawal: report co-hosted counts to the origin."""
    from chaton.federation.tasks import report_count

    petition = Petition.get_or_none(Petition.id == petition_id)
    if petition is not None and petition.meta.get("cohost_of"):
        database.after_commit(lambda: report_count(petition_id))


def send_count_report(petition_id):
    """Send the origin our confirmed count (an absolute figure: reports can be repeated)."""
    from chaton.federation.delivery import enqueue

    petition = Petition.get_by_id(petition_id)
    origin_url = petition.meta["cohost_of"]
    origin = fetch_actor(id_of(get_object(origin_url).get("attributedTo")))
    here = petition_url(petition)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    activity = {
        "@context": CONTEXT, "id": f"{here}#count-{stamp}",
        "type": "Update", "actor": actor_id(INSTANCE), "to": [origin.uri],
        "object": {"type": "chaton:SignatureCount", "id": f"{here}#count",
                   "chaton:campaign": origin_url, "chaton:count": petition.signature_count,
                   "chaton:page": here, "updated": utcnow().isoformat()},
    }
    enqueue(activity, INSTANCE, [origin.inbox])


def receive_count_report(obj, remote):
    """Accept a partner's count for one of our open petitions, from declared partners only."""
    report = objects.count_report(obj, remote.uri)
    campaign = report["campaign"]
    prefix = base() + "/"
    parts = campaign[len(prefix):].split("/") if campaign.startswith(prefix) else []
    if len(parts) != 3 or parts[1] != "petitions":
        raise objects.Invalid(f"count report for {campaign}, which is not a petition here")
    petition = (Petition.select().join(Association)
                .where((Association.slug == parts[0]) & (Petition.slug == parts[2])).first())
    if petition is None or remote.host not in (petition.meta.get("partners") or []):
        raise objects.Invalid(f"{remote.host} is not a partner of {campaign}")
    if not petition.is_signable(date.today()):
        raise objects.Invalid(f"{campaign} is closed: its count no longer changes")
    count = report["count"]
    with writing():
        PartnerCount.insert(petition=petition.id, partner=remote.host, actor=remote.uri,
                            count=count, reported_at=utcnow()).on_conflict(
            conflict_target=[PartnerCount.petition, PartnerCount.partner],
            update={PartnerCount.count: count, PartnerCount.reported_at: utcnow()}).execute()
        total = sum(p.count for p in PartnerCount.select().where(
            PartnerCount.petition == petition.id))
        Petition.update(partner_count=total).where(Petition.id == petition.id).execute()
        signing.record_milestones(Petition.get_by_id(petition.id))


def partner_counts(petition):
    """{partner host: count} for a petition's page and JSON."""
    return {p.partner: p.count for p in PartnerCount.select().where(
        PartnerCount.petition == petition.id).order_by(PartnerCount.partner)}


signing.COUNT_LISTENERS.append(on_count_changed)
