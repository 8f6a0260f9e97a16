"""Public pages: petition, JSON, QR codes, print, privacy, headers, language."""

import re

from helpers import PETITION_URL, petition_meta, write_md


def test_petition_page_shows_what_a_signatory_needs(client, demo):
    html = client.get(PETITION_URL).get_data(as_text=True)
    for expected in ("Conseil municipal de Villeneuve", "Que la ville vote",
                     "<progress", "/qr.svg", "/print", "/revisions", "share.joinmastodon.org",
                     "mailto:?subject=", '/privacy"'):
        assert expected in html, expected
    assert re.search(r'<link rel="alternate" type="application/json" href="[^"]+\.json"', html)
    # works without JavaScript, nothing third-party: the only scripts are the theme's own
    # enhancements (the sortable territory table), deferred, never inline
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all(re.fullmatch(r' src="/theme/default/js/[a-z]+\.js\?v=\d+" defer', attrs)
               and not body.strip() for attrs, body in scripts), scripts


def test_public_signatures_only_for_those_who_agreed(client, demo):
    from chaton.petitions.models import Signature

    hidden = Signature.select().where(Signature.show_name == False).first()  # noqa: E712
    Signature.update(name="Zorglub Hidden").where(Signature.id == hidden.id).execute()
    html = client.get(PETITION_URL).get_data(as_text=True)
    assert "Zorglub Hidden" not in html
    assert "@example.invalid" not in html


def test_json_view_is_documented_shape(client, demo):
    data = client.get(PETITION_URL + ".json").get_json()
    assert data["status"] == "open" and data["goal"] == 2000
    assert data["counts"]["online"] == 742
    assert {m["value"] for m in data["milestones_reached"]} >= {100, 500, 1000}
    assert sum(data["signatures_by_area"].values()) == 742
    assert data["url"].endswith(PETITION_URL)


def test_qr_codes(client):
    svg = client.get(PETITION_URL + "/qr.svg")
    png = client.get(PETITION_URL + "/qr.png")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")


def test_printable_version_has_a_paper_sheet(client):
    html = client.get(PETITION_URL + "/print").get_data(as_text=True)
    assert "<table" in html and "qr.svg" in html


def test_security_headers(client):
    response = client.get(PETITION_URL)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_third_party_resources(client, demo):
    for url in ("/", "/quartiers-solidaires/", PETITION_URL, "/privacy"):
        html = client.get(url).get_data(as_text=True)
        for attr in re.findall(r'(?:src|href)="([^"]+)"', html):
            if attr.startswith(("http://", "https://", "//")):
                assert re.match(r"https?://localhost/", attr) or "<a " in html, attr
        assert not re.search(r'<(?:img|script|link)[^>]+(?:src|href)="(?:https?:)?//(?!localhost)',
                             html), url


