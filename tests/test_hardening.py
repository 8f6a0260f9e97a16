"""No input, hand-written or typed, takes an association's site down (the hardening issue).

Each case was found by a security review or a field test; each test fails on the code before
its fix."""

import logging
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import PETITION_URL, make_app, sign

from chaton.cli import main

ORG = "quartiers-solidaires"
BAD_HEADERS = {
    "impossible date": ("opens: 2026-13-45", 6, "opens: expected a date written YYYY-MM-DD"),
    "impossible hour": ("opens: 2026-01-02T25:00:00", 6, "opens: expected a date"),
    "deep nesting": ("milestones: " + "[" * 3000 + "]" * 3000, 6, "nested more than 20 levels"),
    "aliases": ("summary: &s Hello\nlanguage: *s", 6, "anchors and aliases (& and *) are not allowed"),
}


def petition_text(extra):
    return ("---\ntitle: Une pétition\ntarget: {name: La mairie}\ndemand: Des arbres.\n"
            f"status: open\n{extra}\n---\nTexte.\n")


@pytest.mark.parametrize("case", BAD_HEADERS)
def test_one_bad_file_is_that_files_problem_only(tmp_path, content_dir, case):
    """Before: ValueError or RecursionError escaped the parser: every page of every association
    answered 500 every two seconds, and `chaton content check` died with a traceback."""
    extra, line, message = BAD_HEADERS[case]
    (content_dir / ORG / "petitions/cassee.md").write_text(petition_text(extra))
    (content_dir / "velo-pour-tous/petitions/autre.md").write_text(petition_text(""))
    result = CliRunner().invoke(main, ["content", "check", "--path", str(content_dir)])
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert result.exit_code == 1 and not crashed, result.output
    assert f"content/{ORG}/petitions/cassee.md:{line}:" in result.output
    assert message in result.output, result.output
    app = make_app(tmp_path, content_dir)
    client = app.test_client()
    for path in ("/", f"/{ORG}/", PETITION_URL, "/velo-pour-tous/petitions/autre", "/feed.atom"):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/{ORG}/petitions/cassee").status_code == 404


def test_any_parser_failure_stays_in_its_file(tmp_path, content_dir, monkeypatch):
    """Whatever a parser raises on one file (a bug), the others are indexed."""
    from chaton.orgs import tree as content_module
    from chaton.petitions import content as petition_content

    real = petition_content.parse_petition

    def exploding(path, folder):
        if path.name == "ecole-sans-amiante.md":
            raise ZeroDivisionError("a bug")
        return real(path, folder)

    monkeypatch.setattr(petition_content, "parse_petition", exploding)  # the kind's parser
    tree = content_module.load_tree(content_dir)
    assert any("ecole-sans-amiante.md" in str(p) and "a bug" in str(p) for p in tree.errors)
    assert any(p.slug == "bancs-place-des-tilleuls" and not p.problems
               for a in tree.associations for p in a.petitions)


