"""Participants: e-mail magic links (no password), a signed cookie, display names, erasure.

A magic link carries a signed, timed token ([id, nonce]); using it rotates the nonce, so each
link works once. The cookie set after the POST button holds [id, session_key] per
consultation; rotating the session key signs every device out.

On PostgreSQL transactions run side by side: joining is an upsert on the unique (consultation,
email_key), a first sign-in is counted by the one UPDATE that finds `confirmed_at` empty, and
what a participant writes (votes, supports, contributions, comments, profile) takes turns with
their erasure under `writing("participant", id)`, so that the erasure uncounts and unsigns all.
"""

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from chaton.consultations.models import (
    Comment,
    Consultation,
    Contribution,
    Participant,
    Support,
    Vote,
    bump_day,
)
from chaton.core.db import utcnow, writing
from chaton.petitions.signing import normalize_email

COOKIE = "participant"


def _serializer(salt, timed=True):
    cls = URLSafeTimedSerializer if timed else URLSafeSerializer
    return cls(current_app.config["SECRET_KEY"], salt=salt)


def join(consultation, email, display_name, language, notify_news=False, notify_replies=False):
    """The participant for this address (created when new); its nonce is renewed for a link."""
    key = normalize_email(email)
    nonce = secrets.token_hex(8)
    with writing():
        # the unique index decides, not a read: of two submissions at once (a double click,
        # two servers) one creates the row and the other renews its link, neither fails
        (Participant.insert(
            consultation=consultation, email=email.strip(), email_key=key,
            display_name=display_name, language=language, notify_news=notify_news,
            notify_replies=notify_replies, nonce=nonce, session_key=secrets.token_hex(8))
         .on_conflict(conflict_target=[Participant.consultation, Participant.email_key],
                      update={Participant.nonce: nonce, Participant.language: language})
         .execute())
        return Participant.get((Participant.consultation == consultation)
                               & (Participant.email_key == key))


def login_token(participant):
    """The token of the magic link mailed to a participant."""
    return _serializer("chaton.consultation.login").dumps([participant.id, participant.nonce])


def from_login_token(token):
    """The participant a magic link designates, or None (bad, expired or already used)."""
    hours = current_app.config["CHATON"]["magic_link_hours"]
    try:
        pid, nonce = _serializer("chaton.consultation.login").loads(token, max_age=hours * 3600)
    except (BadSignature, ValueError, TypeError):
        return None
    participant = Participant.get_or_none(Participant.id == pid)
    if participant is None or not secrets.compare_digest(participant.nonce, str(nonce)):
        return None
    return participant


def confirm_login(participant):
    """Use a magic link: the link stops working; a first sign-in counts a participant."""
    with writing():
        Participant.update(nonce=secrets.token_hex(8)).where(
            Participant.id == participant.id).execute()
        # conditional: of two uses of a first link at once, only one counts the participant
        first = Participant.update(confirmed_at=utcnow()).where(
            (Participant.id == participant.id) & Participant.confirmed_at.is_null()).execute()
        if first:
            Consultation.update(participant_count=Consultation.participant_count + 1).where(
                Consultation.id == participant.consultation_id).execute()
            bump_day(participant.consultation_id, "participants")
        return Participant.get_by_id(participant.id)


def unsubscribe_token(participant):
    return _serializer("chaton.consultation.unsubscribe", timed=False).dumps(participant.id)


def from_unsubscribe_token(token):
    try:
        pid = _serializer("chaton.consultation.unsubscribe", timed=False).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return Participant.get_or_none(Participant.id == pid)


# -- the cookie ------------------------------------------------------------------------------

def _cookie_value():
    days = current_app.config["CHATON"]["participant_session_days"]
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        value = _serializer("chaton.consultation.session").loads(raw, max_age=days * 86400)
    except (BadSignature, ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def current(consultation):
    """The signed-in participant of this consultation, or None."""
    entry = _cookie_value().get(str(consultation.id))
    if not isinstance(entry, list) or len(entry) != 2:
        return None
    participant = Participant.get_or_none((Participant.id == entry[0])
                                          & (Participant.consultation == consultation))
    if participant is None or participant.confirmed_at is None:
        return None
    if not secrets.compare_digest(participant.session_key, str(entry[1])):
        return None
    return participant


def _set_cookie(response, value):
    settings = current_app.config["CHATON"]
    response.set_cookie(COOKIE, _serializer("chaton.consultation.session").dumps(value),
                        max_age=settings["participant_session_days"] * 86400, httponly=True,
                        samesite="Lax", secure=bool(settings["session_cookie_secure"]))


def remember(response, participant):
    """Sign this browser in to the participant's consultation."""
    value = _cookie_value()
    value[str(participant.consultation_id)] = [participant.id, participant.session_key]
    _set_cookie(response, value)


def forget(response, consultation):
    """Sign this browser out of one consultation."""
    value = _cookie_value()
    value.pop(str(consultation.id), None)
    _set_cookie(response, value)


# -- the participant's own data ----------------------------------------------------------------

def update_profile(participant, display_name, notify_news, notify_replies):
    with writing("participant", participant.id):
        Participant.update(display_name=display_name, notify_news=notify_news,
                           notify_replies=notify_replies).where(
            Participant.id == participant.id).execute()
        (Contribution.update(author_name=display_name)
         .where((Contribution.participant == participant) & (Contribution.kind == "online"))
         .execute())
        Comment.update(author_name=display_name).where(Comment.participant == participant).execute()


def erase(participant):
    """Delete a participant: votes and supports are uncounted; what they wrote stays, unsigned."""
    from chaton.consultations.voting import _move

    # the participant's key: no vote, support or text of theirs is added meanwhile (the
    # cascade would delete or keep it without uncounting or unsigning it); what is deleted is
    # uncounted from the rows RETURNING gives, so an erasure sent twice uncounts once
    with writing("participant", participant.id):
        votes = list(Vote.delete().where(Vote.participant == participant)
                     .returning(Vote.topic, Vote.choice))
        supported = [s.contribution_id for s in Support.delete().where(
            Support.participant == participant).returning(Support.contribution)]
        for contribution_id in sorted(supported):
            Contribution.update(support_count=Contribution.support_count - 1).where(
                Contribution.id == contribution_id).execute()
        Contribution.update(author_name="").where(Contribution.participant == participant).execute()
        Comment.update(author_name="").where(Comment.participant == participant).execute()
        gone = list(Participant.delete().where(Participant.id == participant.id)
                    .returning(Participant.confirmed_at))
        # the shared counters last, in the order every transaction takes them
        if gone and gone[0].confirmed_at is not None:
            Consultation.update(participant_count=Consultation.participant_count - 1).where(
                Consultation.id == participant.consultation_id).execute()
        for vote in sorted(votes, key=lambda v: (v.topic_id, v.choice)):
            _move(vote.topic_id, vote.choice, None)
