"""The campaign editor in headless Chromium, against a real `chaton serve`.

An editor signs in through /account/login, changes the story, sees the live preview (with
JavaScript), saves, and the file on disk and the public page both show the change; the same
edit works with JavaScript turned off. axe checks the editor and the campaigns page.

Set CHATON_SCREENSHOTS=/some/folder to keep full-page screenshots for humans.
"""

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from browsers import chromium  # skips this module without Chromium or Playwright
from helpers import PASSWORD
from playwright.sync_api import expect  # noqa: E402
from servers import ChatonServer  # noqa: E402
from test_browser import readable, shot  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ORG = "quartiers-solidaires"
SLUG = "ecole-sans-amiante"
EDITOR = f"/{ORG}/admin/petitions/{SLUG}/edit"
EMAIL = "editrice@quartiers-solidaires.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = ChatonServer(tmp_path_factory.mktemp("editing"))
    server.init().start()
    make_editor(server)
    try:
        yield server
    finally:
        server.stop()
        print(f"--- {server.log_path} (end) ---\n{server.log_tail(40)}")  # shown on failure


def make_editor(server):
    """An editor of the association, with a password, in the server's own database."""
    from chaton import create_app
    from chaton.accounts import service
    from chaton.orgs.models import Association

    app = create_app(server.instance, {"content_dir": str(server.content),
                                       "database_url": server.settings.get("database_url", "")})
    with app.app_context():
        account = service.create_account(EMAIL, name="Éditrice", password=PASSWORD)
        service.set_role(account, Association.get(Association.slug == ORG), "editor")


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def signed_in(browser, server, **options):
    """A page of a fresh context, signed in through the sign-in form."""
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    foreign = []

    def route(r):
        if r.request.url.startswith(server.base_url):
            r.continue_()
        else:
            foreign.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.foreign = foreign
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(server.url("/lang/en?next=/account/login"))
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[value=password]")
    page.wait_for_url("**/account/**")
    return context, page


def story_on_disk(server):
    return (server.content / ORG / "petitions" / f"{SLUG}.md").read_text(encoding="utf-8")


def test_edit_with_live_preview_then_save(browser, server):
    context, page = signed_in(browser, server)
    try:
        page.goto(server.url(EDITOR))
        expect(page.locator("h1")).to_contain_text("Petition")
        page.fill("#body", "Un texte **vivant**, écrit dans le navigateur.")
        expect(page.locator("#preview")).to_contain_text("Un texte vivant")  # no button pressed
        expect(page.locator("#preview strong")).to_have_text(["vivant"])
        assert page.get_attribute("#preview", "aria-live") == "polite"
        shot(page, "editor-live-preview")
        page.click("button[value=save]")
        expect(page.locator(".flash")).to_contain_text("Saved")
        assert "Un texte **vivant**, écrit dans le navigateur." in story_on_disk(server)
        public = requests.get(server.url(f"/{ORG}/petitions/{SLUG}"), timeout=10).text
        assert "Un texte <strong>vivant</strong>, écrit dans le navigateur." in public
        assert page.errors == [], "console errors (CSP violations?)"
        assert page.foreign == []
    finally:
        context.close()


def test_the_same_edit_without_javascript(browser, server):
    context, page = signed_in(browser, server, java_script_enabled=False)
    try:
        page.goto(server.url(EDITOR))
        page.fill("#body", "Sans JavaScript, c'est **pareil**.")
        page.fill("#f-summary", "Un résumé tapé sans JavaScript.")
        page.click("button[value=preview]")
        expect(page.locator("#preview strong")).to_have_text(["pareil"])
        expect(page.locator("#f-summary")).to_have_value("Un résumé tapé sans JavaScript.")
        assert "pareil" not in story_on_disk(server)  # a preview writes nothing
        page.click("button[value=save]")
        expect(page.locator(".flash")).to_contain_text("Saved")
        text = story_on_disk(server)
        assert "Sans JavaScript, c'est **pareil**." in text
        assert "summary: Un résumé tapé sans JavaScript." in text
        public = requests.get(server.url(f"/{ORG}/petitions/{SLUG}"), timeout=10).text
        assert "Sans JavaScript, c&#39;est <strong>pareil</strong>." in public or \
            "Sans JavaScript, c'est <strong>pareil</strong>." in public
    finally:
        context.close()


def test_a_new_petition_gets_its_address_from_the_title(browser, server):
    context, page = signed_in(browser, server)
    try:
        page.goto(server.url(f"/{ORG}/admin/campaigns/new/petition"))
        page.fill("#f-title", "Un préau pour l'école")
        expect(page.locator("#slug")).to_have_value("un-preau-pour-l-ecole")
        page.fill("#f-target-name", "La mairie")
        page.fill("#f-demand", "Construire un préau.")
        page.click("button[value=save]")
        expect(page.locator(".flash")).to_contain_text("Saved")
        assert (server.content / ORG / "petitions" / "un-preau-pour-l-ecole.md").is_file()
        page.click("button:has-text('Publish now')")
        expect(page.locator(".flash")).to_contain_text("Published")
        assert requests.get(server.url(f"/{ORG}/petitions/un-preau-pour-l-ecole"),
                            timeout=10).status_code == 200
    finally:
        context.close()


@pytest.mark.parametrize("path", [EDITOR, f"/{ORG}/admin/campaigns",
                                  f"/{ORG}/admin/campaigns/new/consultation"])
@pytest.mark.parametrize("width", [1280, 375])
def test_accessibility_of_the_editor(browser, server, path, width):
    context, page = signed_in(browser, server, viewport={"width": width, "height": 900})
    try:
        page.goto(server.url(path))
        shot(page, f"editor-{path.strip('/').replace('/', '-')}-{width}")
        violations = Axe().run(page).response["violations"]
        assert violations == [], f"axe found on {path} ({width}px):" + readable(violations)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{path} is wider than a {width}px screen"
    finally:
        context.close()


def test_errors_are_announced_and_keep_what_was_typed(browser, server):
    context, page = signed_in(browser, server)
    try:
        page.goto(server.url(EDITOR))
        page.fill("#f-title", "")
        page.fill("#f-goal", "beaucoup")
        page.click("button[value=save]")
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Title: This field is required.")
        expect(page.locator("#f-goal")).to_have_value("beaucoup")
        expect(page.locator("#f-goal")).to_have_attribute("aria-invalid", "true")
        violations = Axe().run(page).response["violations"]
        assert violations == [], "axe on the editor with errors:" + readable(violations)
    finally:
        context.close()


def test_server_logged_no_exception(server):
    server.assert_no_tracebacks()
