"""Headless Chromium against a real `chaton serve` and a real SMTP server.

The signing journey on a phone, without JavaScript, with invalid input; an XSS corpus in
content and in signatures; axe accessibility checks of the public pages.

Set CHATON_SCREENSHOTS=/some/folder to keep full-page screenshots for humans.
"""

import contextlib
import os
import re
from pathlib import Path

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from browsers import chromium, confine  # noqa: F401 (chromium: skips this module without it)
from helpers import PETITION_URL, petition_meta, write_md
from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from servers import ChatonServer, confirm_link, form_token, sign_over_http  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
SIGN_BUTTON = "form[action*='/sign'] button[type=submit]"
CONFIRM_BUTTON = "main form[method=post] button[type=submit]"
SCREENSHOTS = os.environ.get("CHATON_SCREENSHOTS")


def shot(page, name):
    """A full-page screenshot, only when CHATON_SCREENSHOTS names a folder."""
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):  # best effort: Chromium sometimes cannot capture under load
        try:
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True, timeout=10_000)
            return
        except PlaywrightError as exc:
            if attempt == 2:
                print(f"screenshot {name} not taken: {exc}")
            page.wait_for_timeout(200)


# -- fixtures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory, smtp):
    server = ChatonServer(tmp_path_factory.mktemp("browser"), smtp_port=smtp.port)
    server.init().start()
    try:
        yield server
    finally:
        server.stop()
        print(f"--- {server.log_path} (end) ---\n{server.log_tail(40)}")  # shown on failure


class Tab:
    """A page in its own context, with what it did that a test may want to check."""

    def __init__(self, context, server):
        self.context = context
        self.base = server.base_url
        self.dialogs = []  # alert/confirm/prompt messages, from any page of the context
        self.errors = []  # console errors and uncaught exceptions
        context.set_default_timeout(10_000)
        self.foreign = confine(context, self.base)  # requests to any other origin (blocked)
        context.on("page", lambda page: page.on("dialog", self._dialog))  # popups too
        self.page = context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        with contextlib.suppress(PlaywrightError):
            dialog.dismiss()


