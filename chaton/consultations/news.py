"""News to a consultation's participants, seen from the organisers' side: the mail a new
synthesis or answer will send and to how many people, shown before it is published."""

from types import SimpleNamespace

from flask import g, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton.consultations.feeds import phase_label
from chaton.consultations.models import Participant
from chaton.core import mail
from chaton.core.events import already_recorded

SUBJECT = _l("News of the consultation: %(title)s")


def followers(consultation):
    """The participants who asked for news: signed in once (confirmed), opted in."""
    return Participant.select(Participant.id).where(
        (Participant.consultation == consultation) & Participant.confirmed_at.is_null(False)
        & (Participant.notify_news == True))  # noqa: E712


def pending(consultation, kind, key, html, author=""):
    """The mail publishing this synthesis or answer (kind) dated `key` will send, and to how
    many people (core.mail.PendingNews); None when it mails nobody: a draft consultation (its
    events wait for publication), nobody asked, or the same date told already (a correction)."""
    count = followers(consultation).count() if consultation.status == "published" else 0
    if not count or already_recorded(g.association.slug, consultation.slug, kind, key):
        return None
    shown = SimpleNamespace(title=consultation.title, slug=consultation.slug,
                            synthesis=consultation.synthesis, answer=consultation.answer)
    setattr(shown, kind, {"date": key, "author": author, "html": html})
    org, slug = consultation.association.slug, consultation.slug
    sample = "preview"  # a sample participant's token: its links lead nowhere
    rendered = mail.render_mail(
        "consultations/mail/news.txt", SUBJECT, g.association, str(get_locale()),
        unsubscribe=lambda: url_for("consultations.unsubscribe", org=org, slug=slug, token=sample,
                                    _external=True),
        subject_vars={"title": consultation.title}, html_template="consultations/mail/news.html",
        participant=SimpleNamespace(display_name=_("(name of the participant)")),
        consultation=shown, event=SimpleNamespace(kind=kind, key=key, data={"author": author}),
        phase_label=phase_label)
    return mail.PendingNews(count, rendered)
