"""The exports page and the whole association archive (.zip): contents, manifest, checksums,
consents, and nothing of another association."""

import csv
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from consultation_helpers import sign_in
from data_helpers import populate
from helpers import csrf_token, member_client

from chaton.accounts.models import AuditEntry
from chaton.petitions.models import Petition, Signature

ORG = "quartiers-solidaires"
OTHER = "velo-pour-tous"
EXPORTS = f"/{ORG}/admin/exports/"
ARCHIVE = EXPORTS + "archive.zip"
OTHER_SECRETS = ["velo-pour-tous", "piste-cyclable-avenue-gambetta", "plan-velo-quartier",
                 "velo-person@example.net", "velo-participant@example.net",
                 f"admin@{OTHER}.example"]


@pytest.fixture
def both(app, client, outbox, content_dir):
    return populate(app, client, outbox, content_dir)


def download(client):
    response = client.post(ARCHIVE, data={"csrf_token": csrf_token(client, EXPORTS)})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.data))


def read_csv(archive, name):
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


def test_the_archive_holds_content_and_documented_data(both, content_dir, client, outbox):
    sign_in(client, outbox, email="news-yes@example.org", name="Oui", notify_news="y")
    sign_in(client, outbox, email="news-no@example.org", name="Non", notify_news=None)
    admin = member_client(both, ORG, "admin")
    archive = download(admin)
    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "chaton-association-archive" and manifest["version"] == 1
    assert manifest["association"]["slug"] == ORG
    # every file but the manifest and the sums is described, with its checksum
    assert set(manifest["files"]) == names - {"manifest.json", "SHA256SUMS"}
    for name, info in manifest["files"].items():
        data = archive.read(name)
        assert hashlib.sha256(data).hexdigest() == info["sha256"] and len(data) == info["size"]
        assert info["description"], name
        # the tables Chaton writes (content/ holds the association's own files as they are,
        # a hand-written representatives.csv among them)
        if name.endswith(".csv") and name.startswith("data/"):
            header = next(csv.reader(io.StringIO(data.decode("utf-8"))))
            assert header == list(info["columns"]), name
            assert all(info["columns"].values()), name
    sums = dict(reversed(line.split("  ", 1)) for line in
                archive.read("SHA256SUMS").decode().splitlines())
    assert set(sums) == names - {"SHA256SUMS"}
    assert all(hashlib.sha256(archive.read(n)).hexdigest() == h for n, h in sums.items())
    readme = archive.read("README.md").decode()
    for name in manifest["files"]:
        if name.startswith("data/") and name.endswith(".csv"):
            assert f"`{name}`" in readme, name

    # the content folder, as it is
    folder = content_dir / ORG
    on_disk = {"content/" + p.relative_to(folder).as_posix(): p.read_bytes()
               for p in folder.rglob("*") if p.is_file()}
    assert {n: archive.read(n) for n in names if n.startswith("content/")} == on_disk

    # the data
    petitions = {row["petition"]: row for row in read_csv(archive, "data/petitions.csv")}
    assert all(row["file"] in names for row in petitions.values())  # paths in the archive
    online = Petition.get(Petition.slug == "ecole-sans-amiante").signature_count
    assert int(petitions["ecole-sans-amiante"]["online"]) == online
    signatures = read_csv(archive, "data/signatures.csv")
    assert len(signatures) == Signature.select().join(Petition).where(
        (Petition.slug.in_(list(petitions))) & (Signature.status == "confirmed")).count()
    mine = next(s for s in signatures if s["email"] == "qs-person@example.org")
    assert mine["keep_informed"] == "True" and mine["revision"] == "1"
    participants = {row["display_name"]: row for row in
                    read_csv(archive, "data/consultation_participants.csv")}
    assert participants["Oui"]["email"] == "news-yes@example.org"
    assert participants["Non"]["email"] == ""  # no consent, no address
    assert f"admin@{ORG}.example" in {m["email"] for m in read_csv(archive, "data/members.csv")}
    assert json.loads(archive.read("data/consultations/avenir-friche-jean-moulin.json"))[
        "counts"]["participants"] > 0


def test_nothing_of_another_association_and_no_password(both):
    archive = download(member_client(both, ORG, "admin"))
    everything = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8", "replace")
    for secret in OTHER_SECRETS + ["qs-participant@example.org", "$argon2", "password_hash",
                                   "session_stamp"]:
        assert secret not in everything, secret
    # and the other association's archive has its own people, not these
    other = download_other(both)
    text = b"".join(other.read(n) for n in other.namelist()).decode("utf-8", "replace")
    assert "velo-person@example.net" in text and "qs-person@example.org" not in text
    assert "velo-participant@example.net" not in text  # no news asked: no address


