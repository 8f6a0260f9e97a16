"""Associations on their own domains: routing by Host header, isolation, proxies, a real server."""

import subprocess

import pytest
import requests
from helpers import PETITION_URL, links_in, make_app
from servers import CHATON, ChatonServer

ORG = "quartiers-solidaires"
OTHER = "velo-pour-tous"
HOST = "petitions.qs.example"
ON = {"Host": HOST}


def add_domain(app, slug=ORG, host=HOST):
    from chaton.hoster import service
    from chaton.orgs.models import Association

    with app.test_request_context():
        service.add_domain(Association.get(Association.slug == slug), host)


@pytest.fixture
def routed(app):
    add_domain(app)
    return app


def text(response):
    return response.get_data(as_text=True)


def test_the_domain_serves_its_association_at_the_root(routed, client):
    root = client.get("/", headers=ON)
    assert root.status_code == 200
    assert "<h1>Quartiers Solidaires</h1>" in text(root) or "Quartiers Solidaires" in text(root)
    assert "Vélo pour tous" not in text(root)  # not the instance home
    petition = client.get("/petitions/ecole-sans-amiante", headers=ON)
    assert petition.status_code == 200 and "amiante" in text(petition)
    # the links Flask writes (/<slug>/...) work on the domain too
    assert client.get(PETITION_URL, headers=ON).status_code == 200
    assert f'href="{PETITION_URL}"' in text(root)
    assert client.get("/petitions/ecole-sans-amiante.json", headers=ON).is_json
    feed = client.get("/feed.atom", headers=ON)
    assert feed.status_code == 200 and "<title>Quartiers Solidaires</title>" in text(feed)
    assert client.get("/media/images/logo.svg", headers=ON).status_code == 200
    privacy = client.get("/privacy", headers=ON)
    assert privacy.status_code == 200 and 'href="/quartiers-solidaires/privacy"' in text(privacy)
    # instance-wide addresses stay what they are
    for path in ("/healthz", "/theme/default/css/site.css", "/lang/fr", "/.well-known/nodeinfo"):
        assert client.get(path, headers=ON).status_code in (200, 303), path


def test_signing_in_and_the_areas_happen_on_the_instance_address(routed, client):
    """A session cookie never lives on an association's domain (whoever runs its DNS could
    take it): sign-in, the account, the hoster area and the association area redirect."""
    base = routed.config["CHATON"]["base_url"]
    for path, target in (("/account/login?next=/x", "/account/login?next=/x"),
                         ("/admin/", f"/{ORG}/admin/"), (f"/{ORG}/admin/members", f"/{ORG}/admin/members"),
                         ("/hoster/", "/hoster/")):
        response = client.get(path, headers=ON)
        assert response.status_code == 302, path
        assert response.headers["Location"] == base + target, path


def test_a_domain_never_shows_another_associations_pages(routed, client):
    for path in (f"/{OTHER}/", f"/{OTHER}/petitions/piste-cyclable-avenue-gambetta",
                 f"/{OTHER}/petitions/piste-cyclable-avenue-gambetta.json", f"/{OTHER}/feed.atom",
                 f"/{OTHER}/media/images/logo.svg", f"/{OTHER}/admin/", "/petitions/piste-cyclable-"
                 "avenue-gambetta", f"/{ORG}/{OTHER}/"):
        assert client.get(path, headers=ON).status_code == 404, path
    assert client.get(f"/{OTHER}/").status_code == 200  # on the instance's own address


def test_unknown_hosts_and_the_instance_address_behave_as_before(routed, client):
    for headers in ({}, {"Host": "unknown.example"}, {"Host": "127.0.0.1:8000"}, {"Host": "[::1]"}):
        home = client.get("/", headers=headers)
        assert home.status_code == 200 and "Vélo pour tous" in text(home), headers
    # the footer of a domain links the instance's home on base_url, not the domain's root
    assert 'href="http://localhost/"' in text(client.get("/", headers=ON))


def test_ports_and_letter_case_of_the_host_do_not_matter(routed, client):
    for host in (HOST + ":8080", "Petitions.QS.Example"):
        assert "Vélo pour tous" not in text(client.get("/", headers={"Host": host})), host


def test_forwarded_host_counts_only_behind_a_trusted_proxy(tmp_path, content_dir, app, client):
    add_domain(app)
    forwarded = {"X-Forwarded-Host": HOST}
    assert "Vélo pour tous" in text(client.get("/", headers=forwarded))  # no proxy trusted
    behind = make_app(tmp_path / "proxied", content_dir, trusted_proxies=1)
    add_domain(behind)
    proxied = behind.test_client()
    assert "Vélo pour tous" not in text(proxied.get("/", headers=forwarded))
    assert "Vélo pour tous" in text(proxied.get("/"))


def test_signing_on_a_domain_mails_links_on_the_instance_address(routed, client, outbox):
    path = "/petitions/ecole-sans-amiante"
    assert client.get(path, headers=ON).status_code == 200
    done = client.post(path + "/sign", headers=ON, data={
        "name": "Ada", "email": "ada@example.org", "postal_code": "75011",
        "comment": "", "website": ""})
    assert done.status_code == 303 and done.location.split("?")[0].endswith(PETITION_URL + "/check-your-mail")
    assert client.get(done.location, headers=ON).status_code == 200
    link = next(u for u in links_in(outbox.last_to("ada@example.org")) if "/s/" in u)
    assert link.startswith("http://localhost/s/")  # base_url: mail links outlive domains


def test_a_suspended_associations_domain_says_so(routed, client):
    from chaton.hoster import service
    from chaton.orgs.models import Association

    with routed.test_request_context():
        service.disable(Association.get(Association.slug == ORG))
    response = client.get("/", headers=ON)  # the lang cookie is for localhost: French here
    assert response.status_code == 410 and "Cet espace est suspendu" in text(response)


def test_domain_names_are_checked(app):
    from chaton.hoster.domains import DomainError, normalize_host

    with app.test_request_context():
        assert normalize_host(" Pétitions.Example. ") == "xn--ptitions-b1a.example"
        for bad in ("", "https://a.example", "a.example/x", "a.example:80", "localhost",
                    "-a.example", "a..example", "1.2.3.4", "a_b.example", "a" * 64 + ".example"):
            with pytest.raises(DomainError):
                normalize_host(bad)


@pytest.mark.slow
def test_a_real_server_routes_by_host_header(tmp_path):
    server = ChatonServer(tmp_path / "served")
    server.init()
    done = subprocess.run([str(CHATON), "--instance", str(server.instance), "org", "domain", ORG,
                           "add", HOST], env=server.env(), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    server.start(port=server.port)
    try:
        root = requests.get(server.url("/"), headers=ON, timeout=10)
        assert root.status_code == 200 and "Quartiers Solidaires" in root.text
        assert "Vélo pour tous" not in root.text
        assert requests.get(server.url(f"/{OTHER}/"), headers=ON, timeout=10).status_code == 404
        assert requests.get(server.url("/petitions/ecole-sans-amiante"), headers=ON,
                            timeout=10).status_code == 200
        # waitress drops X-Forwarded-Host when no proxy is trusted
        spoofed = requests.get(server.url("/"), headers={"X-Forwarded-Host": HOST}, timeout=10)
        assert "Vélo pour tous" in spoofed.text
        server.assert_no_tracebacks()
    finally:
        server.stop()
