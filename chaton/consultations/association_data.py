"""What the consultations keep for an association, as its archive and its deletion see it:
the consultations with their counts, their participants, their moderation log and each one's
open data (declared in `chaton/consultations/__init__.py`)."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from chaton.consultations import exports
from chaton.consultations.models import (
    Comment,
    Consultation,
    Contribution,
    ModerationAction,
    Participant,
)
from chaton.orgs.archive import IN_FOLDER, Documents, Table, in_archive, iso


def _consultations(association):
    return list(Consultation.select().where(Consultation.association == association.id)
                .order_by(Consultation.slug))


def consultation_rows(association):
    for c in _consultations(association):
        yield {"consultation": c.slug, "title": c.title, "status": c.status,
               "licence": c.licence, "moderation": c.moderation,
               "participants": c.participant_count, "votes": c.vote_count,
               "contributions": c.contribution_count, "comments": c.comment_count,
               "file": in_archive(c.path, association), "in_content_folder": c.present}


def participant_rows(association):
    query = (Participant.select(Participant, Consultation.slug.alias("consultation_slug"))
             .join(Consultation).where(Consultation.association == association.id)
             .order_by(Consultation.slug, Participant.id))
    for p in query.objects().iterator():
        yield {"consultation": p.consultation_slug, "participant": p.id,
               "display_name": p.display_name, "email": p.email if p.notify_news else None,
               "news": p.notify_news, "replies": p.notify_replies, "language": p.language,
               "joined_at": iso(p.created_at), "confirmed_at": iso(p.confirmed_at)}


def moderation_rows(association):
    query = (ModerationAction.select(ModerationAction,
                                     Consultation.slug.alias("consultation_slug"))
             .join(Consultation).where(Consultation.association == association.id)
             .order_by(ModerationAction.id))
    for m in query.objects().iterator():
        yield {"consultation": m.consultation_slug, "item": m.target_type, "id": m.target_id,
               "action": m.action, "reason": m.reason, "decided_at": iso(m.created_at)}


def consultation_document(consultation):
    """A consultation's open data, as its export.json gives it (no personal data)."""
    base = current_app.config["CHATON"]["base_url"]
    return {
        "type": "consultation", "id": f"{consultation.association.slug}/{consultation.slug}",
        "url": f"{base}/{consultation.association.slug}/consultations/{consultation.slug}",
        "title": consultation.title, "question": consultation.question,
        "licence": {"name": consultation.licence,
                    "url": exports.LICENCE_URLS.get(consultation.licence)},
        "phases": consultation.meta.get("phases"),
        "counts": {"participants": consultation.participant_count,
                   "votes": consultation.vote_count,
                   "contributions": consultation.contribution_count,
                   "comments": consultation.comment_count},
        "topics": list(exports.topic_rows(consultation)),
        "contributions": list(exports.contribution_rows(consultation)),
        "comments": list(exports.comment_rows(consultation)),
        "synthesis": consultation.synthesis, "answer": consultation.answer,
    }


def open_data(association):
    for consultation in _consultations(association):
        consultation.association = association
        yield (f"data/consultations/{consultation.slug}.json",
               consultation_document(consultation))


C = {"consultation": "the consultation's slug (content/<association>/consultations/<slug>/)"}
ARCHIVE = [
    Table("data/consultations.csv", "One line per consultation, with its counts "
          "(their open data is in data/consultations/<slug>.json).", {
              **C, "title": "title", "status": "draft or published",
              "licence": "licence of its open data", "moderation": "pre or post",
              "participants": "confirmed participants", "votes": "votes",
              "contributions": "contributions shown", "comments": "comments shown",
              "file": "its index.md in this archive", "in_content_folder": IN_FOLDER},
          consultation_rows, summary=_l("One line per consultation, with its counts.")),
    Table("data/consultation_participants.csv",
          "Participants of the consultations. The e-mail address is given only for those who "
          "asked for the consultation's news; the display name is public anyway.", {
              **C, "participant": "number of the participant (unique in this archive)",
              "display_name": "name shown next to what they wrote",
              "email": "e-mail address, only when news is true",
              "news": "asked for the consultation's news", "replies": "asked to be told of "
              "replies", "language": "interface language", "joined_at": "first sign-in link "
              "asked (UTC)", "confirmed_at": "first sign-in (UTC)"}, participant_rows,
          personal=True, summary=_l("The participants of the consultations: their e-mail "
                                    "address only for those who asked for news.")),
    Table("data/moderation_log.csv", "The public moderation log of every consultation.", {
        **C, "item": "contribution or comment", "id": "its id (comments) or internal id "
        "(contributions)", "action": "hide, restore or approve", "reason": "public reason",
        "decided_at": "when (UTC)"}, moderation_rows,
        summary=_l("The public moderation log of each consultation.")),
    Documents("data/consultations/<slug>.json",
              "One file per consultation, the same document as its public `export.json` (topics "
              "and vote counts, contributions, comments, synthesis, answer): no e-mail address, "
              "no individual vote.", open_data,
              summary=_l("The open data of each consultation, as published: no e-mail address, "
                         "no individual vote.")),
]


def erased(association):
    """What deleting the association erases of its consultations."""
    consultations = Consultation.select(Consultation.id).where(
        Consultation.association == association.id)
    return {"consultations": consultations.count(),
            "participants": Participant.select().where(
                Participant.consultation.in_(consultations)).count(),
            "contributions": Contribution.select().where(
                Contribution.consultation.in_(consultations)).count(),
            "comments": Comment.select().where(Comment.consultation.in_(consultations)).count()}