@pytest.fixture
def new_tab(browser, server):
    """new_tab(**context_options) -> Tab; contexts are closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        return Tab(context, server)

    yield make
    for context in contexts:
        context.close()


# -- helpers --------------------------------------------------------------------------------------

def gauge_total(page):
    """The total shown by the gauge of a petition page (online + paper)."""
    text = page.locator(".gauge .count strong").first.inner_text()
    return int(re.sub(r"\D", "", text))


def url_path(page):
    """The page's URL without its fragment (a redirect keeps the form action's #sign) nor its
    query (the check-your-mail page's carries the address typed, encrypted)."""
    return page.url.split("#", 1)[0].split("?", 1)[0]


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def sign_and_confirm_in_browser(tab, server, smtp, email, name, prefix, petition=PETITION_URL,
                                comment="Pour nos enfants.", postal_code="93200"):
    """The whole journey in one tab: form, check-your-mail, mail link, button, thanks page."""
    page = tab.page
    page.goto(server.url(petition))
    total_before = gauge_total(page)
    online_before = server.count(petition)
    shot(page, f"{prefix}-1-petition")

    page.fill("#name", name)
    page.fill("#email", email)
    if page.locator("#postal_code").count():
        page.fill("#postal_code", postal_code)
    page.fill("#comment", comment)
    page.check("#show_name")
    submit(page, SIGN_BUTTON)
    assert url_path(page) == server.url(petition + "/check-your-mail")
    assert page.locator("main h1").is_visible()
    shot(page, f"{prefix}-2-check-your-mail")
    assert server.count(petition) == online_before

    link = confirm_link(smtp.wait_for(email))
    page.goto(link)
    assert page.locator(CONFIRM_BUTTON).is_visible()
    assert name in page.locator("main").inner_text()
    shot(page, f"{prefix}-3-confirm")
    assert server.count(petition) == online_before  # opening the link confirms nothing

    submit(page, CONFIRM_BUTTON)
    assert url_path(page) == link + "/thanks"
    assert page.locator("main h1").is_visible()
    shot(page, f"{prefix}-4-thanks")
    assert server.count(petition) == online_before + 1

    page.goto(server.url(petition))
    assert gauge_total(page) == total_before + 1
    shot(page, f"{prefix}-5-petition-after")
    return link


# -- (a) the key journey, on a phone --------------------------------------------------------------

def test_sign_and_confirm_on_a_phone(new_tab, server, smtp):
    tab = new_tab(**PHONE)
    sign_and_confirm_in_browser(tab, server, smtp, "camille.phone@example.org",
                                "Camille Martin", "phone")
    page = tab.page
    assert "Camille Martin" in page.locator(".signatures").inner_text()  # show_name was ticked
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the petition page scrolls sideways on a phone ({width}px wide)"
    assert tab.dialogs == []
    assert tab.errors == [], "console errors (CSP violations?)"
    assert tab.foreign == [], "the pages must load nothing from other sites"


@pytest.mark.parametrize("device", [PHONE, {"viewport": {"width": 1366, "height": 900}}],
                         ids=["390px", "1366px"])
def test_content_keeps_its_distance_from_header_and_footer(new_tab, server, device):
    """`main` has vertical padding on every page (a `.wrap` rule once zeroed it: the title
    touched the header and the last line the footer)."""
    tab = new_tab(**device)
    for url in ("/", "/quartiers-solidaires/", PETITION_URL, "/quartiers-solidaires/privacy"):
        tab.page.goto(server.url(url))
        top, bottom = tab.page.evaluate("""() => {
            const style = getComputedStyle(document.querySelector('main'));
            return [parseFloat(style.paddingTop), parseFloat(style.paddingBottom)]; }""")
        assert top >= 16 and bottom >= 16, f"{url}: main's padding is {top}px / {bottom}px"


def test_on_a_phone_the_story_comes_before_the_form(new_tab, server):
    """Read why before being asked to sign; a "Sign" button near the top leads to the form.
    On a wide screen the form stays beside the text and the button is not needed."""
    tab = new_tab(**PHONE)
    page = tab.page
    page.goto(server.url(PETITION_URL + "?lang=fr"))
    story = page.locator("#story-title").bounding_box()
    picture = page.locator(".hero img").bounding_box()
    form = page.locator("#sign").bounding_box()
    assert picture["y"] < form["y"] and story["y"] < form["y"], (story, form)
    jump = page.locator("a.button[href='#sign']")
    expect(jump).to_be_in_viewport()
    jump.click()
    expect(page.locator("#sign-title")).to_be_in_viewport()
    shot(page, "phone-story-first")
    wide = new_tab(viewport={"width": 1366, "height": 900}).page
    wide.goto(server.url(PETITION_URL + "?lang=fr"))
    expect(wide.locator("a.button[href='#sign']")).to_be_hidden()
    expect(wide.locator("#sign-title")).to_be_in_viewport()
    assert wide.locator("#sign").bounding_box()["x"] > wide.locator("#story-title").bounding_box()["x"]


def test_thanks_page_copies_the_link_with_javascript(new_tab, server, smtp):
    """The address is in a field to copy by hand; with JavaScript, a button copies it."""
    assert sign_over_http(server, email="copy@example.org").status_code == 303
    link = confirm_link(smtp.wait_for("copy@example.org"))
    tab = new_tab(**PHONE, permissions=["clipboard-read", "clipboard-write"])
    page = tab.page
    page.goto(link)
    submit(page, CONFIRM_BUTTON)
    copy = page.locator("[data-copy-link]")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator("#share-url-status")).to_have_text(re.compile(r"\S"))
    # the signatory's personal share link: the address and their code
    assert re.search(re.escape(PETITION_URL) + r"\?via=[A-Za-z0-9]{8}$",
                     page.evaluate("navigator.clipboard.readText()"))
    assert tab.errors == [] and tab.foreign == []



