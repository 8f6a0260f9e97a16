"""Public pages as a cache sees them: the same bytes for everyone, no cookie, how long they may
be kept, an ETag and 304s; personal pages private; languages never mixed; Chaton's own cache
answers before routing and its counts lag by seconds only."""

import pytest
from helpers import PETITION_URL, make_app, member_client, sign
from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import parse_cache_control_header

ORG = "quartiers-solidaires"
PUBLIC_PAGES = ["/", f"/{ORG}/", PETITION_URL, f"{PETITION_URL}.json",
                f"/{ORG}/consultations/avenir-friche-jean-moulin",
                f"/{ORG}/consultations/avenir-friche-jean-moulin/topics/jardin-partage",
                "/privacy", f"/{ORG}/follow"]


@pytest.fixture
def cached(tmp_path, content_dir):
    return make_app(tmp_path, content_dir, page_cache_entries=64)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_an_anonymous_page_is_public_and_sets_no_cookie(app, path):
    client = app.test_client()
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    control = parse_cache_control_header(response.headers["Cache-Control"],
                                         cls=ResponseCacheControl)
    assert control.public and 0 < control.max_age <= 10
    assert "stale-while-revalidate" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert app.test_client().get(path).get_data() == response.get_data()  # everyone's bytes


def test_personal_pages_are_private(app):
    admin = member_client(app, ORG)
    for path in (PETITION_URL, f"/{ORG}/admin/"):
        assert admin.get(path).headers["Cache-Control"] in ("private, no-store", "no-store")
    client = app.test_client()
    refused = sign(client, name="", email="typed@example.org")  # shown again with errors
    assert refused.status_code == 422 and "no-store" in refused.headers["Cache-Control"]
    assert "Set-Cookie" not in refused.headers


def test_the_language_is_in_the_address_and_never_mixed(cached):
    client = cached.test_client()
    english = client.get(PETITION_URL + "?lang=en").get_data(as_text=True)
    french = client.get(PETITION_URL + "?lang=fr").get_data(as_text=True)
    assert '<html lang="en">' in english and '<html lang="fr">' in french
    assert 'hreflang="en" href="http://localhost' in french
    by_browser = client.get(PETITION_URL, headers={"Accept-Language": "en-US,en;q=0.8"})
    assert '<html lang="en">' in by_browser.get_data(as_text=True)
    assert "Accept-Language" in by_browser.headers["Vary"]
    other = client.get(PETITION_URL, headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert '<html lang="fr">' in other.get_data(as_text=True)  # not the English copy kept
    again = client.get(PETITION_URL, headers={"Accept-Language": "en-GB"})
    assert again.headers.get("X-Chaton-Cache") == "hit"
    assert '<html lang="en">' in again.get_data(as_text=True)


def test_chatons_own_cache_answers_and_its_counts_lag_by_seconds(cached, monkeypatch):
    from chaton.core import response_cache

    client = cached.test_client()
    first = client.get(PETITION_URL + ".json")
    assert "X-Chaton-Cache" not in first.headers
    second = client.get(PETITION_URL + ".json")
    assert second.headers.get("X-Chaton-Cache") == "hit"
    conditional = client.get(PETITION_URL + ".json",
                             headers={"If-None-Match": first.headers["ETag"]})
    assert conditional.status_code == 304
    before = first.get_json()["counts"]["online"]
    signer = cached.test_client()
    sign(signer, email="lag@example.org")
    from chaton.petitions import signing
    from chaton.petitions.models import Signature

    with cached.app_context():
        signing.confirm(Signature.get(Signature.email == "lag@example.org"))
    assert client.get(PETITION_URL + ".json").get_json()["counts"]["online"] == before  # kept
    later = response_cache.time.monotonic() + 6
    monkeypatch.setattr(response_cache.time, "monotonic", lambda: later)
    assert client.get(PETITION_URL + ".json").get_json()["counts"]["online"] == before + 1


def test_requests_with_cookies_or_signatures_bypass_the_cache(cached):
    client = cached.test_client()
    client.get(PETITION_URL)
    assert client.get(PETITION_URL).headers.get("X-Chaton-Cache") == "hit"
    admin = member_client(cached, ORG)
    assert "X-Chaton-Cache" not in admin.get(PETITION_URL).headers
