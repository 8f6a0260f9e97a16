"""Spreading the word: the signing card other sites may frame (and only the ones the
association names), oEmbed, and the public JSON readable from any site."""

import re

from helpers import PETITION_URL, make_app

ORG = "quartiers-solidaires"


def allow(content_dir, *origins):
    """The association's embed_origins, replacing the demo's (none: the field removed)."""
    path = content_dir / ORG / "association.md"
    text = re.sub(r"embed_origins:.*\n(  - .*\n)*", "", path.read_text())
    listed = "".join(f"\n  - {o}" for o in origins)
    path.write_text(text.replace("---\n", f"---\nembed_origins:{listed}\n" if origins else "---\n", 1))


def test_only_the_card_may_be_framed_and_only_by_the_named_sites(tmp_path, content_dir):
    allow(content_dir, "https://asso.example", "HTTPS://Blog.Example:8443/")
    client = make_app(tmp_path, content_dir).test_client()
    card = client.get(PETITION_URL + "/embed")
    assert card.status_code == 200
    csp = card.headers["Content-Security-Policy"]
    assert "frame-ancestors https://asso.example https://blog.example:8443" in csp
    assert "X-Frame-Options" not in card.headers
    html = card.get_data(as_text=True)
    assert 'target="_top"' in html and f'action="{PETITION_URL}/sign"' in html
    assert 'name="email"' in html and "http://" not in html.replace("http://localhost", "")

    page = client.get(PETITION_URL)  # every other page still refuses every frame
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_without_named_sites_the_card_cannot_be_framed(tmp_path, content_dir):
    allow(content_dir)
    card = make_app(tmp_path, content_dir).test_client().get(PETITION_URL + "/embed")
    assert card.status_code == 200
    assert "frame-ancestors 'none'" in card.headers["Content-Security-Policy"]


def test_signing_from_the_card_works_like_the_page(client, outbox):
    response = client.post(PETITION_URL + "/sign", data={
        "name": "Depuis un blog", "email": "blog@example.org", "postal_code": "93200",
        "website": ""}, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303
    assert outbox.last_to("blog@example.org")


def test_a_bad_origin_is_named_in_the_file(tmp_path, content_dir, caplog):
    allow(content_dir, "https://asso.example/page")
    client = make_app(tmp_path, content_dir).test_client()
    # an unreadable association.md keeps the association offline (as any bad field does), and
    # the log names the file, the line and the field
    assert client.get(PETITION_URL + "/embed").status_code == 404
    assert any("association.md:2: embed_origins: item 1: expected a site's address" in
               r.getMessage() for r in caplog.records)


def test_oembed_discovery_and_answer(client):
    html = client.get(PETITION_URL).get_data(as_text=True)
    assert 'type="application/json+oembed"' in html
    answer = client.get("/oembed", query_string={"url": f"http://localhost{PETITION_URL}",
                                                  "maxwidth": "300"})
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    data = answer.get_json()
    assert data["type"] == "rich" and data["version"] == "1.0" and data["width"] == 300
    assert f'src="http://localhost{PETITION_URL}/embed"' in data["html"]
    for url in ("https://elsewhere.example/quartiers-solidaires/petitions/ecole-sans-amiante",
                "http://localhost/quartiers-solidaires/petitions/absent",
                "http://localhost/quartiers-solidaires/consultations/x", "javascript:alert(1)", ""):
        assert client.get("/oembed", query_string={"url": url}).status_code == 404, url
    assert client.get("/oembed", query_string={"url": f"http://localhost{PETITION_URL}",
                                               "format": "xml"}).status_code == 501


def test_the_public_json_can_be_read_from_any_site(client):
    response = client.get(PETITION_URL + ".json", headers={"Origin": "https://asso.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
