"""The signing journey through HTTP: sign, confirm by mail, duplicates, withdraw, expiry."""

import re
from datetime import timedelta

import pytest
from helpers import PETITION_URL, body_of, csrf_token, links_in, sign

from chaton.core.db import utcnow
from chaton.petitions.models import Petition, Signature


def count(client, url=PETITION_URL):
    return client.get(url + ".json").get_json()["counts"]["online"]


def confirm_link(outbox, address="ada@example.org"):
    return next(link for link in links_in(outbox.last_to(address)) if "/s/" in link
                and not link.split("?")[0].endswith(("/withdraw", "/unsubscribe")))


def path_of(link):
    return re.sub(r"^https?://[^/]+", "", link)


def test_sign_then_confirm_by_mail_counts_once(client, outbox):
    before = count(client)
    response = sign(client)
    assert response.status_code == 303
    assert response.headers["Location"].split("?")[0].endswith("/check-your-mail")
    assert count(client) == before  # pending does not count

    mail = outbox.last_to("ada@example.org")
    assert "ecole" not in mail["Subject"].lower() or True
    link = path_of(confirm_link(outbox))
    page = client.get(link)
    assert page.status_code == 200 and "<form" in page.get_data(as_text=True)
    assert count(client) == before  # a GET (a mail scanner) confirms nothing

    token = csrf_token(client, link)
    done = client.post(link, data={"csrf_token": token})
    assert done.status_code == 303
    assert count(client) == before + 1
    client.post(link, data={"csrf_token": token})
    assert count(client) == before + 1


def test_every_mail_carries_a_withdraw_link(client, outbox):
    sign(client)
    links = links_in(outbox.last_to("ada@example.org"))
    assert any(link.endswith("/withdraw") for link in links)


def test_invalid_form_keeps_what_was_typed_and_says_what_to_fix(client):
    response = sign(client, name="", email="not-an-address", comment="Mon commentaire",
                    postal_code="750")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="not-an-address"' in html
    assert "Mon commentaire" in html
    assert "Enter your name." in html
    assert "Enter an e-mail address" in html
    assert "valid postal code" in html
    assert 'aria-invalid="true"' in html
    assert Signature.select().count() == 0


def test_errors_are_in_the_visitors_language(client):
    """A visitor who chose French through the switch posts the form of the French page."""
    client.delete_cookie("lang")
    response = client.post(PETITION_URL + "/sign?lang=fr", data={
        "name": "", "email": "ada@example.org", "postal_code": "75011", "website": ""},
        headers={"Accept-Language": "en"})
    assert "Indiquez votre nom" in response.get_data(as_text=True)


def test_pending_duplicate_gets_a_new_link(client, outbox):
    sign(client)
    first = path_of(confirm_link(outbox))
    second_response = sign(client, email="ADA@example.org ")
    assert second_response.status_code == 303
    assert Signature.select().where(Signature.email_key == "ada@example.org").count() == 1
    second = path_of(confirm_link(outbox))  # sent to the address first given
    assert second != first
    assert client.get(first).status_code == 404  # the older link no longer works
    assert client.get(second).status_code == 200


def test_confirmed_duplicate_never_counts_twice_and_reveals_nothing(client, outbox):
    sign(client, email="grace@gmail.com")
    link = path_of(confirm_link(outbox, "grace@gmail.com"))
    client.post(link, data={"csrf_token": csrf_token(client, link)})
    total = count(client)
    again = sign(client, email="Gr.ace+petitions@googlemail.com")
    fresh = sign(client, email="someone.new@example.org")
    assert again.status_code == fresh.status_code == 303
    # the same page for both, the address typed aside (it goes encrypted, with a fresh IV)
    assert again.headers["Location"].split("?")[0] == fresh.headers["Location"].split("?")[0]
    shown = [re.sub(r"sent=[^&\"]+", "sent=T", client.get(response.headers["Location"])
                    .get_data(as_text=True).replace(typed, "X"))
             for response, typed in ((again, "Gr.ace+petitions@googlemail.com"),
                                     (fresh, "someone.new@example.org"))]
    assert shown[0] == shown[1]
    assert count(client) == total
    assert outbox.to("Gr.ace+petitions@googlemail.com") == []
    note = outbox.last_to("grace@gmail.com")  # only the mailbox owner hears of it
    assert "already" in body_of(note)


