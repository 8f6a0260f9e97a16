"""Issue 5's "done when", as a new hoster lives it, against a real `chaton serve`, a real SMTP
server and headless Chromium:

a hoster creates two associations from the hoster area, each first admin accepts the mailed
invitation and publishes a petition from the browser, the files appear under content/, neither
admin reaches the other's area, and a backup taken while people sign restores to the same site.
"""

import re
import subprocess
import threading

import pytest
import requests
from browsers import chromium  # skips this module without Chromium or Playwright
from databases import sqlite_only
from playwright.sync_api import expect
from servers import CHATON, ChatonServer, SmtpSink, clean_environ, path_of, sign_over_http

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTER = "hote@chatons.example"
SPACES = {
    "amap-du-coin": ("AMAP du coin", "camille@amap.example", "Des paniers pour tous"),
    "collectif-gare": ("Collectif de la gare", "sami@gare.example", "Un abri à vélos"),
}


@pytest.fixture(scope="module")
def smtp():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, smtp):
    server = ChatonServer(tmp_path_factory.mktemp("journey"), smtp_port=smtp.port)
    server.init().start()
    try:
        yield server
    finally:
        server.stop()
        print(f"--- {server.log_path} (end) ---\n{server.log_tail(40)}")


def chaton(server, *args):
    done = subprocess.run([str(CHATON), "--instance", str(server.instance), *map(str, args)],
                          env=server.env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def new_page(browser, server):
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(server.url("/lang/en?next=/"))
    return page


def first_link(message, part):
    body = message.get_body(("plain",)).get_content()
    return next(u for u in re.findall(r"https?://\S+", body) if part in u)


@pytest.fixture(scope="module")
def journey(server, smtp):
    """Everything up to the two published petitions; returns {slug: (admin page, petition)}."""
    with chromium() as browser:
        # the hoster's own account, made on the command line, then signing in by its link
        link = re.search(r"https?://\S+", chaton(server, "account", "create", HOSTER, "--hoster"))
        hoster = new_page(browser, server)
        hoster.goto(server.url(path_of(link.group(0))))
        hoster.click("main form button[type=submit]")
        hoster.wait_for_url("**/account/")
        for slug, (name, admin, _title) in SPACES.items():
            hoster.goto(server.url("/hoster/new"))
            hoster.fill("#name", name)
            hoster.fill("#slug", slug)
            hoster.fill("#admin_email", admin)
            hoster.click("button.primary")
            expect(hoster.locator("h1")).to_contain_text(name)

        admins = {}
        for slug, (name, admin, title) in SPACES.items():
            invitation = first_link(smtp.wait_for(admin), "/account/invitations/")
            page = new_page(browser, server)
            page.goto(server.url(path_of(invitation)))
            page.fill("#name", admin.split("@")[0].title())
            page.fill("#password", "une phrase de passe assez longue")
            page.click("button.primary")
            page.wait_for_url(f"**/{slug}/admin/")

            page.goto(server.url(f"/{slug}/admin/campaigns/new/petition"))
            page.fill("#f-title", title)
            page.fill("#f-target-name", "La mairie")
            page.fill("#f-demand", f"{title}, dès cette année.")
            page.fill("#body", f"Pourquoi **{title.lower()}** compte pour le quartier.")
            page.click("button[value=save]")
            expect(page.locator(".flash")).to_contain_text("Saved")
            page.click("form.publication-form:has(input[value=publish]) button")
            expect(page.locator(".flash")).to_contain_text("Published")
            petition_slug = re.search(r"/petitions/([a-z0-9-]+)/", page.url).group(1)
            admins[slug] = (page, petition_slug)
        yield admins


def test_each_admin_published_a_petition_whose_file_is_under_content(server, journey):
    for slug, (_page, petition) in journey.items():
        text = (server.content / slug / "petitions" / f"{petition}.md").read_text()
        assert "status: open" in text and SPACES[slug][2] in text
        public = requests.get(server.url(f"/{slug}/petitions/{petition}"), timeout=10)
        assert public.status_code == 200 and SPACES[slug][2] in public.text
        assert (server.content / slug / "association.md").exists()


def test_neither_admin_reaches_the_others_area(server, journey):
    (page_a, petition_a), (page_b, petition_b) = journey["amap-du-coin"], journey["collectif-gare"]
    for page, other, petition in ((page_a, "collectif-gare", petition_b),
                                  (page_b, "amap-du-coin", petition_a)):
        for path in ("/admin/", "/admin/campaigns", f"/admin/petitions/{petition}/edit",
                     f"/admin/petitions/{petition}/contacts.csv", "/admin/members",
                     "/admin/exports/", "/admin/settings"):
            response = page.request.get(server.url(f"/{other}{path}"))
            assert response.status == 403, (other, path, response.status)  # was 404 (issue 14)
        assert page.request.get(server.url("/hoster/")).status == 403


@sqlite_only
def test_a_backup_taken_while_people_sign_restores_to_the_same_site(server, journey, tmp_path):
    slug = "amap-du-coin"
    petition = journey[slug][1]
    url = f"/{slug}/petitions/{petition}"
    stop, signed, errors = threading.Event(), [], []

    def sign_in_a_loop():
        session = requests.Session()
        while not stop.is_set():
            n = len(signed)
            response = sign_over_http(server, session, petition_url=url,
                                      email=f"p{n}@example.org", name=f"Personne {n}")
            (signed if response.status_code == 303 else errors).append(response.status_code)

    worker = threading.Thread(target=sign_in_a_loop)
    worker.start()
    try:
        while len(signed) < 5:
            threading.Event().wait(0.05)
        archive = tmp_path / "backup.tar.gz"
        chaton(server, "backup", "--output", archive)
    finally:
        stop.set()
        worker.join()
    assert errors == [] and len(signed) >= 5

    target = ChatonServer(tmp_path / "restored")
    done = subprocess.run([str(CHATON), "restore", str(archive), "--instance-dir",
                           str(target.instance), "--content-dir", str(target.content)],
                          env=clean_environ(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    target.start()
    try:
        for space, (_page, pet) in journey.items():
            # the same pages (pending signatures are not shown, so the signing goes unseen)
            for path in (f"/{space}/", f"/{space}/petitions/{pet}.json"):
                restored = requests.get(target.url(path), timeout=10)
                original = requests.get(server.url(path), timeout=10)
                assert restored.status_code == original.status_code == 200, path
                # base URL aside (its host is also in the handle to follow)
                assert (restored.text.replace(target.base_url, "").replace(target.url()[7:], "")
                        == original.text.replace(server.base_url, "")
                        .replace(server.url()[7:], "")), path
            text = (target.content / space / "petitions" / f"{pet}.md").read_text()
            assert text == (server.content / space / "petitions" / f"{pet}.md").read_text()
        # every signature the backup saw is there, and none made after it
        rows = target.query("SELECT COUNT(*) FROM signature s JOIN petition p ON p.id = s.petition_id"
                            " WHERE p.slug = ?", petition)[0][0]
        assert 5 <= rows <= len(signed)
        # the restored instance is a working site: the hoster's accounts and a new signature
        login = requests.Session()
        assert login.get(target.url("/account/login"), timeout=10).status_code == 200
        assert sign_over_http(target, petition_url=url, email="apres@example.org").status_code == 303
    finally:
        target.stop()
