"""Background work for consultations: sign-in links, reply notices, news, phase events.

Mails are rendered through the theme chain in the recipient's language, by the worker.
"""

from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from huey import crontab

from chaton.consultations import news as consultation_news
from chaton.consultations import participants
from chaton.consultations.feeds import phase_label
from chaton.consultations.models import Comment, Consultation, Contribution, Participant
from chaton.core import mail
from chaton.core.events import Event, event_handler
from chaton.core.tasks import periodic, task

NEWS_KINDS = ("phase", "synthesis", "answer")


def _send(participant, template, subject, news=False, **context):
    """Render a mail to a participant in their language, then deliver it."""
    consultation = Consultation.get_by_id(participant.consultation_id)
    association = consultation.association

    def unsubscribe():
        return url_for("consultations.unsubscribe", org=association.slug, slug=consultation.slug,
                       token=participants.unsubscribe_token(participant), _external=True)

    mail.send_templated(participant.email, template, subject, association, participant.language,
                        unsubscribe=unsubscribe, list_unsubscribe=news,
                        subject_vars={"title": consultation.title}, participant=participant,
                        consultation=consultation, **context)


@task()
def send_login_link(participant_id, next_path=""):
    """The magic link that signs a participant in (valid `magic_link_hours`)."""
    participant = Participant.get_or_none(Participant.id == participant_id)
    if participant is None:
        return
    token = participants.login_token(participant)
    _send(participant, "consultations/mail/login.txt", _l("Your link to take part: %(title)s"),
          token=token, next_path=next_path or None)


@task()
def notify_reply(comment_id):
    """Tell the author of a contribution or comment (if they opted in) about a reply."""
    comment = Comment.get_or_none(Comment.id == comment_id)
    if comment is None or comment.status != "published":
        return
    parent = (Comment.get_or_none(Comment.id == comment.parent_id) if comment.parent_id
              else Contribution.get_or_none(Contribution.id == comment.contribution_id))
    author = Participant.get_or_none(Participant.id == parent.participant_id) if parent else None
    if author is None or not author.notify_replies or author.id == comment.participant_id:
        return
    _send(author, "consultations/mail/reply.txt", _l("A reply to you: %(title)s"), news=True,
          comment=comment, parent=parent)


@task()
def send_news(participant_id, event_id):
    """Tell one participant who opted in about a new phase, the synthesis or the answer."""
    participant = Participant.get_or_none(Participant.id == participant_id)
    event = Event.get_or_none(Event.id == event_id)
    if participant is None or event is None or not participant.notify_news:
        return
    _send(participant, "consultations/mail/news.txt", consultation_news.SUBJECT, news=True,
          html_template="consultations/mail/news.html", event=event, phase_label=phase_label)


@event_handler("consultations.news")
def on_event(event):
    """Queue a mail to every participant who opted in, for the events they asked about."""
    if event.kind not in NEWS_KINDS or event.data.get("type") != "consultation":
        return
    consultation = (Consultation.select().join_from(Consultation, Consultation.association.rel_model)
                    .where((Consultation.slug == event.campaign)
                           & (Consultation.association.rel_model.slug == event.association))
                    .first())
    if consultation is None:
        return
    for row in consultation_news.followers(consultation).iterator():
        send_news(row.id, event.id)



@periodic(crontab(minute="7"))
def record_new_phases():
    """Phases start with the calendar, not with an edit: look every hour."""
    from chaton.consultations.indexing import record_phase_events
    from chaton.core.db import writing

    today = date.today()
    for consultation in Consultation.select().where(Consultation.present
                                                    & (Consultation.status == "published")):
        with writing():
            record_phase_events(consultation, today)
