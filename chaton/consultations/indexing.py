"""Index parsed consultations: rows, topics, synthesis, answer, and the events they make.

Only content columns are written here; the counters belong to the participation services.
A broken file is skipped: the last good version of it stays online.
"""

import re
from datetime import date

from chaton.consultations.models import Consultation, Topic
from chaton.core.events import record_event
from chaton.core.markup import RENDER_VERSION, render_markdown
from chaton.petitions.content import checksum

# `#c42` in a synthesis or an answer links to contribution 42 of the consultation
REFERENCE_RE = re.compile(r"(?<![\w/&#\[])#c(\d{1,7})\b")


def link_references(text, base):
    """Turn `#c42` into a Markdown link to the contribution's permalink."""
    return REFERENCE_RE.sub(lambda m: f"[#c{m.group(1)}]({base}/contributions/{m.group(1)})", text)


def cited_numbers(html):
    """Numbers of the contributions a rendered text links to, in order, once each."""
    found = re.findall(r"/contributions/(\d+)\"", html or "")
    return list(dict.fromkeys(int(n) for n in found))


def index_consultations(association, parsed_consultations):
    """Upsert every valid consultation of an association and retire those gone from disk."""
    seen = []
    for parsed in parsed_consultations:
        seen.append(parsed.slug)
        if not parsed.doc.ok:
            continue  # the last good version stays online; the error is listed for admins
        consultation = _upsert(association, parsed)
        _index_topics(consultation, parsed.topics)
        for name in ("synthesis", "answer"):
            _index_published(consultation, name, getattr(parsed, name))
        if consultation.status == "published":
            record_phase_events(consultation, date.today())
    (Consultation.update(present=False)
     .where((Consultation.association == association) & Consultation.present
            & Consultation.slug.not_in(seen or [""]))
     .execute())


def _media_base(association_slug, slug):
    return f"/{association_slug}/media/consultations/{slug}"


def _page_base(association_slug, slug):
    return f"/{association_slug}/consultations/{slug}"


def _fields(association, parsed):
    doc = parsed.doc
    meta = {k: v for k, v in doc.meta.items() if k != "_extra"}
    meta["phases"] = {name: {k: v.isoformat() for k, v in spec.items()}
                      for name, spec in (meta.get("phases") or {}).items() if spec}
    media = _media_base(association.slug, parsed.slug)
    return {
        "title": meta["title"], "summary": meta.get("summary") or "",
        "question": meta["question"], "status": meta["status"],
        "language": meta.get("language") or "", "meta": meta, "path": doc.path,
        "context_html": render_markdown(doc.body, media),
        "charter_html": render_markdown(meta.get("charter") or "", media),
        "present": True, "archived": bool(meta.get("archived")),
    }


def _upsert(association, parsed):
    digest = checksum(parsed.doc.source + RENDER_VERSION)
    consultation = Consultation.get_or_none((Consultation.association == association)
                                            & (Consultation.slug == parsed.slug))
    if consultation and consultation.checksum == digest and consultation.present:
        consultation.association = association
        return consultation
    fields = _fields(association, parsed)
    fields["checksum"] = digest
    if consultation is None:
        consultation = Consultation.create(association=association, slug=parsed.slug, **fields)
    else:
        Consultation.update(**fields).where(Consultation.id == consultation.id).execute()
        consultation = Consultation.get_by_id(consultation.id)
    consultation.association = association
    if consultation.status == "published":
        record_event(association.slug, parsed.slug, "opened", "opened", title=consultation.title,
                     type="consultation", campaign_kind="consultations")
    return consultation


def _topic_fields(doc, media):
    meta = doc.meta
    return {
        "title": meta["title"], "summary": meta.get("summary") or "",
        "question": meta.get("question") or "",
        "position": meta.get("position") or 0, "vote_type": meta["vote"],
        "options": meta.get("options") or [], "allow_abstain": meta["abstain"],
        "html": render_markdown(doc.body, media), "documents": meta.get("documents") or [],
        "path": doc.path, "present": True,
    }


def _index_topics(consultation, topics):
    media = _media_base(consultation.association.slug, consultation.slug)
    seen = []
    for slug, doc in topics:
        seen.append(slug)
        if not doc.ok:
            continue
        digest = checksum(doc.source + RENDER_VERSION)
        existing = Topic.get_or_none((Topic.consultation == consultation) & (Topic.slug == slug))
        fields = dict(_topic_fields(doc, media), checksum=digest)
        if existing is None:
            Topic.create(consultation=consultation, slug=slug, **fields)
        elif existing.checksum != digest or not existing.present:
            Topic.update(**fields).where(Topic.id == existing.id).execute()
    (Topic.update(present=False)
     .where((Topic.consultation == consultation) & Topic.slug.not_in(seen or [""])).execute())


def _index_published(consultation, name, doc):
    """synthesis.md or answer.md into their JSON column; a new date makes an event."""
    if doc is None:
        if getattr(consultation, name) is not None:
            Consultation.update(**{name: None}).where(Consultation.id == consultation.id).execute()
        return
    if not doc.ok:
        return
    association = consultation.association.slug
    text = link_references(doc.body, _page_base(association, consultation.slug))
    value = {"date": doc.meta["date"].isoformat(), "author": doc.meta["author"],
             "html": render_markdown(text, _media_base(association, consultation.slug))}
    if value != getattr(consultation, name):
        Consultation.update(**{name: value}).where(Consultation.id == consultation.id).execute()
        setattr(consultation, name, value)
    if consultation.status == "published":
        record_event(association, consultation.slug, name, value["date"],
                     author=value["author"], type="consultation", campaign_kind="consultations")


def record_phase_events(consultation, today):
    """Record once each phase that is running (feeds, mails to those who opted in).

    Phases over before Chaton first saw them make no event: that news is stale."""
    for name in (p.name for p in consultation.schedule().active(today)):
        record_event(consultation.association.slug, consultation.slug, "phase", name,
                     phase=name, type="consultation", campaign_kind="consultations")
