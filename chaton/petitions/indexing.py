"""Index parsed petition files: rows, revisions, updates, answers and the events they make.

Only content columns are written here; the counters belong to the signing transactions.
"""

from datetime import UTC, datetime, time

from chaton.core.events import record_event
from chaton.core.markup import RENDER_VERSION, render_markdown
from chaton.petitions.content import checksum, signed_text
from chaton.petitions.models import Petition, PetitionRevision, PetitionUpdate
from chaton.petitions.signing import record_milestones

PUBLIC_STATUSES = ("open", "closed", "won", "answered")


def index_petitions(association, parsed_petitions):
    """Upsert every valid petition of an association and retire those gone from disk."""
    media_base = f"/{association.slug}/media"
    seen = []
    for parsed in parsed_petitions:
        seen.append(parsed.slug)
        if not parsed.doc.ok:
            continue  # the last good version stays online; the error is listed for admins
        petition = _upsert_petition(association, parsed.doc, parsed.slug, media_base)
        _index_updates(petition, parsed.updates, media_base)
        _index_answer(petition, parsed.answer, media_base)
        if petition.status != "draft":
            record_milestones(petition)  # paper counts can cross a milestone too
    gone = Petition.select().where((Petition.association == association) & Petition.present
                                   & Petition.slug.not_in(seen or [""]))
    for petition in gone:
        record_event(association.slug, petition.slug, "removed", "removed", title=petition.title,
                     campaign_kind="petitions")
    Petition.update(present=False).where(Petition.id.in_([p.id for p in gone])).execute()


def _fields(doc, media_base):
    meta = {k: v for k, v in doc.meta.items() if k != "_extra"}
    meta["story"] = doc.body.strip()  # the Markdown source, for mirrors on other instances
    for key in ("opens", "closes"):
        if meta.get(key):
            meta[key] = meta[key].isoformat()
    return {
        "title": meta["title"],
        "summary": meta.get("summary") or "",
        "status": meta["status"],
        "goal": meta.get("goal") or 0,
        "opens_on": doc.meta.get("opens"),
        "closes_on": doc.meta.get("closes"),
        "language": meta.get("language") or "",
        "meta": meta,
        "story_html": render_markdown(doc.body, media_base),
        "path": doc.path,
        "present": True,
        "archived": bool(doc.meta.get("archived")),
    }


def _upsert_petition(association, doc, slug, media_base):
    digest = checksum(doc.source + RENDER_VERSION)
    petition = Petition.get_or_none((Petition.association == association) & (Petition.slug == slug))
    if petition and petition.checksum == digest and petition.present:
        return petition
    fields = _fields(doc, media_base)
    fields["checksum"] = digest
    if petition is None:
        petition = Petition.create(association=association, slug=slug, **fields)
    else:
        was_public = petition.present and petition.status in PUBLIC_STATUSES
        Petition.update(**fields).where(Petition.id == petition.id).execute()
        petition = Petition.get_by_id(petition.id)
        if was_public and petition.status in PUBLIC_STATUSES:
            record_event(association.slug, slug, "edited", digest[:16], title=petition.title,
                         campaign_kind="petitions")
    if petition.status != "draft":  # a draft's edits are nobody's business yet
        _record_revision(petition, doc)
    if petition.status in PUBLIC_STATUSES:
        record_event(association.slug, slug, "opened", "opened", title=petition.title,
                     campaign_kind="petitions")
    if petition.status in ("closed", "won", "answered"):
        record_event(association.slug, slug, petition.status, petition.status,
                     title=petition.title, campaign_kind="petitions")
    return petition


def _record_revision(petition, doc):
    """Keep a copy of the signed text each time it changes."""
    digest = checksum(signed_text(doc))
    latest = (PetitionRevision.select().where(PetitionRevision.petition == petition)
              .order_by(PetitionRevision.number.desc()).first())
    if latest and latest.checksum == digest:
        return
    number = latest.number + 1 if latest else 1
    PetitionRevision.create(petition=petition, number=number, checksum=digest,
                            source=signed_text(doc))
    Petition.update(revision_number=number).where(Petition.id == petition.id).execute()
    petition.revision_number = number


def _published_at(day):
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def _index_updates(petition, updates, media_base):
    seen = []
    for slug, doc in updates:
        seen.append(slug)
        if not doc.ok:
            continue
        digest = checksum(doc.source + RENDER_VERSION)
        fields = {
            "title": doc.meta["title"], "html": render_markdown(doc.body, media_base),
            "path": doc.path, "checksum": digest, "kind": "update", "present": True,
            "published_at": _published_at(doc.meta["date"]),
        }
        existing = PetitionUpdate.get_or_none(
            (PetitionUpdate.petition == petition) & (PetitionUpdate.slug == slug))
        if existing is None:
            PetitionUpdate.create(petition=petition, slug=slug, **fields)
        elif existing.checksum != digest or not existing.present:
            PetitionUpdate.update(**fields).where(PetitionUpdate.id == existing.id).execute()
        record_event(petition.association.slug, petition.slug, "update", slug,
                     title=doc.meta["title"], campaign_kind="petitions")
    (PetitionUpdate.update(present=False)
     .where((PetitionUpdate.petition == petition) & (PetitionUpdate.kind == "update")
            & PetitionUpdate.slug.not_in(seen or [""]))
     .execute())


def _index_answer(petition, doc, media_base):
    if doc is None:
        if petition.answer is not None:
            Petition.update(answer=None).where(Petition.id == petition.id).execute()
        return
    if not doc.ok:
        return
    answer = {"date": doc.meta["date"].isoformat(), "author": doc.meta["author"],
              "html": render_markdown(doc.body, media_base)}
    if answer != petition.answer:
        Petition.update(answer=answer).where(Petition.id == petition.id).execute()
    record_event(petition.association.slug, petition.slug, "answer", doc.meta["date"].isoformat(),
                 author=doc.meta["author"], campaign_kind="petitions")
