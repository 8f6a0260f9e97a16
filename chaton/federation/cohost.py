"""Co-hosting, the partner's side: collecting signatures for another instance's petition.

The origin declares its partners (`partners: [host]` in the petition's front matter). A partner
that accepts (`chaton federation cohost URL --association ORG`) writes a local petition file
with `cohost_of: URL`: the origin's text and signing rules, its signatories' data staying here,
under this instance's privacy notice. When its confirmed count changes it sends the origin a
signed report (an `Update` of a `chaton:SignatureCount`, at most every
`federation_report_interval` seconds),
with the address of its hashed signatories (dedup.py) once the origin gave it the secret. Each
time, and every few minutes, it reads the origin's petition again: its text, whether it is
still open (the copy closes with it), and the shared total to show here. The origin's side is
partners.py. See docs/federation.md.
"""

import logging
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import peewee
from flask import current_app

from chaton.admin.files import markdown_file, write_atomic
from chaton.core.db import database, utcnow, writing
from chaton.federation import dedup, objects
from chaton.federation.actors import CONTEXT, actor_id, host, petition_url
from chaton.federation.fetch import FetchError, get_object
from chaton.federation.keys import INSTANCE
from chaton.federation.models import Cohosting, PartnerCount
from chaton.federation.origins import id_of, netloc
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
    """The origin's petition as it stands (checked values): rewrite our copy when its text or
    status changed, and show what the other instances collected."""
    url = campaign["id"]
    changed = False
    for petition in _copies_of(url):
        status = "closed" if campaign["status"] != "open" else petition.status
        path = _content_dir() / petition.association.slug / "petitions" / f"{petition.slug}.md"
        text = markdown_file(_front_matter(campaign, status), campaign["source"])
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)
            changed = True
        _show_shared_total(petition, campaign)
    if changed:
        current_app.extensions["chaton_content"].refresh()


def _copies_of(url):
    """Our present petitions that co-host `url` (a LIKE narrows, the exact test decides)."""
    pattern = peewee.Value(f"%{url}%", converter=False)  # not through the JSON field
    rows = Petition.select().where(Petition.present
                                   & peewee.Expression(Petition.meta, peewee.OP.ILIKE, pattern))
    return [p for p in rows if p.meta.get("cohost_of") == url]


def _show_shared_total(petition, campaign):
    """What the origin and the other partners collected, from the origin's total minus what it
    last counted of ours (duplicates included): fresh, our total is the origin's."""
    me = host().lower()
    ours = campaign["partnerCounts"].get(me, 0) + campaign["partnerDuplicates"].get(me, 0)
    elsewhere = max(0, campaign["count"] - ours)
    origin = netloc(campaign["id"])
    fields = {"actor": campaign["id"], "count": elsewhere, "reported_at": utcnow()}
    with writing():
        PartnerCount.delete().where((PartnerCount.petition == petition.id)
                                    & (PartnerCount.partner != origin)).execute()
        PartnerCount.insert(petition=petition.id, partner=origin, **fields).on_conflict(
            conflict_target=[PartnerCount.petition, PartnerCount.partner],
            update=fields).execute()
        Petition.update(partner_count=elsewhere).where(Petition.id == petition.id).execute()
        signing.record_milestones(Petition.get_by_id(petition.id))


def on_count_changed(petition_id):
    """In the signing transaction: a report to the origin is due (the confirmations of the
    next `federation_report_interval` seconds go in the same report)."""
    from chaton.federation.tasks import report_count

    petition = Petition.get_or_none(Petition.id == petition_id)
    if petition is None or not petition.meta.get("cohost_of"):
        return
    Cohosting.insert(petition=petition_id).on_conflict_ignore().execute()
    flipped = Cohosting.update(report_due=True).where(
        (Cohosting.petition == petition_id) & (Cohosting.report_due == False)).execute()  # noqa: E712
    if flipped:
        delay = current_app.config["CHATON"]["federation_report_interval"]
        database.after_commit(lambda: report_count.schedule((petition_id,), delay=delay)
                              if not report_count.huey.immediate else report_count(petition_id))


def send_count_report(petition_id):
    """Read the origin's petition again, then send it our confirmed count (absolute: reports
    can be repeated or reordered) while it is open."""
    from chaton.federation.delivery import enqueue

    with writing():
        Cohosting.update(report_due=False, reported_at=utcnow()).where(
            Cohosting.petition == petition_id).execute()
    petition = Petition.get_or_none(Petition.id == petition_id)
    if petition is None or not petition.present or not petition.meta.get("cohost_of"):
        return
    campaign, origin = refresh_from_origin(petition)
    if campaign["status"] != "open":
        return  # the origin closed: it would refuse the report
    here = petition_url(petition)
    report = {"type": "chaton:SignatureCount", "id": f"{here}#count",
              "chaton:campaign": campaign["id"], "chaton:count": petition.signature_count,
              "chaton:page": here, "updated": utcnow().isoformat()}
    if _secret(petition.id):
        report["chaton:signatories"] = f"{here}/signatories"
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    enqueue({"@context": CONTEXT, "id": f"{here}#count-{stamp}", "type": "Update",
             "actor": actor_id(INSTANCE), "to": [origin.uri], "object": report},
            INSTANCE, [origin.inbox])


def refresh_from_origin(petition):
    """Read the origin's petition (signed: a declared partner gets the hashing secret), keep
    the secret, sync our copy. Returns (checked campaign, origin actor)."""
    obj = get_object(petition.meta["cohost_of"])
    campaign = objects.campaign(obj, id_of(obj.get("attributedTo")))
    origin = fetch_actor(id_of(obj.get("attributedTo")))
    if campaign["dedupKey"]:
        with writing():
            Cohosting.insert(petition=petition.id).on_conflict_ignore().execute()
            Cohosting.update(secret=campaign["dedupKey"]).where(
                Cohosting.petition == petition.id).execute()
    sync_cohosted(campaign)
    return campaign, origin


def refresh_all():
    """Periodically: every co-hosted copy reads its origin again (text, status, total)."""
    for petition in Petition.select().where(Petition.present & (Petition.status == "open")):
        if petition.meta.get("cohost_of"):
            try:
                refresh_from_origin(petition)
            except (FetchError, objects.Invalid) as exc:
                log.warning("co-hosted %s: origin not read: %s", petition.meta["cohost_of"], exc)


def _secret(petition_id):
    state = Cohosting.get_or_none(Cohosting.petition == petition_id)
    return state.secret if state else ""


def signatories(petition, signer):
    """Our hashed signatories, for the origin's servers only; None for anybody else."""
    origin = petition.meta.get("cohost_of")
    secret = _secret(petition.id)
    if not origin or not secret or signer is None or signer.host != netloc(origin):
        return None
    return dedup.signatory_hashes(petition.id, secret)


signing.count_changed.connect(on_count_changed)
