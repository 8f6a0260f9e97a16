"""The last step before a text that mails people (a petition's update or answer, a
consultation's synthesis or answer): the mail as it will go out and how many people it goes
to, shown for the organiser to confirm (no JavaScript needed: the editor's form is sent again
with the "send" action)."""

from flask import g

from chaton.consultations import news as consultation_news
from chaton.consultations.models import Consultation
from chaton.petitions import news as petition_news
from chaton.petitions.models import Petition

# the editor's kinds that mail people: (campaign model, news module, kind of the event)
ANNOUNCED = {"update": (Petition, petition_news, "update"),
             "answer": (Petition, petition_news, "answer"),
             "synthesis": (Consultation, consultation_news, "synthesis"),
             "consultation-answer": (Consultation, consultation_news, "answer")}


def pending_news(found, text, render_body):
    """What saving this text will mail (core.mail.PendingNews), when it mails anyone; None
    otherwise (and for a text with errors, refused anyway)."""
    model, news, kind = ANNOUNCED.get(found.kind.name, (None, None, None))
    campaign = model.find(g.association, found.campaign) if model else None
    doc = found.check(text) if campaign is not None else None
    if doc is None or not doc.ok:
        return None
    html = render_body(found, doc.body)
    if news is petition_news:
        key = found.item if kind == "update" else doc.meta["date"].isoformat()
        return news.pending(campaign, kind, key, html, slug=found.item,
                            title=doc.meta.get("title", ""), author=doc.meta.get("author", ""))
    return news.pending(campaign, kind, doc.meta["date"].isoformat(), html,
                        author=doc.meta.get("author", ""))
