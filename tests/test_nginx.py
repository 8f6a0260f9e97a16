"""Chaton behind Debian's nginx with the documented configuration (deploy/nginx-chaton.conf):
public pages come from the cache (X-Cache HIT), languages never mix, signing works through it
in French and in English, and nothing personal is ever kept."""

import re
import shutil
import time

import pytest
import requests
from frontserver import Nginx
from helpers import PETITION_URL, Outbox
from servers import ChatonServer, path_of
from test_federation_live import cli, wait_until

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not shutil.which("nginx") and not __import__("os").path.exists(
                  "/usr/sbin/nginx"), reason="needs Debian's nginx (./install.sh --dev)")]
BROWSER = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    root = tmp_path_factory.mktemp("front")
    chaton = ChatonServer(root / "chaton", trusted_proxies=1).init()
    nginx = Nginx(root / "nginx", chaton.port)
    chaton.settings["base_url"] = nginx.url
    chaton.start(port=chaton.port)
    nginx.start()
    try:
        yield chaton, nginx
    finally:
        nginx.stop()
        chaton.stop()


def get(nginx, path, **headers):
    return requests.get(nginx.url + path, headers=headers, timeout=10)


def test_public_pages_come_from_the_cache(front):
    _chaton, nginx = front
    for path in (PETITION_URL, "/quartiers-solidaires/", PETITION_URL + ".json", "/"):
        get(nginx, path)
        again = get(nginx, path)
        assert again.status_code == 200 and again.headers["X-Cache"] == "HIT", path
        assert "Set-Cookie" not in again.headers
        conditional = get(nginx, path, **{"If-None-Match": again.headers["ETag"]})
        assert conditional.status_code == 304


def test_languages_never_mix(front):
    _chaton, nginx = front
    for _ in range(2):  # the second round comes from the cache, each in its language
        english = get(nginx, PETITION_URL, **{"Accept-Language": "en-US,en;q=0.9"})
        french = get(nginx, PETITION_URL, **{"Accept-Language": "fr-FR,fr;q=0.9"})
        chosen = get(nginx, PETITION_URL + "?lang=en", **{"Accept-Language": "fr"})
        assert '<html lang="en">' in english.text and '<html lang="fr">' in french.text
        assert '<html lang="en">' in chosen.text
    assert english.headers["X-Cache"] == french.headers["X-Cache"] == "HIT"


@pytest.mark.parametrize("lang, thanks", [("fr", "consultez votre messagerie"),
                                          ("en", "check your mailbox")])
def test_signing_through_the_cache_in_both_languages(front, lang, thanks):
    chaton, nginx = front
    page = get(nginx, f"{PETITION_URL}?lang={lang}")
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    action = action.replace("&amp;", "&").split("#")[0]
    address = f"through.{lang}@example.org"
    session = requests.Session()
    sent = session.post(nginx.url + action, headers=BROWSER, allow_redirects=False, timeout=10,
                        data={"name": "Ada", "email": address, "postal_code": "75011",
                              "website": ""})
    assert sent.status_code == 303, sent.text[:500]
    checked = session.get(nginx.url + path_of(sent.headers["Location"]), timeout=10)
    assert thanks in checked.text and "Set-Cookie" not in sent.headers
    outbox = Outbox(chaton.instance / "outbox")
    mail = wait_until(lambda: outbox.to(address), what="the confirmation mail")[-1]
    link = re.search(r"http://\S+/s/[^\s/]+(?=\s)", mail.get_body(("plain",)).get_content())
    assert link.group(0).startswith(nginx.url)  # base_url: the front server's address
    before = get(nginx, PETITION_URL + ".json").json()["counts"]["online"]
    done = session.post(link.group(0), headers=BROWSER, allow_redirects=False, timeout=10)
    assert done.status_code == 303
    started = time.monotonic()
    wait_until(lambda: get(nginx, PETITION_URL + ".json").json()["counts"]["online"] > before,
               timeout=15, what="the count through the cache")
    assert time.monotonic() - started <= 10.5  # a count lags by at most 10 s


def test_a_form_posted_from_another_site_is_refused(front):
    _chaton, nginx = front
    response = requests.post(nginx.url + PETITION_URL + "/sign", timeout=10,
                             headers={"Origin": "https://evil.example"},
                             data={"name": "Eve", "email": "eve@example.org",
                                   "postal_code": "75011"})
    assert response.status_code == 403


def test_nothing_personal_is_kept(front):
    chaton, nginx = front
    link = re.search(r"https?://\S+", cli(chaton, "account", "create", "team@example.org",
                                          "--org", "quartiers-solidaires")).group(0)
    team = requests.Session()
    team.get(nginx.url + path_of(link), timeout=10)
    team.post(nginx.url + path_of(link), headers=BROWSER, timeout=10,
              data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                            team.get(nginx.url + path_of(link)).text).group(1)})
    assert team.cookies.get("session")
    for _ in range(2):
        page = team.get(nginx.url + PETITION_URL, timeout=10)
        assert page.headers["X-Cache"] != "HIT" and "private" in page.headers["Cache-Control"]
    anonymous = get(nginx, PETITION_URL)
    assert "Administer" not in anonymous.text and "Administrer" not in anonymous.text
