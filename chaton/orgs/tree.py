"""The content index: Markdown files on disk, parsed, validated and indexed into the database.

Pages read the index, never the disk. `ContentIndex.maybe_refresh()` runs before requests at
most every `content_scan_interval` seconds: it compares a fingerprint of the tree (paths,
mtimes, sizes) and re-indexes only when something changed, so edits appear without a
restart. A broken file is reported (ContentError) and skipped; the last good version of it
stays online, and everything else keeps serving.
"""

import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from chaton.core.cache import invalidate_all
from chaton.core.capability import content_kinds
from chaton.core.frontmatter import Problem
from chaton.orgs.content import parse_association

log = logging.getLogger(__name__)


@dataclass
class ParsedAssociation:
    slug: str
    folder: Path
    doc: object
    campaigns: dict = field(default_factory=dict)  # content kind name -> parsed files

    def __getattr__(self, name):  # parsed.petitions, parsed.consultations: one kind's files
        campaigns = self.__dict__.get("campaigns", {})
        if name in campaigns:
            return campaigns[name]
        raise AttributeError(name)

    @property
    def problems(self):
        found = list(self.doc.problems)
        for parsed in self.campaigns.values():
            for campaign in parsed:
                found.extend(campaign.problems)
        return found


@dataclass
class Tree:
    associations: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def all_problems(self):
        found = list(self.problems)
        for association in self.associations:
            found.extend(association.problems)
        return found

    @property
    def errors(self):
        return [p for p in self.all_problems if not p.warning]


def _display(path, content_dir):
    """Paths in messages are relative to the folder holding content/."""
    try:
        return str(Path(path).relative_to(Path(content_dir).parent))
    except ValueError:
        return str(path)


def load_tree(content_dir):
    """Parse every content file under content_dir (no database involved)."""
    content_dir = Path(content_dir)
    tree = Tree()
    if not content_dir.is_dir():
        tree.problems.append(Problem(str(content_dir), 0, "", "content folder not found"))
        return tree
    for folder in sorted(p for p in content_dir.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")):
            continue
        tree.associations.append(_load_association(folder, content_dir))
    return tree


def _load_association(folder, content_dir):
    """Parse one association folder: association.md and its petitions."""
    path = folder / "association.md"
    shown = _display(path, content_dir)
    try:
        doc = parse_association(folder.name, shown, path.read_text(encoding="utf-8"))
    except Exception as exc:  # one file's failure, whatever it is, is that file's problem
        from chaton.core.frontmatter import Document

        if not isinstance(exc, OSError | UnicodeDecodeError):
            log.exception("%s: the parser failed", path)
        doc = Document(path=shown, meta={}, body="", body_line=1)
        doc.problems.append(Problem(shown, 0, "", f"cannot read the file: {exc}"))
    parsed = ParsedAssociation(slug=folder.name, folder=folder, doc=doc)
    for kind in content_kinds():  # each capability's kinds of campaign files
        found = parsed.campaigns.setdefault(kind.name, [])
        for path in kind.function("files")(folder):
            campaign = _guarded(kind, path, folder, content_dir)
            if campaign is not None:
                found.append(campaign)
    return parsed


def _guarded(kind, path, folder, content_dir):
    """Run a kind's parser, turning unreadable files, and any failure of the parser on one
    file, into a reported problem of that file: the other files and associations go on."""
    try:
        parsed = kind.function("parse")(path, folder)
    except (OSError, UnicodeDecodeError) as exc:
        log.error("%s: cannot read: %s", path, exc)
        return _unreadable(kind, path, content_dir, exc)
    except Exception as exc:
        log.exception("%s: the parser failed", path)
        return _unreadable(kind, path, content_dir, exc)
    if parsed is not None:
        for problem in parsed.problems:
            problem.path = _display(problem.path, content_dir)
    return parsed


def _unreadable(kind, path, content_dir, exc):
    """The kind's own stand-in for a file that could not be read (its problem reported)."""
    from chaton.core.frontmatter import Document

    shown = _display(path, content_dir)
    doc = Document(path=shown, meta={}, body="", body_line=1)
    why = "is it UTF-8?" if isinstance(exc, OSError | UnicodeDecodeError) else "see the logs"
    doc.problems.append(Problem(shown, 0, "", f"cannot read the file ({why}): {exc}"))
    return kind.function("broken")(path, doc)


def fingerprint(content_dir):
    """A cheap summary of the tree: every file's path, mtime and size."""
    found = []
    for root, dirs, files in os.walk(content_dir):
        dirs.sort()
        for name in sorted(files):
            try:
                st = os.stat(os.path.join(root, name))
            except FileNotFoundError:
                continue
            found.append((root, name, st.st_mtime_ns, st.st_size))
    return hash(tuple(found))


class ContentIndex:
    """Keeps the database index in step with the content folder."""

    def __init__(self, content_dir, interval, defaults):
        self.content_dir = Path(content_dir)
        self.interval = interval
        self.defaults = defaults
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._fingerprint = None

    def maybe_refresh(self):
        """Re-index if the interval has passed and the files changed; never blocks a request."""
        now = time.monotonic()
        if now - self._checked_at < self.interval or not self._lock.acquire(blocking=False):
            return False
        try:
            self._checked_at = now
            current = fingerprint(self.content_dir)
            if current == self._fingerprint:
                return False
            self._refresh(current)
            return True
        finally:
            self._lock.release()

    def watch(self, app, stop):
        """In the worker: check the folder every `interval` seconds (at least every 2 s) until
        `stop` is set, so that an edit made on disk is indexed, mailed and federated without
        waiting for a visitor."""
        def loop():
            while not stop.wait(max(self.interval, 2.0)):
                try:
                    with app.app_context():
                        self.maybe_refresh()
                except Exception:  # the next round tries again; the log says why
                    log.exception("content watch: indexing failed")

        thread = threading.Thread(target=loop, name="content-watch", daemon=True)
        thread.start()
        return thread

    @contextmanager
    def paused(self):
        """Hold re-indexing off while a whole folder moves (an association being deleted)."""
        with self._lock:
            yield

    def refresh(self):
        """Re-index now (used at start-up, by `chaton content reload` and after admin edits)."""
        with self._lock:
            self._refresh(fingerprint(self.content_dir))
            self._checked_at = time.monotonic()

    def _refresh(self, current):
        from chaton.orgs.indexing import index_tree

        started = time.perf_counter()
        tree = load_tree(self.content_dir)
        index_tree(tree, self.defaults)
        invalidate_all()
        self._fingerprint = current
        for problem in tree.all_problems:
            (log.warning if problem.warning else log.error)("%s", problem)
        log.info("content indexed in %.0f ms", (time.perf_counter() - started) * 1000)
