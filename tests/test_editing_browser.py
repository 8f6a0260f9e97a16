"""The campaign editor in headless Chromium, against a real `chaton serve`.

An editor signs in through /account/login, changes the story, sees the live preview (with
JavaScript), saves, and the file on disk and the public page both show the change; the same
edit works with JavaScript turned off. axe checks the editor and the campaigns page.

Set CHATON_SCREENSHOTS=/some/folder to keep full-page screenshots for humans.
"""

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from browsers import chromium, confine  # noqa: F401 (chromium: skips this module without it)
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
    server.add_member(ORG, EMAIL, PASSWORD, name="Éditrice")
    try:
        yield server
    finally:
        server.stop()
        print(f"--- {server.log_path} (end) ---\n{server.log_tail(40)}")  # shown on failure


def signed_in(browser, server, **options):
    """A page of a fresh context, signed in through the sign-in form (once: later contexts
    start with its cookies, as sign-ins are limited to 10 a minute)."""
    state = getattr(server, "signed_in_state", None)
    context = browser.new_context(storage_state=state, **options)
    context.set_default_timeout(10_000)
    foreign = confine(context, server.base_url)
    page = context.new_page()
    page.foreign = foreign
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    if state is None:
        page.goto(server.url("/lang/en?next=/account/login"))
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("button[value=password]")
        page.wait_for_url("**/account/**")
        server.signed_in_state = context.storage_state()
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


@pytest.mark.parametrize("width", [390, 1366])
def test_a_territory_chosen_by_name(browser, server, width):
    """A commune named by several: the form comes back with them to choose from (axe-checked,
    no wider than the screen), what was typed kept; the choice is saved as its INSEE code. (No
    script is involved: the same posts are tested without one in test_editing_petition_fields;
    axe itself needs JavaScript.)"""
    context, page = signed_in(browser, server, viewport={"width": width, "height": 900})
    try:
        page.goto(server.url(EDITOR))
        page.check("#f-territory-kind-commune")
        page.fill("#f-territory-commune", "Saint-Denis")
        page.fill("#f-answer-conditions-places", "4")
        page.click("button[value=save]")
        expect(page.locator("#f-territory-error")).to_contain_text("Several communes match")
        expect(page.locator("#f-territory-commune")).to_have_value("Saint-Denis")
        expect(page.locator("#f-answer-conditions-places")).to_have_value("4")
        shot(page, f"editor-territory-choices-{width}")
        violations = Axe().run(page).response["violations"]
        assert violations == [], "axe on the territory's choices:" + readable(violations)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"the editor is wider than a {width}px screen"
        page.get_by_label("Saint-Denis · Seine-Saint-Denis").check()
        page.click("button[value=save]")
        expect(page.locator(".flash")).to_contain_text("Saved")
        text = story_on_disk(server)
        assert "territory: {commune: '93066'}" in text and "  places: 4\n" in text
        expect(page.locator("#f-territory-commune")).to_have_value("Saint-Denis (93066)")
    finally:
        context.close()


def test_the_toolbar_writes_markdown_around_the_selection(browser, server):
    context, page = signed_in(browser, server)
    try:
        page.goto(server.url(EDITOR))
        toolbar = page.get_by_role("toolbar", name="Formatting of the text")
        expect(toolbar).to_be_visible()
        names = ["Bold", "Heading", "List", "Link", "Picture"]
        for name in names:
            expect(toolbar.get_by_role("button", name=name, exact=True)).to_be_visible()
        expect(page.locator("#body-hint .markdown-hint")).to_be_hidden()  # the buttons say it
        page.fill("#body", "Un préau pour la cour")
        page.evaluate("document.getElementById('body').setSelectionRange(3, 8)")  # "préau"
        toolbar.get_by_role("button", name="Bold").click()
        expect(page.locator("#body")).to_have_value("Un **préau** pour la cour")
        expect(page.locator("#preview strong")).to_have_text(["préau"])
        page.keyboard.type("toit")  # the words stay selected: typing replaces them
        expect(page.locator("#body")).to_have_value("Un **toit** pour la cour")

        page.evaluate("(b => b.setSelectionRange(b.value.length, b.value.length))"
                      "(document.getElementById('body'))")
        toolbar.get_by_role("button", name="Link").click()
        page.keyboard.type("https://example.org")  # the address is selected, to be typed
        expect(page.locator("#body")).to_have_value(
            "Un **toit** pour la cour[text of the link](https://example.org)")

        toolbar.get_by_role("button", name="Bold").focus()  # one tab stop, arrows move on
        page.keyboard.press("ArrowRight")
        expect(toolbar.get_by_role("button", name="Heading")).to_be_focused()
        page.keyboard.press("End")
        expect(toolbar.get_by_role("button", name="Picture")).to_be_focused()
        assert page.evaluate("[...document.querySelectorAll('.md-toolbar button')]"
                             ".map(b => b.tabIndex)") == [-1, -1, -1, -1, 0]
        page.focus("#body")
        page.evaluate("document.getElementById('body').setSelectionRange(0, 2)")
        page.keyboard.press("Control+b")
        expect(page.locator("#body")).to_have_value(
            "**Un** **toit** pour la cour[text of the link](https://example.org)")
        assert page.errors == [] and page.foreign == []
    finally:
        context.close()


def test_without_javascript_the_markdown_hint_stays(browser, server):
    context, page = signed_in(browser, server, java_script_enabled=False)
    try:
        page.goto(server.url(EDITOR))
        expect(page.locator(".md-toolbar")).to_be_hidden()
        expect(page.locator("#body-hint")).to_contain_text("Markdown: **bold**, *italics*")
        expect(page.locator("#body-hint .markdown-hint")).to_be_visible()
    finally:
        context.close()


def test_admin_table_headers_break_between_words_only_on_a_phone(browser, server):
    context, page = signed_in(browser, server, viewport={"width": 390, "height": 900})
    try:
        page.goto(server.url(f"/{ORG}/admin/?lang=fr"))
        headers = page.locator("table.data th[scope=col]")
        expect(headers.first).to_be_visible()
        style = headers.first.evaluate("th => [getComputedStyle(th).hyphens, "
                                       "getComputedStyle(th).overflowWrap]")
        assert style == ["manual", "normal"], style
        # every word of every header lies on one line (no "Confir-/mées")
        broken = page.evaluate("""() => {
          const broken = [];
          for (const th of document.querySelectorAll('table.data th')) {
            const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
            for (let node; (node = walker.nextNode());) {
              for (const match of node.data.matchAll(/\\S+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                if (range.getClientRects().length > 1) { broken.push(match[0]); }
              }
            }
          }
          return broken;
        }""")
        assert broken == []
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, "the dashboard is wider than a phone"
    finally:
        context.close()


def test_server_logged_no_exception(server):
    server.assert_no_tracebacks()
