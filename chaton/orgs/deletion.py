"""Deleting an association: every row of its data, its content folder, its federation state.

`delete_association(association, actor)` is what the association area, the hoster area and
`chaton org delete` call. In order:

1. the association disappears from the site at once (`present` false, caches cleared) and its
   content folder is moved out of content/ into instance/deleted/<slug>-<UTC time>/ (kept
   `deleted_grace_days` days for a mistake to be mended, then erased by the worker; erased at
   once when the setting is 0);
2. its followers on other servers are sent a Delete of its actor;
3. every row that belongs to it is deleted: found through the foreign keys that lead to the
   association (petitions, signatures, counters, consultations and all their participation,
   memberships, invitations, its audit log, and any table added later with such a key), plus
   the tables that name it by its slug (events, content errors, federation followers and
   deliveries) or by a petition id (partner counts). Large tables go in batches, each in its
   own short transaction, so the rest of the instance keeps signing meanwhile;
4. one instance-level audit entry (association None) keeps the slug and the counts.
"""

import logging
import shutil
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app

from chaton.core.cache import invalidate_all
from chaton.core.db import writing
from chaton.core.events import Event
from chaton.orgs.models import Association, ContentError

log = logging.getLogger(__name__)
BATCH = 5000
DELETED = "deleted"


@dataclass
class Summary:
    """What deleting an association erases (shown before, recorded after)."""

    petitions: int = 0
    signatures: int = 0  # confirmed and pending
    consultations: int = 0
    participants: int = 0
    contributions: int = 0
    comments: int = 0
    members: int = 0
    files: int = 0
    bytes: int = 0
    rows: dict = field(default_factory=dict)  # table: rows deleted (after the deletion)

    def counts(self):
        return {k: v for k, v in self.__dict__.items() if k != "rows"}


def summary(association):
    """Counts of what would be erased: signatures, participants, files..."""
    from chaton.accounts.models import Membership
    from chaton.consultations.models import Comment, Consultation, Contribution, Participant
    from chaton.petitions.models import Petition, Signature

    petitions = Petition.select(Petition.id).where(Petition.association == association.id)
    consultations = Consultation.select(Consultation.id).where(
        Consultation.association == association.id)
    files = [p for p in _folder(association.slug).rglob("*") if p.is_file()] \
        if _folder(association.slug).is_dir() else []
    return Summary(
        petitions=petitions.count(),
        signatures=Signature.select().where(Signature.petition.in_(petitions)).count(),
        consultations=consultations.count(),
        participants=Participant.select().where(Participant.consultation.in_(consultations)).count(),
        contributions=Contribution.select().where(
            Contribution.consultation.in_(consultations)).count(),
        comments=Comment.select().where(Comment.consultation.in_(consultations)).count(),
        members=Membership.select().where(Membership.association == association.id).count(),
        files=len(files), bytes=sum(p.stat().st_size for p in files))


def _settings():
    return current_app.config["CHATON"]


def grace_days():
    """Days a deleted association's folder is kept aside (0: erased at once)."""
    return int(_settings()["deleted_grace_days"])


def _folder(slug):
    return Path(_settings()["content_dir"]) / slug


def delete_association(association, actor=None):
    """Erase an association and everything it holds; returns the Summary (rows deleted too).

    `actor` is the Account who asked (None from the command line)."""
    from chaton.accounts import audit

    slug = association.slug
    done = summary(association)
    index = current_app.extensions.get("chaton_content")
    with writing():
        Association.update(present=False).where(Association.id == association.id).execute()
    invalidate_all()
    _set_content_aside(slug, index)
    _tell_followers(slug)
    done.rows = _delete_rows(association)
    forget_retired_keys()  # at once when the Delete is already delivered, else the worker does
    invalidate_all()
    audit.record("association.delete", None, target=slug, account=actor,
                 name=association.name, **done.counts())
    log.info("association %s deleted: %s", slug, done.counts())
    return done


def _set_content_aside(slug, index):
    """Move content/<slug> (and instance/uploads/<slug>) to instance/deleted/, or erase them."""
    sources = {"content": _folder(slug), "uploads": Path(current_app.instance_path) / "uploads" / slug}
    sources = {name: path for name, path in sources.items() if path.exists()}
    if not sources:
        return None
    keep = grace_days() > 0
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(current_app.instance_path) / DELETED / f"{slug}-{stamp}"
    paused = index.paused() if index is not None else nullcontext()
    with paused:  # no re-indexing of a half-moved folder
        for name, source in sources.items():
            if keep:
                target.mkdir(mode=0o700, parents=True, exist_ok=True)
                shutil.move(str(source), str(target / name))
            else:
                shutil.rmtree(source)
    return target if keep else None


