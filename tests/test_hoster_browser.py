"""Headless Chromium on the hoster area and the association settings: axe, phones, colours.

Set CHATON_SCREENSHOTS=/some/folder to keep full-page screenshots for humans.
"""

import os
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from browsers import chromium  # noqa: F401 (skips this module without Chromium or Playwright)
from helpers import Outbox
from servers import CHATON, ChatonServer  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ORG = "quartiers-solidaires"
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
SCREENSHOTS = os.environ.get("CHATON_SCREENSHOTS")


def cli(server, *args):
    done = subprocess.run([str(CHATON), "--instance", str(server.instance), *args],
                          env=server.env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = ChatonServer(tmp_path_factory.mktemp("hoster-browser"))
    server.init()
    cli(server, "org", "create", "amap-du-coin", "--name", "AMAP du coin",
        "--admin", "alice@example.org", "--max-campaigns", "5", "--max-storage-mb", "50")
    cli(server, "org", "domain", ORG, "add", "petitions.qs.example")
    server.start(port=server.port)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def signed_in(browser, server):
    """signed_in(**context options) -> a page of a hoster who is also an admin of ORG."""
    contexts = []

    def make(**options):
        link = cli(server, "account", "create", "host@example.org", "--hoster", "--org", ORG,
                   "--role", "admin").split(": ", 1)[1].strip()
        context = browser.new_context(**options)
        context.add_cookies([{"name": "lang", "value": "en", "url": server.base_url}])
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(link)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/account/")
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def new_form_with_errors(page, server):
    page.goto(server.url("/hoster/new"))
    page.fill("#name", "Jardins partagés")
    page.fill("#slug", "Jardins Partagés")
    page.fill("#admin_email", "pas une adresse")
    page.click("main form[action$='/hoster/new'] button[type=submit]")
    assert page.locator(".error-summary").count() == 1


def settings_with_errors(page, server):
    page.goto(server.url(f"/{ORG}/admin/settings"))
    page.fill("#color", "#ffcc00")
    page.click("main form button.primary")
    assert page.locator(".error-summary").count() == 1


PAGES = {
    "hoster-index": lambda page, server: page.goto(server.url("/hoster/")),
    "hoster-new-errors": new_form_with_errors,
    "hoster-association": lambda page, server: page.goto(server.url(f"/hoster/associations/{ORG}")),
    "hoster-disable": lambda page, server: page.goto(
        server.url("/hoster/associations/amap-du-coin/disable")),
    "hoster-team": lambda page, server: page.goto(server.url("/hoster/team")),
    "hoster-audit": lambda page, server: page.goto(server.url("/hoster/audit")),
    "hoster-federation": lambda page, server: page.goto(server.url("/hoster/federation")),
    "settings": lambda page, server: page.goto(server.url(f"/{ORG}/admin/settings")),
    "first-steps": lambda page, server: page.goto(server.url(f"/{ORG}/admin/")),  # a new dashboard
    "settings-errors": settings_with_errors,
    "settings-fr": lambda page, server: page.goto(server.url(f"/{ORG}/admin/settings?lang=fr")),
    # the hoster is not a member of this one: it acts as the hoster
    "settings-as-hoster": lambda page, server: page.goto(
        server.url("/amap-du-coin/admin/settings")),
    "exports-fr": lambda page, server: page.goto(server.url(f"/{ORG}/admin/exports/?lang=fr")),
}


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize(("name", "device"), [(n, d) for n in PAGES for d in ("desktop", "phone")])
def test_hoster_and_settings_pages_are_accessible(name, device, signed_in, server, axe):
    page = signed_in(**(PHONE if device == "phone" else {}))
    PAGES[name](page, server)
    shot(page, f"{name}-{device}")
    violations = axe.run(page).response["violations"]
    assert violations == [], f"{name} ({device}): " + "; ".join(
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} ({device}) is {overflow}px too wide"


def test_brand_colour_reaches_the_pages_and_a_suspended_space_says_so(signed_in, server):
    page = signed_in()
    page.goto(server.url(f"/{ORG}/admin/settings"))
    page.fill("#color", "#1f5f8b")
    page.click("main form button.primary")
    page.wait_for_url(f"**/{ORG}/admin/settings")
    page.goto(server.url(f"/{ORG}/"))
    color = page.evaluate("getComputedStyle(document.querySelector('main a')).color")
    assert color == "rgb(31, 95, 139)"
    shot(page, "association-with-colour")

    page.goto(server.url("/hoster/associations/amap-du-coin/disable"))
    page.click("main form button.danger")
    page.wait_for_url("**/hoster/associations/amap-du-coin")
    response = page.goto(server.url("/amap-du-coin/"))
    assert response.status == 410
    assert page.locator("h1").inner_text() == "This space is suspended"
    shot(page, "suspended")
    # the invitation queued by `chaton org create --admin` was sent by the server's worker
    assert Outbox(server.instance / "outbox").last_to("alice@example.org")
    server.assert_no_tracebacks()


def test_the_colour_picker_follows_the_text_field_with_a_live_verdict(signed_in, server, browser):
    page = signed_in()
    page.goto(server.url(f"/{ORG}/admin/settings?lang=fr"))
    picker, verdict = page.locator("#color-picker"), page.locator("#color-verdict")
    assert picker.is_visible()  # shown by settings.js
    sample = "getComputedStyle(document.querySelector('.sample-button')).backgroundColor"
    page.fill("#color", "ffcc00")
    page.wait_for_selector("#color-verdict.bad")
    assert "n’a qu’un contraste de 1,5:1" in verdict.inner_text()
    assert page.evaluate(sample) == "rgb(255, 204, 0)" and picker.input_value() == "#ffcc00"
    shot(page, "settings-colour-pale-fr")
    picker.fill("#1f5f8b")  # choosing on the palette writes the text field
    assert page.input_value("#color") == "#1f5f8b"
    page.wait_for_selector("#color-verdict:not(.bad)")
    assert "6,8:1" in verdict.inner_text() and "lisible" in verdict.inner_text()
    assert page.evaluate(sample) == "rgb(31, 95, 139)"
    assert page.evaluate("getComputedStyle(document.querySelector('.sample-link')).color") == (
        "rgb(31, 95, 139)")
    shot(page, "settings-colour-fr")
    # without JavaScript: the text field, the verdict of the saved colour, no picker
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies(page.context.cookies())
    plain = context.new_page()
    plain.goto(server.url(f"/{ORG}/admin/settings?lang=fr"))
    assert not plain.locator("#color-picker").is_visible() and plain.locator("#color").is_visible()
    assert plain.locator("#color-verdict").inner_text()
    context.close()
    server.assert_no_tracebacks()
