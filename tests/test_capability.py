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

        capability = Capability(name="fake", blueprints=("chaton_fake.views:bp",),
                                modules=("chaton_fake.handlers",))
    ''',
    "views.py": '''
        from flask import Blueprint

        bp = Blueprint("fake", __name__)


        @bp.route("/fake/hello")
        def hello():
            return {"hello": "from outside"}
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
    app = make_app(tmp_path, content_dir)
    assert [c.name for c in installed()][-1] == "fake"
    assert app.test_client().get("/fake/hello").get_json() == {"hello": "from outside"}
    with app.app_context(), writing():
        events.record_event("quartiers-solidaires", "ecole-sans-amiante", "update", "plugged")
    from chaton_fake.handlers import SEEN

    assert ("update", "plugged") in SEEN and ("opened", "opened") in SEEN  # and the demo's


def test_a_listed_package_without_a_capability_is_refused_clearly(monkeypatch):
    monkeypatch.setattr(chaton.capabilities, "INSTALLED", ["json"])
    with pytest.raises(SystemExit, match="json is listed in chaton/capabilities.py"):
        installed()
