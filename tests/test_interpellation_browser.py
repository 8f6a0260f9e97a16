"""The writing page's arguments in a real Chromium against `chaton serve`: ticking adds or takes
out a paragraph with JavaScript; without it, "Add the chosen arguments" brings the page back
with the message rebuilt; the page passes axe's checks. The demo's school petition has them."""

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from browsers import chromium, confine  # noqa: F401 (chromium: skips this module without it)
from servers import confirm_link, form_token, running_server, sign_over_http  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
HEALTH = "L'amiante est interdit en France depuis 1997"  # the demo's first argument


@pytest.fixture(scope="module")
def server(tmp_path_factory, smtp):
    with running_server(tmp_path_factory.mktemp("write"), smtp=smtp) as server:
        yield server


def writing_page(server, smtp, email):
    """The writing page of a new confirmed signatory of the demo's school petition."""
    assert sign_over_http(server, email=email, postal_code="93200").status_code == 303
    link = confirm_link(smtp.wait_for(email))
    session = requests.Session()
    session.post(link, data={"csrf_token": form_token(session, link)}, timeout=10)
    return link + "/write"


def open_page(browser, server, url, **options):
    context = browser.new_context(**options)
    foreign = confine(context, server.base_url)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(url)
    return context, page, errors + foreign


def test_ticking_an_argument_adds_and_removes_its_paragraph(browser, server, smtp):
    context, page, problems = open_page(browser, server, writing_page(server, smtp, "js@example.org"),
                                        **PHONE)
    try:
        first = page.locator("article.recipient").first
        message = first.locator("textarea")
        assert first.locator("[data-arguments-add]").is_hidden()  # not needed with JavaScript
        before = message.input_value()
        first.get_by_label("La santé des enfants").check()
        after = message.input_value()
        assert HEALTH in after and after.endswith("\n\nAda Lovelace")  # before the signature
        assert after.index("Nos enfants ne peuvent plus attendre.") < after.index(HEALTH)
        first.get_by_label("La santé des enfants").uncheck()
        assert message.input_value() == before
        assert HEALTH not in page.locator("article.recipient").nth(1).locator("textarea").input_value()
        assert problems == []  # no CSP refusal, nothing from elsewhere
    finally:
        context.close()


def test_without_javascript_the_button_rebuilds_the_message(browser, server, smtp):
    url = writing_page(server, smtp, "nojs@example.org")
    context, page, problems = open_page(browser, server, url, java_script_enabled=False)
    try:
        first = page.locator("article.recipient").first
        first.locator("textarea").fill("Mon message.\n\nAda Lovelace")
        first.get_by_label("Six ans de reports").check()
        with page.expect_navigation():
            first.get_by_role("button", name="Ajouter les arguments choisis").click()
        first = page.locator("article.recipient").first
        assert first.locator("textarea").input_value().startswith(
            "Mon message.\n\nLe diagnostic date de 2020.")
        assert first.get_by_label("Six ans de reports").is_checked()
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("device", [PHONE, {"viewport": {"width": 1366, "height": 900}}],
                         ids=["phone", "desktop"])
def test_the_writing_page_passes_axe(browser, server, smtp, device):
    email = f"axe-{device['viewport']['width']}@example.org"
    context, page, _problems = open_page(browser, server, writing_page(server, smtp, email),
                                         **device)
    try:
        violations = Axe().run(page).response["violations"]
        assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
        assert page.evaluate("document.documentElement.scrollWidth") <= device["viewport"]["width"]
    finally:
        context.close()


def test_server_logged_no_exception(server):
    server.assert_no_tracebacks()
