"""News to a petition's followers, seen from the organisers' side: who will receive it, whether
publishing a text makes news at all, and the mail as it will go out (the preview shown before
an update or an answer is published)."""

from types import SimpleNamespace

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton.core.events import already_recorded
from chaton.petitions.models import Signature

SUBJECT = _l("News of the petition: %(title)s")


def pending(petition, kind, key, html, **fields):
    """The mail publishing this update (key: its file name) or answer (key: its date) will
    send and to how many people, when it mails anyone; None otherwise. fields: title, slug
    (an update's), author (an answer's)."""
    count = followers(petition).count()
    if not count or not makes_news(petition, kind, key):
        return None
    from chaton.core.mail import PendingNews

    return PendingNews(count, preview(petition, kind, html, **fields))


def followers(petition):
    """The signatures whose signatory asked for news and will receive it: confirmed, opted
    in, an address still known (the worker skips the others)."""
    return Signature.select(Signature.id).where(
        (Signature.petition == petition) & (Signature.status == "confirmed")
        & (Signature.keep_informed == True) & Signature.email.is_null(False))  # noqa: E712


def makes_news(petition, kind, key):
    """Whether publishing this update (key: its file name) or this answer (key: its date)
    records a new event, hence mails: a corrected text, already told, is not told again."""
    return not already_recorded(petition.association.slug, petition.slug, kind, key)


def preview(petition, kind, html, title="", slug="", author=""):
    """The mail an update or an answer will send, for a sample signatory (`mail.RenderedMail`),
    in the organiser's language."""
    from flask_babel import get_locale

    from chaton.core import mail

    if kind == "update":
        event = SimpleNamespace(kind="update", data={"title": title})
        update, answer = SimpleNamespace(title=title, html=html, slug=slug), petition.answer
    else:
        event = SimpleNamespace(kind="answer", data={"author": author})
        update, answer = None, {"author": author, "html": html}
    shown = SimpleNamespace(title=petition.title, slug=petition.slug, target=petition.target,
                            answer=answer)
    signatory = SimpleNamespace(name=_("(name of the signatory)"))
    sample = "preview"  # a sample signatory's token: its links lead nowhere
    return mail.render_mail("mail/news.txt", SUBJECT, g.association, str(get_locale()),
                            subject_vars={"title": petition.title}, html_template="mail/news.html",
                            signature=signatory, petition=shown, token=sample, event=event,
                            update=update)
