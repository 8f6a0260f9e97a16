"""The last step before an update or an answer that mails people: the mail as it will go out
and how many people it goes to, shown for the organiser to confirm (no JavaScript needed: the
editor's form is sent again with the "send" action)."""

from dataclasses import dataclass

from flask import g

from chaton.petitions import news
from chaton.petitions.models import Petition


@dataclass
class PendingNews:
    count: int  # the people who will receive it
    mail: object  # core.mail.RenderedMail, for a sample signatory


def pending_news(found, text, render_body):
    """What saving this text will mail, when it mails anyone: a new update, or an answer of a
    new date, of a petition someone follows. None otherwise (and for a text with errors)."""
    kind = found.kind.name
    if kind not in ("update", "answer"):
        return None
    petition = Petition.find(g.association, found.campaign)
    count = news.followers(petition).count() if petition is not None else 0
    doc = found.check(text) if count else None
    if doc is None or not doc.ok:
        return None
    key = found.item if kind == "update" else doc.meta["date"].isoformat()
    if not news.makes_news(petition, kind, key):
        return None
    mail = news.preview(petition, kind, render_body(found, doc.body), slug=found.item,
                        title=doc.meta.get("title", ""), author=doc.meta.get("author", ""))
    return PendingNews(count, mail)
