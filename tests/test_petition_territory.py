"""A petition's own territory (front matter `territory`): the signing form asks for the commune
when a postal code serves several, and the page and the JSON count the signatures inside and
outside the territory, and by commune for a commune or a département."""

import re

from helpers import Outbox, csrf_token, links_in, make_app, petition_meta, sign, write_md

from chaton.petitions.content import check_petition

ORG = "quartiers-solidaires"
URL = f"/{ORG}/petitions/local"


def app_with(tmp_path, content_dir, **meta):
    write_md(content_dir / ORG / "petitions/local.md", petition_meta(
        title="Local", goal=100, milestones=[], ask_postal_code=True, **meta))
    app = make_app(tmp_path, content_dir)
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client, Outbox(tmp_path / "instance" / "outbox")


def confirm(client, outbox, email, postal_code, **fields):
    assert sign(client, URL, email=email, postal_code=postal_code, **fields).status_code == 303
    link = next(re.sub(r"^https?://[^/]+", "", link) for link in links_in(outbox.last_to(email))
                if "/s/" in link and not link.endswith(("/withdraw", "/unsubscribe")))
    assert client.post(link, data={"csrf_token": csrf_token(client, link)}).status_code == 303


def test_a_postal_code_serving_several_communes_asks_which_one(tmp_path, content_dir):
    client, outbox = app_with(tmp_path, content_dir, territory={"commune": "01053"})
    response = sign(client, URL, name="Marie Curie", email="marie@example.org", postal_code="01000")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # what was typed is kept, and the communes of 01000 are offered
    assert 'value="Marie Curie"' in html and 'value="01000"' in html
    assert '<option value="01053">Bourg-en-Bresse</option>' in html
    assert '<option value="01344">Saint-Denis-lès-Bourg</option>' in html
    assert "The postal code 01000 serves several communes: choose yours." in html
    assert 'aria-describedby="commune-hint commune-error"' in html and 'aria-invalid="true"' in html
    assert not outbox.to("marie@example.org")

    # a commune that the postal code does not serve is asked again, not taken
    response = sign(client, URL, email="marie@example.org", postal_code="01000", commune="93066")
    assert response.status_code == 422 and 'name="commune"' in response.get_data(as_text=True)

    confirm(client, outbox, "marie@example.org", "01000", commune="01344")
    data = client.get(URL + ".json").get_json()
    assert data["signatures_by_commune"] == {"01344": 1}
    assert data["territory"] == {"kind": "commune", "code": "01053", "name": "Bourg-en-Bresse",
                                 "inside": 0, "outside": 1, "unplaced": 0}


def test_a_postal_code_serving_one_commune_does_not_ask(tmp_path, content_dir):
    client, outbox = app_with(tmp_path, content_dir, territory={"commune": "93066"})
    assert 'name="commune"' not in client.get(URL).get_data(as_text=True)
    confirm(client, outbox, "ada@example.org", "93200")  # Saint-Denis only: taken silently
    data = client.get(URL + ".json").get_json()
    assert data["signatures_by_commune"] == {"93066": 1}
    assert data["territory"]["inside"] == 1


def test_without_a_territory_the_commune_is_never_asked(tmp_path, content_dir):
    client, outbox = app_with(tmp_path, content_dir)
    confirm(client, outbox, "ada@example.org", "01000")
    data = client.get(URL + ".json").get_json()
    assert data["territory"] is None and data["signatures_by_commune"] == {}


def test_counts_inside_and_outside_a_departement_and_by_commune(tmp_path, content_dir):
    client, outbox = app_with(tmp_path, content_dir, territory={"departement": "93"})
    confirm(client, outbox, "a@example.org", "93200")  # Saint-Denis
    confirm(client, outbox, "b@example.org", "93210")  # Saint-Denis too
    confirm(client, outbox, "c@example.org", "93400")  # Saint-Ouen-sur-Seine
    confirm(client, outbox, "d@example.org", "75011")  # Paris
    # 01200 is mostly in the Ain, but this commune is in Haute-Savoie: the commune decides
    confirm(client, outbox, "e@example.org", "01200", commune="74109")

    data = client.get(URL + ".json").get_json()
    assert data["territory"] == {"kind": "departement", "code": "93", "name": "Seine-Saint-Denis",
                                 "inside": 3, "outside": 2, "unplaced": 0}
    assert data["signatures_by_area"] == {"74": 1, "75": 1, "93": 3}  # Éloise's, not 01200's
    # the département's communes: the others are in the tables by département and région
    assert data["signatures_by_commune"] == {"93066": 2, "93070": 1}

    html = client.get(URL).get_data(as_text=True)
    section = html[html.index('class="territory"'):html.index("</section>", html.index('class="territory"'))]
    assert "3 signatures in the petition's territory (Seine-Saint-Denis), 2 elsewhere." in section
    communes = section[section.index("By commune"):section.index("By région")]
    assert communes.index("Saint-Denis <span") < communes.index("Saint-Ouen-sur-Seine")
    assert "Éloise" not in communes  # in Haute-Savoie: counted in the tables by département
    assert re.search(r'<details class="territory-table" open>\s*<summary>By commune', section)

    html = client.get(URL + "?lang=fr").get_data(as_text=True)
    assert ("3 signatures dans le territoire de la pétition (Seine-Saint-Denis), 2 ailleurs."
            in html)
    assert "Par commune" in html
    assert 'class="num">Part</th>' in html and "Partager</th>" not in html  # a share, not a verb