def test_language_follows_the_visitor_then_the_association(client):
    """A choice is in the address (?lang=), so caches keep one copy per language; without
    one, the browser's preference decides, then the association's language."""
    client.delete_cookie("lang")
    french = client.get(PETITION_URL).get_data(as_text=True)
    assert '<html lang="fr">' in french
    switch = re.search(r'href="([^"]+)" lang="en"', french).group(1).replace("&amp;", "&")
    english = client.get(switch).get_data(as_text=True)
    assert '<html lang="en">' in english and "Sign the petition" in english
    assert f'action="{PETITION_URL}/sign?lang=en#sign"' in english  # the choice travels with links
    browser = client.get(PETITION_URL, headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert '<html lang="en">' in browser.get_data(as_text=True)
    assert "Accept-Language" in browser.headers["Vary"]
    chosen = client.get(PETITION_URL + "?lang=fr", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in chosen.get_data(as_text=True)


def test_language_switch_refuses_open_redirects(client):
    response = client.get("/lang/en?next=//evil.example/")
    assert response.headers["Location"] == "/?lang=en"


def test_unknown_pages_are_404_not_500(client):
    for url in ("/nope/", "/quartiers-solidaires/petitions/nope", "/s/garbage",
                "/quartiers-solidaires/petitions/ecole-sans-amiante/revisions/99",
                "/quartiers-solidaires/media/../config.toml",
                "/quartiers-solidaires/media/petitions/ecole-sans-amiante.md",
                "/theme/default/../../chaton/__init__.py", "/theme/nope/css/site.css"):
        assert client.get(url).status_code == 404, url


def test_markdown_is_sanitized(client, content_dir):
    story = ('<script>alert(1)</script>\n\n<img src="x" onerror="alert(1)">\n\n'
             '[click](javascript:alert(1))\n\n![remote](https://tracker.example/pixel.png)\n\n'
             '<iframe src="https://evil.example"></iframe>')
    write_md(content_dir / "quartiers-solidaires/petitions/xss.md", petition_meta(), story)
    html = client.get("/quartiers-solidaires/petitions/xss").get_data(as_text=True)
    assert "<script>alert" not in html and "onerror" not in html
    assert "javascript:" not in html and "tracker.example" not in html and "<iframe" not in html


def test_comments_and_names_are_escaped(client, demo):
    from chaton.petitions.models import Signature

    signature = (Signature.select().where(Signature.show_name == True)  # noqa: E712
                 .order_by(Signature.confirmed_at.desc()).first())
    Signature.update(name="<b>bold</b>", comment="<script>alert(1)</script>").where(
        Signature.id == signature.id).execute()
    html = client.get(PETITION_URL).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "<script>alert(1)" not in html
    assert "<b>bold</b>" not in html


def test_the_page_is_the_same_for_everyone_and_follows_the_count(app, demo):
    """Nothing in the public page belongs to a visitor (no form token, no cookie), so any
    cache may share it; its count still follows the signatures."""
    from chaton.petitions.models import Petition

    first, second = app.test_client(), app.test_client()
    one, two = first.get(PETITION_URL), second.get(PETITION_URL)
    assert one.get_data() == two.get_data()
    assert "Set-Cookie" not in one.headers and "csrf_token" not in one.get_data(as_text=True)
    assert "\x00" not in one.get_data(as_text=True)
    Petition.update(signature_count=Petition.signature_count + 1000).where(
        Petition.slug == "ecole-sans-amiante").execute()
    assert "2\u202f054" in first.get(PETITION_URL).get_data(as_text=True) or \
        "2,054" in first.get(PETITION_URL).get_data(as_text=True) or \
        "2 054" in first.get(PETITION_URL).get_data(as_text=True)


ANSWERED_URL = "/quartiers-solidaires/petitions/bancs-place-des-tilleuls"


def test_an_answered_petition_leads_with_its_answer_and_speaks_in_the_past(client):
    """The demo's answered petition (closed on 2026-10-31, answered on 2026-11-10): the answer
    first, no form, no milestone to come, no future closing date."""
    html = client.get(ANSWERED_URL).get_data(as_text=True)
    main = html[html.index("<main"):]
    assert "Answer received on" in main and "November 10, 2026" in main
    assert main.index('id="answer-title"') < main.index('id="demand-title"')
    assert main.index("Douze bancs") < main.index('id="story-title"')
    assert "Closed on" in main and "October 31, 2026" in main and "Closes on" not in main
    assert "signatures collected" in main and "Next milestone" not in main
    assert "/sign" not in main and 'href="#sign"' not in main
    listing = client.get("/quartiers-solidaires/").get_data(as_text=True)
    card = listing[listing.index("Des bancs et de l"):]
    card = card[:card.index("</article>")]
    assert "signatures collected" in card and "Next milestone" not in card
    assert client.get(ANSWERED_URL + ".json").get_json()["status"] == "answered"


def test_an_open_petition_past_its_last_day_reads_as_closed(client, content_dir):
    from datetime import date, timedelta

    last_day = date.today() - timedelta(days=3)
    write_md(content_dir / "quartiers-solidaires/petitions/ended.md",
             petition_meta(closes=last_day.isoformat(), opens="2020-01-01"))
    html = client.get("/quartiers-solidaires/petitions/ended").get_data(as_text=True)
    main = html[html.index("<main"):]
    assert "badge-closed" in main and ">Closed<" in main and "badge-open" not in main
    assert "Closed on" in main and "Closes on" not in main
    assert "signatures collected" in main and "Next milestone" not in main
    assert client.get("/quartiers-solidaires/petitions/ended.json").get_json()["status"] == "closed"
    listing = client.get("/quartiers-solidaires/").get_data(as_text=True)
    assert "badge-closed" in listing


def test_the_answer_threshold_is_shown_until_it_is_reached(client, content_dir):
    french = client.get(PETITION_URL + "?lang=fr").get_data(as_text=True)
    assert "À 1\u202f000 signatures, une réponse sera demandée au conseil municipal de " \
        "Villeneuve." in french
    english = client.get(PETITION_URL).get_data(as_text=True)  # the file's phrase is French
    assert "At 1,000 signatures, the petition goes to its addressee for an answer: Conseil " \
        "municipal de Villeneuve." in english
    path = content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante.md"
    path.write_text(path.read_text().replace("paper_signatures: 312", "paper_signatures: 1000"))
    reached = client.get(PETITION_URL).get_data(as_text=True)
    assert "At 1,000 signatures" not in reached


def test_the_target_phrase_makes_sentences_grammatical(client, content_dir):
    """target.to ("au conseil municipal") is used in the petition's language; without it, a
    wording that needs no article ("au destinataire de la pétition : Mairie")."""
    write_md(content_dir / "quartiers-solidaires/petitions/sans-article.md", petition_meta(
        target={"name": "Mairie de Villeneuve"}, answer_threshold=50, language="fr"))
    write_md(content_dir / "quartiers-solidaires/petitions/avec-article.md", petition_meta(
        target={"name": "Mairie de Villeneuve", "to": "à la mairie de Villeneuve"},
        answer_threshold=50, language="fr"))
    without = client.get("/quartiers-solidaires/petitions/sans-article?lang=fr")
    assert "une réponse sera demandée au destinataire de la pétition\u00a0: Mairie de " \
        "Villeneuve." in without.get_data(as_text=True)
    html = client.get("/quartiers-solidaires/petitions/avec-article?lang=fr").get_data(as_text=True)
    assert "À 50 signatures, une réponse sera demandée à la mairie de Villeneuve." in html
    assert "demandée à Mairie" not in html


def test_the_target_phrase_is_checked_like_the_other_fields(content_dir):
    from chaton.orgs.tree import load_tree

    write_md(content_dir / "quartiers-solidaires/petitions/long-phrase.md",
             petition_meta(target={"name": "Mairie", "to": "x" * 201}))
    messages = [str(p) for p in load_tree(content_dir).errors]
    assert any("long-phrase.md:" in m and "target: to:" in m for m in messages), messages


def test_signing_form_errors_use_french_colons(client):
    client.delete_cookie("lang")
    html = client.post(PETITION_URL + "/sign?lang=fr", data={
        "name": "", "email": "ada@example.org", "postal_code": "75011", "website": ""}
    ).get_data(as_text=True)
    assert "Votre nom\u00a0: Indiquez votre nom" in html and "Votre nom: " not in html


def test_the_demo_answered_petition_was_signed_before_it_closed(client, demo):
    """The demo's example signatures of a closed petition date from before its last day, and
    say nothing of where when it asked no postal code."""
    from chaton.petitions.models import Petition, Signature

    data = client.get(ANSWERED_URL + ".json").get_json()
    assert data["counts"]["online"] == 318 and data["signatures_by_area"] == {}
    with demo.app_context():
        petition = Petition.get(Petition.slug == "bancs-place-des-tilleuls")
        last = Signature.select().where(Signature.petition == petition).order_by(
            Signature.confirmed_at.desc()).first()
        assert last.confirmed_at.date() <= petition.closes_on and last.postal_code == ""
