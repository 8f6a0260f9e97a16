"""Interpellation: a signatory writes to the decision makers of their area through their own
mail program; only counts are kept (petitions/interpellation.py)."""

import re
from urllib.parse import parse_qs, urlsplit

from helpers import csrf_token, links_in, make_app, petition_meta, sign, write_md

ORG = "quartiers-solidaires"
URL = f"/{ORG}/petitions/ecrire"
LIST = """name,role,departement,email,postal_address,page
Claire Martin,Députée,93,claire.martin@assemblee.example,,https://www.assemblee.example/claire
Jean Dupont,Sénateur,,,"Palais du Luxembourg, 75006 Paris",
Paula Paris,Députée,75,paula@assemblee.example,,
Mauvaise Adresse,Maire,93,not-an-address,,
Nulle Part,Préfet,999,prefet@example.org,,
"""


def token_of(outbox, email):
    link = next(link for link in links_in(outbox.last_to(email))
                if "/s/" in link and not link.endswith(("/withdraw", "/unsubscribe")))
    return re.sub(r"^https?://[^/]+/s/", "", link)


def setup(tmp_path, content_dir):
    from helpers import Outbox

    write_md(content_dir / ORG / "petitions/ecrire.md", petition_meta(
        title="Écrire", ask_postal_code=True, write_to_representatives=True,
        target={"name": "Mairie", "contact": "mairie@example.org"},
        letter="Madame, Monsieur, nous demandons une école sans amiante."))
    (content_dir / ORG / "representatives.csv").write_text(LIST, encoding="utf-8")
    app = make_app(tmp_path, content_dir)
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client, Outbox(tmp_path / "instance" / "outbox")


def test_a_signatory_writes_to_the_decision_makers_of_their_area(tmp_path, content_dir, caplog):
    client, outbox = setup(tmp_path, content_dir)
    assert sign(client, URL, email="ada@example.org", postal_code="93200").status_code == 303
    token = token_of(outbox, "ada@example.org")
    assert client.get(f"/s/{token}/write").status_code == 404  # not confirmed yet
    client.post(f"/s/{token}", data={"csrf_token": csrf_token(client, f"/s/{token}")})

    page = client.get(f"/s/{token}/write")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Mairie" in html and "Claire Martin" in html and "Jean Dupont" in html
    assert "Palais du Luxembourg" in html  # by post: no e-mail
    assert "Paula Paris" not in html  # another département
    assert "Mauvaise Adresse" not in html and "Nulle Part" not in html  # bad rows left out
    assert "nous demandons une école sans amiante" in html and "Ada Lovelace" in html
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "representatives.csv:5: email:" in logged
    assert "representatives.csv:6: departement: '999'" in logged

    keys = re.findall(r'id="to-([^"]+)"', html)
    claire = keys[1]
    opened = client.get(f"/s/{token}/write/{claire}/open",
                        query_string={"subject": "Mon sujet", "body": "Mon message à moi"})
    assert opened.status_code == 303 and opened.headers["Cache-Control"] == "no-store"
    target = urlsplit(opened.headers["Location"])
    assert target.scheme == "mailto" and target.path == "claire.martin@assemblee.example"
    assert parse_qs(target.query) == {"subject": ["Mon sujet"], "body": ["Mon message à moi"]}

    for _ in range(2):  # once per signatory and recipient
        assert client.post(f"/s/{token}/write/{claire}/sent").status_code == 303
    assert client.get(URL + ".json").get_json()["messages_sent"] == 1
    assert "Counted: thank you for writing." in client.get(f"/s/{token}/write").get_data(True)
    assert client.get(f"/s/{token}/write/unknown/open").status_code == 404
    assert client.post(f"/s/{token}/write/unknown/sent").status_code == 404


def test_the_count_outlives_a_withdrawn_signature_and_nothing_else_is_kept(tmp_path, content_dir):
    from chaton.petitions.interpellation import InterpellationCount, InterpellationMark

    client, outbox = setup(tmp_path, content_dir)
    sign(client, URL, email="bob@example.org", postal_code="75011")
    token = token_of(outbox, "bob@example.org")
    client.post(f"/s/{token}", data={"csrf_token": csrf_token(client, f"/s/{token}")})
    keys = re.findall(r'id="to-([^"]+)"', client.get(f"/s/{token}/write").get_data(True))
    assert len(keys) == 3  # the target, Jean Dupont (everybody's), Paula Paris (75)
    client.post(f"/s/{token}/write/{keys[0]}/sent")
    client.post(f"/s/{token}/withdraw", data={"csrf_token": csrf_token(client, f"/s/{token}/withdraw")})
    with client.application.app_context():
        assert InterpellationMark.select().count() == 0
        assert [(c.name, c.count) for c in InterpellationCount.select()] == [("Mairie", 1)]


def test_the_thanks_page_leads_to_the_writing_page(tmp_path, content_dir):
    client, outbox = setup(tmp_path, content_dir)
    sign(client, URL, email="cleo@example.org", postal_code="93200")
    token = token_of(outbox, "cleo@example.org")
    client.post(f"/s/{token}", data={"csrf_token": csrf_token(client, f"/s/{token}")})
    assert f"/s/{token}/write" in client.get(f"/s/{token}/thanks").get_data(as_text=True)
