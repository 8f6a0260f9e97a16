"""Interpellation: a signatory writes to the decision makers of their area through their own
mail program; only counts are kept (petitions/interpellation.py)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
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


# -- the association's arguments (petitions/arguments.py) -----------------------------------------

ARGUMENTS = [{"title": "La santé", "text": "L'amiante provoque des cancers."},
             {"title": "Six ans", "text": "Le diagnostic date de 2020 : assez attendu."},
             {"title": "L'égalité", "text": "Les autres écoles sont rénovées."}]


def confirmed_writer(tmp_path, content_dir, email="ada@example.org", **meta):
    """A signatory of a petition with arguments, confirmed: (client, token, recipients' keys)."""
    write_md(content_dir / ORG / "petitions/ecrire.md", petition_meta(
        title="Écrire", ask_postal_code=True, write_to_representatives=True,
        target={"name": "Mairie", "contact": "mairie@example.org"},
        letter="Madame, Monsieur, nous demandons une école sans amiante.",
        **{"arguments": ARGUMENTS, **meta}))
    (content_dir / ORG / "representatives.csv").write_text(LIST, encoding="utf-8")
    client, outbox = setup_app(tmp_path, content_dir)
    sign(client, URL, email=email, postal_code="93200")
    token = token_of(outbox, email)
    client.post(f"/s/{token}", data={"csrf_token": csrf_token(client, f"/s/{token}")})
    html = client.get(f"/s/{token}/write").get_data(as_text=True)
    return client, token, re.findall(r'id="to-([^"]+)"', html)


def setup_app(tmp_path, content_dir):
    from helpers import Outbox

    app = make_app(tmp_path, content_dir)
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client, Outbox(tmp_path / "instance" / "outbox")


def panel(html, key):
    """The part of the writing page for one recipient."""
    start = html.index(f'id="to-{key}"')
    return html[start:html.index("</article>", start)]


def textarea(section):
    return re.search(r"<textarea[^>]*>(.*?)</textarea>", section, re.S)[1]


def test_the_arguments_are_offered_in_an_accessible_form(tmp_path, content_dir):
    client, token, keys = confirmed_writer(tmp_path, content_dir)
    html = client.get(f"/s/{token}/write").get_data(as_text=True)
    assert "js/arguments.js" in html and "<script>" not in html  # deferred file, no inline script
    for key in keys:  # the target, Claire Martin (93), Jean Dupont (by post)
        section = panel(html, key)
        assert "<legend>Arguments to add to your message</legend>" in section
        assert f'<label for="argument-{key}-2">Six ans</label>' in section
        assert (f'<input id="argument-{key}-2" name="argument" type="checkbox" value="2"'
                in section)
        assert "Le diagnostic date de 2020 : assez attendu." in section  # read before ticking
        assert f'formaction="/s/{token}/write/{key}/arguments#to-{key}"' in section \
            or f'action="/s/{token}/write/{key}/arguments#to-{key}"' in section
        assert "Add the chosen arguments" in section
        assert "cancers" not in textarea(section)  # nothing added until chosen
        assert " checked" not in section


def test_without_javascript_the_chosen_arguments_rebuild_the_message(tmp_path, content_dir):
    client, token, keys = confirmed_writer(tmp_path, content_dir)
    target, claire = keys[0], keys[1]
    typed = "Madame la Maire,\r\n\r\nJe vous écris <vite>.\r\n\r\nAda Lovelace"
    response = client.post(f"/s/{token}/write/{claire}/arguments", data={
        "subject": "Mon sujet à moi", "body": typed, "argument": ["1", "3"]})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    mine = panel(html, claire)
    assert textarea(mine) == ("Madame la Maire,\n\nJe vous écris &lt;vite&gt;.\n\n"
                              "L&#39;amiante provoque des cancers.\n\n"
                              "Les autres écoles sont rénovées.\n\nAda Lovelace")
    assert 'value="Mon sujet à moi"' in mine
    assert f'id="argument-{claire}-1" name="argument" type="checkbox" value="1"' in mine
    assert re.search(rf'id="argument-{claire}-1"[^>]* checked>', mine)
    assert re.search(rf'id="argument-{claire}-3"[^>]* checked>', mine)
    assert not re.search(rf'id="argument-{claire}-2"[^>]* checked>', mine)
    other = panel(html, target)  # the other messages stay as prepared
    assert " checked" not in other and "cancers" not in textarea(other)
    assert 'value="Écrire"' in other

    # unticked: its paragraph goes, the rest of what was typed stays (an edited one too)
    edited = textarea(mine).replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
    edited = edited.replace("Les autres écoles sont rénovées.", "Les autres écoles, oui.")
    again = client.post(f"/s/{token}/write/{claire}/arguments", data={
        "subject": "Mon sujet à moi", "body": edited, "argument": "3"}).get_data(as_text=True)
    assert textarea(panel(again, claire)) == ("Madame la Maire,\n\nJe vous écris &lt;vite&gt;."
                                              "\n\nLes autres écoles, oui.\n\n"
                                              "Les autres écoles sont rénovées.\n\nAda Lovelace")


def test_a_letter_by_post_takes_arguments_too(tmp_path, content_dir):
    client, token, keys = confirmed_writer(tmp_path, content_dir)
    dupont = keys[2]
    html = client.post(f"/s/{token}/write/{dupont}/arguments",
                       data={"body": "Monsieur le Sénateur,", "argument": "2"}).get_data(True)
    section = panel(html, dupont)
    assert "Palais du Luxembourg" in section
    assert textarea(section) == ("Monsieur le Sénateur,\n\n"
                                 "Le diagnostic date de 2020 : assez attendu.")


def test_hostile_choices_are_ignored_and_strangers_refused(tmp_path, content_dir):
    client, token, keys = confirmed_writer(tmp_path, content_dir)
    url = f"/s/{token}/write/{keys[1]}/arguments"
    response = client.post(url, data={"body": "Bonjour", "subject": "x" * 10_000,
                                      "argument": ["0", "4", "-1", "x", "１", "2" * 400]})
    assert response.status_code == 200
    section = panel(response.get_data(as_text=True), keys[1])
    assert textarea(section) == "Bonjour" and " checked" not in section
    assert f'value="{"x" * 200}"' in section  # as long as a subject may be
    assert client.post(f"/s/{token}/write/unknown/arguments", data={}).status_code == 404
    assert client.post(f"/s/not-a-token/write/{keys[1]}/arguments", data={}).status_code == 404
    assert client.get(url).status_code == 405
    assert client.post(url, data={"body": "x"},
                       headers={"Origin": "https://elsewhere.example"}).status_code == 403


def test_a_petition_without_arguments_offers_none(tmp_path, content_dir):
    client, token, keys = confirmed_writer(tmp_path, content_dir, arguments=None)
    html = client.get(f"/s/{token}/write").get_data(as_text=True)
    assert "Arguments to add" not in html and "arguments.js" not in html
    assert "/arguments" not in html


def test_arguments_are_checked_with_the_file(tmp_path):
    from chaton.petitions.content import check_petition

    path = write_md(tmp_path / "petitions" / "ecrire.md", petition_meta(arguments=[
        {"title": "Bien", "text": "Un paragraphe."}, {"title": "Vide", "text": ""},
        {"title": "Sans texte"}, {"title": "T" * 121, "text": "x"}]))
    found = [str(p) for p in check_petition(path, path.read_text(), tmp_path).problems]
    line = path.read_text().splitlines().index("arguments:") + 1
    assert found == [f"{path}:{line}: arguments: item 2: text: must not be empty"]
    many = [{"title": "a", "text": f"b{i}"} for i in range(13)]
    for arguments, expected in (([{"title": "a", "text": "b", "link": "c"}], "unknown key 'link'"),
                                ("Un seul", "expected a list"),
                                (many, "too many items (at most 12)"),
                                ([{"title": "T" * 121, "text": "x"}], "title: too long")):
        path = write_md(tmp_path / "petitions" / "ecrire.md", petition_meta(arguments=arguments))
        found = [str(p) for p in check_petition(path, path.read_text(), tmp_path).problems]
        assert len(found) == 1 and "arguments:" in found[0] and expected in found[0], found


@pytest.mark.parametrize(("body", "ticked", "expected"), [
    ("", {1}, "Un."),  # an emptied message gets the paragraph alone
    ("Bonjour\n\nAda", {1, 2}, "Bonjour\n\nUn.\n\nDeux.\n\nAda"),  # before the signature
    ("Bonjour\n\nAda\n\nPS : merci", {1}, "Bonjour\n\nAda\n\nPS : merci\n\nUn."),  # not at the end
    ("Bonjour\n\nUn.\n\nAda", set(), "Bonjour\n\nAda"),
    ("Un.\n\nBonjour", set(), "Bonjour"),  # first in the message
    ("Un. Deux.", {1, 2}, "Un. Deux."),  # already there, as written: not twice
])
def test_compose_adds_and_takes_out_paragraphs(body, ticked, expected):
    from chaton.petitions.arguments import compose

    listed = [{"title": "1", "text": "Un."}, {"title": "2", "text": "Deux."}]
    assert compose(body, listed, ticked, "Ada") == expected
