"""The whole association in one .zip, for portability: its content folder as it is, its data as
documented CSV and JSON files, a README, a manifest.json describing every file and column, and
SHA256SUMS. Nothing of any other association, no password hash.

The archive is written to an anonymous temporary file in the instance folder (deleted as soon
as it is closed, even after a crash), from one read transaction, then streamed.
"""

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from chaton.core.csvexport import neutral
from chaton.core.db import database, is_sqlite

FORMAT = "chaton-association-archive"
VERSION = 1


@dataclass
class Table:
    name: str  # path in the archive
    description: str
    columns: dict  # column: description
    rows: object  # function(association) -> iterable of dicts


def _iso(value):
    return value.isoformat() if value else None


def _in_archive(path, association):
    """Where a content file is in the archive (content/...), not where it is on the server."""
    if not path:
        return None
    folder = Path(current_app.config["CHATON"]["content_dir"]) / association.slug
    try:
        return "content/" + Path(path).relative_to(folder).as_posix()
    except ValueError:
        return "content/" + Path(path).name


def _petitions(association):
    from chaton.petitions.models import Petition

    return list(Petition.select().where(Petition.association == association.id)
                .order_by(Petition.slug))


def _consultations(association):
    from chaton.consultations.models import Consultation

    return list(Consultation.select().where(Consultation.association == association.id)
                .order_by(Consultation.slug))


# -- rows of each file --------------------------------------------------------------------------

def petition_rows(association):
    from peewee import fn

    from chaton.petitions.models import Signature

    petitions = _petitions(association)
    pending = dict(Signature.select(Signature.petition, fn.COUNT(Signature.id))
                   .where(Signature.petition.in_([p.id for p in petitions] or [0])
                          & (Signature.status == "pending"))
                   .group_by(Signature.petition).tuples())
    for p in petitions:
        yield {"petition": p.slug, "title": p.title, "status": p.status, "goal": p.goal,
               "opens_on": _iso(p.opens_on), "closes_on": _iso(p.closes_on),
               "revision": p.revision_number, "online": p.signature_count,
               "pending": pending.get(p.id, 0), "other_sources": p.other_counts,
               "partners": p.partner_count, "total": p.total_count, "file": _in_archive(p.path, association),
               "in_content_folder": p.present}


def signature_rows(association):
    from chaton.petitions.models import Petition, Signature

    query = (Signature.select(Signature, Petition.slug.alias("petition_slug")).join(Petition)
             .where((Petition.association == association.id) & (Signature.status == "confirmed"))
             .order_by(Signature.petition, Signature.id))
    for s in query.objects().iterator():
        yield {"petition": s.petition_slug, "name": s.name, "email": s.email,
               "postal_code": s.postal_code, "area": s.area, "comment": s.comment,
               "show_name": s.show_name, "keep_informed": s.keep_informed,
               "language": s.language, "revision": s.revision, "signed_at": _iso(s.created_at),
               "confirmed_at": _iso(s.confirmed_at), "anonymized_at": _iso(s.anonymized_at)}


def _per_petition(model, association, order, fields):
    from chaton.petitions.models import Petition

    query = (model.select(model, Petition.slug.alias("petition_slug")).join(Petition)
             .where(Petition.association == association.id).order_by(Petition.slug, *order))
    for row in query.objects().iterator():
        yield {"petition": row.petition_slug, **{k: fn(row) for k, fn in fields.items()}}


def daily_rows(association):
    from chaton.petitions.models import DailyCount

    return _per_petition(DailyCount, association, [DailyCount.day],
                         {"day": lambda r: _iso(r.day), "count": lambda r: r.count})


def area_rows(association):
    from chaton.petitions.models import AreaCount

    return _per_petition(AreaCount, association, [AreaCount.area],
                         {"area": lambda r: r.area, "count": lambda r: r.count})


def revision_rows(association):
    from chaton.petitions.models import PetitionRevision as R

    return _per_petition(R, association, [R.number], {
        "number": lambda r: r.number, "created_at": lambda r: _iso(r.created_at),
        "checksum": lambda r: r.checksum, "text": lambda r: r.source})


def update_rows(association):
    from chaton.petitions.models import PetitionUpdate as U

    return _per_petition(U, association, [U.published_at], {
        "update": lambda r: r.slug, "kind": lambda r: r.kind, "title": lambda r: r.title,
        "value": lambda r: r.value, "published_at": lambda r: _iso(r.published_at),
        "file": lambda r: _in_archive(r.path, association),
        "in_content_folder": lambda r: r.present})


