"""Issue 15 end to end: petitions that carry weight, in headless Chromium against a real
`chaton serve` and a real SMTP server.

A threshold that waits for its spread over départements, then mails the target; a signatory
writing to the representative of their département through their own mail program; the
handover dossier made by an organiser and its PDF read back; the signing card framed by a site
the association names (and refused to any other); the territory table sorted with JavaScript
and readable without; a local petition asking the commune; a resident's proposal drafted,
supported and published. axe checks the writing page, the dossier, the card and the proposal
pages.

Set CHATON_SCREENSHOTS=/some/folder to keep full-page screenshots for humans.
"""

import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from browsers import chromium, confine  # noqa: F401 (chromium: skips this module without it)
from helpers import DEMO_CONTENT, PASSWORD, PETITION_URL, body_of, petition_meta, write_md
from servers import HOST, ChatonServer, confirm_link, form_token, free_port, sign_over_http
from test_browser import CONFIRM_BUTTON, SIGN_BUTTON, readable, shot, submit  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ORG = "quartiers-solidaires"
THRESHOLD_URL = f"/{ORG}/petitions/seuil-reparti"
WRITE_URL = f"/{ORG}/petitions/ecrire-aux-elus"
MAP_URL = f"/{ORG}/petitions/carte"
LILLE_URL = f"/{ORG}/petitions/lille"
TARGET = "mairie-seuil@example.org"
ORGANISER = "organisatrice@quartiers-solidaires.example"
REPRESENTATIVES = """name,role,departement,email,postal_address,page
Claire Martin,Députée,93,claire.martin@assemblee.example,,
Paula Paris,Députée,75,paula.paris@assemblee.example,,
"""
FRENCH = {"locale": "fr-FR"}


def spaces(text):
    """Text with every kind of space (no-break ones of French typography) as a plain one."""
    return re.sub(r"\s+", " ", text)


# -- the other site: a page that frames an address of Chaton -------------------------------------

class FramingSite:
    """A tiny HTTP server on localhost (another origin than Chaton's 127.0.0.1) whose page
    `/?src=<address>` frames that address."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                src = parse_qs(urlsplit(self.path).query).get("src", [""])[0]
                body = (f'<!doctype html><html lang="fr"><title>Blog</title><h1>Notre blog</h1>'
                        f'<iframe title="Pétition" src="{src}" width="400" height="700">'
                        f'</iframe></html>').encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.httpd = ThreadingHTTPServer((HOST, self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def origin(self):
        return f"http://localhost:{self.port}"

    def page(self, src):
        return f"{self.origin}/?src={src}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# -- fixtures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sites():
    """Two other sites: the association names the first in `embed_origins`, not the second."""
    named, other = FramingSite().start(), FramingSite().start()
    try:
        yield named, other
    finally:
        named.stop()
        other.stop()


def write_content(content, named_origin):
    """The demo content plus the petitions and files of issue 15."""
    shutil.copytree(DEMO_CONTENT, content)
    association = content / ORG / "association.md"
    text = association.read_text(encoding="utf-8")
    assert "\n  - https://quartiers-solidaires.example\n" in text  # the demo's one named site
    association.write_text(text.replace("\n  - https://quartiers-solidaires.example\n",
                                        f"\n  - {named_origin}\n"), encoding="utf-8")
    write_md(content / ORG / "petitions/seuil-reparti.md", petition_meta(
        title="Un seuil réparti", goal=100, milestones=[], ask_postal_code=True,
        answer_threshold=2, answer_conditions={"spread": "departements", "places": 2, "each": 1},
        target={"name": "La mairie", "contact": TARGET}))
    write_md(content / ORG / "petitions/ecrire-aux-elus.md", petition_meta(
        title="Écrire aux élus", ask_postal_code=True, write_to_representatives=True,
        target={"name": "La mairie"},
        letter="Madame, Monsieur, nous demandons une école sans amiante."))
    write_md(content / ORG / "petitions/carte.md", petition_meta(
        title="Une carte", goal=100, milestones=[], ask_postal_code=True))
    write_md(content / ORG / "petitions/lille.md", petition_meta(
        title="Pour Lille", goal=100, milestones=[], ask_postal_code=True,
        territory={"commune": "59350"}))
    (content / ORG / "representatives.csv").write_text(REPRESENTATIVES, encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory, smtp, sites):
    server = ChatonServer(tmp_path_factory.mktemp("weight"), smtp_port=smtp.port)
    write_content(server.content, sites[0].origin)
    server.init().start()
    server.add_member(ORG, ORGANISER, PASSWORD, name="Organisatrice")
    try:
        yield server
    finally:
        server.stop()
        print(f"--- {server.log_path} (end) ---\n{server.log_tail(40)}")  # shown on failure


@pytest.fixture
def new_page(browser, server, sites):
    """new_page(**context_options) -> a page whose context reaches only the Chaton server and
    the two framing sites (anything else is aborted and listed in `page.foreign`)."""
    contexts = []
    allowed = (server.base_url, *(site.origin for site in sites))

    def make(**options):
        context = browser.new_context(**{**FRENCH, **options})
        contexts.append(context)
        context.set_default_timeout(10_000)
        foreign = confine(context, *allowed)
        page = context.new_page()
        page.foreign = foreign
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def axe():
    return Axe()


def assert_accessible(axe, page, name):
    violations = axe.run(page).response["violations"]
    assert violations == [], f"axe found on the {name} page:" + readable(violations)


# -- helpers --------------------------------------------------------------------------------------

def url_path(page):
    """The page's address without its query (?lang=fr) or fragment (#sign)."""
    return re.split(r"[?#]", page.url, maxsplit=1)[0]