def test_a_personal_share_link_credits_its_sharer_without_javascript(new_tab, server, smtp):
    """Ada's link, from her thanks page, opened in another browser without JavaScript: the
    signature made there, once confirmed, counts on Ada's page (no cookie carries it)."""
    assert sign_over_http(server, email="sharer@example.org").status_code == 303
    sharer = new_tab(**PHONE)
    link = confirm_link(smtp.wait_for("sharer@example.org"))
    sharer.page.goto(link)
    submit(sharer.page, CONFIRM_BUTTON)
    shared = sharer.page.locator("#share-url").input_value()
    assert re.search(r"\?via=[A-Za-z0-9]{8}$", shared)

    friend = new_tab(java_script_enabled=False)
    friend.page.goto(shared)
    friend.page.fill("#name", "Amie")
    friend.page.fill("#email", "friend@example.org")
    if friend.page.locator("#postal_code").count():
        friend.page.fill("#postal_code", "93200")
    submit(friend.page, SIGN_BUTTON)
    # the code went in the form, not in a cookie (the session cookie holds only the signature)
    assert not any("via" in c["name"] for c in friend.page.context.cookies())
    sharer.page.goto(link + "/thanks?lang=fr")
    assert "Grâce à vous" not in sharer.page.locator("main").inner_text()  # not yet confirmed
    friend.page.goto(confirm_link(smtp.wait_for("friend@example.org")))
    submit(friend.page, CONFIRM_BUTTON)
    sharer.page.goto(link + "/thanks?lang=fr")
    expect(sharer.page.locator(".brought")).to_have_text("Grâce à vous, 1 personne a signé.")
    assert sharer.errors == [] and sharer.foreign == [] and friend.foreign == []


LONG_URL = ("https://www.legifrance.gouv.fr/codes/section_lc/LEGITEXT000006072665/"
            "LEGISCTA000006178593/2026-11-01")


def test_long_urls_do_not_widen_the_page_on_a_phone(new_tab, server, smtp):
    """WCAG 1.4.10 (reflow): an address in the story or in a public comment must wrap."""
    write_md(server.content / "quartiers-solidaires" / "petitions" / "long-words.md",
             petition_meta(title="Des textes de loi cités", language="fr"),
             body=f"Le texte : {LONG_URL}\n\nEt en lien : <{LONG_URL}>")
    url = "/quartiers-solidaires/petitions/long-words"
    server.wait_for_page(url)
    assert sign_over_http(server, petition_url=url, email="long@example.org", show_name="y",
                          comment=f"Voir {LONG_URL}").status_code == 303
    link = confirm_link(smtp.wait_for("long@example.org"))
    session = requests.Session()
    session.post(link, data={"csrf_token": form_token(session, link)}, timeout=10)

    tab = new_tab(**PHONE)
    tab.page.goto(server.url(url))
    assert LONG_URL in tab.page.locator(".signatures").inner_text()
    shot(tab.page, "long-words-phone")
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    wide = tab.page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(el => el.getBoundingClientRect().right > 391 && !el.closest('.hp'))
        .map(el => el.tagName + (el.className ? '.' + el.className : ''))""")
    assert width <= 390, f"the page is {width}px wide on a 390px phone; too wide: {wide}"


# -- (e) the same without JavaScript --------------------------------------------------------------

def test_signing_works_without_javascript(new_tab, server, smtp):
    tab = new_tab(java_script_enabled=False)
    sign_and_confirm_in_browser(tab, server, smtp, "nojs@example.org", "Sans Script", "nojs")
    assert tab.foreign == []


def test_without_javascript_a_postal_code_of_several_communes_asks_which_one(new_tab, server, smtp):
    """A petition with a territory: the form comes back with the postal code's communes."""
    write_md(server.content / "quartiers-solidaires" / "petitions" / "territoire.md",
             petition_meta(title="Un territoire", language="fr", ask_postal_code=True,
                           territory={"commune": "01053"}))
    url = "/quartiers-solidaires/petitions/territoire"
    server.wait_for_page(url)
    tab = new_tab(java_script_enabled=False, **PHONE)
    page = tab.page
    page.goto(server.url(url))
    assert page.locator("#commune").count() == 0  # not asked before the postal code is known
    page.fill("#name", "Marie Curie")
    page.fill("#email", "commune@example.org")
    page.fill("#postal_code", "01000")
    with page.expect_response(lambda r: r.url.endswith("/sign")) as response_info:
        submit(page, SIGN_BUTTON)
    assert response_info.value.status == 422
    expect(page.locator("#name")).to_have_value("Marie Curie")  # what was typed is kept
    expect(page.locator("#postal_code")).to_have_value("01000")
    choice = page.locator("#commune")
    assert choice.get_attribute("aria-invalid") == "true"
    assert {"Bourg-en-Bresse", "Saint-Denis-lès-Bourg"} <= set(
        choice.locator("option").all_inner_texts())
    shot(page, "commune-choice")
    page.select_option("#commune", "01344")
    submit(page, SIGN_BUTTON)
    assert url_path(page) == server.url(url + "/check-your-mail")
    link = confirm_link(smtp.wait_for("commune@example.org"))
    session = requests.Session()
    session.post(link, data={"csrf_token": form_token(session, link)}, timeout=10)
    data = requests.get(server.url(url + ".json"), timeout=10).json()
    assert data["signatures_by_commune"] == {"01344": 1} and data["territory"]["outside"] == 1
    assert tab.foreign == []


