"""Interpellation: after signing, each signatory can write to the decision makers who concern
them, through their own mail program.

Who: the petition's target (when its file gives `target.contact` and a `letter`) and, when the
petition says `write_to_representatives: true`, the representatives of the signatory's
département from the association's plain-text list, `representatives.csv` in its folder:

    name,role,departement,email,postal_address,page
    Claire Martin,Députée de la 2e circonscription,93,claire.martin@assemblee.example,,https://...
    Jean Dupont,Sénateur,,,"Palais du Luxembourg, 75006 Paris",

(`departement` empty: everybody's). A row with a problem is left out and logged as
`file:line: field: problem`; the other rows stay.

How: a message prepared from the petition (its `letter`, else its demand and address), which
the signatory edits; `mailto:` opens it in their mail program. Nothing is stored but counts:
"I sent my message" adds one, once per signatory and recipient, to the count shown on the
petition page. The message itself is never seen by the server until the signatory asks to open
it, and then only to build the `mailto:` address (never logged, never stored). An association
may also let them send it through the instance: interpellation_mail.py.
"""

import csv
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import peewee

from chaton import territory
from chaton.core import frontmatter as fm
from chaton.core.db import BaseModel, database, writing
from chaton.petitions.models import Petition, Signature

log = logging.getLogger(__name__)

FILE = "representatives.csv"
COLUMNS = ("name", "role", "departement", "email", "postal_address", "page")
MAX_ROWS = 2000
SUBJECT_MAX, BODY_MAX = 200, 5000


class InterpellationCount(BaseModel):
    """Messages signatories said they sent, by petition and recipient (no content, no sender)."""

    petition = peewee.ForeignKeyField(Petition, on_delete="CASCADE")
    recipient = peewee.CharField(max_length=32)  # Recipient.key
    name = peewee.CharField(max_length=200)  # as the list named them then
    count = peewee.IntegerField(default=0)

    class Meta:
        table_name = "interpellation_count"
        indexes = ((("petition", "recipient"), True),)


class InterpellationMark(BaseModel):
    """That this signatory already counted a message to this recipient (once each). Goes with
    the signature (withdrawal, retention); the count stays."""

    signature = peewee.ForeignKeyField(Signature, on_delete="CASCADE")
    recipient = peewee.CharField(max_length=32)

    class Meta:
        table_name = "interpellation_mark"
        indexes = ((("signature", "recipient"), True),)


TABLES = [InterpellationCount, InterpellationMark]


@dataclass(frozen=True)
class Recipient:
    key: str
    name: str
    role: str = ""
    email: str = ""
    postal_address: str = ""
    page: str = ""


def _key(*parts):
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _row(row, line, path):
    """A Recipient from one CSV row, or None (its problem logged)."""
    problems, values = [], {}
    for name, parser in (("name", fm.text(200)), ("role", fm.text(200, 0)),
                         ("email", fm.email), ("postal_address", fm.text(300, 0)),
                         ("page", fm.web_address)):
        value = (row.get(name) or "").strip()
        if not value:
            values[name] = ""
            if name == "name":
                problems.append(f"{path}:{line}: name: must not be empty")
            continue
        try:
            values[name] = parser(value)
        except fm.FieldError as exc:
            problems.append(f"{path}:{line}: {name}: {exc}")
    departement = (row.get("departement") or "").strip().upper()
    if departement and departement not in territory.departements():
        problems.append(f"{path}:{line}: departement: {departement!r} is not a French "
                        "département code (93, 2A, 974...)")
    if not values.get("email") and not values.get("postal_address"):
        problems.append(f"{path}:{line}: email: give an e-mail or a postal address")
    if problems:
        for problem in problems:
            log.warning("%s", problem)
        return None, departement
    return Recipient(_key("rep", values["name"], values["email"] or values["postal_address"]),
                     values["name"], values["role"], values["email"], values["postal_address"],
                     values["page"]), departement


_cache = {}  # path: (mtime, size, [(departement, Recipient)])


def representatives(folder):
    """[(département code or "", Recipient)] from the association's list (cached by mtime)."""
    path = Path(folder) / FILE
    try:
        stat = path.stat()
    except OSError:
        return []
    cached = _cache.get(str(path))
    if cached and cached[:2] == (stat.st_mtime_ns, stat.st_size):
        return cached[2]
    found = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in ("name", "departement") if c not in (reader.fieldnames or [])]
            if missing:
                log.warning("%s:1: %s: missing column (expected %s)", path, missing[0],
                            ",".join(COLUMNS))
            else:
                for line, row in enumerate(reader, start=2):
                    if line > MAX_ROWS + 1:
                        log.warning("%s:%s: too many rows (at most %s)", path, line, MAX_ROWS)
                        break
                    recipient, departement = _row(row, line, path)
                    if recipient is not None:
                        found.append((departement, recipient))
    except (UnicodeDecodeError, csv.Error) as exc:
        log.warning("%s: cannot be read: %s", path, exc)
        found = []
    _cache[str(path)] = (stat.st_mtime_ns, stat.st_size, found)
    return found


def recipients(petition, signature, folder):
    """Whom this signatory may write to: the target, then their département's representatives."""
    found = []
    target = petition.target
    if petition.meta.get("letter") and target.get("contact"):
        found.append(Recipient("target", target["name"], target.get("role", ""),
                               target["contact"]))
    if petition.meta.get("write_to_representatives"):
        found += [r for departement, r in representatives(folder)
                  if not departement or departement == signature.area]
    return found


def message(petition, signature, url):
    """(subject, body) prepared for the signatory to edit."""
    body = petition.meta.get("letter") or f"{petition.meta.get('demand', '')}\n\n{url}"
    return petition.title, f"{body.strip()}\n\n{signature.name}"


def mailto(recipient, subject, body):
    """The mailto: address opening the message in the signatory's mail program."""
    return (f"mailto:{quote(recipient.email, safe='@')}?subject={quote(subject[:SUBJECT_MAX])}"
            f"&body={quote(body[:BODY_MAX])}")


def count_sent(signature, recipient):
    """Count one message to `recipient` from this signatory, once; returns whether it counted."""
    with writing():
        inserted = database.execute(InterpellationMark.insert(
            signature=signature.id, recipient=recipient.key).on_conflict_ignore()).rowcount
        if inserted != 1:
            return False
        table = InterpellationCount
        (table.insert(petition=signature.petition_id, recipient=recipient.key,
                      name=recipient.name, count=1)
         .on_conflict(conflict_target=[table.petition, table.recipient],
                      update={table.count: table.count + 1, table.name: recipient.name})
         .execute())
    return True


def total_sent(petition):
    """Messages counted for the petition, all recipients together."""
    return (InterpellationCount.select(peewee.fn.COALESCE(peewee.fn.SUM(InterpellationCount.count), 0))
            .where(InterpellationCount.petition == petition).scalar())


def already_sent(signature):
    """The recipients' keys this signatory counted a message to."""
    return {m.recipient for m in InterpellationMark.select(InterpellationMark.recipient)
            .where(InterpellationMark.signature == signature.id)}