def sign_in_browser(page, server, smtp, petition, email, postal_code, name="Awa Diallo"):
    """Sign, confirm from the mail's link; return the confirmation link (on its thanks page)."""
    page.goto(server.url(petition + "?lang=fr"))
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#postal_code", postal_code)
    submit(page, SIGN_BUTTON)
    assert url_path(page) == server.url(petition + "/check-your-mail")
    link = confirm_link(smtp.wait_for(email))
    page.goto(link)
    submit(page, CONFIRM_BUTTON)
    assert url_path(page) == link + "/thanks"
    return link


def sign_in_organiser(page, server):
    page.goto(server.url("/account/login?lang=fr"))
    page.fill("#email", ORGANISER)
    page.fill("#password", PASSWORD)
    page.click("button[value=password]")
    page.wait_for_url("**/account/**")


def sign_over_http_and_confirm(server, smtp, petition, email, postal_code, **fields):
    assert sign_over_http(server, petition_url=petition, email=email, postal_code=postal_code,
                          **fields).status_code == 303
    link = confirm_link(smtp.wait_for(email))
    session = requests.Session()
    done = session.post(link, data={"csrf_token": form_token(session, link)}, timeout=10,
                        allow_redirects=False)
    assert done.status_code == 303


def public_json(server, petition):
    response = requests.get(server.url(petition + ".json"), timeout=10)
    response.raise_for_status()
    return response.json()


# -- 1. a threshold that waits for its spread ---------------------------------------------------

def conditions_text(page):
    return spaces(page.locator("ul.conditions").inner_text())


def test_the_threshold_waits_for_a_second_departement_then_mails_the_target(new_page, server,
                                                                              smtp):
    page = new_page()
    sign_in_browser(page, server, smtp, THRESHOLD_URL, "seuil1@example.org", "93200")
    sign_over_http_and_confirm(server, smtp, THRESHOLD_URL, "seuil2@example.org", "93100")

    page.goto(server.url(THRESHOLD_URL + "?lang=fr"))
    spread = page.locator("ul.conditions li", has_text="départements")
    assert "départements avec au moins 1 signature : 1 sur 2" in spaces(spread.inner_text())
    assert spread.get_attribute("class") == "unmet"
    assert "signatures : 2 sur 2" in conditions_text(page)  # the count alone is not enough
    shot(page, "weight-threshold-1-waiting")
    assert not [m for m in public_json(server, THRESHOLD_URL)["milestones_reached"]
                if m["kind"] == "threshold"]

    sign_in_browser(page, server, smtp, THRESHOLD_URL, "seuil3@example.org", "75011",
                    name="Paul Paris")
    mail = smtp.wait_for(TARGET)
    assert "Un seuil réparti" in mail["Subject"] + mail.get_body(("plain",)).get_content()
    page.goto(server.url(THRESHOLD_URL + "?lang=fr"))
    spread = page.locator("ul.conditions li", has_text="départements")
    assert "départements avec au moins 1 signature : 2 sur 2" in spaces(spread.inner_text())
    assert spread.get_attribute("class") == "met"
    shot(page, "weight-threshold-2-met")
    assert [m["value"] for m in public_json(server, THRESHOLD_URL)["milestones_reached"]
            if m["kind"] == "threshold"] == [2]
    assert len(smtp.to(TARGET)) == 1
    assert page.errors == [] and page.foreign == []


# -- 2. writing to the representative of one's département -------------------------------------

