"""Capabilities plug in: a package of one's own and one line in INSTALLED, as the built-in
ones do (chaton/core/capability.py)."""

import sys
import textwrap

import pytest
from helpers import make_app

import chaton.capabilities
from chaton.core import events
from chaton.core.capability import ContentKind, installed
from chaton.core.db import writing

AP = {"Accept": "application/activity+json"}

FAKE = {
    "__init__.py": '''
        """A capability from outside Chaton's tree."""
        from chaton.core.capability import Capability, ContentKind

        capability = Capability(
            name="fake", blueprints=("chaton_fake.views:bp",), modules=("chaton_fake.handlers",),
            templates="chaton_fake:templates", migrations="chaton_fake.schema:MIGRATIONS",
            archive=("chaton_fake.notes:ARCHIVE",), erased=("chaton_fake.notes:erased",),
            deletion_steps=("chaton_fake.notes:before_rows",),
            content_kinds=(ContentKind(name="notes", files="chaton_fake.notes:files",
                                       parse="chaton_fake.notes:parse",
                                       broken="chaton_fake.notes:broken",
                                       index="chaton_fake.notes:index",
                                       listed="chaton_fake.notes:listed",
                                       listing="fake/notes.html", model="chaton_fake.notes:Note",
                                       campaigns="chaton_fake.notes:campaigns",
                                       describe="chaton_fake.notes:describe"),))
    ''',
    "schema.py": '''
        """The fake capability's own tables, numbered within it."""
        import peewee

        from chaton.core.db import BaseModel
        from chaton.orgs.models import Association


        class Bookmark(BaseModel):
            association = peewee.ForeignKeyField(Association, on_delete="CASCADE")
            url = peewee.CharField(max_length=300)
            title = peewee.CharField(max_length=200, default="")  # added by migration 2


        def m0001_bookmarks(db):
            db.create_tables([Bookmark])


        def m0002_bookmark_title(db):
            from chaton.core.migrations import add_missing_column

            add_missing_column(db, Bookmark, "title")  # made by 1 already on a new database


        MIGRATIONS = [(1, m0001_bookmarks), (2, m0002_bookmark_title)]
    ''',
    "templates/fake/notes.html": '''
        <section><h2>Notes</h2><ul>{% for note in items %}
          <li class="fake-note">{{ note.title }}</li>{% endfor %}</ul></section>
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
            from chaton.core.events import record_event

            INDEXED.append((association.slug, [(n.slug, bool(n.problems)) for n in notes]))
            for note in notes:
                if not note.problems:
                    note.association, note.title = association, f"Note {note.slug}"
                    STORED[(association.slug, note.slug)] = note
                    record_event(association.slug, note.slug, "opened", "opened",
                                 campaign_kind="notes")


        STORED, DELETIONS = {}, []


        def listed(association):
            return [n for (org, _), n in sorted(STORED.items())
                    if association is None or org == association.slug]


        def campaigns(keys):
            return {key: STORED[key] for key in keys if key in STORED}


        def describe(event, note):
            return f"{note.title}: {event.kind}", f"<p>{note.text}</p>"


        def rows(association):
            for note in listed(association):
                yield {"note": note.slug, "text": note.text}


        from chaton.orgs.archive import Table

        ARCHIVE = [Table("data/notes.csv", "The association's notes.",
                         {"note": "its slug", "text": "what it says"}, rows)]


        def erased(association):
            return {"notes": len(listed(association))}


        def before_rows(association):
            DELETIONS.append(("before", association.slug))

            def after_rows():
                DELETIONS.append(("after", association.slug))
                return {"fake_note": 2}

            return after_rows
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
        (package / name).parent.mkdir(parents=True, exist_ok=True)
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
        events.record_event("quartiers-solidaires", "ecole-sans-amiante", "update", "plugged",
                            campaign_kind="petitions")
    from chaton_fake.handlers import SEEN
    from chaton_fake.notes import INDEXED

    assert ("quartiers-solidaires", [("explodes", True), ("hello", False)]) in INDEXED
    assert ("update", "plugged") in SEEN and ("opened", "opened") in SEEN  # and the demo's


def test_a_third_kind_is_listed_fed_and_federated(tmp_path, content_dir, fake_capability):
    """One package and one line: its campaigns on the association page and the home page (its
    own template), its events in the feeds and in the association's ActivityPub outbox, their
    Notes dereferenceable at the kind's own address."""
    org = "quartiers-solidaires"
    notes = content_dir / org / "notes"
    notes.mkdir()
    (notes / "jardin.md").write_text("Le jardin partagé ouvre samedi.")
    app = make_app(tmp_path, content_dir, federation=True)
    client = app.test_client()
    for page in (f"/{org}/", "/"):
        assert '<li class="fake-note">Note jardin</li>' in client.get(page).get_data(True), page
    feed = client.get(f"/{org}/feed.atom").get_data(True)
    assert "<title>Note jardin: opened</title>" in feed
    assert f"http://localhost/{org}/notes/jardin" in feed
    assert "Le jardin partagé ouvre samedi." in feed

    outbox = client.get(f"/{org}/outbox?page=1", headers=AP).get_json()
    created = [a for a in outbox["orderedItems"] if "Note jardin" in a["object"]["content"]]
    assert [a["type"] for a in created] == ["Create"]
    note_id = created[0]["object"]["id"]
    assert note_id.startswith(f"http://localhost/{org}/notes/jardin/events/")
    note = client.get(note_id.removeprefix("http://localhost"), headers=AP)
    assert note.status_code == 200 and note.get_json()["id"] == note_id
    assert client.get(f"/{org}/notes/absent/events/1", headers=AP).status_code == 404

    # a removed petition's Tombstone is answered at its own address, not under another kind's
    (content_dir / org / "petitions/ecole-sans-amiante.md").unlink()
    with app.app_context():
        app.extensions["chaton_content"].refresh()
    assert client.get(f"/{org}/petitions/ecole-sans-amiante", headers=AP).status_code == 410
    assert client.get(f"/{org}/notes/ecole-sans-amiante/events/1", headers=AP).status_code == 404


def test_a_capability_adds_to_the_archive_and_the_deletion(tmp_path, content_dir,
                                                             fake_capability):
    """The archive holds its table (and the README describes it); deleting the association
    counts what it erases and runs its step before and after the rows go."""
    import io
    import zipfile

    from chaton.orgs import archive, deletion
    from chaton.orgs.models import Association

    org = "quartiers-solidaires"
    notes = content_dir / org / "notes"
    notes.mkdir()
    (notes / "jardin.md").write_text("Le jardin partagé ouvre samedi.")
    app = make_app(tmp_path, content_dir)
    with app.app_context():
        association = Association.get(Association.slug == org)
        output = io.BytesIO()
        manifest = archive.build(association, output)
        zipped = zipfile.ZipFile(output)
        assert zipped.read("data/notes.csv").decode() == \
            "note,text\r\njardin,Le jardin partagé ouvre samedi.\r\n"
        assert manifest["files"]["data/notes.csv"]["columns"] == {"note": "its slug",
                                                                  "text": "what it says"}
        assert "### `data/notes.csv`" in zipped.read("README.md").decode()
        assert "data/signatures.csv" in manifest["files"]  # beside the built-in ones

        summary = deletion.summary(association)
        assert summary.notes == 1 and summary.petitions >= 1
        done = deletion.delete_association(association)
    from chaton_fake.notes import DELETIONS

    assert [("before", org), ("after", org)] == DELETIONS
    assert done.rows["fake_note"] == 2 and done.rows["petition"] >= 1


def test_a_capability_brings_its_own_migrations(tmp_path, content_dir, fake_capability):
    """Numbered within the capability, applied after the shipped ones, once; `chaton db
    status` lists them while pending. Its table's rows go with a deleted association (found
    through their foreign key, no step needed)."""
    from chaton.core import migrations
    from chaton.core.db import database
    from chaton.orgs import deletion
    from chaton.orgs.models import Association

    app = make_app(tmp_path, content_dir)  # upgrades the database
    with app.app_context():
        assert migrations.capabilities_pending() == []
        assert {"bookmark", "capability_migration"} <= set(database.get_tables())
        assert [c.name for c in database.get_columns("bookmark")] == [
            "id", "association_id", "url", "title"]
        assert [(m.capability, m.number, m.name) for m in migrations.CapabilityMigration
                .select().order_by(migrations.CapabilityMigration.number)] == [
            ("fake", 1, "m0001_bookmarks"), ("fake", 2, "m0002_bookmark_title")]
        with writing():
            migrations.CapabilityMigration.delete().where(
                migrations.CapabilityMigration.number == 2).execute()
        assert [(c, n) for c, n, _fn in migrations.capabilities_pending()] == [("fake", 2)]
        assert migrations.upgrade() == ["fake: m0002_bookmark_title"]  # it adds nothing twice
        assert migrations.upgrade() == []

        from chaton_fake.schema import Bookmark

        association = Association.get(Association.slug == "quartiers-solidaires")
        with writing():
            Bookmark.create(association=association, url="https://example.org/")
        done = deletion.delete_association(association)
    assert done.rows["bookmark"] == 1


def test_a_listed_package_without_a_capability_is_refused_clearly(monkeypatch):
    monkeypatch.setattr(chaton.capabilities, "INSTALLED", ["json"])
    with pytest.raises(SystemExit, match="json is listed in chaton/capabilities.py"):
        installed()


def test_a_kind_that_feeds_names_the_class_of_its_campaigns():
    """Feeds tell an event's kind by its campaign's class: without it its events would vanish."""
    with pytest.raises(ValueError, match="need `model`"):
        ContentKind(name="notes", files="x:files", parse="x:parse", broken="x:broken",
                    index="x:index", campaigns="x:campaigns", describe="x:describe")