def invalidation_rows(association):
    from chaton.petitions.models import SignatureInvalidation as I

    return _per_petition(I, association, [I.id], {
        "removed_at": lambda r: _iso(r.created_at), "confirmed": lambda r: r.confirmed_removed,
        "pending": lambda r: r.pending_removed, "reason": lambda r: r.reason,
        "criteria": lambda r: json.dumps(r.criteria, ensure_ascii=False)})


def consultation_rows(association):
    for c in _consultations(association):
        yield {"consultation": c.slug, "title": c.title, "status": c.status,
               "licence": c.licence, "moderation": c.moderation,
               "participants": c.participant_count, "votes": c.vote_count,
               "contributions": c.contribution_count, "comments": c.comment_count,
               "file": _in_archive(c.path, association), "in_content_folder": c.present}


def participant_rows(association):
    from chaton.consultations.models import Consultation, Participant

    query = (Participant.select(Participant, Consultation.slug.alias("consultation_slug"))
             .join(Consultation).where(Consultation.association == association.id)
             .order_by(Consultation.slug, Participant.id))
    for p in query.objects().iterator():
        yield {"consultation": p.consultation_slug, "participant": p.id,
               "display_name": p.display_name, "email": p.email if p.notify_news else None,
               "news": p.notify_news, "replies": p.notify_replies, "language": p.language,
               "joined_at": _iso(p.created_at), "confirmed_at": _iso(p.confirmed_at)}


def moderation_rows(association):
    from chaton.consultations.models import Consultation, ModerationAction

    query = (ModerationAction.select(ModerationAction,
                                     Consultation.slug.alias("consultation_slug"))
             .join(Consultation).where(Consultation.association == association.id)
             .order_by(ModerationAction.id))
    for m in query.objects().iterator():
        yield {"consultation": m.consultation_slug, "item": m.target_type, "id": m.target_id,
               "action": m.action, "reason": m.reason, "decided_at": _iso(m.created_at)}


def event_rows(association):
    from chaton.core.events import Event

    for e in (Event.select().where(Event.association == association.slug)
              .order_by(Event.id).iterator()):
        yield {"campaign": e.campaign, "kind": e.kind, "key": e.key,
               "data": json.dumps(e.data, ensure_ascii=False), "created_at": _iso(e.created_at)}


def member_rows(association):
    from chaton.accounts.models import Account, Membership

    query = (Membership.select(Membership.role, Membership.created_at, Account.email, Account.name,
                               Account.last_login_at).join(Account)
             .where(Membership.association == association.id).order_by(Account.email))
    for m in query.objects():
        yield {"email": m.email, "name": m.name, "role": m.role, "member_since": _iso(m.created_at),
               "last_sign_in": _iso(m.last_login_at)}


def audit_rows(association):
    from chaton.accounts.models import AuditEntry

    for e in (AuditEntry.select().where(AuditEntry.association == association.id)
              .order_by(AuditEntry.id).iterator()):
        yield {"at": _iso(e.created_at), "actor": e.actor, "action": e.action,
               "target": e.target, "details": json.dumps(e.details, ensure_ascii=False)}