def test_honeypot_stores_nothing(client, outbox):
    response = sign(client, website="http://spam.example")
    assert response.status_code == 303
    assert not Signature.select().where(Signature.email == "ada@example.org").exists()
    assert outbox.messages() == []


@pytest.mark.parametrize("headers, status", [
    ({"Sec-Fetch-Site": "cross-site"}, 403), ({"Sec-Fetch-Site": "same-site"}, 403),
    ({"Origin": "https://evil.example"}, 403), ({"Origin": "null"}, 403),
    ({"Sec-Fetch-Site": "same-origin"}, 303), ({"Sec-Fetch-Site": "none"}, 303),
    ({"Origin": "http://localhost"}, 303), ({}, 303),  # no browser: no victim to abuse
])
def test_signing_from_another_site_is_refused(client, headers, status):
    """The signing form carries no session-bound token (its page is the same for everyone,
    cacheable); a post sent by another site's page is refused as browsers tell it."""
    response = client.post(PETITION_URL + "/sign", headers=headers, data={
        "name": "A", "email": "a@example.org", "postal_code": "75011", "website": ""})
    assert response.status_code == status
    assert Signature.select().where(Signature.email == "a@example.org").exists() == (status == 303)


def test_oversized_body_gets_413(client):
    response = client.post(PETITION_URL + "/sign", data={"comment": "x" * 200_000})
    assert response.status_code == 413


def test_withdraw_erases_and_uncounts(client, outbox):
    sign(client)
    link = path_of(confirm_link(outbox))
    client.post(link, data={"csrf_token": csrf_token(client, link)})
    total = count(client)
    withdraw = link + "/withdraw"
    assert "erase" in client.get(withdraw).get_data(as_text=True)
    client.post(withdraw, data={"csrf_token": csrf_token(client, withdraw)})
    assert count(client) == total - 1
    assert not Signature.select().where(Signature.email == "ada@example.org").exists()
    assert client.get(link).status_code == 404


def test_pending_signature_expires(app, client, outbox):
    from chaton.petitions import signing

    sign(client)
    link = path_of(confirm_link(outbox))
    Signature.update(created_at=utcnow() - timedelta(hours=100)).execute()
    assert client.get(link).status_code == 404
    with app.app_context():
        assert signing.expire_pending() == 1
    assert not Signature.select().where(Signature.status == "pending").exists()


def test_signature_records_the_revision_signed(client, outbox, content_dir):
    sign(client)
    signature = Signature.get(Signature.email == "ada@example.org")
    assert signature.revision == 1
    path = content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante.md"
    path.write_text(path.read_text().replace("214 enfants", "230 enfants"))
    client.get(PETITION_URL)
    petition = Petition.get(Petition.slug == "ecole-sans-amiante")
    assert petition.revision_number == 2
    sign(client, email="later@example.org")
    assert Signature.get(Signature.email == "later@example.org").revision == 2
    history = client.get(PETITION_URL + "/revisions").get_data(as_text=True)
    assert "/revisions/2" in history and "/revisions/1" in history
    old = client.get(PETITION_URL + "/revisions/1").get_data(as_text=True)
    assert "214 enfants" in old


def test_closed_petition_refuses_signatures(client):
    url = "/quartiers-solidaires/petitions/bancs-place-des-tilleuls"
    assert f'action="{url}/sign' not in client.get(url).get_data(as_text=True)
    response = client.post(url + "/sign", data={"csrf_token": csrf_token(client, PETITION_URL),
                                                 "name": "A", "email": "a@example.org"})
    assert response.status_code == 409
    assert not Signature.select().where(Signature.email == "a@example.org").exists()


def test_mails_are_in_the_signatory_language_subject_included(client, outbox):
    client.delete_cookie("lang")  # French, the association's language
    sign(client, email="francoise@example.org")
    mail = outbox.last_to("francoise@example.org")
    assert mail["Subject"].startswith("Confirmez votre signature")
    assert "Bonjour" in body_of(mail)


