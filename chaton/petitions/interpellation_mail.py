"""Sending a signatory's message to a decision maker through the instance, when the
association allows it (`send_messages: true` in its association.md; a petition may refuse with
`send_messages: false`) and the instance has an SMTP server (without one, mail is written to
instance/outbox/, which would keep the text). Writing from one's own mail program (mailto:,
interpellation.py) stays the default and is always offered.

Rules, decided in one transaction by conditional inserts, so that two clicks at once (on two
app servers) send one message:
- only from a confirmed signature (the token of its link);
- once per signatory and recipient, shared with "I sent my message" (InterpellationMark): a
  message sent counts as one said sent, and one said sent forbids sending another;
- at most `send_messages_daily_cap` messages a day (default DAILY_CAP) per petition and
  recipient (InterpellationDay).

The mail: From the instance's address, named "<signatory> via <instance>" (the only address
its SPF and DKIM vouch for); Reply-To the signatory; To the recipient; the signatory in Cc. Cc
rather than a separate copy: one SMTP transaction, so the copy is exactly what the decision
maker got, and a failed copy can never make a retry send the decision maker a second message;
the address is in Reply-To already, so Cc shows the decision maker nothing more. A footer says
it was sent through the association's petition site, for which petition.

What is kept: the text waits in `interpellation_outgoing` only until the mail is handed to the
SMTP server; the row goes then, or after the last try, or by the hourly sweep (FORGET_AFTER).
The task carries the row's number only, and nothing logs the text. The counts stay.
"""

import logging
from datetime import date, timedelta
from email.utils import formataddr

import peewee
from flask import current_app
from huey import crontab

from chaton.core import mail, tasks
from chaton.core.db import BaseModel, UTCDateTimeField, database, utcnow, writing
from chaton.orgs.models import Association
from chaton.petitions import interpellation
from chaton.petitions.models import Petition, Signature

log = logging.getLogger(__name__)

DAILY_CAP = 200  # messages a day per petition and recipient, unless association.md says
FORGET_AFTER = timedelta(hours=24)  # a text still here then was never delivered: it goes


class InterpellationDay(BaseModel):
    """Messages sent through the instance on a day, by petition and recipient (the cap)."""

    petition = peewee.ForeignKeyField(Petition, on_delete="CASCADE")
    recipient = peewee.CharField(max_length=32)  # Recipient.key
    day = peewee.DateField()
    count = peewee.IntegerField(default=0)

    class Meta:
        table_name = "interpellation_day"
        indexes = ((("petition", "recipient", "day"), True),)


class OutgoingMessage(BaseModel):
    """A message waiting for the SMTP server, deleted once handed over: never kept."""

    signature = peewee.ForeignKeyField(Signature, on_delete="CASCADE")  # withdrawn: not sent
    recipient_name = peewee.CharField(max_length=200)
    recipient_email = peewee.CharField(max_length=254)
    subject = peewee.CharField(max_length=interpellation.SUBJECT_MAX)
    body = peewee.TextField()
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "interpellation_outgoing"


TABLES = [InterpellationDay, OutgoingMessage]


def allowed(petition):
    """Whether this petition's signatories may send their messages through the instance (not
    while the hoster suspends the association)."""
    association = petition.association
    return bool(current_app.config["CHATON"]["smtp_host"] and not association.disabled
                and association.meta.get("send_messages")
                and petition.meta.get("send_messages", True))


def page_context(petition, typed=None):
    """What the writing page needs for sending: whether it may, the messages each recipient
    got from this petition, and what was typed for one of them when it did not go."""
    counts = interpellation.InterpellationCount
    written = dict(counts.select(counts.recipient, counts.count)
                   .where(counts.petition == petition.id).tuples())
    return {"can_send": allowed(petition), "written": written, "typed": typed or {},
            "site_name": current_app.config["CHATON"]["instance_name"]}


