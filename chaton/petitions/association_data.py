"""What the petitions keep for an association, as its archive and its deletion see it: the
petitions with their counts, the confirmed signatures, the daily and area counts, the signed
texts, the news and the invalidations (declared in `chaton/petitions/__init__.py`)."""

import json

from flask_babel import lazy_gettext as _l
from peewee import fn

from chaton.orgs.archive import IN_FOLDER, Table, in_archive, iso
from chaton.petitions.models import (
    AreaCount,
    DailyCount,
    Petition,
    PetitionRevision,
    PetitionUpdate,
    Signature,
    SignatureInvalidation,
)


def _petitions(association):
    return list(Petition.select().where(Petition.association == association.id)
                .order_by(Petition.slug))


def petition_rows(association):
    petitions = _petitions(association)
    pending = dict(Signature.select(Signature.petition, fn.COUNT(Signature.id))
                   .where(Signature.petition.in_([p.id for p in petitions] or [0])
                          & (Signature.status == "pending"))
                   .group_by(Signature.petition).tuples())
    for p in petitions:
        yield {"petition": p.slug, "title": p.title, "status": p.status, "goal": p.goal,
               "opens_on": iso(p.opens_on), "closes_on": iso(p.closes_on),
               "revision": p.revision_number, "online": p.signature_count,
               "pending": pending.get(p.id, 0), "other_sources": p.other_counts,
               "partners": p.partner_count, "total": p.total_count,
               "file": in_archive(p.path, association), "in_content_folder": p.present}


def signature_rows(association):
    query = (Signature.select(Signature, Petition.slug.alias("petition_slug")).join(Petition)
             .where((Petition.association == association.id) & (Signature.status == "confirmed"))
             .order_by(Signature.petition, Signature.id))
    for s in query.objects().iterator():
        yield {"petition": s.petition_slug, "name": s.name, "email": s.email,
               "postal_code": s.postal_code, "area": s.area, "commune": s.commune or "",
               "comment": s.comment,
               "show_name": s.show_name, "keep_informed": s.keep_informed,
               "language": s.language, "revision": s.revision, "signed_at": iso(s.created_at),
               "confirmed_at": iso(s.confirmed_at), "anonymized_at": iso(s.anonymized_at)}


def _per_petition(model, association, order, fields):
    query = (model.select(model, Petition.slug.alias("petition_slug")).join(Petition)
             .where(Petition.association == association.id).order_by(Petition.slug, *order))
    for row in query.objects().iterator():
        yield {"petition": row.petition_slug, **{k: get(row) for k, get in fields.items()}}


def daily_rows(association):
    return _per_petition(DailyCount, association, [DailyCount.day],
                         {"day": lambda r: iso(r.day), "count": lambda r: r.count})


def area_rows(association):
    return _per_petition(AreaCount, association, [AreaCount.area],
                         {"area": lambda r: r.area, "count": lambda r: r.count})


def revision_rows(association):
    R = PetitionRevision
    return _per_petition(R, association, [R.number], {
        "number": lambda r: r.number, "created_at": lambda r: iso(r.created_at),
        "checksum": lambda r: r.checksum, "text": lambda r: r.source})


def update_rows(association):
    U = PetitionUpdate
    return _per_petition(U, association, [U.published_at], {
        "update": lambda r: r.slug, "kind": lambda r: r.kind, "title": lambda r: r.title,
        "value": lambda r: r.value, "published_at": lambda r: iso(r.published_at),
        "file": lambda r: in_archive(r.path, association),
        "in_content_folder": lambda r: r.present})


def interpellation_rows(association):
    from chaton.petitions.interpellation import InterpellationCount as C

    return _per_petition(C, association, [C.name, C.recipient], {
        "recipient": lambda r: r.name, "messages": lambda r: r.count})


def invalidation_rows(association):
    I = SignatureInvalidation  # noqa: E741
    return _per_petition(I, association, [I.id], {
        "removed_at": lambda r: iso(r.created_at), "confirmed": lambda r: r.confirmed_removed,
        "pending": lambda r: r.pending_removed, "reason": lambda r: r.reason,
        "criteria": lambda r: json.dumps(r.criteria, ensure_ascii=False)})


