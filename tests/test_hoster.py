"""The hoster side: `chaton org` commands, the hoster area, suspension, quotas, the audit log."""

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import (
    PETITION_URL,
    body_of,
    csrf_token,
    links_in,
    log_in,
    make_member,
    member_client,
    sign,
)

from chaton.cli import main

ORG = "quartiers-solidaires"
OTHER = "velo-pour-tous"
HOSTER = "host@example.org"


def invoke(app, *args, **settings):
    """Run a `chaton` command in-process on the test app's instance and content."""
    config = app.config["CHATON"]
    env = {k: None for k in os.environ if k.startswith("CHATON_")}
    env.update(CHATON_SECRET_KEY=config["secret_key"], CHATON_CONTENT_DIR=config["content_dir"],
               CHATON_BASE_URL=config["base_url"], CHATON_IMMEDIATE_TASKS="true",
               CHATON_CONTENT_SCAN_INTERVAL="0")
    env.update({"CHATON_" + k.upper(): str(v) for k, v in settings.items()})
    return CliRunner().invoke(main, ["--instance", app.instance_path, *args], env=env)


def hoster_client(app, email=HOSTER):
    client = app.test_client()
    client.set_cookie("lang", "en")
    assert log_in(client, make_member(app, None, email=email, hoster=True)).status_code == 303
    return client