def _tell_followers(slug):
    """Send a Delete of the association's actor to its followers; forget them."""
    from chaton.federation.actors import CONTEXT, PUBLIC, actor_id
    from chaton.federation.delivery import enqueue
    from chaton.federation.keys import key_pair
    from chaton.federation.models import ActorKey, Delivery, Follower

    inboxes = [f.inbox for f in Follower.select(Follower.inbox).where(Follower.association == slug)]
    with writing():
        Follower.delete().where(Follower.association == slug).execute()
        Delivery.delete().where(Delivery.sender == slug).execute()  # news of a gone association
    if not inboxes or not _settings()["federation"]:
        with writing():
            ActorKey.delete().where(ActorKey.owner == slug).execute()
        return
    key_pair(slug)  # the Delete is signed with the key its followers know
    me = actor_id(slug)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    enqueue({"@context": CONTEXT, "id": f"{me}#delete-{stamp}", "type": "Delete", "actor": me,
             "object": me, "to": [PUBLIC], "cc": [me + "followers"]}, slug, inboxes)


def _delete_rows(association):
    """Delete every row that belongs to the association; {table: rows deleted}."""
    from chaton.federation.models import PartnerCount
    from chaton.petitions.models import Petition

    deleted = {}
    petition_ids = [p for (p,) in Petition.select(Petition.id).where(
        Petition.association == association.id).tuples()]
    plan = []
    _plan(Association, Association.id == association.id, plan, set())
    for model, condition in plan:  # leaves first, in batches (the big tables)
        if _is_leaf(model):
            _count(deleted, model, _delete_in_batches(model, condition))
    # the association's own rows go in one transaction under the indexer's key: an indexer
    # that read its folder before it moved away has finished, or will find the folder gone
    with writing("content-index", association.slug):
        for model, condition in plan:
            if not _is_leaf(model):
                _count(deleted, model, model.delete().where(condition).execute())
        _count(deleted, Event, Event.delete().where(Event.association == association.slug)
               .execute())
        _count(deleted, ContentError, ContentError.delete().where(
            ContentError.association == association.slug).execute())
        for start in range(0, len(petition_ids), 500):
            _count(deleted, PartnerCount, PartnerCount.delete().where(
                PartnerCount.petition.in_(petition_ids[start:start + 500])).execute())
    return {table: n for table, n in sorted(deleted.items()) if n}


def _plan(model, condition, plan, path):
    """Append (model, condition) deletions for the rows matching `condition`, children first,
    following every foreign key that points at `model` (self-references go with their rows)."""
    for fk, child in list(model._meta.backrefs.items()):
        if child is model or child in path:
            continue
        ids = model.select(model._meta.primary_key).where(condition)
        _plan(child, fk.in_(ids), plan, path | {model})
    plan.append((model, condition))


def _is_leaf(model):
    return not model._meta.backrefs


def _delete_in_batches(model, condition):
    """Delete in batches of BATCH rows, one short transaction each; returns how many."""
    key = model._meta.primary_key
    total = 0
    while True:
        with writing():
            ids = [i for (i,) in model.select(key).where(condition).limit(BATCH).tuples()]
            if not ids:
                return total
            total += model.delete().where(key.in_(ids)).execute()


def _count(deleted, model, n):
    table = model._meta.table_name
    deleted[table] = deleted.get(table, 0) + (n or 0)


def find(slug):
    """The association with this slug, present or not (its folder may already be gone)."""
    return Association.get_or_none(Association.slug == slug)


# -- after the deletion ------------------------------------------------------------------------

def purge_deleted_folders(now=None):
    """Erase the folders set aside in instance/deleted/ for longer than the grace period."""
    days = grace_days()
    folder = Path(current_app.instance_path) / DELETED
    if not folder.is_dir():
        return []
    limit = (now or datetime.now(UTC)) - timedelta(days=days)
    erased = []
    for path in sorted(folder.iterdir()):
        if _set_aside_on(path) < limit:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            erased.append(path.name)
    return erased


def _set_aside_on(path):
    """When a folder was set aside: the UTC time at the end of its name (else its mtime)."""
    try:
        return datetime.strptime(path.name.rsplit("-", 1)[-1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def forget_retired_keys():
    """Delete the keys of deleted associations once their last delivery is finished."""
    from chaton.federation.keys import INSTANCE
    from chaton.federation.models import ActorKey, Delivery

    owners = [k.owner for k in ActorKey.select(ActorKey.owner)]
    known = {a.slug for a in Association.select(Association.slug)} | {INSTANCE}
    busy = {d.sender for d in Delivery.select(Delivery.sender).where(Delivery.status == "pending")}
    retired = [o for o in owners if o not in known and o not in busy]
    if retired:
        with writing():  # checked again in the statement: a slug taken again keeps its key
            ActorKey.delete().where(
                ActorKey.owner.in_(retired)
                & ActorKey.owner.not_in(Association.select(Association.slug))
                & ActorKey.owner.not_in(Delivery.select(Delivery.sender).where(
                    Delivery.status == "pending"))).execute()
    return retired