# -- (b) invalid input ----------------------------------------------------------------------------

def test_invalid_submission_keeps_typed_values_and_lists_errors(new_tab, server):
    tab = new_tab(**PHONE)
    page = tab.page
    page.goto(server.url(PETITION_URL))
    page.fill("#email", "not-an-address")
    page.fill("#postal_code", "750")
    page.fill("#comment", "Mon commentaire gardé")
    page.check("#keep_informed")
    with page.expect_response(lambda r: r.url.endswith("/sign")) as response_info:
        submit(page, SIGN_BUTTON)
    assert response_info.value.status == 422

    summary = page.locator("#form-errors")
    expect(summary).to_be_in_viewport()  # the page opens on the form (#sign), errors first
    assert summary.get_attribute("role") == "alert"
    targets = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert set(targets) == {"#name", "#email", "#postal_code"}
    assert page.input_value("#email") == "not-an-address"
    assert page.input_value("#postal_code") == "750"
    assert page.input_value("#comment") == "Mon commentaire gardé"
    assert page.is_checked("#keep_informed")
    for field in ("name", "email", "postal_code"):
        assert page.get_attribute(f"#{field}", "aria-invalid") == "true"
        described = page.get_attribute(f"#{field}", "aria-describedby").split()
        assert f"{field}-error" in described
        assert page.locator(f"#{field}-error").is_visible()
    assert page.get_attribute("#comment", "aria-invalid") is None
    shot(page, "invalid-form")

    page.click("#form-errors a[href='#email']")  # the summary leads to the field
    assert page.evaluate("location.hash") == "#email"

    # fixing the errors in the same page then signs
    page.fill("#name", "Léa Dupont")
    page.fill("#email", "lea@example.org")
    page.fill("#postal_code", "75011")
    submit(page, SIGN_BUTTON)
    assert url_path(page) == server.url(PETITION_URL + "/check-your-mail")


# -- (c) XSS corpus ---------------------------------------------------------------------------------

