"""Headless Chromium on the moderation queue, signature removal, exports and deletion pages of
a real `chaton serve`: the journeys without JavaScript, axe checks on desktop and a 375 px
phone. Set CHATON_SCREENSHOTS=/some/folder to keep screenshots."""

import contextlib
import email
import email.policy
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from browsers import chromium  # noqa: F401 (skips this module without Chromium or Playwright)
from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from servers import CHATON, ChatonServer, form_token  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ORG = "quartiers-solidaires"
PETITION = f"/{ORG}/petitions/ecole-sans-amiante"
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
SCREENSHOTS = os.environ.get("CHATON_SCREENSHOTS")


def shot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(PlaywrightError):
            page.screenshot(path=str(Path(SCREENSHOTS) / f"data-{name}.png"), full_page=True)


def cli(server, *args):
    done = subprocess.run([str(CHATON), "--instance", str(server.instance), *args],
                          env=server.env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def body_of(data):
    message = email.message_from_bytes(data, policy=email.policy.default)
    return message.get_body(("plain",)).get_content()


def report_over_http(server):
    """A participant signs in (the link from the outbox) and reports a contribution."""
    consultation = server.url(f"/{ORG}/consultations/avenir-friche-jean-moulin")
    session = requests.Session()
    session.post(consultation + "/join", data={
        "csrf_token": form_token(session, consultation + "/join"), "email": "r@example.org",
        "display_name": "Rapporteuse", "website": ""}, timeout=10).raise_for_status()
    link = None
    for _ in range(100):  # the worker writes the mail within a moment
        for path in (server.instance / "outbox").glob("*.eml"):
            found = re.search(r"https?://\S+/login/\S+", body_of(path.read_bytes()))
            link = found.group(0) if found else link
        if link:
            break
        time.sleep(0.1)
    session.post(link, data={"csrf_token": form_token(session, link)}, timeout=10)
    page = session.get(consultation + "/contributions/1", timeout=10).text
    report = server.url(re.search(r'href="([^"]+/report/contribution/\d+)"', page).group(1))
    session.post(report, data={"csrf_token": form_token(session, report), "reason": "abuse",
                               "details": "Propos insultants"}, timeout=10).raise_for_status()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = ChatonServer(tmp_path_factory.mktemp("data-browser"))
    server.init()
    cli(server, "demo")
    server.start()
    report_over_http(server)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def admin(browser, server):
    """A page signed in as an admin of the association (through a sign-in link), on a fresh
    browser context per device."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        context.set_default_timeout(15_000)
        page = context.new_page()
        output = cli(server, "account", "create", f"admin-{len(contexts)}@example.org",
                     "--org", ORG)
        link = re.search(r"https?://\S+", output).group(0)
        page.goto(link)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        page.goto(server.url("/lang/en"))
        return page

    yield open_page
    for context in contexts:
        context.close()


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def check(page, axe, name):
    shot(page, name)
    violations = axe.run(page).response["violations"]
    assert violations == [], f"{name}: " + "; ".join(
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: the page is {width} px wide"


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_pages_are_accessible_and_fit_a_phone(admin, server, axe, device):
    page = admin(**(PHONE if device == "phone" else {}))
    page.goto(server.url(f"/{ORG}/admin/moderation/"))
    assert "Propos insultants" in page.inner_text("main")
    check(page, axe, f"moderation-{device}")
    submit(page, ".queue-item form button.danger")  # hide without a reason
    assert page.locator(".error-summary").is_visible()
    check(page, axe, f"moderation-error-{device}")

    page.goto(server.url(f"/{ORG}/admin/petitions/ecole-sans-amiante/invalidate"))
    check(page, axe, f"invalidate-{device}")
    page.fill("#domains", "not a domain")
    submit(page, "button[value=preview]")
    assert page.locator("#domains").get_attribute("aria-invalid") == "true"
    check(page, axe, f"invalidate-errors-{device}")
    page.fill("#domains", "example.invalid")
    page.fill("#start", "2020-01-01T00:00")
    submit(page, "button[value=preview]")
    assert page.locator("#preview-confirmed").is_visible()
    check(page, axe, f"invalidate-preview-{device}")

    page.goto(server.url(f"/{ORG}/admin/exports/"))
    check(page, axe, f"exports-{device}")
    page.goto(server.url(f"/{ORG}/admin/delete/"))
    page.fill("#slug", "wrong")
    submit(page, "main form button.danger")
    assert page.locator("#slug").get_attribute("aria-invalid") == "true"
    check(page, axe, f"delete-error-{device}")


def test_remove_signatures_without_javascript_then_the_public_page_explains(browser, server,
                                                                            admin, axe):
    page = admin(java_script_enabled=False)
    page.goto(server.url(f"/{ORG}/admin/petitions/ecole-sans-amiante/invalidate"))
    page.fill("#addresses", "demo3@example.invalid\nDemo4@Example.invalid")
    submit(page, "button[value=preview]")
    assert page.inner_text("#preview-confirmed").strip() == "2"
    page.fill("#reason", "Signatures en double")
    submit(page, "button[value=apply]")
    assert "2 confirmed and 0 pending signatures were removed" in page.inner_text("main")
    public = browser.new_context()
    try:
        visitor = public.new_page()
        visitor.goto(server.url("/lang/en"))
        visitor.goto(server.url(PETITION))
        assert "2 signatures were removed: Signatures en double" in visitor.inner_text("main")
        check(visitor, axe, "petition-with-removal")
    finally:
        public.close()


def test_download_the_archive_in_the_browser(admin, server, tmp_path):
    page = admin()
    page.goto(server.url(f"/{ORG}/admin/exports/"))
    with page.expect_download() as info:
        page.click("form[action$='archive.zip'] button")
    path = tmp_path / "archive.zip"
    info.value.save_as(path)
    import zipfile

    names = zipfile.ZipFile(path).namelist()
    assert "manifest.json" in names and "data/signatures.csv" in names


def test_server_logged_no_exception(server):
    server.assert_no_tracebacks()