def problem(subject, body):
    """What is wrong with a message typed (a code the page words), or None."""
    if not subject.strip() or not body.strip():
        return "empty"
    if len(subject) > interpellation.SUBJECT_MAX or len(body) > interpellation.BODY_MAX:
        return "too_long"
    return None


class _Full(Exception):
    """Today's cap is reached: the transaction is rolled back (nothing counted)."""


def send(signature, recipient, subject, body):
    """Queue the message: "queued", "already" (this signatory counted one to this recipient
    before) or "full" (today's cap for this recipient is reached)."""
    try:
        with writing():
            if not interpellation.count_sent(signature, recipient):
                return "already"
            if not _take_today(signature.petition, recipient):
                raise _Full
            outgoing = OutgoingMessage.create(
                signature=signature.id, recipient_name=recipient.name,
                recipient_email=recipient.email, subject=subject, body=body)
    except _Full:
        return "full"
    deliver_message(outgoing.id)  # after the commit: the worker must find the row
    return "queued"


def _take_today(petition, recipient):
    """One more message today to this recipient, unless the cap is reached (one statement:
    concurrent transactions wait for the row, then see its new count)."""
    table = InterpellationDay
    cap = petition.association.meta.get("send_messages_daily_cap") or DAILY_CAP
    query = (table.insert(petition=petition.id, recipient=recipient.key, day=date.today(),
                          count=1)
             .on_conflict(conflict_target=[table.petition, table.recipient, table.day],
                          update={table.count: table.count + 1}, where=(table.count < cap)))
    return database.execute(query).rowcount == 1


def build_mail(outgoing):
    """The message as the decision maker gets it, the signatory in Cc."""
    signature = outgoing.signature
    petition, association = signature.petition, signature.petition.association
    signatory = formataddr((signature.name, signature.email))
    text = mail.render_mail(
        "mail/interpellation.txt", outgoing.subject, association,
        petition.language or association.language, body=outgoing.body, signature=signature,
        petition=petition, site=current_app.config["CHATON"]["instance_name"]).text
    msg = mail.build(formataddr((outgoing.recipient_name, outgoing.recipient_email)),
                     outgoing.subject, text,
                     sender_name=f"{signature.name} via {current_app.config['CHATON']['instance_name']}",
                     headers={"Reply-To": signatory, "Cc": signatory})
    del msg["Auto-Submitted"]  # a person wrote it and asked for it to go (RFC 3834)
    return msg


def _outgoing(outgoing_id):
    return (OutgoingMessage.select(OutgoingMessage, Signature, Petition, Association)
            .join(Signature).join(Petition).join(Association)
            .where(OutgoingMessage.id == outgoing_id).first())


@tasks.task(retries=8, retry_delay=120, context=True)
def deliver_message(outgoing_id, task=None):
    """Hand the message to the SMTP server, then forget its text (after the last try too)."""
    outgoing = _outgoing(outgoing_id)
    if outgoing is None:  # forgotten (the signature withdrawn, the sweep)
        return
    try:
        if outgoing.signature.email:  # not anonymized since
            mail.deliver(build_mail(outgoing))
    except Exception:
        if task is None or not task.retries:
            log.warning("message %s to a decision maker given up", outgoing_id)
            _forget(OutgoingMessage.id == outgoing_id)
        raise
    _forget(OutgoingMessage.id == outgoing_id)


def _forget(condition):
    with writing():
        return OutgoingMessage.delete().where(condition).execute()


def forget_old(now=None):
    """Forget the texts never delivered after FORGET_AFTER and the days' counts before
    yesterday; how many texts went."""
    now = now or utcnow()
    with writing():
        InterpellationDay.delete().where(InterpellationDay.day < date.today() - timedelta(1)).execute()
    return _forget(OutgoingMessage.created_at < now - FORGET_AFTER)


@tasks.periodic(crontab(minute="17"))
def forget_undelivered_messages():
    forget_old()