def test_list_unsubscribe_is_never_encoded(tmp_path, content_dir):
    """RFC 8058 one-click unsubscribe needs the address as it is; the standard mail policy
    turned any long https address into RFC 2047 encoded words."""
    base = "https://petitions.une-association-au-nom-assez-long.example.org"
    app = make_app(tmp_path, content_dir, base_url=base)
    client = app.test_client()
    client.set_cookie("lang", "fr")
    sign(client, email="long.base@example.org", keep_informed="y")
    raw = next((tmp_path / "instance" / "outbox").glob("*.eml")).read_bytes()
    header = next(line for line in raw.split(b"\n") if line.startswith(b"List-Unsubscribe:"))
    assert header.startswith(b"List-Unsubscribe: <" + base.encode()) and b"=?" not in header
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_mail_files_are_private_and_their_links_never_logged(app, caplog):
    """Confirmation and sign-in links are secrets: the .eml file is readable by the owner only,
    and the log names the file, not the link."""
    caplog.set_level(logging.INFO)
    client = app.test_client()
    sign(client, email="secret.link@example.org")
    path = next((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "/s/" not in caplog.text and "mail written to" in caplog.text


LAUGHS = ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
          "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
          "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n")


def test_yaml_aliases_are_refused_by_the_editor_at_once(app):
    """A 311-byte header of aliases expanded on every dump: the editor page took 24 s and the
    file could no longer be fixed from the web."""
    import time

    from helpers import member_client
    from test_editing import form_of

    editor = member_client(app, ORG, "editor")
    url = f"/{ORG}/admin/petitions/ecole-sans-amiante/edit"
    raw = ("---\ntitle: Bombe\ntarget: {name: La mairie}\ndemand: Rien.\nstatus: open\n"
           + LAUGHS + "---\n\nTexte.\n")
    started = time.perf_counter()
    response = editor.post(url, data=dict(form_of(editor, url + "?mode=raw"), raw=raw,
                                          action="save"))
    assert time.perf_counter() - started < 2
    assert response.status_code == 422
    assert "anchors and aliases (&amp; and *) are not allowed" in response.get_data(as_text=True)
    # written by hand on disk, the file opens as plain text to be fixed, at once
    path = app.config["CHATON"]["content_dir"] + f"/{ORG}/petitions/ecole-sans-amiante.md"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(raw)
    started = time.perf_counter()
    page = editor.get(url)
    assert time.perf_counter() - started < 2
    assert page.status_code == 200 and '<textarea id="raw" name="raw"' in page.get_data(as_text=True)


def test_control_characters_never_reach_a_feed(app, content_dir):
    """A control character in an association's name (settings form) or a petition's title (a
    file, or the editor's plain text) made the Atom feeds of the whole instance answer 500."""
    from helpers import member_client
    from test_association_settings import submit

    admin = member_client(app, ORG)
    assert submit(admin, name="Quartiers\x07 Solidaires\x1b").status_code == 303
    assert "name: Quartiers Solidaires\n" in (content_dir / ORG / "association.md").read_text()
    path = content_dir / ORG / "petitions/ecole-sans-amiante.md"
    path.write_text(path.read_text().replace("title: Une école", "title: Une\x0b école"))
    result = CliRunner().invoke(main, ["content", "check", "--path", str(content_dir)])
    assert "ecole-sans-amiante.md:2: the file contains the control character U+000B" in result.output
    client = app.test_client()
    for feed in ("/feed.atom", f"/{ORG}/feed.atom", f"/{ORG}/feed.rss",
                 f"{PETITION_URL}/feed.atom"):
        response = client.get(feed)
        assert response.status_code == 200, feed
        assert "\x07" not in response.get_data(as_text=True)


def test_a_control_character_written_as_a_yaml_escape_is_refused_too(content_dir):
    path = content_dir / ORG / "petitions/ecole-sans-amiante.md"
    path.write_text(path.read_text().replace("title: Une école sans amiante pour les enfants "
                                             "des Tilleuls", 'title: "Une\\aécole"'))
    result = CliRunner().invoke(main, ["content", "check", "--path", str(content_dir)])
    assert "ecole-sans-amiante.md:2: title: contains the control character U+0007" in result.output


@pytest.mark.parametrize("first, second", [
    ("bob@example.org", "bob@example.org."), ("Bob@Example.org", "bob@EXAMPLE.ORG."),
    ("ana@bücher.example", "ana@xn--bcher-kva.example"),
])
def test_one_mailbox_signs_once_whatever_its_spelling(app, first, second):
    from chaton.petitions.models import Signature

    client = app.test_client()
    assert sign(client, email=first).status_code == 303
    sign(app.test_client(), email=second)
    with app.app_context():
        rows = list(Signature.select())
    assert len(rows) == 1 and rows[0].email == first.strip()  # what was typed, for sending


def test_one_mailbox_joins_a_consultation_once(app):
    from chaton.consultations import participants
    from chaton.consultations.models import Consultation, Participant

    with app.app_context():
        consultation = Consultation.get()
        participants.join(consultation, "ana@bücher.example", "Ana", "fr")
        participants.join(consultation, "ana@xn--bcher-kva.example.", "Ana", "fr")
        assert Participant.select().where(Participant.email_key.contains("bcher")).count() == 1


@pytest.mark.parametrize("code, message", [
    ("", "Enter your postal code."), ("00000", "00000 is not a French postal code"),
    ("99999", "99999 is not a French postal code"), ("7501", "Enter a valid postal code"),
])
def test_the_postal_code_is_checked_against_the_official_list(app, content_dir, code, message):
    """It was labelled required but an empty one passed, and 00000 counted under département 00."""
    from helpers import petition_meta, write_md

    write_md(content_dir / ORG / "petitions/codes.md", petition_meta(ask_postal_code=True))
    with app.app_context():
        app.extensions["chaton_content"].refresh()
    client = app.test_client()
    client.set_cookie("lang", "en")
    response = sign(client, url=f"/{ORG}/petitions/codes", postal_code=code,
                    email="typed@example.org")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'value="typed@example.org"' in page
    assert sign(client, url=f"/{ORG}/petitions/codes", postal_code="20000").status_code == 303


def test_areas_come_from_the_communes_of_the_postal_code():
    from chaton.petitions.signing import area_of

    assert area_of("20000") == "2A" and area_of("20200") == "2B"  # Ajaccio, Bastia
    assert area_of("97400") == "974" and area_of("75011") == "75"
    assert area_of("00000") == "" and area_of("99999") == ""


def test_the_instance_is_readable_by_its_owner_only_whatever_the_umask(tmp_path):
    """Under umask 022 the folder was 0755 and chaton.db 0644: the database holds federation
    private keys, password hashes and every signatory."""
    import subprocess

    from servers import CHATON, clean_environ

    instance = tmp_path / "instance"
    done = subprocess.run(f"umask 022 && {CHATON} --instance {instance} init", shell=True,
                          env=clean_environ(content_dir=tmp_path / "none"), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    for path in instance.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


class _Browser:
    """Just enough of Flask's test client over a real server for test_editing.form_of."""

    def __init__(self, server):
        import requests

        self.server, self.session = server, requests.Session()

    def get(self, path):
        response = self.session.get(self.server.url(path), timeout=10)
        response.get_data = lambda as_text=True: response.text
        return response


def _photo(megabytes):
    """A real JPEG photo of about this size (noise does not compress)."""
    import io
    import random

    from PIL import Image

    side = int((megabytes * 1024 * 1024 / 1.2) ** 0.5)
    noise = bytes(random.getrandbits(8) for _ in range(side * side * 3))
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), noise).save(out, "JPEG", quality=95)
    return out.getvalue()


