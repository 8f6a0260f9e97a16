"""How a petition's events read in feeds and federated posts: a title and an HTML body."""

from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from chaton.core.formats import colon, number
from chaton.orgs.models import Association
from chaton.petitions.models import Petition, PetitionUpdate


def campaigns(keys):
    """{(association slug, slug): petition} of the public petitions among keys (no drafts)."""
    if not keys:
        return {}
    rows = (Petition.select(Petition, Association).join(Association)
            .where(Petition.present & (Petition.status != "draft") & ~Petition.archived
                   & Association.is_public() & Petition.slug.in_([k[1] for k in keys])))
    return {(p.association.slug, p.slug): p for p in rows if (p.association.slug, p.slug) in keys}


def prepare(pairs):
    """Attach each update event's PetitionUpdate, in one query (not one per feed entry)."""
    wanted = [(e, p) for e, p in pairs if e.kind == "update"]
    if not wanted:
        return
    rows = PetitionUpdate.select().where(PetitionUpdate.petition.in_({p.id for _e, p in wanted})
                                         & PetitionUpdate.slug.in_({e.key for e, _p in wanted}))
    found = {(r.petition_id, r.slug): r for r in rows}
    for event, petition in wanted:
        event.preloaded_update = found.get((petition.id, event.key))


def url_of(event, petition):
    """The page an event points to (an update: its place on the page)."""
    if event.kind == "handover":
        return url_for("petitions.handover_page", org=event.association, slug=event.campaign,
                       number=int(event.key), _external=True)
    url = url_for("petitions.show", org=event.association, slug=event.campaign, _external=True)
    return url + (f"#update-{event.key}" if event.kind == "update" else "")


def event_day(event, petition):
    """An update's own date (front matter or file name), an answer's date; None for the
    others, which happen when they are recorded."""
    if event.kind == "update":
        update = (event.preloaded_update if hasattr(event, "preloaded_update") else
                  PetitionUpdate.get_or_none((PetitionUpdate.petition == petition)
                                             & (PetitionUpdate.slug == event.key)))
        return update.published_at.date() if update and update.published_at else None
    if event.kind == "answer":
        return date.fromisoformat(event.key)  # the indexer writes the date as its key
    return None


def describe(event, petition):
    """The title and HTML body that tell an event of a petition (feeds, federation)."""
    n = event.data.get("value")
    if event.kind == "opened":
        return _("New petition: %(title)s", title=petition.title), petition.story_html
    if event.kind == "update":
        update = (event.preloaded_update if hasattr(event, "preloaded_update") else
                  PetitionUpdate.get_or_none((PetitionUpdate.petition == petition)
                                             & (PetitionUpdate.slug == event.key)))
        title = update.title if update else event.data.get("title", "")
        return f"{colon(petition.title)} {title}", update.html if update else ""
    if event.kind == "milestone":
        return ngettext("%(title)s: %(count)s signature reached", "%(title)s: %(count)s signatures reached",
                        n, title=petition.title, count=number(n)), ""
    if event.kind == "threshold":
        return ngettext("%(title)s: %(count)s signature, %(target)s is asked to answer",
                        "%(title)s: %(count)s signatures, %(target)s is asked to answer", n,
                        title=petition.title, count=number(n), target=petition.target.get("name", "")), ""
    if event.kind == "answer":
        answer = petition.answer or {}
        return (_("%(author)s answered: %(title)s", author=answer.get("author", ""),
                  title=petition.title), answer.get("html", ""))
    if event.kind == "handover":
        return _("%(title)s: the petition is handed over to %(target)s", title=petition.title,
                 target=petition.target.get("name", "")), ""
    if event.kind in ("closed", "won", "answered"):
        labels = {"closed": _("Closed"), "won": _("Won"), "answered": _("Answered")}
        return f"{colon(petition.title)} {labels[event.kind]}", ""
    raise ValueError(f"no description for a petition's {event.kind!r} event")