def test_a_signatory_writes_to_their_representative(new_page, server, smtp, axe):
    page = new_page()
    link = sign_in_browser(page, server, smtp, WRITE_URL, "ecrire@example.org", "93200")
    with page.expect_navigation():
        page.click(f"main a[href$='{urlsplit(link).path}/write']")
    assert url_path(page) == link + "/write"
    text = page.locator("main").inner_text()
    assert "Claire Martin" in text and "Paula Paris" not in text  # 93 only, not 75
    shot(page, "weight-write-1")
    assert_accessible(axe, page, "write to the decision makers")

    claire = page.locator("article.recipient", has_text="Claire Martin")
    claire.locator("textarea").fill("Madame la députée, mon message à moi, écrit à la main.")
    opened = []

    def open_message(route):  # the real answer is a redirect to mailto:, which we keep
        response = route.fetch(max_redirects=0)
        opened.append((response.status, response.headers.get("location", "")))
        route.fulfill(status=204)  # no navigation: the page stays

    page.route("**/write/*/open?*", open_message)
    claire.get_by_role("button", name="Ouvrir dans ma messagerie").click()
    for _ in range(200):  # the handler runs while Playwright waits (10 s at most)
        if opened:
            break
        page.wait_for_timeout(50)
    assert len(opened) == 1, opened
    status, location = opened[0]
    target = urlsplit(location)
    assert status == 303 and target.scheme == "mailto"
    assert target.path == "claire.martin@assemblee.example"
    assert parse_qs(target.query)["body"] == ["Madame la députée, mon message à moi, écrit à la main."]

    assert public_json(server, WRITE_URL)["messages_sent"] == 0
    with page.expect_navigation():
        claire.get_by_role("button", name="J’ai envoyé mon message").click()
    assert "Compté : merci d’avoir écrit." in spaces(page.locator("main").inner_text())
    assert public_json(server, WRITE_URL)["messages_sent"] == 1
    assert page.errors == [] and page.foreign == []


# -- 3. the handover dossier, made by an organiser, and its PDF --------------------------------

