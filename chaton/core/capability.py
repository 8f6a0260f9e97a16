"""What a capability brings to Chaton, declared once, and the list of those installed.

A capability (petitions, consultations, federation...) is a package whose `__init__.py`
declares `capability = Capability(...)`: its blueprints, the modules that declare its tasks,
event handlers and signal receivers, its commands. The app factory, the worker and the `chaton`
command loop over `installed()`; nothing in the core names a capability. The built-in ones use
exactly what an extension would: a package of one's own and a line in INSTALLED
(`chaton/capabilities.py`).

Names are given as strings ("package.module:attribute") and imported when the app is made, not
when the package is: importing `chaton.petitions.models` must not import every page.
"""

import importlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ContentKind:
    """A kind of campaign file in an association's folder (petitions, consultations...): how
    its files are found, parsed, represented when unreadable, and indexed."""

    name: str  # the attribute of the parsed association holding them ("petitions")
    files: str  # fn(association folder) -> sorted paths
    parse: str  # fn(path, association folder) -> parsed (with .slug, .problems), or None
    broken: str  # fn(path, Document with the problem) -> parsed, for an unreadable file
    index: str  # fn(Association, [parsed]) inside the association's indexing transaction
    # fn(association, or None for the instance home) -> the public campaigns to list there,
    # given to the page's template under the kind's name
    listed: str = ""
    # a template fragment showing them (`items`), for kinds the page's template does not name
    # (the built-in kinds have their own sections, which themes override)
    listing: str = ""
    # fn(association slug, slug) -> the campaign an address names (drafts for members only),
    # else 404
    load: str = ""
    # the class of its campaigns (rows with .slug, .association, .title, .summary): which kind
    # a campaign is, declared rather than guessed (kind_of)
    model: str = ""
    # feeds and federated news. fn({(association slug, slug)}) -> {(association slug, slug):
    # campaign}: the public campaigns among those, their association loaded
    campaigns: str = ""
    # fn(event, campaign) -> (title, HTML body): how one of its events reads
    describe: str = ""
    # fn(event, campaign) -> the page an event points to (default: the campaign's page,
    # /<association>/<kind name>/<slug>)
    event_url: str = ""
    # fn([(event, campaign)]) before describing many: loads what describe needs in one query
    prepare: str = ""
    # fn(event, campaign) -> the day an event happened by its own account (an update's date),
    # or None: the time it was recorded (feeds date entries with it)
    event_day: str = ""

    def __post_init__(self):
        # feeds find an event's kind through its campaign's class (kind_of): a kind that feeds
        # without naming its class would have its events silently dropped
        if (self.campaigns or self.describe) and not self.model:
            raise ValueError(f"content kind {self.name!r}: `campaigns` and `describe` need `model`, "
                             "the class of its campaigns")

    def function(self, part):
        """The function (or class) named by `part` ("files", "parse", "index", "model"...)."""
        return _named(getattr(self, part))


