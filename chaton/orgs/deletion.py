"""Deleting an association: every row of its data, its content folder, its federation state.

`delete_association(association, actor)` is what the association area, the hoster area and
`chaton org delete` call. In order:

1. the association disappears from the site at once (`present` false, caches cleared) and its
   content folder is moved out of content/ into instance/deleted/<slug>-<UTC time>/ (kept
   `deleted_grace_days` days for a mistake to be mended, then erased by the worker; erased at
   once when the setting is 0);
2. each installed capability's `deletion_steps` run (core/capability.py): federation sends
   its followers a Delete of its actor;
3. every row that belongs to it is deleted: found through the foreign keys that lead to the
   association (petitions, signatures, counters, consultations and all their participation,
   memberships, invitations, its audit log, and any table added later with such a key), plus
   the tables of the association itself that name it by its slug (events, content errors).
   Large tables go in batches, each in its own short transaction, so the rest of the instance
   keeps signing meanwhile. Then the steps' second halves delete what a capability keeps by
   id (federation: the partner counts of its petitions, its retired keys);
4. the `deleted` signal: the audit log keeps one instance-level entry (association None) with
   the slug and the counts.
"""

import logging
import shutil
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from blinker import signal
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
    """What deleting an association erases (shown before, recorded after): the counts each
    installed capability gives (`erased`: petitions, signatures, members...), then its files."""

    erased: dict = field(default_factory=dict)  # name: count, from the capabilities
    files: int = 0
    bytes: int = 0
    rows: dict = field(default_factory=dict)  # table: rows deleted (after the deletion)

    def __getattr__(self, name):  # summary.petitions in the templates
        try:
            return self.__dict__["erased"][name]
        except KeyError:
            raise AttributeError(name) from None

    def counts(self):
        return {**self.erased, "files": self.files, "bytes": self.bytes}


# sent once an association is deleted, with actor= (the Account who asked, None from the
# command line) and summary= (the Summary, rows deleted included): the audit log records it
deleted = signal("chaton.orgs.association-deleted")


def summary(association):
    """Counts of what would be erased: signatures, participants, files..."""
    from chaton.core.capability import contributed

    erased = {}
    for count in contributed("erased"):
        erased.update(count(association))
    folder = _folder(association.slug)
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return Summary(erased=erased, files=len(files), bytes=sum(p.stat().st_size for p in files))


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
    from chaton.core.capability import contributed

    slug = association.slug
    done = summary(association)
    index = current_app.extensions.get("chaton_content")
    with writing():
        Association.update(present=False).where(Association.id == association.id).execute()
    invalidate_all()
    _set_content_aside(slug, index)
    after = [step(association) for step in contributed("deletion_steps")]
    done.rows = _delete_rows(association)
    for step in filter(None, after):
        for table, n in (step() or {}).items():
            done.rows[table] = done.rows.get(table, 0) + n
    done.rows = {table: n for table, n in sorted(done.rows.items()) if n}
    invalidate_all()
    deleted.send(association, actor=actor, summary=done)
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


def _delete_rows(association):
    """Delete every row that belongs to the association; {table: rows deleted}."""
    deleted = {}
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
    return deleted


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