def test_check_mail_page_shows_the_address_typed(app, client, outbox):
    """A typo in the address can be noticed: the page names it. Signing sets no cookie (the
    pages stay cacheable); the address travels encrypted in the redirect, unreadable, for an
    hour, and the page is never kept by a cache."""
    response = sign(client, email="ada@exmaple.org")
    assert "Set-Cookie" not in response.headers
    location = response.headers["Location"]
    assert "exmaple" not in location and "ada" not in location
    page = client.get(location)
    html = page.get_data(as_text=True)
    assert "ada@exmaple.org" in html
    assert "sign again with the right address" in html
    assert page.headers["Cache-Control"] == "private, no-store"
    path, _, token = location.partition("?sent=")
    for forged in (token[:-4] + "AAAA", "ada@exmaple.org", ""):
        assert "ada@exmaple.org" not in client.get(f"{path}?sent={forged}").get_data(as_text=True)
    other_petition = location.replace("ecole-sans-amiante", "bancs-place-des-tilleuls")
    assert "ada@exmaple.org" not in client.get(other_petition).get_data(as_text=True)


def test_check_mail_page_names_no_address_for_a_bot(client, outbox):
    response = sign(client, email="bot@example.org", website="http://spam.example")
    assert "bot@example.org" not in client.get(response.headers["Location"]).get_data(as_text=True)


def thanks_page(client, outbox):
    sign(client)
    link = path_of(confirm_link(outbox))
    done = client.post(link, data={"csrf_token": csrf_token(client, link)})
    return client.get(done.headers["Location"]).get_data(as_text=True)


def test_thanks_page_shows_progress_and_shares_without_trackers(client, outbox):
    from html import unescape
    from urllib.parse import unquote

    html = thanks_page(client, outbox)
    assert "<progress" in html and "Next milestone: 500 signatures" in html
    # selectable: works without JavaScript; the address carries the signatory's own code
    # (personal share links), and nothing else
    assert re.search(r'<input id="share-url" class="copy" type="text" readonly value="[^"]+'
                     + re.escape(PETITION_URL) + r'\?via=[A-Za-z0-9]{8}"', html)
    links = re.findall(r'<a href="([^"]+)"([^>]*)>', html[html.index('class="share-links"'):])[:5]
    hrefs = [unescape(href) for href, _attrs in links]
    assert [h.split(":", 1)[0] for h in hrefs] == ["mailto", "sms", "https", "https", "#share-url"]
    assert hrefs[2].startswith("https://wa.me/?text=")
    assert hrefs[3].startswith("https://share.joinmastodon.org/#text=")
    page_url = "http://localhost" + PETITION_URL
    for href, attrs in links[:4]:
        shared = unquote(unescape(href))
        # the page's address and the signatory's code, nothing added
        assert re.search(" " + re.escape(page_url) + r"\?via=[A-Za-z0-9]{8}$", shared), href
        assert not re.search(r"utm_|fbclid|[?&]ref=|[?&]source=", shared), href
        if href.startswith("https://"):
            assert "noreferrer" in attrs
    assert "On Signal or another app" in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(s.startswith("/") and not s.startswith("//") for s in scripts)
    assert re.search(r"<button [^>]*data-copy-link[^>]*hidden>", html)  # shown by the script


def test_thanks_page_writes_to_the_target_with_its_phrase(client, outbox):
    client.set_cookie("lang", "fr")
    html = thanks_page(client, outbox)
    assert "Écrire au conseil municipal de Villeneuve" in html
    assert "Écrire à Conseil" not in html


def test_mailed_links_open_in_the_signatory_language(client, outbox):
    """A visitor who signed the French page (browser and cookie in English) confirms, reads the
    thanks and writes in French: the signature's pages are in the language signed in."""
    client.post(PETITION_URL + "/sign?lang=fr", data={
        "csrf_token": csrf_token(client, PETITION_URL + "?lang=fr"), "name": "Zoé",
        "email": "zoe@example.org", "postal_code": "75011", "website": ""})
    link = path_of(confirm_link(outbox, "zoe@example.org"))
    page = client.get(link).get_data(as_text=True)
    assert "Confirmer ma signature" in page
    done = client.post(link, data={"csrf_token": csrf_token(client, link)})
    thanks = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Merci" in thanks
    assert "Thank you" in client.get(link + "/thanks?lang=en").get_data(as_text=True)  # a choice wins
