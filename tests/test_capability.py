"""Capabilities plug in: a package of one's own and one line in INSTALLED, as the built-in
ones do (chaton/core/capability.py)."""

import sys
import textwrap

import pytest
from helpers import make_app

import chaton.capabilities
from chaton.core import events
from chaton.core.capability import installed
from chaton.core.db import writing

FAKE = {
    "__init__.py": '''
        """A capability from outside Chaton's tree."""
        from chaton.core.capability import Capability

        from chaton.core.capability import Capability, ContentKind

        capability = Capability(
            name="fake", blueprints=("chaton_fake.views:bp",), modules=("chaton_fake.handlers",),
            content_kinds=(ContentKind(name="notes", files="chaton_fake.notes:files",
                                       parse="chaton_fake.notes:parse",
                                       broken="chaton_fake.notes:broken",
                                       index="chaton_fake.notes:index"),))
    ''',
    "views.py": '''
        from flask import Blueprint

        bp = Blueprint("fake", __name__)


        @bp.route("/fake/hello")
        def hello():
            return {"hello": "from outside"}
    ''',
    "notes.py": '''
        """A third kind of file in an association's folder: notes/<slug>.md."""
        from dataclasses import dataclass, field
        from pathlib import Path

        INDEXED = []


        @dataclass
        class Note:
            slug: str
            text: str = ""
            problems: list = field(default_factory=list)


        def files(folder):
            return sorted(Path(folder, "notes").glob("*.md"))


        def parse(path, folder):
            if path.stem == "explodes":
                raise ValueError("a bug in the parser")
            return Note(slug=path.stem, text=path.read_text())


        def broken(path, doc):
            return Note(slug=path.stem, problems=list(doc.problems))


        def index(association, notes):
            INDEXED.append((association.slug, [(n.slug, bool(n.problems)) for n in notes]))
    ''',
    "handlers.py": '''
        from chaton.core.events import event_handler

        SEEN = []


        @event_handler("fake.seen")
        def seen(event):
            SEEN.append((event.kind, event.key))
    ''',
}


@pytest.fixture
def fake_capability(tmp_path, monkeypatch):
    package = tmp_path / "plugins" / "chaton_fake"
    package.mkdir(parents=True)
    for name, text in FAKE.items():
        (package / name).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(package.parent))
    monkeypatch.setattr(chaton.capabilities, "INSTALLED",
                        [*chaton.capabilities.INSTALLED, "chaton_fake"])
    monkeypatch.setattr(events, "HANDLERS", dict(events.HANDLERS))
    yield
    for name in [m for m in sys.modules if m == "chaton_fake" or m.startswith("chaton_fake.")]:
        del sys.modules[name]


def test_an_installed_capability_serves_its_pages_and_handles_events(tmp_path, content_dir,
                                                                     fake_capability):
    """Its page served, its kind of file parsed and indexed (an unreadable one as the kind's
    own stand-in, with its problem), its event handler called."""
    notes = content_dir / "quartiers-solidaires" / "notes"
    notes.mkdir()
    (notes / "hello.md").write_text("Hello")
    (notes / "explodes.md").write_text("Boom")
    app = make_app(tmp_path, content_dir)
    assert [c.name for c in installed()][-1] == "fake"
    assert app.test_client().get("/fake/hello").get_json() == {"hello": "from outside"}
    with app.app_context(), writing():
        events.record_event("quartiers-solidaires", "ecole-sans-amiante", "update", "plugged")
    from chaton_fake.handlers import SEEN
    from chaton_fake.notes import INDEXED

    assert ("quartiers-solidaires", [("explodes", True), ("hello", False)]) in INDEXED
    assert ("update", "plugged") in SEEN and ("opened", "opened") in SEEN  # and the demo's


def test_a_listed_package_without_a_capability_is_refused_clearly(monkeypatch):
    monkeypatch.setattr(chaton.capabilities, "INSTALLED", ["json"])
    with pytest.raises(SystemExit, match="json is listed in chaton/capabilities.py"):
        installed()