def test_a_region_counts_inside_and_outside_without_a_table_by_commune(tmp_path, content_dir):
    client, outbox = app_with(tmp_path, content_dir, territory={"region": "11"})
    confirm(client, outbox, "a@example.org", "93200")
    confirm(client, outbox, "b@example.org", "69001")
    data = client.get(URL + ".json").get_json()
    assert (data["territory"]["name"], data["territory"]["inside"], data["territory"]["outside"]) == (
        "Île-de-France", 1, 1)
    html = client.get(URL).get_data(as_text=True)
    assert "1 signature in the petition's territory (Île-de-France), 1 elsewhere." in html
    assert "By commune" not in html


def test_paris_covers_its_arrondissements(tmp_path, content_dir):
    client, outbox = app_with(tmp_path, content_dir, territory={"commune": "75056"})
    confirm(client, outbox, "a@example.org", "75011")
    confirm(client, outbox, "b@example.org", "93200")
    territory = client.get(URL + ".json").get_json()["territory"]
    assert (territory["name"], territory["inside"], territory["outside"]) == ("Paris", 1, 1)


def problems(tmp_path, territory, ask_postal_code=True):
    path = write_md(tmp_path / "petitions" / "local.md",
                    petition_meta(ask_postal_code=ask_postal_code, territory=territory))
    return [str(p) for p in check_petition(path, path.read_text(), tmp_path).problems]


def test_a_bad_territory_is_named_in_the_files_problems(tmp_path):
    assert problems(tmp_path, {"commune": "93066"}) == []
    assert problems(tmp_path, "france") == [] and problems(tmp_path, "France") == []
    assert problems(tmp_path, {"departement": 93}) == []  # unquoted: read as text
    found = problems(tmp_path, {"commune": "99999"})
    assert len(found) == 1 and re.fullmatch(
        r".*local\.md:\d+: territory: '99999' is not the code of a French commune .*", found[0])
    assert "territory: expected france, or one of commune, departement, region" in problems(
        tmp_path, "paris")[0]
    assert "territory: expected france" in problems(tmp_path, {"commune": "93066", "region": "11"})[0]
    assert problems(tmp_path, {"departement": "93"}, ask_postal_code=False) == [
        f"{tmp_path}/petitions/local.md:1: territory: a territory needs ask_postal_code: true "
        "(the place comes from the postal code)"]


def test_retention_erases_the_commune_with_the_postal_code(tmp_path, content_dir):
    from datetime import date

    from chaton.petitions import retention

    client, outbox = app_with(tmp_path, content_dir, territory={"commune": "93066"},
                              closes="2099-01-01", retention_days=1)
    confirm(client, outbox, "ada@example.org", "93200")
    with client.application.app_context():
        assert retention.run(today=date(2100, 1, 1))[f"{ORG}/local"] == 1
    data = client.get(URL + ".json").get_json()
    assert data["signatures_by_commune"] == {}
    assert (data["territory"]["inside"], data["territory"]["unplaced"]) == (0, 1)
    assert data["signatures_by_area"] == {"93": 1}  # the département's count stays


def test_the_association_archive_has_the_commune(tmp_path, content_dir):
    import csv
    import io
    import zipfile

    from helpers import member_client

    client, outbox = app_with(tmp_path, content_dir, territory={"departement": "01"})
    confirm(client, outbox, "ada@example.org", "01000", commune="01344")
    admin = member_client(client.application, ORG, "admin")
    exports = f"/{ORG}/admin/exports/"
    response = admin.post(exports + "archive.zip",
                          data={"csrf_token": csrf_token(admin, exports)})
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    rows = list(csv.DictReader(io.StringIO(archive.read("data/signatures.csv").decode())))
    assert [r["commune"] for r in rows if r["email"] == "ada@example.org"] == ["01344"]


def test_a_hostile_commune_is_refused_or_ignored(tmp_path, content_dir):
    client, outbox = app_with(tmp_path, content_dir, territory={"departement": "01"})
    for value in ("x" * 5000, "01053' OR 1=1 --", "93066"):
        response = sign(client, URL, email="h@example.org", postal_code="01000", commune=value)
        assert response.status_code == 422 and 'name="commune"' in response.get_data(as_text=True)
    assert sign(client, URL, email="h@example.org", postal_code="01000",
                commune="\x00").status_code == 400  # refused before the form, as everywhere
    # a postal code that serves one commune: whatever is sent, its commune is the one kept
    confirm(client, outbox, "ok@example.org", "93200", commune="01053")
    assert client.get(URL + ".json").get_json()["territory"]["outside"] == 1


def test_the_demo_has_a_local_petition_that_shows_its_territory(demo, client):
    """A new instance shows what a territory gives: the signatures inside and outside it, a
    table by commune, and the commune asked when the postal code serves several."""
    url = "/velo-pour-tous/petitions/piste-cyclable-avenue-gambetta"
    data = client.get(url + ".json").get_json()
    area = data["territory"]
    assert (area["kind"], area["name"], area["unplaced"]) == ("commune", "Armentières", 0)
    assert area["inside"] > 2 * area["outside"] > 0  # mostly from the town, some from elsewhere
    communes = data["signatures_by_commune"]
    assert {"59017", "59088", "59317", "59350"} <= set(communes)  # the town and its neighbours
    assert sum(communes.values()) == area["inside"] + area["outside"] == 128
    html = client.get(url).get_data(as_text=True)
    assert f"{area['inside']} signatures in the petition's territory (Armentières)" in html
    assert "<summary>By commune</summary>" in html and "Bois-Grenier" in html
    response = sign(client, url, email="marie@example.org", postal_code="59280")
    assert '<option value="59088">Bois-Grenier</option>' in response.get_data(as_text=True)
