"""Consultation events in the Atom/RSS feeds (and whatever else tells events, via describe)."""

from datetime import date

from flask import url_for
from flask_babel import gettext as _

from chaton.consultations.models import Consultation
from chaton.orgs.models import Association


def campaigns(keys):
    """{(association slug, slug): consultation} of the public consultations among keys."""
    if not keys:
        return {}
    rows = (Consultation.select(Consultation, Association).join(Association)
            .where(Consultation.present & (Consultation.status == "published")
                   & ~Consultation.archived & Association.is_public()
                   & Consultation.slug.in_([k[1] for k in keys])))
    return {(c.association.slug, c.slug): c for c in rows if (c.association.slug, c.slug) in keys}


def url_of(event, consultation):
    """The page an event points to."""
    endpoint = "consultations.synthesis" if event.kind in ("synthesis", "answer") else \
        "consultations.show"
    url = url_for(endpoint, org=event.association, slug=event.campaign, _external=True)
    return url + ("#answer" if event.kind == "answer" else "")


def phase_label(name):
    return {"information": _("Information"), "contribution": _("Contributions"),
            "vote": _("Vote"), "synthesis": _("Synthesis"), "answer": _("Answer")}.get(name, name)


def event_day(event, consultation):
    """The synthesis's and the answer's own date (their key); None for the others."""
    return date.fromisoformat(event.key) if event.kind in ("synthesis", "answer") else None


def describe(event, consultation):
    """The title and HTML body that tell a consultation event."""
    title = consultation.title
    if event.kind == "opened":
        return _("New consultation: %(title)s", title=title), consultation.context_html
    if event.kind == "phase":
        return _("%(title)s: the %(phase)s phase starts", title=title,
                 phase=phase_label(event.key).lower()), ""
    if event.kind == "synthesis":
        return (_("%(title)s: the synthesis is published", title=title),
                (consultation.synthesis or {}).get("html", ""))
    if event.kind == "answer":
        answer = consultation.answer or {}
        return (_("%(author)s answered: %(title)s", author=answer.get("author", ""), title=title),
                answer.get("html", ""))
    return title, ""