def download_other(app):
    client = member_client(app, OTHER, "admin")
    url = f"/{OTHER}/admin/exports/"
    response = client.post(url + "archive.zip", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_download_is_in_the_audit_log_and_leaves_no_file(both):
    admin = member_client(both, ORG, "admin")
    download(admin)
    entry = AuditEntry.get(AuditEntry.action == "association.export")
    assert entry.association.slug == ORG
    assert "Whole export downloaded" in admin.get(f"/{ORG}/admin/audit").get_data(as_text=True)
    tmp = Path(both.instance_path) / "tmp"
    assert not any(tmp.iterdir())  # built in an anonymous file, gone once sent


def test_the_exports_page_links_every_export(both):
    html = member_client(both, ORG, "admin").get(EXPORTS).get_data(as_text=True)
    assert f"/{ORG}/admin/petitions/ecole-sans-amiante/contacts.csv" in html
    assert f"/{ORG}/consultations/avenir-friche-jean-moulin/data" in html
    assert 'action="/quartiers-solidaires/admin/exports/archive.zip"' in html
    assert f"/{ORG}/admin/delete/" in html
    assert 'aria-current="page">Exports<' in html


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_only_admins_export(app, role):
    member = member_client(app, ORG, role)
    assert member.get(EXPORTS).status_code == 403
    token = csrf_token(member, "/account/")
    assert member.post(ARCHIVE, data={"csrf_token": token}).status_code == 403
    assert "Exports" not in member.get(f"/{ORG}/admin/").get_data(as_text=True)


def test_another_association_gets_403(app):
    # was a 404; issue 14: every refusal is a clear 403
    stranger = member_client(app, OTHER, "admin")
    assert stranger.get(EXPORTS).status_code == 403
    token = csrf_token(stranger, "/account/")
    assert stranger.post(ARCHIVE, data={"csrf_token": token}).status_code == 403
    assert app.test_client().post(ARCHIVE).status_code in (302, 400)  # signed out, no token
    assert member_client(app, ORG, "admin").get(ARCHIVE).status_code == 405  # POST only



def test_the_french_exports_page_speaks_french_and_no_column_names(both):
    from chaton.orgs.archive import parts

    html = member_client(both, ORG, "admin").get(EXPORTS + "?lang=fr").get_data(as_text=True)
    assert "Toutes les signatures confirmées" in html
    assert "Les participants et participantes des consultations" in html
    with both.app_context():
        columns = {c for part in parts() for c in getattr(part, "columns", {}) if "_" in c}
        assert all(part.summary for part in parts())  # every part says what it holds, in words
    assert "keep_informed" in columns
    assert [c for c in columns if c in html] == []
    for english in ("is true", "Every confirmed signature", "One line per", "(UTC)"):
        assert english not in html, english
    # the archive itself stays in English, for machines and its README
    with download(member_client(both, ORG, "admin")) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["files"]["data/signatures.csv"]["description"].startswith(
        "Every confirmed signature. Personal data: write only to people whose keep_informed")


def contacts(client, query=""):
    response = client.get(f"/{ORG}/admin/petitions/ecole-sans-amiante/contacts.csv" + query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return response.get_data(as_text=True)


def test_the_contacts_open_cleanly_in_a_french_spreadsheet(both):
    admin = member_client(both, ORG, "admin")
    page = admin.get(EXPORTS + "?lang=fr").get_data(as_text=True)
    assert 'id="separator-semicolon" name="separator" value="semicolon" checked' in page
    assert 'formaction="/quartiers-solidaires/admin/petitions/ecole-sans-amiante/contacts.csv' in page
    assert '<input type="hidden" name="lang" value="fr">' in page
    text = contacts(admin, "?lang=fr")
    assert text.startswith("\ufeff")  # a byte order mark: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["Nom", "Adresse e-mail", "Code postal", "Confirmée le (UTC)",
                       "Version du texte signé"]
    person = next(r for r in rows if r[1] == "qs-person@example.org")
    assert person[0] == "Personne Unique"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", person[3])  # to the second
    # a comma when asked, and in English by default
    text = contacts(admin, "?lang=fr&separator=comma")
    assert text.startswith("\ufeffNom,Adresse e-mail,")
    english = contacts(admin)
    assert english.startswith("\ufeffName,E-mail address,Postal code,Confirmed on (UTC),")
    assert contacts(admin, "?separator=semicolon").startswith("\ufeffName;E-mail address;")
    assert contacts(admin, "?separator=%3Cx%3E").startswith("\ufeffName,")  # not a choice