MARK = "window.__xss=1"
STORY_PAYLOADS = [
    f"<script>{MARK};alert(1)</script>",
    f'<img src=x onerror="{MARK};alert(2)">',
    f"<img src=/x.png onerror={MARK}>",
    f"[markdown link](javascript:{MARK};alert(3))",
    f"[markdown link, encoded](javascript&#58;{MARK})",
    f"[reference link][evil]\n\n[evil]: javascript:{MARK}",
    f'![markdown image](x" onerror="{MARK})',
    f"<svg onload={MARK}><circle r=5 /></svg>",
    f"<svg><a xlink:href=\"javascript:{MARK}\"><text x=0 y=10>svg link</text></a></svg>",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<iframe src="javascript:parent.__xss=1"></iframe>',
    f'<a href="jav&#x09;ascript:{MARK}">tab in scheme</a>',
    f'<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{MARK}">entities</a>',
    f'<a href="JaVaScRiPt:{MARK}">mixed case</a>',
    f'<a href=" javascript:{MARK}">leading space</a>',
    '<a href="vbscript:msgbox(1)">vbscript</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3M9MTwvc2NyaXB0Pg==">data url</a>',
    '<img src="data:image/svg+xml,<svg xmlns=\'http://www.w3.org/2000/svg\' onload=\'alert(4)\'/>">',
    f'<p style="background:url(javascript:{MARK})">style url</p>',
    f'<p style="width: expression({MARK})">style expression</p>',
    f"<style>@import 'javascript:{MARK}'; body{{background:red}}</style>",
    f'<object data="javascript:{MARK}"></object><embed src="javascript:{MARK}">',
    f'<form action="javascript:{MARK}"><button>form button</button></form>',
    f'<details open ontoggle="{MARK}"><summary>details</summary></details>',
    f"<input autofocus onfocus={MARK}>",
    f'<meta http-equiv="refresh" content="0;url=javascript:{MARK}">',
    '<base href="javascript:/">',
    f'<math><mtext><table><mglyph><style><img src=x onerror="{MARK}">'
    "</style></mglyph></table></mtext></math>",
    f'<noscript><p title="</noscript><img src=x onerror={MARK}>"></noscript>',
    f'<a href="/x" title=\'"><script>{MARK}</script>\'>attribute breakout</a>',
    f"<div onmouseover=\"{MARK}\">hover me</div>",
    "{{ 7 * 7 }} {% raw %} ${7 * 7} #{7 * 7}",
    "[a normal local link](/)",
    "[a normal external link](https://example.org/)",
]
NAME_PAYLOADS = [
    f"<script>{MARK};alert(5)</script>",
    f'"><img src=x onerror="{MARK}">',
    f"</strong><svg onload={MARK}>",
    "{{ 7 * 7 }} {% raw %}",
    f"javascript:{MARK}",
]
COMMENT_PAYLOADS = [
    f"</q><script>{MARK}</script>",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    f"[x](javascript:{MARK})",
    f"' onmouseover='{MARK}' x='",
    f'<a href="javascript:{MARK}">click me</a>',
]

# what nh3 may leave in rendered Markdown (chaton/core/markup.py): nothing else may appear
PROSE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre",
    "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}

DOM_AUDIT = """(proseTags) => {
  const bad = [];
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc', 'poster'];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) bad.push(`${el.tagName} has handler ${name}`);
      // (an empty style="" is left on inputs by Playwright's own screenshots)
      if (name === 'style' && a.value.trim()) bad.push(`${el.tagName} has style=${a.value}`);
      if (urlAttrs.includes(name)) {
        const v = a.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
        if (/^(javascript|vbscript|data):/.test(v) || name === 'srcdoc')
          bad.push(`${el.tagName} ${name}=${a.value}`);
      }
    }
  }
  for (const el of document.querySelectorAll(
      'script, iframe, frame, object, embed, base, svg, math, meta[http-equiv], body style'))
    bad.push(`element ${el.tagName}`);
  for (const el of document.querySelectorAll('.prose *'))
    if (!proseTags.includes(el.tagName.toLowerCase())) bad.push(`in prose: ${el.tagName}`);
  return bad;
}"""

CSP_RECORDER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def settled_evaluate(page, expression, arg=None, tries=20):
    """Evaluate once the page is loaded, again if a navigation (a click) replaced it."""
    for attempt in range(tries):
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_load_state("load", timeout=5_000)
        try:
            return page.evaluate(expression, arg)
        except PlaywrightError as exc:
            if "context was destroyed" not in str(exc) or attempt == tries - 1:
                raise
            page.wait_for_timeout(50)


def assert_no_xss(tab, where):
    page = tab.page
    fired = settled_evaluate(page, "typeof window.__xss")
    assert fired == "undefined", f"script ran on {where} ({page.url})"
    assert tab.dialogs == [], f"a dialog opened on {where}: {tab.dialogs}"
    if page.url.startswith(tab.base):
        bad = settled_evaluate(page, DOM_AUDIT, sorted(PROSE_TAGS))
        assert bad == [], f"dangerous markup on {where} ({page.url}): {bad}"