def test_an_organiser_makes_the_handover_dossier_and_its_pdf_reads_right(new_page, server, smtp,
                                                                          axe):
    import io

    from pypdf import PdfReader

    sign_over_http_and_confirm(server, smtp, PETITION_URL, "awa@example.org", "93200",
                               name="Awa Diallo", show_name="y")
    sign_over_http_and_confirm(server, smtp, PETITION_URL, "hidden@example.org", "20000",
                               name="Nom Caché")
    count = public_json(server, PETITION_URL)["counts"]["online"]

    page = new_page()
    sign_in_organiser(page, server)

    page.goto(server.url(f"/{ORG}/admin/petitions/ecole-sans-amiante"))
    with page.expect_navigation():
        page.get_by_role("button", name="Établir le dossier de remise").click()
    dossier = server.url(PETITION_URL + "/handover/1")
    assert url_path(page) == dossier
    page.goto(dossier + "?lang=fr")  # as a link of a French page has it
    main = spaces(page.locator("main").inner_text())
    assert f"vérifié à l’adresse {dossier} (empreinte" in main  # its address, not this reading's
    assert "Dossier de remise : Une école" in main
    assert "Awa Diallo (Seine-Saint-Denis)" in main and "Nom Caché" not in main
    shot(page, "weight-handover")
    assert_accessible(axe, page, "handover dossier")

    href = page.get_by_role("link", name="Télécharger le PDF").get_attribute("href")
    pdf = page.context.request.get(server.url(href) if href.startswith("/") else href)
    assert pdf.ok and pdf.headers["content-type"].startswith("application/pdf")
    text = spaces("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages))
    assert "Dossier de remise" in text and "Une école" in text
    assert "Awa Diallo (Seine-Saint-Denis)" in text and "Nom Caché" not in text
    assert re.search(rf"\b{count}\b", text), f"the count {count} is not in the PDF:\n{text}"
    assert f"{dossier} (empreinte" in text.replace(" ", "").replace("(empreinte", " (empreinte")
    assert page.errors == [] and page.foreign == []


# -- 4. the signing card in a page of another origin --------------------------------------------

def framed(page, site, src):
    """Open the other site's page framing `src`; return its frame once loaded."""
    page.goto(site.page(src), wait_until="load")
    return page.frames[1]


def test_the_card_signs_from_a_named_site_and_no_other_site_may_frame(new_page, server, sites,
                                                                       smtp, axe):
    named, other = sites
    card = server.url(PETITION_URL + "/embed?lang=fr")
    page = new_page()
    frame = framed(page, named, card)
    assert frame.url == card, f"the card is not shown in a frame of {named.origin}: {frame.url}"
    assert frame.locator("main.embed-card h1").inner_text().startswith("Une école")
    shot(page, "weight-embed-framed")
    frame.fill("#name", "Depuis un blog")
    frame.fill("#email", "blog@example.org")
    frame.fill("#postal_code", "93200")
    with page.expect_navigation():
        frame.locator("button[type=submit]").click()
    assert url_path(page) == server.url(PETITION_URL + "/check-your-mail")  # the whole window
    assert smtp.wait_for("blog@example.org")

    for site, src in ((other, card), (named, server.url(PETITION_URL))):
        frame = framed(page, site, src)
        shown = frame.locator("form").count() or "Une école" in frame.content()
        assert not shown, f"{src} is shown in a frame of {site.origin}"
        assert frame.url.startswith("chrome-error:"), frame.url  # Chromium's blocked frame

    page.goto(card)  # the card itself, as axe sees it
    assert_accessible(axe, page, "embed card")
    assert page.foreign == []


# -- 5. the territory table, sorted with JavaScript and readable without ------------------------

def region_rows(page):
    table = page.locator("section.territory table").first
    return [spaces(r).strip() for r in table.locator("tbody th").all_inner_texts()]


def signatures_header(page):
    return page.locator("section.territory table").first.locator("thead th").nth(1)


def test_the_territory_table_sorts_with_javascript_and_reads_without(new_page, server, smtp):
    for n, postal_code in enumerate(("93200", "20000", "20090")):
        sign_over_http_and_confirm(server, smtp, MAP_URL, f"carte{n}@example.org", postal_code)

    bare = new_page(java_script_enabled=False)
    bare.goto(server.url(MAP_URL + "?lang=fr"))
    assert region_rows(bare) == ["Corse", "Île-de-France"]  # most signatures first
    assert signatures_header(bare).get_attribute("aria-sort") == "descending"
    assert bare.locator("section.territory .sort-button").count() == 0
    headers = bare.locator("section.territory table").first.locator("thead th").all_inner_texts()
    assert [h.strip() for h in headers] == ["Région", "Signatures", "Part"]  # a share, not "Partager"

    page = new_page(viewport={"width": 1366, "height": 900})
    page.goto(server.url(MAP_URL + "?lang=fr"))
    page.locator("section.territory summary").nth(1).click()  # the départements too
    cut = page.evaluate("""[...document.querySelectorAll('section.territory .table-scroll')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).length""")
    assert cut == 0, "a territory table is cut (it scrolls sideways) on a wide screen"
    header = signatures_header(page)
    header.get_by_role("button", name="Signatures").click()
    assert region_rows(page) == ["Île-de-France", "Corse"]
    assert header.get_attribute("aria-sort") == "ascending"
    header.get_by_role("button", name="Signatures").click()
    assert region_rows(page) == ["Corse", "Île-de-France"]
    assert header.get_attribute("aria-sort") == "descending"
    shot(page, "weight-territory")
    assert page.errors == [] and page.foreign == []


# -- 6. signing a petition with a territory: the commune asked when the postal code serves several

def test_signing_a_local_petition_asks_the_commune_and_counts_inside_and_outside(new_page, server,
                                                                                 smtp):
    page = new_page()
    for email, postal_code, commune in (("lille@example.org", "59000", "Lille"),
                                        ("lezennes@example.org", "59260", "Lezennes")):
        page.goto(server.url(LILLE_URL + "?lang=fr"))
        page.fill("#name", "Inès Martin")
        page.fill("#email", email)
        page.fill("#postal_code", postal_code)
        submit(page, SIGN_BUTTON)  # the code serves two communes: the form asks which
        assert page.locator("#commune").is_visible()
        assert page.input_value("#email") == email and page.input_value("#postal_code") == postal_code
        assert "dessert plusieurs communes" in spaces(page.locator("#sign").inner_text())
        page.select_option("#commune", label=commune)
        submit(page, SIGN_BUTTON)
        assert url_path(page) == server.url(LILLE_URL + "/check-your-mail")
        page.goto(confirm_link(smtp.wait_for(email)))
        submit(page, CONFIRM_BUTTON)
    page.goto(server.url(LILLE_URL + "?lang=fr"))
    text = spaces(page.locator("section.territory").inner_text())
    assert "1 signature dans le territoire de la pétition (Lille), 1 ailleurs." in text
    data = public_json(server, LILLE_URL)
    assert data["territory"]["inside"] == 1 and data["signatures_by_commune"] == {"59346": 1,
                                                                                  "59350": 1}
    shot(page, "weight-territory-lille")
    assert page.errors == [] and page.foreign == []


# -- 7. a resident's proposal: drafted, supported, published ---------------------------------------

PROPOSALS = f"/{ORG}/proposals"


def proposal_link(message):
    found = [link for link in re.findall(r"https?://\S+", body_of(message))
             if "/proposals/link/" in link]
    assert found, body_of(message)
    return found[0]


def support_over_http(server, smtp, address, name):
    session = requests.Session()
    sent = session.post(address + "/support", data={"name": name, "email": f"{name}@example.org",
                                                    "website": ""},
                        timeout=10, allow_redirects=False)
    assert sent.status_code == 303, sent.text[:300]
    link = proposal_link(smtp.wait_for(f"{name}@example.org"))
    assert session.post(link, timeout=10, allow_redirects=False).status_code == 303


def test_a_proposal_gathers_supporters_and_is_published(new_page, server, smtp, axe):
    page = new_page()
    page.goto(server.url(f"/{ORG}/?lang=fr"))
    with page.expect_navigation():
        page.get_by_role("link", name="Proposer une pétition").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Proposer une pétition").click()
    assert url_path(page) == server.url(PROPOSALS + "/new")
    assert_accessible(axe, page, "proposal form")
    page.fill("#title", "Un abri pour les vélos de l'école")
    page.fill("#target", "Mairie de Villeneuve")
    page.fill("#demand", "Installer un abri fermé pour 30 vélos devant l'école Jaurès.")
    page.fill("#story", "Les vélos sont volés chaque mois.")
    page.fill("#name", "Awa Diallo")
    page.fill("#email", "proposer@example.org")
    submit(page, "button.primary")  # without the agreement: back, with everything typed
    assert page.locator("#form-errors").is_visible()
    assert page.input_value("#demand").startswith("Installer un abri fermé")
    page.check("#agree")
    shot(page, "weight-proposal-form")
    submit(page, "button.primary")
    assert url_path(page) == server.url(PROPOSALS + "/sent")

    page.goto(proposal_link(smtp.wait_for("proposer@example.org")))
    submit(page, "button.primary")
    address = page.input_value("#share-address")
    assert re.fullmatch(re.escape(server.url(PROPOSALS)) + r"/[a-z0-9]{10}", address)

    supporter = new_page()  # a neighbour opens the shared address
    supporter.goto(address + "?lang=fr")
    assert "0 sur les 5 nécessaires" in spaces(supporter.locator("main").inner_text())
    assert_accessible(axe, supporter, "proposal")
    supporter.fill("#name", "Bilal")
    supporter.fill("#email", "bilal@example.org")
    submit(supporter, "#support button.primary")
    supporter.goto(proposal_link(smtp.wait_for("bilal@example.org")))
    submit(supporter, "button.primary")
    assert "1 soutien sur les 5 nécessaires" in spaces(supporter.locator("main").inner_text())
    shot(supporter, "weight-proposal-supported")
    for name in ("chloe", "dan", "eva", "farid"):
        support_over_http(server, smtp, address, name)
    assert "Une proposition attend votre décision" in smtp.wait_for(ORGANISER)["Subject"]

    organiser = new_page()
    sign_in_organiser(organiser, server)
    organiser.goto(server.url(f"/{ORG}/admin/proposals/"))
    item = organiser.locator("article", has_text="Un abri pour les vélos")
    item.locator("input[name=slug]").fill("abri-velos-ecole")
    shot(organiser, "weight-proposal-queue")
    assert_accessible(axe, organiser, "proposals queue")
    with organiser.expect_navigation():
        item.get_by_role("button", name="Publier comme pétition").click()
    assert url_path(organiser) == server.url(f"/{ORG}/admin/petitions/abri-velos-ecole/edit")

    petition = f"/{ORG}/petitions/abri-velos-ecole"
    server.wait_for_page(petition)
    page.goto(server.url(petition + "?lang=fr"))
    main = spaces(page.locator("main").inner_text())
    assert "Proposée par Awa Diallo" in main.replace("Proposée par\n", "Proposée par ")
    assert "Installer un abri fermé pour 30 vélos" in main
    mail = smtp.wait_for("bilal@example.org", count=2)
    assert server.url(petition) in body_of(mail)
    for tab in (page, supporter, organiser):
        assert tab.errors == [] and tab.foreign == []


def test_server_logged_no_exception(server):
    """Last in this module: nothing above made the server fail."""
    server.assert_no_tracebacks()
