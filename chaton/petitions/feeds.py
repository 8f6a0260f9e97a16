"""How a petition's events read in feeds and federated posts: a title and an HTML body."""

from flask_babel import gettext as _

from chaton.petitions.models import PetitionUpdate


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
        return f"{petition.title}: {title}", update.html if update else ""
    if event.kind == "milestone":
        return _("%(title)s: %(n)s signatures reached", title=petition.title, n=n), ""
    if event.kind == "threshold":
        return _("%(title)s: %(n)s signatures, %(target)s is asked to answer",
                 title=petition.title, n=n, target=petition.target.get("name", "")), ""
    if event.kind == "answer":
        answer = petition.answer or {}
        return (_("%(author)s answered: %(title)s", author=answer.get("author", ""),
                  title=petition.title), answer.get("html", ""))
    if event.kind in ("closed", "won", "answered"):
        labels = {"closed": _("Closed"), "won": _("Won"), "answered": _("Answered")}
        return f"{petition.title}: {labels[event.kind]}", ""
    raise ValueError(f"no description for a petition's {event.kind!r} event")