def write_xss_content(server):
    """An association and a petition whose every field carries payloads."""
    folder = server.content / "xss-lab"
    write_md(folder / "association.md", {
        "name": f"XSS Lab <script>{MARK}</script>",
        "description": f'<img src=x onerror="{MARK}"> "quoted" & <b>bold</b>',
        "language": "en",
        "contact": {"website": "https://xss-lab.example/"},
    }, body="\n\n".join(STORY_PAYLOADS[:8]))
    meta = petition_meta(
        title=f"Corpus <script>{MARK}</script>",
        summary=f'<img src=x onerror="{MARK}">',
        target={"name": f"<svg onload={MARK}>", "role": f'"><script>{MARK}</script>'},
        demand=f"</p><script>{MARK}</script>",
        goal=1000, milestones=[2, 4], language="en",
    )
    write_md(folder / "petitions" / "corpus.md", meta, body="\n\n".join(STORY_PAYLOADS))
    write_md(folder / "petitions" / "corpus" / "updates" / "2026-11-01-news.md",
             {"title": f"News <img src=x onerror={MARK}>"}, body="\n\n".join(STORY_PAYLOADS[8:16]))
    write_md(folder / "petitions" / "corpus" / "answer.md",
             {"date": "2026-11-02", "author": f"</h2><script>{MARK}</script>"},
             body="\n\n".join(STORY_PAYLOADS[16:]))
    server.wait_for_page("/xss-lab/petitions/corpus")
    return "/xss-lab/petitions/corpus"


def test_xss_corpus_never_runs(new_tab, server, smtp):
    url = write_xss_content(server)

    # signatures whose public name and comment are payloads, confirmed over real mail
    signatories = [(f"xss{i}@example.org", name, comment)
                   for i, (name, comment) in enumerate(zip(NAME_PAYLOADS, COMMENT_PAYLOADS))]
    for email, name, comment in signatories:
        response = sign_over_http(server, petition_url=url, email=email, name=name,
                                  comment=comment, show_name="y")
        assert response.status_code == 303, response.text[:1000]
    for email, _name, _comment in signatories:
        link = confirm_link(smtp.wait_for(email))
        session = requests.Session()
        token = form_token(session, link)
        assert session.post(link, data={"csrf_token": token}, timeout=10).status_code == 200
    assert server.count(url) == len(signatories)

    # the sanitizer alone, without the Content-Security-Policy that would hide its holes
    tab = new_tab(bypass_csp=True)
    page = tab.page

    # one more signatory through the browser form, name and comment as payloads
    sign_and_confirm_in_browser(tab, server, smtp, "xss-browser@example.org",
                                f"<img src=x onerror={MARK}>", "xss",
                                petition=url, comment=f"<script>{MARK}</script>")
    assert_no_xss(tab, "the journey")

    pages = ["/", "/xss-lab/", url, url + "/check-your-mail", url + "/revisions",
             url + "/revisions/1", url + "/print", url + ".json"]
    for path in pages:
        page.goto(server.url(path))
        assert_no_xss(tab, path)
    shot(page, "xss-json")

    page.goto(server.url(url))
    shot(page, "xss-petition")
    shown = page.locator(".signatures").inner_text()
    for name in NAME_PAYLOADS:  # shown as text, neither run nor silently dropped
        assert name.replace("</strong>", "") in shown or name in shown
    assert f"<script>{MARK}</script>" in shown  # a comment, as text
    assert "{{ 7 * 7 }} {% raw %}" in page.locator(".story .prose").first.inner_text()  # not evaluated
    for item in page.locator(".signatures li, .prose > *").all():
        if item.is_visible():
            item.hover()
    assert_no_xss(tab, "the petition page after hovering")

    count = page.locator(".story .prose a").count()
    assert count >= 10
    assert page.locator(".answer").count() == 1 and page.locator(".update").count() >= 1
    for i in range(count):
        page.goto(server.url(url))
        link = page.locator(".story .prose a").nth(i)
        href = link.get_attribute("href")
        try:
            if link.is_visible() and (link.bounding_box() or {}).get("width"):
                link.click(timeout=3_000)
            else:
                link.dispatch_event("click")
        except PlaywrightError as exc:  # e.g. a navigation aborted by the route
            if "net::ERR" not in str(exc):
                raise
        page.wait_for_timeout(100)  # let a navigation the click started begin
        assert_no_xss(tab, f"story link #{i} ({href})")

    # and with the real Content-Security-Policy: nothing even tries to run
    strict = new_tab()
    strict.context.add_init_script(CSP_RECORDER)
    for path in [url, "/xss-lab/", url + "/revisions/1"]:
        strict.page.goto(server.url(path))
        assert_no_xss(strict, path)
        assert strict.page.evaluate("window.__csp") == []
    # only the images of the corpus that point to missing local files may fail (404)
    assert [e for e in strict.errors if "Failed to load resource" not in e] == []