@pytest.mark.slow
def test_a_phone_photo_uploads_and_a_too_large_one_says_the_limit(tmp_path):
    """waitress refused any body over 256 KiB with a bare 413, while the editor announced
    5 MiB pictures: a phone photo is 2 to 5 MB."""
    import re

    from servers import path_of, running_server
    from test_editing import ECOLE_EDIT, form_of
    from test_federation_live import cli

    with running_server(tmp_path / "site") as server:
        browser = _Browser(server)
        link = re.search(r"https?://\S+", cli(server, "account", "create", "ed@example.org",
                                              "--org", ORG, "--role", "editor")).group(0)
        page = browser.get(path_of(link)).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        browser.session.post(link, data={"csrf_token": token}, timeout=10)

        def upload(data, title):
            form = dict(form_of(browser, ECOLE_EDIT), **{
                "action": "upload", "upload_use": "text", "upload_alt": "La cour",
                "m.title": title})
            return browser.session.post(server.url(ECOLE_EDIT), data=form, timeout=60,
                                        files={"upload": ("cour.jpg", data, "image/jpeg")})

        photo = _photo(3.2)
        assert len(photo) > 3_000_000
        done = upload(photo, "Titre gardé")
        assert done.status_code == 200, done.text[:300]
        assert "cour" in done.text and 'value="Titre gardé"' in done.text
        assert list((server.content / ORG / "media").glob("cour*.jpg"))
        too_big = upload(_photo(7), "Ce que j'ai tapé")
        assert too_big.status_code == 413
        assert "5120" in too_big.text and "Ce que j&#39;ai tapé" in too_big.text