@dataclass(frozen=True)
class Capability:
    name: str
    # blueprints, registered in this order ("chaton.petitions.views:bp")
    blueprints: tuple[str, ...] = ()
    # modules imported for what they declare: tasks, periodic jobs, event handlers, receivers
    modules: tuple[str, ...] = ()
    # click commands and groups added to `chaton` ("chaton.hoster.commands:org")
    commands: tuple[str, ...] = ()
    # kinds of campaign files in an association's folder
    content_kinds: tuple[ContentKind, ...] = ()
    # what an association's archive holds of this capability: lists of orgs.archive.Table
    # and Documents ("chaton.petitions.association_data:ARCHIVE")
    archive: tuple[str, ...] = ()
    # deleting an association: fn(association) -> {name: count}, what it would erase (shown
    # before, recorded after: "petitions", "signatures"...)
    erased: tuple[str, ...] = ()
    # deleting an association: fn(association), run before its rows are deleted (they are
    # found through the foreign keys leading to it); it may return fn() -> {table: rows}, run
    # after them (rows that name the association by its slug, followers to tell...)
    deletion_steps: tuple[str, ...] = ()
    # other representations of a page, chosen by the request: ((page, "module:fn"), ...), fn
    # taking the page's object and returning a response or None (federation's ActivityPub
    # JSON of "association", "petition", "consultation"; the Tombstone of a "removed" one)
    alternates: tuple[tuple[str, str], ...] = ()
    # its own schema migrations ("module:MIGRATIONS", [(number, fn(db))] numbered from 1 within
    # the capability, recorded in capability_migration); the built-in capabilities' tables
    # have their shipped history in chaton/schema.py
    migrations: str = ""
    # its own templates ("package:folder"), found after the themes' (which may override them)
    templates: str = ""
    # more variables for a page: ((page, "module:fn(object) -> dict"),): "home" (None),
    # "association" and "dashboard" (the association area's first page) get the association,
    # "petition" the petition (federation: partners' counts)
    page_context: tuple[tuple[str, str], ...] = ()

    def load_blueprints(self):
        return [_named(path) for path in self.blueprints]

    def load_modules(self):
        for path in self.modules:
            importlib.import_module(path)

    def load_commands(self):
        return [_named(path) for path in self.commands]

    def load_migrations(self):
        return list(_named(self.migrations)) if self.migrations else []


def _named(path):
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def template_folders():
    """The installed capabilities' own template folders, in INSTALLED order."""
    folders = []
    for capability in installed():
        if capability.templates:
            package, _, folder = capability.templates.partition(":")
            root = Path(importlib.import_module(package).__file__).parent
            folders.append(str(root / folder))
    return folders


def contributed(part):
    """What every installed capability contributes to `part` ("archive", "erased"...), loaded,
    in INSTALLED order."""
    return [_named(path) for capability in installed() for path in getattr(capability, part)]


def alternate(page, *args):
    """The first other representation of `page` that an installed capability gives for this
    request (a response), or None: the page is then rendered as usual."""
    for capability in installed():
        for name, path in capability.alternates:
            if name == page and (response := _named(path)(*args)) is not None:
                return response
    return None


def listings(association=None):
    """The campaigns of every content kind to list on the association's page (the instance
    home for None), under each kind's name; and `listings` [(kind, items)] for the kinds with
    a fragment of their own (those the page's template does not name)."""
    context, own = {}, []
    for kind in content_kinds():
        if kind.listed:
            items = context[kind.name] = kind.function("listed")(association)
            if kind.listing:
                own.append((kind, items))
    return {**context, "listings": own}


def page_context(page, subject=None):
    """The variables the capabilities add to a page (`page_context`) about its subject (an
    association, a petition): federation's mirrors on the home page, the petitions on the
    association area's dashboard..."""
    context = {}
    for capability in installed():
        for name, path in capability.page_context:
            if name == page:
                context.update(_named(path)(subject))
    return context


def kind_named(name):
    """The installed content kind called `name` ("petitions"), or None."""
    return next((kind for kind in content_kinds() if kind.name == name), None)


def kind_of(campaign):
    """The content kind of a campaign (a Petition, a Consultation...), or None."""
    for kind in content_kinds():
        if kind.model and isinstance(campaign, kind.function("model")):
            return kind
    return None


def content_kinds():
    """Every installed capability's kinds of campaign files, in INSTALLED order."""
    return [kind for capability in installed() for kind in capability.content_kinds]


_installed = {}  # tuple(INSTALLED): [Capability]; pages ask on every request


def installed():
    """The installed capabilities, in the order of INSTALLED (their blueprints' order)."""
    from chaton.capabilities import INSTALLED

    key = tuple(INSTALLED)
    found = _installed.get(key)
    if found is not None:
        return found
    found = []
    for package in INSTALLED:
        capability = getattr(importlib.import_module(package), "capability", None)
        if not isinstance(capability, Capability):
            raise SystemExit(f"{package} is listed in chaton/capabilities.py but declares no "
                             "`capability = Capability(...)`")
        found.append(capability)
    _installed[key] = found
    return found