P = {"petition": "the petition's slug (its folder or file name under content/<association>/petitions/)"}
C = {"consultation": "the consultation's slug (content/<association>/consultations/<slug>/)"}
IN_FOLDER = "false when the file was removed from the content folder (its data stays)"
TABLES = [
    Table("data/petitions.csv", "One line per petition, with its counts.", {
        **P, "title": "title", "status": "draft, open, closed, won or answered",
        "goal": "signatures aimed at (0: none)", "opens_on": "first day of signing",
        "closes_on": "last day of signing", "revision": "number of the current signed text",
        "online": "confirmed online signatures (the public count)",
        "pending": "signatures waiting for their e-mail confirmation (not in this archive)",
        "other_sources": "signatures counted elsewhere (paper, other sites), source=count",
        "partners": "signatures reported by partner instances (co-hosting)",
        "total": "online + other sources + partners", "file": "its Markdown file in this archive",
        "in_content_folder": IN_FOLDER}, petition_rows),
    Table("data/signatures.csv",
          "Every confirmed signature. Personal data: write only to people whose keep_informed "
          "is true, and keep this file safe. Signatures waiting for confirmation are left out "
          "(the address is not proven to be the person's).", {
              **P, "name": "name given", "email": "e-mail address",
              "postal_code": "postal code (when the petition asked for it)",
              "area": "French département derived from the postal code",
              "comment": "comment given", "show_name": "consent: name shown on the page",
              "keep_informed": "consent: the association may write to this person",
              "language": "language of the form", "revision": "number of the text signed",
              "signed_at": "when the form was sent (UTC)", "confirmed_at": "when it was "
              "confirmed (UTC)", "anonymized_at": "when retention erased the personal data "
              "(empty otherwise)"}, signature_rows),
    Table("data/daily_counts.csv", "Confirmed signatures per day (UTC).",
          {**P, "day": "day", "count": "confirmed signatures counted that day"}, daily_rows),
    Table("data/area_counts.csv", "Confirmed signatures per French département.",
          {**P, "area": "département", "count": "confirmed signatures"}, area_rows),
    Table("data/petition_revisions.csv", "Every version of the signed text.", {
        **P, "number": "version number (signatures.csv revision)",
        "created_at": "when this version appeared (UTC)", "checksum": "sha256 of the text",
        "text": "the signed text (title, target, demand, story)"}, revision_rows),
    Table("data/petition_updates.csv", "News of the petitions: updates and milestones.", {
        **P, "update": "identifier", "kind": "update, milestone or threshold",
        "title": "title", "value": "count reached (milestones)",
        "published_at": "when (UTC)", "file": "the Markdown file of an update, in this archive",
        "in_content_folder": IN_FOLDER}, update_rows),
    Table("data/signature_invalidations.csv", "Signatures removed after the fact.", {
        **P, "removed_at": "when (UTC)", "confirmed": "confirmed signatures removed",
        "pending": "pending signatures removed", "reason": "the public reason",
        "criteria": "the criteria (JSON: domains, time window, how many addresses listed)"},
          invalidation_rows),
    Table("data/consultations.csv", "One line per consultation, with its counts "
          "(their open data is in data/consultations/<slug>.json).", {
              **C, "title": "title", "status": "draft or published",
              "licence": "licence of its open data", "moderation": "pre or post",
              "participants": "confirmed participants", "votes": "votes",
              "contributions": "contributions shown", "comments": "comments shown",
              "file": "its index.md in this archive", "in_content_folder": IN_FOLDER},
          consultation_rows),
    Table("data/consultation_participants.csv",
          "Participants of the consultations. The e-mail address is given only for those who "
          "asked for the consultation's news; the display name is public anyway.", {
              **C, "participant": "number of the participant (unique in this archive)",
              "display_name": "name shown next to what they wrote",
              "email": "e-mail address, only when news is true",
              "news": "asked for the consultation's news", "replies": "asked to be told of "
              "replies", "language": "interface language", "joined_at": "first sign-in link "
              "asked (UTC)", "confirmed_at": "first sign-in (UTC)"}, participant_rows),
    Table("data/moderation_log.csv", "The public moderation log of every consultation.", {
        **C, "item": "contribution or comment", "id": "its id (comments) or internal id "
        "(contributions)", "action": "hide, restore or approve", "reason": "public reason",
        "decided_at": "when (UTC)"}, moderation_rows),
    Table("data/events.csv", "Campaign events (opened, update, milestone, answer...), as in "
          "the feeds.", {"campaign": "slug of the petition or consultation", "kind": "event",
                         "key": "what makes it unique", "data": "details (JSON)",
                         "created_at": "when (UTC)"}, event_rows),
    Table("data/members.csv", "The association's team on this instance (no password).", {
        "email": "e-mail address of the account", "name": "name", "role":
        "admin, editor or moderator", "member_since": "when (UTC)",
        "last_sign_in": "last sign-in (UTC)"}, member_rows),
    Table("data/audit_log.csv", "Every action taken in the association area, oldest first.", {
        "at": "when (UTC)", "actor": "who (account e-mail, or command line)",
        "action": "action code", "target": "what it was about",
        "details": "details (JSON)"}, audit_rows),
]


# -- writing the archive ------------------------------------------------------------------------

class _Hashing(io.RawIOBase):
    """A write-only stream that hashes and counts what goes through it into a zip entry."""

    def __init__(self, target):
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        return self.target.write(data)


def _add_csv(zf, table, association, files):
    with zf.open(table.name, "w", force_zip64=True) as raw:  # may pass 2 GiB on a big site
        out = _Hashing(raw)
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        writer = csv.DictWriter(text, fieldnames=list(table.columns))
        writer.writeheader()
        for row in table.rows(association):
            writer.writerow({k: neutral(v) for k, v in row.items()})
        text.flush()
        text.detach()
    files[table.name] = {"sha256": out.digest.hexdigest(), "size": out.size,
                         "description": table.description, "columns": table.columns}


def _add_bytes(zf, name, data, files, description, **extra):
    zf.writestr(name, data)
    files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                   "description": description, **extra}


