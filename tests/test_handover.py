"""The official handover: a dossier made by the organisers, shown to anyone at its address as
a page and a PDF (its text checked here), recorded as an event (feed, news mail)."""

import io
import re

from helpers import PETITION_URL, csrf_token, links_in, member_client, sign
from pypdf import PdfReader

ORG = "quartiers-solidaires"
SLUG = "ecole-sans-amiante"


def confirm(client, outbox, email, postal_code, **fields):
    sign(client, email=email, postal_code=postal_code, **fields)
    link = next(re.sub(r"^https?://[^/]+", "", link) for link in links_in(outbox.last_to(email))
                if "/s/" in link and not link.endswith(("/withdraw", "/unsubscribe")))
    client.post(link, data={"csrf_token": csrf_token(client, link)})


def test_a_handover_dossier_as_page_and_pdf(app, client, outbox, monkeypatch):
    confirm(client, outbox, "a@example.org", "93200", name="Awa Diallo", show_name="y",
            keep_informed="y")
    confirm(client, outbox, "b@example.org", "20000", name="Hidden Name")
    organiser = member_client(app, ORG, role="editor")
    admin_page = f"/{ORG}/admin/petitions/{SLUG}"
    made = organiser.post(f"{admin_page}/handover",
                          data={"csrf_token": csrf_token(organiser, admin_page)})
    assert made.status_code == 303
    page_url = made.headers["Location"].replace("http://localhost", "")
    assert page_url == f"{PETITION_URL}/handover/1"

    html = client.get(page_url).get_data(as_text=True)  # public: anyone can check it
    assert "Handover dossier: Une école" in html and "SHA-256" in html
    assert "Île-de-France" in html and "Corse" in html
    assert "Awa Diallo (Seine-Saint-Denis)" in html and "Hidden Name" not in html

    pdf = client.get(page_url + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Handover dossier" in text and "Une école" in text
    assert "Awa Diallo (Seine-Saint-Denis)" in text and "Hidden Name" not in text
    assert "Île-de-France" in text and f"http://localhost{page_url}" in text.replace("\n", "")

    assert pdf.headers["Cache-Control"] == "public, max-age=60"  # made once a minute at most
    from chaton.petitions import handover_pdf

    made_again = []
    monkeypatch.setattr(handover_pdf, "build", lambda *a, **k: made_again.append(1) or b"")
    assert client.get(page_url + ".pdf").data == pdf.data and made_again == []

    feed = client.get(f"{PETITION_URL}/feed.atom").get_data(as_text=True)
    assert "the petition is handed over to" in feed
    news = outbox.last_to("a@example.org")
    assert page_url in "".join(links_in(news))
    assert client.get(f"{PETITION_URL}/handover/2").status_code == 404


def test_an_organiser_working_in_french_lands_on_the_french_dossier(app):
    """The redirect after making it keeps the language of the page it was made from."""
    organiser = member_client(app, ORG, role="editor")
    admin_page = f"/{ORG}/admin/petitions/{SLUG}?lang=fr"
    made = organiser.post(f"/{ORG}/admin/petitions/{SLUG}/handover?lang=fr",
                          data={"csrf_token": csrf_token(organiser, admin_page)})
    assert made.status_code == 303 and made.headers["Location"].endswith("/handover/1?lang=fr")
    html = organiser.get(made.headers["Location"]).get_data(as_text=True)
    assert "Dossier de remise" in html


def test_the_audit_log_names_its_details_in_the_readers_language(app):
    """The log's details are labelled in French ("numéro : 1"), not by their keys ("number: 1")."""
    admin = member_client(app, ORG, role="admin")
    admin_page = f"/{ORG}/admin/petitions/{SLUG}"
    admin.post(f"{admin_page}/handover", data={"csrf_token": csrf_token(admin, admin_page)})
    html = admin.get(f"/{ORG}/admin/audit?lang=fr").get_data(as_text=True)
    assert "numéro\u00a0: 1" in html and "number: 1" not in html
    assert "number: 1" in admin.get(f"/{ORG}/admin/audit?lang=en").get_data(as_text=True)


def test_only_organisers_make_one(app, client):
    admin_page = f"/{ORG}/admin/petitions/{SLUG}"
    assert client.post(f"{admin_page}/handover").status_code in (302, 303, 400, 403)
    assert client.get(f"{PETITION_URL}/handover/1").status_code == 404


def test_the_demo_shows_a_dossier_handed_over_after_its_threshold(client, demo):
    """The demo's school petition crossed its threshold: its dossier no. 1 is there to see."""
    html = client.get(f"{PETITION_URL}/handover/1").get_data(as_text=True)
    assert "Handover dossier: Une école" in html and "SHA-256" in html
    assert "the petition is handed over to" in client.get(f"{PETITION_URL}/feed.atom").get_data(True)
