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
    assert "<script" not in html  # works without JavaScript, nothing third-party


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
