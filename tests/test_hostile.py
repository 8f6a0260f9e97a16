"""Hostile requests get a clear 4xx, never a 500 and never a leak."""

import pytest
from helpers import PETITION_URL, csrf_token, sign

from chaton.petitions.models import Signature

NASTY_STRINGS = [
    "\x00", "a\x00b", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"), "%00",
    "../../etc/passwd", "A" * 5000, "<script>alert(1)</script>", "' OR 1=1 --",
    "ada@example.org\r\nBcc: victim@example.org", "{{ 7*7 }}", "${jndi:ldap://x}",
]


@pytest.mark.parametrize("value", NASTY_STRINGS)
def test_nasty_form_values_are_refused_or_stored_safely(client, value):
    response = sign(client, name=value, email=value, comment=value, postal_code=value)
    expected = (400,) if "\x00" in value else (303, 422)  # NUL: refused before any form
    assert response.status_code in expected, response.status_code
    assert not Signature.select().where(Signature.email.contains("\n")).exists()


def test_newline_in_email_cannot_inject_headers(client, outbox):
    response = sign(client, email="ada@example.org\nBcc: victim@example.org")
    assert response.status_code == 422
    assert outbox.messages() == []


def test_template_syntax_in_names_is_not_evaluated(client, outbox):
    sign(client, name="{{ config.SECRET_KEY }}", show_name="y")
    mail = outbox.last_to("ada@example.org")
    assert "test-secret" not in mail.as_string()


@pytest.mark.parametrize("path", [
    "/s/" + "A" * 3000, "/s/%00", "/s/..%2f..%2fconfig.toml", "/s/eyJ9.e30.bad/withdraw",
    "/%00/", "/quartiers-solidaires/petitions/%ff", "/quartiers-solidaires/media/%2e%2e/x.png",
    "/quartiers-solidaires/petitions/ecole-sans-amiante/qr.gif",
    "/quartiers-solidaires/petitions/ecole-sans-amiante/revisions/-1",
    "/quartiers-solidaires/petitions/ecole-sans-amiante/revisions/99999999999999999999",
])
def test_odd_urls_are_4xx(client, path):
    assert 400 <= client.get(path).status_code < 500, path


def test_nul_character_in_a_query_is_400(client):
    assert client.get("/quartiers-solidaires/feed.atom?q=%00").status_code == 400


def test_binary_body_is_4xx(client):
    response = client.post(PETITION_URL + "/sign", data=b"\xff\xfe\x00garbage",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 422)  # undecodable: no field at all, nothing stored
    assert not Signature.select().exists()


def test_wrong_method_is_405(client):
    assert client.delete(PETITION_URL).status_code == 405
    assert client.get(PETITION_URL + "/sign").status_code == 405


def test_json_errors_are_json(client):
    response = client.get("/quartiers-solidaires/petitions/nope.json")
    assert response.status_code == 404 and response.get_json()["status"] == 404


def test_forged_token_confirms_nothing(client, outbox):
    sign(client)
    token = "WzEsImZha2Vub25jZSJd.forged"
    url = f"/s/{token}"
    response = client.post(url, data={"csrf_token": csrf_token(client, PETITION_URL)})
    assert response.status_code == 404
    assert Signature.get(Signature.email == "ada@example.org").status == "pending"


def test_error_pages_do_not_leak_internals(client):
    html = client.get("/s/" + "A" * 3000).get_data(as_text=True)
    assert "Traceback" not in html and "peewee" not in html and "/work/" not in html


@pytest.mark.parametrize("target", ["//evil.example/", "/\t/evil.example", "/%09/evil.example",
                                    "/\\evil.example", "https://evil.example/", " //evil.example"])
def test_no_redirect_leaves_the_site(client, target):
    from urllib.parse import quote

    response = client.get("/lang/en?next=" + quote(target))
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    assert not any(c in location for c in "\t\n\r\\ "), location  # browsers drop those
