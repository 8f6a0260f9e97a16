"""Write a parsed content tree into the database index, one transaction per association."""

import hashlib
import logging

import peewee

from chaton.core.capability import content_kinds
from chaton.core.db import utcnow, writing
from chaton.core.frontmatter import Problem
from chaton.core.markup import RENDER_VERSION
from chaton.orgs.content import association_fields
from chaton.orgs.models import Association, ContentError

log = logging.getLogger(__name__)


def index_tree(tree, defaults):
    """Bring the index in line with the tree; broken files keep their last good version.

    One association whose files the database refuses (a value too long for a column, say)
    keeps its last good index and gets a reported problem; the others are indexed anyway.

    Every app server indexes at start and the worker watches the folder, so several processes
    may index at once: each association is indexed under its own key (`"content-index", slug`),
    the second process waiting for the first then finding its rows (no duplicate, no failure),
    and the instance's own problems under the key of the empty slug. An association deleted
    meanwhile (its folder moved away, its rows deleted under the same key) is not brought back
    by a tree read before."""
    on_disk = set()
    for parsed in tree.associations:
        on_disk.add(parsed.slug)
        try:
            with writing("content-index", parsed.slug):
                if not parsed.folder.is_dir():
                    continue  # deleted since the tree was read
                association = _index_association(parsed)
                if association is not None:
                    for kind in content_kinds():  # each capability's campaign files
                        kind.function("index")(association, parsed.campaigns.get(kind.name, []))
                _record_problems(parsed.slug, parsed.problems)
        except peewee.DatabaseError as exc:
            log.exception("content of %s could not be indexed", parsed.slug)
            problem = Problem(str(parsed.doc.path), 0, "",
                              f"could not be stored in the database ({type(exc).__name__}); "
                              "its last good version stays online")
            with writing("content-index", parsed.slug):
                _record_problems(parsed.slug, [*parsed.problems, problem])
    with writing("content-index", ""):
        gone = Association.slug.not_in(sorted(on_disk) or [""])
        Association.update(present=False).where(gone).execute()
        ContentError.delete().where(ContentError.association == "").execute()
        _record_problems("", tree.problems)


def _index_association(parsed):
    """Upsert the Association row; None when its file is broken and it was never indexed."""
    existing = Association.get_or_none(Association.slug == parsed.slug)
    if not parsed.doc.ok:
        return existing if existing and existing.present else None
    digest = hashlib.sha256((parsed.doc.source + RENDER_VERSION).encode("utf-8")).hexdigest()
    if existing and existing.checksum == digest and existing.present:
        return existing
    fields = association_fields(parsed.slug, parsed.doc, f"/{parsed.slug}/media")
    fields.update(path=str(parsed.doc.path), checksum=digest)
    if existing is None:
        return Association.create(slug=parsed.slug, **fields)
    Association.update(**fields).where(Association.id == existing.id).execute()
    return Association.get_by_id(existing.id)


def _record_problems(association_slug, problems):
    """Replace the association's list of content errors with the current one."""
    ContentError.delete().where(ContentError.association == association_slug).execute()
    now = utcnow()
    rows = [
        {"association": association_slug, "path": p.path, "line": p.line, "field": p.field,
         "message": p.message, "seen_at": now}
        for p in problems if not p.warning
    ]
    if rows:
        ContentError.insert_many(rows).execute()