def post(client, page, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def path_of(link):
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def accept_invitation(app, link, name="Alice", password="une phrase assez longue"):
    """A new browser follows the invitation link and creates its account."""
    newcomer = app.test_client()
    newcomer.set_cookie("lang", "en")
    path = path_of(link)
    response = post(newcomer, path, path, name=name, password=password)
    return newcomer, response


# -- the command line -------------------------------------------------------------------------

def test_org_create_writes_the_file_indexes_it_and_invites_its_admin(app, client, content_dir,
                                                                     outbox):
    result = invoke(app, "org", "create", "amap-du-coin", "--name", "AMAP du coin",
                    "--domain", "Petitions.AMAP.example", "--language", "en",
                    "--admin", "alice@example.org", "--max-campaigns", "3")
    assert result.exit_code == 0, result.output
    assert "created amap-du-coin" in result.output
    text = (content_dir / "amap-du-coin/association.md").read_text(encoding="utf-8")
    assert text.startswith("---\nname: AMAP du coin\nlanguage: en\n---")
    assert "AMAP du coin" in client.get("/amap-du-coin/").get_data(as_text=True)
    printed = [w for w in result.output.split() if "/account/invitations/" in w][0]
    mail = outbox.last_to("alice@example.org")
    assert printed in links_in(mail) and printed.startswith("http://localhost/")

    listing = invoke(app, "org", "list")
    assert listing.exit_code == 0, listing.output
    line = next(x for x in listing.output.splitlines() if x.startswith("amap-du-coin"))
    assert line.split("\t")[:5] == ["amap-du-coin", "AMAP du coin", "active",
                                    "petitions.amap.example", "campaigns 0/3"]
    root = client.get("/", headers={"Host": "petitions.amap.example"})
    assert "AMAP du coin" in root.get_data(as_text=True)


@pytest.mark.parametrize("args, message", [
    (["Bad Slug", "--name", "X"], "slug: Use 1 to 64 lower-case letters"),
    (["admin", "--name", "X"], "reserved for the site itself"),
    ([ORG, "--name", "X"], "already uses the address"),
    (["new-one", "--name", " "], "name: Write the association's name"),
    (["new-one", "--name", "X", "--domain", "https://x.example/"], "domain: Write the host name only"),
    (["new-one", "--name", "X", "--domain", "localhost"], "is not a host name"),
    (["new-one", "--name", "X", "--admin", "nobody"], "admin_email: Write a valid e-mail"),
    (["new-one", "--name", "X", "--max-campaigns", "lots"], "max_campaigns: Leave empty"),
])
def test_org_create_refuses_bad_input_with_a_clear_message(app, content_dir, args, message):
    result = invoke(app, "org", "create", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert not (content_dir / "new-one").exists()


def test_org_disable_enable_and_domains(app, client):
    assert invoke(app, "org", "disable", ORG).output.strip() == f"{ORG} suspended"
    assert client.get(f"/{ORG}/").status_code == 410
    assert "suspended" in invoke(app, "org", "list").output
    assert invoke(app, "org", "enable", ORG).output.strip() == f"{ORG} enabled"
    assert client.get(f"/{ORG}/").status_code == 200

    added = invoke(app, "org", "domain", ORG, "add", "Petitions.QS.example.")
    assert added.exit_code == 0 and "petitions.qs.example now serves" in added.output
    taken = invoke(app, "org", "domain", OTHER, "add", "petitions.qs.example")
    assert taken.exit_code != 0 and "already serves the association Quartiers" in taken.output
    assert "Quartiers" in client.get("/", headers={"Host": "petitions.qs.example"}).get_data(
        as_text=True)
    assert invoke(app, "org", "domain", ORG, "remove", "petitions.qs.example").exit_code == 0
    home = client.get("/", headers={"Host": "petitions.qs.example"}).get_data(as_text=True)
    assert "Vélo pour tous" in home  # the instance home again
    missing = invoke(app, "org", "domain", ORG, "remove", "petitions.qs.example")
    assert missing.exit_code != 0 and "is not a domain of" in missing.output
    assert invoke(app, "org", "disable", "nope").exit_code != 0


def test_org_quota_shows_and_changes_quotas(app):
    result = invoke(app, "org", "quota", ORG, "--max-campaigns", "5", "--max-storage-mb", "20")
    assert result.exit_code == 0, result.output
    assert "of 5" in result.output and "of 20 MB" in result.output
    cleared = invoke(app, "org", "quota", ORG, "--max-campaigns", "none")
    assert "of no limit" in cleared.output.splitlines()[0] and "20 MB" in cleared.output
    assert invoke(app, "org", "quota", ORG, "--max-storage-mb", "0").exit_code != 0


# -- the hoster area --------------------------------------------------------------------------

HOSTER_PAGES = ["/hoster/", "/hoster/new", f"/hoster/associations/{ORG}", "/hoster/team",
                "/hoster/audit", "/hoster/federation", f"/hoster/associations/{ORG}/disable"]
HOSTER_POSTS = [f"/hoster/associations/{ORG}/{action}" for action in (
    "quotas", "domains", "domains/remove", "disable", "enable", "invite")] + [
    "/hoster/new", "/hoster/team", "/hoster/federation"]


def test_hoster_area_is_403_for_association_admins_and_asks_others_to_sign_in(app, client):
    # was a 404 for association admins; issue 14: every refusal is a clear 403
    admin = member_client(app, ORG)
    token = csrf_token(admin, f"/{ORG}/admin/")
    for url in HOSTER_PAGES:
        assert admin.get(url).status_code == 403, url
        assert client.get(url).status_code == 302, url
    for url in HOSTER_POSTS:
        assert admin.post(url, data={"csrf_token": token, "email": "x@example.org"}
                          ).status_code == 403, url
    hoster = hoster_client(app)
    for url in HOSTER_PAGES:
        assert hoster.get(url).status_code == 200, url
    assert hoster.get("/hoster/associations/nope").status_code == 404


def test_hoster_creates_an_association_whose_first_admin_joins(app, outbox, content_dir):
    hoster = hoster_client(app)
    bad = post(hoster, "/hoster/new", "/hoster/new", name="AMAP du coin", slug="AMAP du coin",
               language="fr", domain="", admin_email="alice", max_campaigns="", max_storage_mb="")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'value="AMAP du coin"' in html and 'value="alice"' in html
    assert 'href="#slug"' in html and 'href="#admin_email"' in html
    assert 'aria-invalid="true"' in html and not (content_dir / "amap-du-coin").exists()

    done = post(hoster, "/hoster/new", "/hoster/new", name="AMAP du coin", slug="amap-du-coin",
                language="fr", domain="petitions.amap.example", admin_email="alice@example.org",
                max_campaigns="4", max_storage_mb="10")
    assert done.status_code == 303 and done.location.endswith("/hoster/associations/amap-du-coin")
    page = hoster.get("/hoster/associations/amap-du-coin").get_data(as_text=True)
    assert "alice@example.org" in page and "petitions.amap.example" in page
    assert "0 of 4" in page
    listing = hoster.get("/hoster/").get_data(as_text=True)
    assert "AMAP du coin" in listing and "petitions.amap.example" in listing

    mail = outbox.last_to("alice@example.org")
    assert "AMAP du coin" in mail["Subject"]
    link = next(u for u in links_in(mail) if "/account/invitations/" in u)
    alice, response = accept_invitation(app, link)
    assert response.status_code == 303 and response.location.endswith("/amap-du-coin/admin/")
    assert alice.get("/amap-du-coin/admin/").status_code == 200
    log = alice.get("/amap-du-coin/admin/audit").get_data(as_text=True)
    assert "Association created by the hoster" in log and HOSTER in log
    members = hoster.get("/hoster/associations/amap-du-coin").get_data(as_text=True)
    assert "Alice" in members and "Administrator" in members


def test_the_association_address_is_shown_without_the_pages_language(app):
    """The address a hoster reads (and copies) is the association's, not '...?lang=fr'."""
    html = hoster_client(app).get("/hoster/associations/velo-pour-tous?lang=fr").get_data(True)
    assert ">http://localhost/velo-pour-tous/</a>" in html
    assert 'href="/velo-pour-tous/?lang=fr"' in html  # the link itself keeps the language


def test_hoster_manages_domains_and_quotas_with_clear_errors(app, client):
    hoster = hoster_client(app)
    page = f"/hoster/associations/{ORG}"
    bad = post(hoster, page, page + "/domains", domain="https://petitions.qs.example/")
    assert bad.status_code == 400 and "Write the host name only" in bad.get_data(as_text=True)
    assert 'value="https://petitions.qs.example/"' in bad.get_data(as_text=True)
    base = post(hoster, page, page + "/domains", domain="localhost.localdomain")
    assert base.status_code == 303  # any host but the instance's own
    own = post(hoster, page, page + "/domains", domain="localhost")
    assert own.status_code == 400
    assert post(hoster, page, page + "/domains", domain="petitions.qs.example").status_code == 303
    assert "Quartiers" in client.get("/", headers={"Host": "petitions.qs.example"}).get_data(
        as_text=True)
    assert post(hoster, page, page + "/domains/remove", host="petitions.qs.example"
                ).status_code == 303
    assert post(hoster, page, page + "/domains/remove", host="unknown.example").status_code == 404

    wrong = post(hoster, page, page + "/quotas", max_campaigns="two", max_storage_mb="5")
    assert wrong.status_code == 400 and 'value="two"' in wrong.get_data(as_text=True)
    assert post(hoster, page, page + "/quotas", max_campaigns="3", max_storage_mb=""
                ).status_code == 303
    html = hoster.get(page).get_data(as_text=True)
    assert "3 of 3" in html and "usage-full" in html  # the demo has 2 petitions, 1 consultation


def test_suspending_asks_for_confirmation_and_enabling_restores(app, client):
    hoster = hoster_client(app)
    admin = member_client(app, ORG)
    page = f"/hoster/associations/{ORG}"
    confirm = hoster.get(page + "/disable").get_data(as_text=True)
    assert "Nothing is deleted" in confirm and client.get(f"/{ORG}/").status_code == 200
    assert post(hoster, page + "/disable", page + "/disable").status_code == 303
    assert "Suspended" in hoster.get("/hoster/").get_data(as_text=True)
    assert client.get(f"/{ORG}/").status_code == 410
    area = admin.get(f"/{ORG}/admin/")
    assert area.status_code == 410 and "association area is closed" in area.get_data(as_text=True)
    assert post(hoster, page, page + "/enable").status_code == 303
    assert client.get(f"/{ORG}/").status_code == 200
    assert admin.get(f"/{ORG}/admin/").status_code == 200
    log = admin.get(f"/{ORG}/admin/audit").get_data(as_text=True)
    assert "Association suspended by the hoster" in log
    assert "Association enabled again by the hoster" in log
    other = member_client(app, OTHER).get(f"/{OTHER}/admin/audit").get_data(as_text=True)
    assert "suspended by the hoster" not in other


def test_hoster_invites_an_admin_of_an_existing_association(app, outbox):
    hoster = hoster_client(app)
    page = f"/hoster/associations/{OTHER}"
    bad = post(hoster, page, page + "/invite", email="nope")
    assert bad.status_code == 400 and 'value="nope"' in bad.get_data(as_text=True)
    assert post(hoster, page, page + "/invite", email="bob@example.org").status_code == 303
    link = next(u for u in links_in(outbox.last_to("bob@example.org")) if "/invitations/" in u)
    bob, response = accept_invitation(app, link, name="Bob")
    assert response.location.endswith(f"/{OTHER}/admin/")
    assert bob.get(f"/{OTHER}/admin/members").status_code == 200  # an administrator
    assert bob.get(f"/{ORG}/admin/").status_code == 403  # was 404 (issue 14)
    log = hoster.get("/hoster/audit").get_data(as_text=True)
    assert "Administrator invited by the hoster" in log and "bob@example.org" in log


def test_hoster_team_invites_another_hoster_admin(app, outbox):
    hoster = hoster_client(app)
    assert post(hoster, "/hoster/team", "/hoster/team", email="bad").status_code == 400
    assert post(hoster, "/hoster/team", "/hoster/team", email="Chris@Example.org"
                ).status_code == 303
    mail = outbox.last_to("chris@example.org")
    chris, response = accept_invitation(app, next(u for u in links_in(mail) if "/invitations/" in u),
                                        name="Chris")
    assert response.status_code == 303
    assert chris.get("/hoster/").status_code == 200
    team = hoster.get("/hoster/team").get_data(as_text=True)
    assert "chris@example.org" in team and HOSTER in team
    assert "Hoster admin invited" in hoster.get("/hoster/audit").get_data(as_text=True)


def test_hoster_can_ask_to_follow_another_instance(app, monkeypatch):
    asked = []
    monkeypatch.setattr("chaton.federation.tasks.follow_handle", asked.append)
    hoster = hoster_client(app)
    page = "/hoster/federation"
    bad = post(hoster, page, page, handle="not an address")
    assert bad.status_code == 400 and 'value="not an address"' in bad.get_data(as_text=True)
    assert asked == []
    assert post(hoster, page, page, handle="@velo@petitions.example.org").status_code == 303
    assert asked == ["@velo@petitions.example.org"]
    assert "Instance followed" in hoster.get("/hoster/audit").get_data(as_text=True)
    # no longer on the association's dashboard: it is an instance decision
    admin = member_client(app, ORG)
    assert "Follow another instance" not in admin.get(f"/{ORG}/admin/").get_data(as_text=True)


def test_instance_log_holds_hoster_actions_not_association_work(app):
    hoster = hoster_client(app)
    admin = member_client(app, ORG)
    petition_admin = f"/{ORG}/admin/petitions/ecole-sans-amiante"
    post(admin, petition_admin, petition_admin + "/updates", title="Nouvelles", body="Texte.")
    page = f"/hoster/associations/{ORG}"
    post(hoster, page, page + "/quotas", max_campaigns="9", max_storage_mb="")
    log = hoster.get("/hoster/audit").get_data(as_text=True)
    assert "Quotas changed by the hoster" in log and ORG in log
    assert "Update published" not in log


# -- suspension everywhere ----------------------------------------------------------------------

PUBLIC = [f"/{ORG}/", PETITION_URL, PETITION_URL + ".json", PETITION_URL + "/revisions",
          PETITION_URL + "/feed.atom", f"/{ORG}/feed.atom", f"/{ORG}/media/images/logo.svg",
          f"/{ORG}/privacy", f"/{ORG}/style.css", PETITION_URL + "/qr.svg"]


def test_a_suspended_association_answers_410_everywhere_public(app, client, outbox):
    sign(client, email="early@example.org")
    token = csrf_token(client, PETITION_URL)
    confirm_link = path_of(next(u for u in links_in(outbox.last_to("early@example.org"))
                                if "/s/" in u))
    pages = PUBLIC + [f"/{ORG}/consultations/{slug}" for slug in _consultations(app, ORG)]
    for url in pages:
        assert client.get(url).status_code == 200, url
    assert invoke(app, "org", "disable", ORG).exit_code == 0

    for url in pages:
        response = client.get(url)
        assert response.status_code == 410, url
        assert response.headers["Cache-Control"] == "no-store"
    html = client.get(f"/{ORG}/").get_data(as_text=True)
    assert "This space is suspended" in html and "withdraw your signature" in html
    assert client.get(PETITION_URL + ".json").get_json()["status"] == 410
    actor = client.get(f"/{ORG}/", headers={"Accept": "application/activity+json"})
    assert actor.status_code == 410 and actor.is_json
    finger = client.get(f"/.well-known/webfinger?resource=acct:{ORG}@localhost")
    assert finger.status_code == 410
    late = client.post(PETITION_URL + "/sign", data={"csrf_token": token, "name": "Late",
                                                     "email": "late@example.org"})
    assert late.status_code == 410
    assert client.get(confirm_link).status_code == 410
    assert client.get(confirm_link + "/withdraw").status_code == 200  # rights stay
    home = client.get("/").get_data(as_text=True)
    assert "Quartiers Solidaires" not in home and "Vélo pour tous" in home
    assert "ecole-sans-amiante" not in client.get("/feed.atom").get_data(as_text=True)
    assert client.get(f"/{OTHER}/").status_code == 200

    assert invoke(app, "org", "enable", ORG).exit_code == 0
    for url in pages:
        assert client.get(url).status_code == 200, url
    assert "Quartiers Solidaires" in client.get("/").get_data(as_text=True)


def _consultations(app, slug):
    from chaton.consultations.models import Consultation
    from chaton.orgs.models import Association

    with app.app_context():
        return [c.slug for c in Consultation.select().join(Association).where(
            (Association.slug == slug) & Consultation.present & (Consultation.status != "draft"))]


# -- quotas -----------------------------------------------------------------------------------

def test_quota_messages(app, content_dir):
    from chaton.hoster import quotas
    from chaton.orgs.models import Association

    (content_dir / ORG / "files").mkdir()
    (content_dir / ORG / "files/report.pdf").write_bytes(b"x" * 700 * 1024)
    with app.test_request_context():
        association = Association.get(Association.slug == ORG)
        assert quotas.check_new_campaign(association) is None  # no quota
        assert quotas.check_upload(association, 10**9) is None
        used = quotas.usage(association)
        every_file = sum(p.stat().st_size for p in Path(content_dir, ORG).rglob("*")
                         if p.is_file())  # Markdown included: texts can grow too
        assert used.storage_bytes == every_file

        association.max_campaigns = used.campaigns + 1
        assert quotas.check_new_campaign(association) is None
        association.max_campaigns = used.campaigns
        message = quotas.check_new_campaign(association)
        assert f"at most {used.campaigns} campaigns" in message
        assert f"already has {used.campaigns}" in message
        association.max_campaigns = 1  # one campaign, not "1 campaigns", in either language
        assert "at most 1 campaign on this instance" in quotas.check_new_campaign(association)

        association.max_storage_mb = 1
        assert quotas.check_upload(association, 100 * 1024) is None
        refused = quotas.check_upload(association, 500 * 1024)
        assert "does not fit" in refused and "1 MB" in refused and "500 KB" in refused
    with app.test_request_context("/?lang=fr"):
        message = quotas.check_new_campaign(association)
        assert "au plus 1 campagne sur cette instance" in message, message


def test_new_associations_start_with_the_quota_settings(tmp_path, content_dir):
    from helpers import make_app

    from chaton.orgs.models import Association

    app = make_app(tmp_path, content_dir, quota_campaigns=7, quota_storage_mb=50)
    hoster = hoster_client(app)
    form = hoster.get("/hoster/new").get_data(as_text=True)
    assert re.search(r'name="max_campaigns"[^>]* value="7"', form)
    assert invoke(app, "org", "create", "amap", "--name", "AMAP", quota_campaigns=7,
                  quota_storage_mb=50).exit_code == 0
    with app.app_context():
        created = Association.get(Association.slug == "amap")
        assert (created.max_campaigns, created.max_storage_mb) == (7, 50)


def test_invitation_mail_of_the_first_admin_names_the_association(app, outbox):
    assert invoke(app, "org", "create", "amap", "--name", "AMAP du coin",
                  "--admin", "alice@example.org").exit_code == 0
    body = body_of(outbox.last_to("alice@example.org"))
    # in the association's language (fr); the end of the link said "7 jours" before issue 14
    assert "AMAP du coin" in body and "jusqu’au" in body
    # invited from the command line: by the site's team, who also hear of a mistake
    assert body.startswith("Bonjour,\n\nL’équipe de Chaton vous invite")
    assert "prévenez l’équipe de Chaton." in body
    assert invoke(app, "org", "create", "amap-en", "--name", "AMAP in English", "--language",
                  "en", "--admin", "bob@example.org").exit_code == 0
    english = body_of(outbox.last_to("bob@example.org"))
    assert "with the role “Administrator”" in english and " UTC):" in english
