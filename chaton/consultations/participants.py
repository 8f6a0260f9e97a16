"""Participants: e-mail magic links (no password), a signed cookie, display names, erasure.

A magic link carries a signed, timed token ([id, nonce]); using it rotates the nonce, so each
link works once. The cookie set after the POST button holds [id, session_key] per
consultation; rotating the session key signs every device out.
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
    with writing():
        participant = Participant.get_or_none((Participant.consultation == consultation)
                                              & (Participant.email_key == key))
        if participant is None:
            return Participant.create(
                consultation=consultation, email=email.strip(), email_key=key,
                display_name=display_name, language=language, notify_news=notify_news,
                notify_replies=notify_replies, nonce=secrets.token_hex(8),
                session_key=secrets.token_hex(8))
        participant.nonce = secrets.token_hex(8)
        participant.language = language
        participant.save(only=[Participant.nonce, Participant.language])
    return participant


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
        fresh = Participant.get_by_id(participant.id)
        fresh.nonce = secrets.token_hex(8)
        first = fresh.confirmed_at is None
        if first:
            fresh.confirmed_at = utcnow()
            Consultation.update(participant_count=Consultation.participant_count + 1).where(
                Consultation.id == fresh.consultation_id).execute()
            bump_day(fresh.consultation_id, "participants")
        fresh.save(only=[Participant.nonce, Participant.confirmed_at])
    return fresh


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
    with writing():
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

    with writing():
        for vote in Vote.select().where(Vote.participant == participant):
            _move(vote.topic_id, vote.choice, None)
        for support in Support.select().where(Support.participant == participant):
            Contribution.update(support_count=Contribution.support_count - 1).where(
                Contribution.id == support.contribution_id).execute()
        Contribution.update(author_name="").where(Contribution.participant == participant).execute()
        Comment.update(author_name="").where(Comment.participant == participant).execute()
        if participant.confirmed_at is not None:
            Consultation.update(participant_count=Consultation.participant_count - 1).where(
                Consultation.id == participant.consultation_id).execute()
        Participant.delete().where(Participant.id == participant.id).execute()