def _add_content(zf, folder, files):
    """The association's folder as it is: Markdown, media, templates (regular files only)."""
    if not folder.is_dir():
        return
    root = folder.resolve()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
                       and p.resolve().is_relative_to(root)):  # nothing from outside the folder
        name = "content/" + path.relative_to(folder).as_posix()
        digest, size = hashlib.sha256(), 0
        with path.open("rb") as source, zf.open(name, "w", force_zip64=True) as target:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        files[name] = {"sha256": digest.hexdigest(), "size": size,
                       "description": "content file, as in the association's folder"}


def consultation_document(consultation):
    """A consultation's open data, as its export.json gives it (no personal data)."""
    from chaton.consultations import exports

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


def _json(document):
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def build(association, output):
    """Write the archive of one association into the binary file `output`; its manifest."""
    from chaton import __version__

    files = {}
    created = datetime.now(UTC).isoformat(timespec="seconds")
    folder = Path(current_app.config["CHATON"]["content_dir"]) / association.slug
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        with database.atomic():  # one read snapshot: the files agree with each other
            if not is_sqlite():  # SQLite reads one snapshot per transaction already
                database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            _add_bytes(zf, "data/association.json", _json({
                "slug": association.slug, "name": association.name,
                "language": association.language, "theme": association.theme,
                "settings": association.meta, "created_at": _iso(association.created_at)}),
                files, "The association as indexed from its association.md.")
            for table in TABLES:
                _add_csv(zf, table, association, files)
            for consultation in _consultations(association):
                consultation.association = association
                _add_bytes(zf, f"data/consultations/{consultation.slug}.json",
                           _json(consultation_document(consultation)), files,
                           "A consultation's open data (topics and vote counts, contributions,"
                           " comments, synthesis, answer), as its export.json gives it.")
        _add_content(zf, folder, files)
        manifest = {"format": FORMAT, "version": VERSION, "chaton_version": __version__,
                    "association": {"slug": association.slug, "name": association.name},
                    "created_at": created, "files": files}
        readme = readme_text(manifest).encode("utf-8")
        _add_bytes(zf, "README.md", readme, files, "What this archive holds (this file).")
        data = _json(manifest)
        zf.writestr("manifest.json", data)
        sums = "".join(f"{info['sha256']}  {name}\n" for name, info in sorted(files.items()))
        sums += f"{hashlib.sha256(data).hexdigest()}  manifest.json\n"
        zf.writestr("SHA256SUMS", sums)
    return manifest


def readme_text(manifest):
    """The archive's README: what each data file holds, column by column."""
    name, slug = manifest["association"]["name"], manifest["association"]["slug"]
    lines = [
        f"# {name}: archive of {manifest['created_at']}", "",
        f"Everything the association `{slug}` had on this Chaton instance (version "
        f"{manifest['chaton_version']}), to keep or to move elsewhere.", "",
        "- `content/`: the association's folder as it is (Markdown files with a YAML header, "
        "pictures and documents). Another Chaton serves it as it is: copy it to "
        f"`content/{slug}/`.",
        "- `data/`: what people did, as CSV files (UTF-8, comma-separated, one header line) and "
        "JSON. Dates and times are ISO 8601, in UTC. In the CSV files, a cell that a "
        "spreadsheet would run as a formula (starting with = + - or @) is prefixed with `'`; "
        "lists are joined with ` | ` and pairs written as `key=value; ...`.",
        "- `manifest.json`: every file with its sha256, size, description and columns.",
        "- `SHA256SUMS`: the checksums, to check with `sha256sum -c SHA256SUMS`.", "",
        "**Personal data.** `data/signatures.csv`, `data/consultation_participants.csv`, "
        "`data/members.csv` and `data/audit_log.csv` hold personal data. Keep this archive "
        "where only the people who need it can read it, write only to signatories whose "
        "`keep_informed` is true, and delete the archive when you no longer need it.", "",
        "## Data files", ""]
    for table in TABLES:
        lines += [f"### `{table.name}`", "", table.description, "", "| column | meaning |",
                  "|---|---|"]
        lines += [f"| `{column}` | {meaning} |" for column, meaning in table.columns.items()]
        lines.append("")
    lines += ["### `data/association.json`", "", "The association's name, language, theme and "
              "the settings of its association.md.", "",
              "### `data/consultations/<slug>.json`", "",
              "One file per consultation, the same document as its public `export.json`: no "
              "e-mail address, no individual vote.", ""]
    return "\n".join(lines)


def temporary_file():
    """An anonymous file in instance/tmp/ (no name on disk: nothing left after a crash)."""
    folder = Path(current_app.instance_path) / "tmp"
    folder.mkdir(mode=0o700, exist_ok=True)
    return tempfile.TemporaryFile(dir=folder)
