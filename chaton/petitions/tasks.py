"""Background work for petitions: mails to signatories and targets, expiry, retention."""

import logging

from flask_babel import lazy_gettext as _l
from huey import crontab

from chaton.core import mail
from chaton.core.events import event_handler
from chaton.core.tasks import periodic, task
from chaton.orgs.models import Association
from chaton.petitions import news, retention, signing
from chaton.petitions.models import Petition, PetitionUpdate, Signature

log = logging.getLogger(__name__)
NEWS_KINDS = ("milestone", "threshold", "update", "answer", "handover")


def _send_to_signatory(signature, template, subject, **context):
    petition = signature.petition
    token = signing.token_for(signature)
    mail.send_templated(
        signature.email, template, subject, petition.association, signature.language,
        unsubscribe=lambda: _url("signatures.unsubscribe", token),
        subject_vars={"title": petition.title}, signature=signature, petition=petition,
        token=token, **context)


def _with_petition(query):
    """Signatures with their petition and association, in one query (mails need all three)."""
    return (query.select_extend(Petition, Association).join(Petition)
            .join(Association, on=(Petition.association == Association.id)))


def _url(endpoint, token):
    from flask import url_for

    return url_for(endpoint, token=token, _external=True)


@task(retries=12, retry_delay=120)
def send_confirmation(signature_id, outcome):
    """The link to confirm a signature, or a polite note that it already counts."""
    signature = _with_petition(Signature.select().where(Signature.id == signature_id)).first()
    if signature is None:
        return
    if outcome == "confirmed":
        _send_to_signatory(signature, "mail/already_signed.txt",
                           _l("You have already signed: %(title)s"))
    elif signature.status == "pending":
        _send_to_signatory(signature, "mail/confirm.txt", _l("Please confirm your signature: %(title)s"))
        signing.mark_confirmation_sent(signature.id, signature.nonce)


def resend_unsent_confirmations(min_age_seconds):
    """Queue again the confirmation mails that never went out (huey drops a task it was running
    when the process died); skips those still waiting in the queue."""
    from chaton.core.tasks import huey

    queued = {t.args[0] for t in huey.pending() if t.name == "send_confirmation" and t.args}
    ids = [i for i in signing.unsent_confirmations(min_age_seconds) if i not in queued]
    for signature_id in ids:
        send_confirmation(signature_id, "new")
    if ids:
        log.info("%d confirmation mails queued again", len(ids))
    return len(ids)


@periodic(crontab(minute="*/5"))
def resend_lost_confirmations():
    resend_unsent_confirmations(min_age_seconds=300)


NEWS_BATCH = 200


@task(retries=0)
def send_news(signature_ids, event_id, attempt=0):
    """Tell a batch of signatories who opted in about an event of their petition; those whose
    mail failed are tried again later on their own (nobody gets the news twice)."""
    from chaton.core.events import Event
    from chaton.core.tasks import huey

    event = Event.get_or_none(Event.id == event_id)
    if event is None:
        return
    failed, updates = [], {}
    for signature in _with_petition(Signature.select().where(Signature.id.in_(signature_ids))):
        if not signature.keep_informed or not signature.email:
            continue
        if event.kind == "update" and signature.petition_id not in updates:  # once a batch
            updates[signature.petition_id] = PetitionUpdate.get_or_none(
                (PetitionUpdate.petition == signature.petition_id) & (PetitionUpdate.slug == event.key))
        update = updates.get(signature.petition_id)
        try:
            _send_to_signatory(signature, "mail/news.txt", news.SUBJECT,
                               html_template="mail/news.html", event=event, update=update)
        except (OSError, mail.smtplib.SMTPException) as exc:
            log.warning("news to signature %s not sent: %s", signature.id, exc)
            failed.append(signature.id)
    if failed and attempt < 10 and not huey.immediate:
        send_news.schedule((failed, event_id, attempt + 1), delay=60 * 2 ** min(attempt, 6))


@task()
def notify_target(petition_id, event_id):
    """Write to the target when the answer threshold is reached (when a contact is given)."""
    from chaton.core.events import Event

    petition = Petition.get_or_none(Petition.id == petition_id)
    event = Event.get_or_none(Event.id == event_id)
    contact = petition.target.get("contact") if petition else None
    if not contact or event is None:
        return
    mail.send_templated(contact, "mail/target.txt", _l("Petition addressed to you: %(title)s"),
                        petition.association, petition.language or petition.association.language,
                        subject_vars={"title": petition.title}, petition=petition, event=event)


@event_handler("petitions.news")
def on_event(event):
    """Queue the mails an event calls for: followers told, target notified at the threshold."""
    if event.kind not in NEWS_KINDS or not event.campaign:
        return
    petition = (Petition.select().join_from(Petition, Petition.association.rel_model)
                .where((Petition.slug == event.campaign)
                       & (Petition.association.rel_model.slug == event.association)).first())
    if petition is None:
        return
    if event.kind == "threshold":
        notify_target(petition.id, event.id)
    batch = []
    for row in news.followers(petition).order_by(Signature.id).iterator():
        batch.append(row.id)
        if len(batch) == NEWS_BATCH:
            send_news(batch, event.id)
            batch = []
    if batch:
        send_news(batch, event.id)



@periodic(crontab(minute="*/15"))
def expire_pending_signatures():
    removed = signing.expire_pending()
    if removed:
        log.info("%d unconfirmed signatures expired", removed)


@periodic(crontab(hour="3", minute="30"))
def apply_retention():
    for name, count in retention.run().items():
        log.info("retention: %s: %d signatures anonymized", name, count)
