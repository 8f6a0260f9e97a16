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


@dataclass(frozen=True)
class ContentKind:
    """A kind of campaign file in an association's folder (petitions, consultations...): how
    its files are found, parsed, represented when unreadable, and indexed."""

    name: str  # the attribute of the parsed association holding them ("petitions")
    files: str  # fn(association folder) -> sorted paths
    parse: str  # fn(path, association folder) -> parsed (with .slug, .problems), or None
    broken: str  # fn(path, Document with the problem) -> parsed, for an unreadable file
    index: str  # fn(Association, [parsed]) inside the association's indexing transaction

    def function(self, part):
        """The function named by `part` ("files", "parse", "broken" or "index")."""
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

    def load_blueprints(self):
        return [_named(path) for path in self.blueprints]

    def load_modules(self):
        for path in self.modules:
            importlib.import_module(path)

    def load_commands(self):
        return [_named(path) for path in self.commands]


def _named(path):
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def content_kinds():
    """Every installed capability's kinds of campaign files, in INSTALLED order."""
    return [kind for capability in installed() for kind in capability.content_kinds]


def installed():
    """The installed capabilities, in the order of INSTALLED (their blueprints' order)."""
    from chaton.capabilities import INSTALLED

    found = []
    for package in INSTALLED:
        capability = getattr(importlib.import_module(package), "capability", None)
        if not isinstance(capability, Capability):
            raise SystemExit(f"{package} is listed in chaton/capabilities.py but declares no "
                             "`capability = Capability(...)`")
        found.append(capability)
    return found
