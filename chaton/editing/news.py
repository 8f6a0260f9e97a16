"""The last step before an update or an answer that mails people: the mail as it will go out
and how many people it goes to, shown for the organiser to confirm (no JavaScript needed: the
editor's form is sent again with the "send" action)."""

from flask import g

from chaton.petitions import news
from chaton.petitions.models import Petition


def pending_news(found, text, render_body):
    """What saving this text will mail (petitions.news.PendingNews), when it mails anyone: a
    new update, or an answer of a new date, of a petition someone follows. None otherwise (and
    for a text with errors, refused anyway)."""
    kind = found.kind.name
    petition = Petition.find(g.association, found.campaign) if kind in ("update", "answer") else None
    doc = found.check(text) if petition is not None else None
    if doc is None or not doc.ok:
        return None
    key = found.item if kind == "update" else doc.meta["date"].isoformat()
    return news.pending(petition, kind, key, render_body(found, doc.body), slug=found.item,
                        title=doc.meta.get("title", ""), author=doc.meta.get("author", ""))