P = {"petition": "the petition's slug (its folder or file name under content/<association>/petitions/)"}
ARCHIVE = [
    Table("data/petitions.csv", "One line per petition, with its counts.", {
        **P, "title": "title", "status": "draft, open, closed, won or answered",
        "goal": "signatures aimed at (0: none)", "opens_on": "first day of signing",
        "closes_on": "last day of signing", "revision": "number of the current signed text",
        "online": "confirmed online signatures (the public count)",
        "pending": "signatures waiting for their e-mail confirmation (not in this archive)",
        "other_sources": "signatures counted elsewhere (paper, other sites), source=count",
        "partners": "signatures reported by partner instances (co-hosting)",
        "total": "online + other sources + partners", "file": "its Markdown file in this archive",
        "in_content_folder": IN_FOLDER}, petition_rows,
        summary=_l("One line per petition, with its counts.")),
    Table("data/signatures.csv",
          "Every confirmed signature. Personal data: write only to people whose keep_informed "
          "is true, and keep this file safe. Signatures waiting for confirmation are left out "
          "(the address is not proven to be the person's).", {
              **P, "name": "name given", "email": "e-mail address",
              "postal_code": "postal code (when the petition asked for it)",
              "area": "French département derived from the postal code",
              "commune": "INSEE code of the commune (petitions with a territory: from the "
              "postal code, or chosen when it serves several)",
              "comment": "comment given", "show_name": "consent: name shown on the page",
              "keep_informed": "consent: the association may write to this person",
              "language": "language of the form", "revision": "number of the text signed",
              "signed_at": "when the form was sent (UTC)", "confirmed_at": "when it was "
              "confirmed (UTC)", "anonymized_at": "when retention erased the personal data "
              "(empty otherwise)"}, signature_rows, personal=True,
          summary=_l("Every confirmed signature, with the consents given. Personal data: write "
                     "only to the people who agreed to be kept informed, and keep the file "
                     "safe.")),
    Table("data/daily_counts.csv", "Confirmed signatures per day (UTC).",
          {**P, "day": "day", "count": "confirmed signatures counted that day"}, daily_rows,
          summary=_l("Confirmed signatures per day.")),
    Table("data/area_counts.csv", "Confirmed signatures per French département.",
          {**P, "area": "département", "count": "confirmed signatures"}, area_rows,
          summary=_l("Confirmed signatures per French département.")),
    Table("data/petition_revisions.csv", "Every version of the signed text.", {
        **P, "number": "version number (signatures.csv revision)",
        "created_at": "when this version appeared (UTC)", "checksum": "sha256 of the text",
        "text": "the signed text (title, target, demand, story)"}, revision_rows,
        summary=_l("Every version of the text of each petition.")),
    Table("data/petition_updates.csv", "News of the petitions: updates and milestones.", {
        **P, "update": "identifier", "kind": "update, milestone or threshold",
        "title": "title", "value": "count reached (milestones)",
        "published_at": "when (UTC)", "file": "the Markdown file of an update, in this archive",
        "in_content_folder": IN_FOLDER}, update_rows,
        summary=_l("The news of the petitions: updates and milestones.")),
    Table("data/signature_invalidations.csv", "Signatures removed after the fact.", {
        **P, "removed_at": "when (UTC)", "confirmed": "confirmed signatures removed",
        "pending": "pending signatures removed", "reason": "the public reason",
        "criteria": "the criteria (JSON: domains, time window, how many addresses listed)"},
          invalidation_rows, summary=_l("Signatures removed after the fact, with the public "
                                        "reason.")),
    Table("data/interpellations.csv", "Messages signatories said they sent to decision makers "
          "(counts only: neither the messages nor who sent them are kept).", {
              **P, "recipient": "the decision maker, as named then",
              "messages": "messages counted"}, interpellation_rows,
          summary=_l("Messages signatories said they sent to decision makers, counted by "
                     "recipient.")),
]


def erased(association):
    """What deleting the association erases of its petitions."""
    petitions = Petition.select(Petition.id).where(Petition.association == association.id)
    return {"petitions": petitions.count(),
            "signatures": Signature.select().where(Signature.petition.in_(petitions)).count()}
