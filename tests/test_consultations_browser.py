"""A new participant's consultation journey in headless Chromium, without JavaScript, against
a real `chaton serve` and a real SMTP server; axe accessibility checks of every page."""

import re
import subprocess

import pytest
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from browsers import chromium  # noqa: F401 (skips this module without Chromium or Playwright)
from servers import CHATON, ChatonServer, body_of  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

URL = "/quartiers-solidaires/consultations/avenir-friche-jean-moulin"
CLOSED = "/velo-pour-tous/consultations/plan-velo-quartier"
EMAIL = "nouvelle@example.org"


@pytest.fixture(scope="module")
def server(tmp_path_factory, smtp):
    server = ChatonServer(tmp_path_factory.mktemp("consultation"), smtp_port=smtp.port,
                          join_rate_limit="")
    server.init()
    done = subprocess.run([str(CHATON), "--instance", str(server.instance), "demo"],
                          env=server.env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    server.start()
    try:
        yield server
    finally:
        server.stop()
        print(f"--- {server.log_path} (end) ---\n{server.log_tail(40)}")


def new_page(browser, server, foreign, **options):
    """A tab in its own context that loads nothing from other sites."""
    context = browser.new_context(locale="en-GB", **options)
    context.set_default_timeout(10_000)

    def route(r):
        if r.request.url.startswith(server.base_url):
            r.continue_()
        else:
            foreign.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.goto(server.url("/lang/en"))
    return tab


@pytest.fixture(scope="module")
def page(browser, server):
    """The participant's tab, with JavaScript off (every step works without it)."""
    foreign = []
    tab = new_page(browser, server, foreign, java_script_enabled=False)
    yield tab
    tab.context.close()
    assert foreign == [], foreign


def click(page, selector):
    with page.expect_navigation():
        page.click(selector)


def login_link(message):
    return next(link for link in re.findall(r"https?://\S+", body_of(message)) if "/login/" in link)


def test_a_new_participant_signs_in_votes_contributes_comments_and_reports(page, server, smtp):
    page.goto(server.url(URL))
    click(page, "text=Take part")
    page.fill("#email", EMAIL)
    page.fill("#display_name", "Nadia")
    page.check("#notify_replies")
    click(page, "form button[type=submit]")
    assert page.url.endswith("/check-your-mail")

    page.goto(login_link(smtp.wait_for(EMAIL)))
    assert "Nadia" in page.inner_text("main")
    click(page, "main form button[type=submit]")
    assert "Signed in as Nadia" in page.inner_text("main")

    page.goto(server.url(URL + "/topics/jardin-partage"))
    page.check("#choice-yes")
    click(page, "#vote button[type=submit]")
    assert "Your vote is recorded" in page.inner_text("main")
    assert page.is_checked("#choice-yes")
    results = page.inner_text("table.results")
    assert "Yes" in results and "%" in results  # live results, with counts and percentages

    page.check("#stance-proposal")
    page.fill("#contribution-title", "Des bancs à l'ombre")
    page.fill("#contribution-body", "Pour que les anciens puissent profiter du jardin.")
    click(page, "#contribute button[type=submit]")
    assert re.search(r"/contributions/\d+$", page.url.split("#")[0])
    assert "Des bancs à l'ombre" in page.inner_text("h1")

    page.fill("#comment-body", "Et des points d'eau, aussi.")
    click(page, "#comment-form button[type=submit]")
    assert "#comment-" in page.url
    assert "Et des points d'eau, aussi." in page.inner_text("#comments")

    click(page, "text=Report this contribution")
    page.check("#reason-off_topic")
    click(page, "main form button[type=submit]")
    assert "the moderators will look at it" in page.inner_text("main")

    page.goto(server.url(URL + "/dashboard"))
    assert page.locator("svg.chart").count() == 3
    server.assert_no_tracebacks()


A11Y_PAGES = [URL, URL + "/topics/jardin-partage", URL + "/topics/usage-principal?order=recent",
              URL + "/contributions/1", URL + "/dashboard", URL + "/moderation", URL + "/data",
              URL + "/me", URL + "/report/contribution/1", URL + "/check-your-mail",
              CLOSED, CLOSED + "/synthesis", CLOSED + "/dashboard", CLOSED + "/topics/stationnement",
              "/quartiers-solidaires/"]


def axe_violations(tab, path, axe):
    tab.goto(tab.base + path)
    return [(v["id"], [n["target"] for n in v["nodes"][:3]])
            for v in axe.run(tab).response["violations"]]


def test_consultation_pages_pass_axe(browser, page, server):
    """Signed in (the participant of the journey above) and signed out: no axe violation."""
    axe, found, foreign = Axe(), {}, []
    signed_in = new_page(browser, server, foreign)  # axe needs JavaScript
    signed_in.context.add_cookies(page.context.cookies())
    visitor = new_page(browser, server, foreign)
    for tab in (signed_in, visitor):
        tab.base = server.base_url
    pages = [(signed_in, p) for p in A11Y_PAGES] + [(visitor, URL + "/join"),
                                                    (visitor, URL + "/topics/jardin-partage")]
    for tab, path in pages:
        violations = axe_violations(tab, path, axe)
        if violations:
            found[path] = violations
    visitor.goto(server.url(URL + "/join"))
    click(visitor, "form button[type=submit]")  # the form with its errors
    violations = axe.run(visitor).response["violations"]
    if violations:
        found["join with errors"] = [v["id"] for v in violations]
    signed_in.goto(server.url(URL + "/topics/usage-principal"))
    click(signed_in, "#vote button[type=submit]")  # no answer chosen: the topic, its message
    assert "Choose one of the answers" in signed_in.inner_text("#vote fieldset")
    click(signed_in, "#contribute button[type=submit]")  # an empty contribution
    assert "Give your contribution a title." in signed_in.inner_text("#contribute .field")
    violations = axe.run(signed_in).response["violations"]
    if violations:
        found["topic with errors"] = [v["id"] for v in violations]
    assert found == {}
    assert foreign == []