def test_random_order_of_contributions_shuffles(app, outbox):
    """`%` on a database expression is LIKE in peewee: every seed gave the oldest first on
    SQLite, and a 500 on PostgreSQL. The order is stable for one visitor (seed) and differs
    between visitors."""
    import re

    from consultation_helpers import DEMO_URL, sign_in

    from chaton.consultations import contributions as service
    from chaton.consultations.models import Consultation, Participant, Topic

    client = app.test_client()
    client.set_cookie("lang", "en")
    sign_in(client, outbox)
    with app.app_context():
        consultation = Consultation.get(Consultation.slug == "avenir-friche-jean-moulin")
        topic = Topic.get(Topic.slug == "ouverture-nocturne")
        for i in range(20):
            service.contribute(Participant.get(), topic, f"Idée {i}", "Texte", "proposal",
                               consultation)
    url = f"{DEMO_URL}/topics/{topic.slug}"

    def order(seed):
        response = client.get(f"{url}?order=random&seed={seed}")
        assert response.status_code == 200
        return re.findall(r"Idée (\d+)<", response.get_data(as_text=True))

    oldest_first = [str(i) for i in range(20)]
    orders = {seed: order(seed) for seed in (1, 2, 3)}
    assert all(len(found) == 20 for found in orders.values())
    assert orders[1] == order(1)  # stable for one visitor
    assert len({tuple(found) for found in orders.values()}) == 3  # different between visitors
    assert all(found != oldest_first for found in orders.values())


@pytest.mark.slow
def test_the_worker_indexes_edits_on_disk_without_a_visitor(tmp_path):
    """Before, nothing was indexed, mailed or federated until someone requested a page."""
    from helpers import petition_meta, write_md
    from servers import running_server
    from test_federation_live import wait_until

    with running_server(tmp_path / "site") as server:
        write_md(server.content / ORG / "petitions/sans-visiteur.md", petition_meta())
        # no request to the server from here on: only its database is read
        wait_until(lambda: server.query("SELECT COUNT(*) FROM event WHERE campaign = ? "
                                        "AND kind = 'opened'", "sans-visiteur")[0][0],
                   timeout=20, what="the petition indexed and its event recorded")


def test_a_title_on_several_lines_still_makes_a_mail(app, content_dir):
    """A title written as a YAML block keeps its line break: as a mail subject it made the mail
    impossible to build (and a line break in a header is how headers are injected)."""
    path = content_dir / ORG / "petitions/ecole-sans-amiante.md"
    path.write_text(path.read_text().replace(
        "title: Une école sans amiante pour les enfants des Tilleuls",
        "title: |-\n  Une école sans amiante\n  Bcc: victim@example.org"))
    with app.app_context():
        app.extensions["chaton_content"].refresh()
    assert sign(app.test_client(), email="two.lines@example.org").status_code == 303
    import email
    import email.policy

    raw = next((Path(app.instance_path) / "outbox").glob("*.eml")).read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Bcc"] is None
    assert message["Subject"].endswith("Une école sans amiante Bcc: victim@example.org")


def test_a_consultation_its_parser_fails_on_stays_a_consultation(content_dir, monkeypatch):
    """A consultation whose parser fails (a bug) is reported as that consultation's problem, its
    slug its folder's, the kind's own stand-in: not a petition named "index"."""
    from chaton.consultations import content as consultation_content
    from chaton.orgs.tree import load_tree

    real = consultation_content.parse_consultation

    def exploding(path, folder):
        if path.parent.name == "avenir-friche-jean-moulin":
            raise ZeroDivisionError("a bug")
        return real(path, folder)

    monkeypatch.setattr(consultation_content, "parse_consultation", exploding)
    tree = load_tree(content_dir)
    association = next(a for a in tree.associations if a.slug == "quartiers-solidaires")
    broken = [c for c in association.consultations if c.problems]
    assert [(type(c), c.slug) for c in broken] == [(consultation_content.ParsedConsultation,
                                                    "avenir-friche-jean-moulin")]
    assert any("a bug" in str(p) for p in broken[0].problems)