def test_association_website_cannot_become_a_script_link(new_tab, server):
    """contact.website goes into an href: a javascript: address must be refused by the content
    check, or at least never run (checked without CSP, which would hide the hole)."""
    write_md(server.content / "xss-website" / "association.md", {
        "name": "Website Lab", "language": "en",
        "contact": {"website": f"javascript:{MARK};alert(document.domain)"},
    }, body="A test association.")
    server.reindex()
    tab = new_tab(bypass_csp=True)
    response = tab.page.goto(server.url("/xss-website/"))
    if response.status == 404:  # refused as a whole by `chaton content check` rules
        assert "xss-website/association.md" in server.log_tail(400)
        return
    assert response.status == 200
    for link in tab.page.locator("main a").all():
        tab.page.goto(server.url("/xss-website/"))
        link.click(timeout=3_000)
        assert_no_xss(tab, "the association page after clicking its links")


# -- (d) accessibility ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def links(server, smtp):
    """Mail links of a pending and of a confirmed signature (signed over HTTP)."""
    assert sign_over_http(server, email="a11y-pending@example.org").status_code == 303
    assert sign_over_http(server, email="a11y-done@example.org").status_code == 303
    pending = confirm_link(smtp.wait_for("a11y-pending@example.org"))
    done = confirm_link(smtp.wait_for("a11y-done@example.org"))
    session = requests.Session()
    session.post(done, data={"csrf_token": form_token(session, done)}, timeout=10)
    return {"pending": pending, "confirmed": done}


def open_with_errors(page, server, links):
    page.goto(server.url(PETITION_URL))
    page.fill("#email", "not-an-address")
    submit(page, SIGN_BUTTON)
    assert page.locator("#form-errors").is_visible()


A11Y_PAGES = {
    "home": lambda page, server, links: page.goto(server.url("/")),
    "association": lambda page, server, links: page.goto(server.url("/quartiers-solidaires/")),
    "petition": lambda page, server, links: page.goto(server.url(PETITION_URL)),
    "petition-with-errors": open_with_errors,
    "check-your-mail": lambda page, server, links: page.goto(
        server.url(PETITION_URL + "/check-your-mail")),
    "confirm": lambda page, server, links: page.goto(links["pending"]),
    "thanks": lambda page, server, links: page.goto(links["confirmed"] + "/thanks"),
    "withdraw": lambda page, server, links: page.goto(links["confirmed"] + "/withdraw"),
    "revisions": lambda page, server, links: page.goto(server.url(PETITION_URL + "/revisions")),
    "revision": lambda page, server, links: page.goto(server.url(PETITION_URL + "/revisions/1")),
    "privacy": lambda page, server, links: page.goto(server.url("/privacy")),
    "link-invalid": lambda page, server, links: page.goto(server.url("/s/not-a-token")),
}


def readable(violations):
    lines = []
    for v in violations:
        lines.append(f"\n[{v['impact']}] {v['id']}: {v['help']}\n  {v['helpUrl']}")
        for node in v["nodes"][:8]:
            lines.append(f"  - {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def axe():
    return Axe()


PHONE_CHECKED = ("petition", "petition-with-errors", "check-your-mail", "confirm", "thanks")


@pytest.mark.parametrize(("name", "device"), [(n, "desktop") for n in A11Y_PAGES]
                         + [(n, "phone") for n in PHONE_CHECKED])
def test_accessibility(name, device, new_tab, server, links, axe):
    tab = new_tab(**(PHONE if device == "phone" else {}))
    A11Y_PAGES[name](tab.page, server, links)
    shot(tab.page, f"a11y-{name}-{device}")
    results = axe.run(tab.page)
    violations = results.response["violations"]
    assert violations == [], f"axe found on the {name} page ({device}):" + readable(violations)


def test_server_logged_no_exception(server):
    """Last in this module: nothing above made the server fail (500s, failed mail tasks)."""
    server.assert_no_tracebacks()
