"""Where a petition's signatures come from: counts by département and région on the page (a
table readable without JavaScript), in the JSON, and as a map drawn by the server."""

import re
import xml.etree.ElementTree as ET

from helpers import PETITION_URL, csrf_token, links_in, sign

from chaton import territory
from chaton.territory.maps import classes

SVG = "{http://www.w3.org/2000/svg}"


def sign_and_confirm(client, outbox, email, postal_code):
    assert sign(client, email=email, postal_code=postal_code).status_code == 303
    link = next(re.sub(r"^https?://[^/]+", "", link) for link in links_in(outbox.last_to(email))
                if "/s/" in link and not link.endswith(("/withdraw", "/unsubscribe")))
    assert client.post(link, data={"csrf_token": csrf_token(client, link)}).status_code == 303


def test_counts_by_departement_and_region_on_the_page_the_json_and_the_map(client, outbox):
    for n, postal_code in enumerate(("93200", "93100", "75011", "20000", "97400")):
        sign_and_confirm(client, outbox, f"person{n}@example.org", postal_code)
    sign(client, email="pending@example.org", postal_code="59000")  # not confirmed: not counted

    data = client.get(PETITION_URL + ".json").get_json()
    assert data["signatures_by_area"] == {"2A": 1, "75": 1, "93": 2, "974": 1}
    assert data["signatures_by_region"] == {"04": 1, "11": 3, "94": 1}

    html = client.get(PETITION_URL).get_data(as_text=True)
    section = html[html.index('class="territory"'):html.index("</section>", html.index('class="territory"'))]
    assert "Île-de-France" in section and "Corse" in section and "La Réunion" in section
    assert "Seine-Saint-Denis" in section and "Corse-du-Sud" in section
    regions = section[:section.index("By département")]
    # most signatures first, without JavaScript
    assert regions.index("Île-de-France") < regions.index("Corse")
    assert 'data-sort="number"' in section and "60%" in section  # 3 of 5 placed
    assert "/petitions/ecole-sans-amiante/map.svg" in section

    response = client.get(PETITION_URL + "/map.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)  # well-formed, standalone
    titles = [t.text for t in root.iter(SVG + "title")]
    assert "Seine-Saint-Denis (93): 2 signatures" in titles
    assert "Corse-du-Sud (2A): 1 signature" in titles
    assert "Nord (59): 0 signatures" in titles
    assert "La Réunion (974): 1 signature" in titles  # overseas, beside the mainland
    assert b"http" not in response.data.replace(b"http://www.w3.org/2000/svg", b"")  # nothing fetched


def test_a_petition_without_postal_codes_shows_no_territory(client):
    html = client.get("/quartiers-solidaires/petitions/bancs-place-des-tilleuls").get_data(True)
    assert 'class="territory"' not in html


def test_the_map_is_in_the_readers_language(client, outbox):
    sign_and_confirm(client, outbox, "un@example.org", "93200")
    svg = client.get(PETITION_URL + "/map.svg?lang=fr").get_data(as_text=True)
    assert "Seine-Saint-Denis (93)\u00a0: 1 signature" in svg or "Seine-Saint-Denis (93) : 1 signature" in svg
    assert "Paris et alentours" in svg


def test_the_tables_say_share_of_the_total_in_french(client, outbox):
    """The column is each area's part of the signatures, not the verb of the share buttons."""
    sign_and_confirm(client, outbox, "un@example.org", "93200")
    html = client.get(PETITION_URL + "?lang=fr").get_data(as_text=True)
    section = html[html.index('class="territory"'):html.index("</section>", html.index('class="territory"'))]
    assert '<th scope="col" data-sort="number" class="num">Part</th>' in section
    assert "Partager" not in section
    assert "100\u00a0%" in section or "100\u202f%" in section


def test_shade_classes():
    assert classes({}) == []
    assert classes({"01": 3, "02": 3, "03": 0}) == [3]
    assert classes({str(i): i for i in range(1, 101)}) == [20, 40, 60, 80, 100]


def test_the_shipped_data_covers_every_departement():
    names = territory.departements()
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(names)
    assert set(territory.outlines()) == {code for code in names if len(code) == 2}
    assert all(territory.region_of(code) in territory.regions() for code in names)


def test_the_legend_starts_at_the_smallest_count():
    from chaton.territory.maps import legend_ranges

    bounds = classes({"59": 138, "62": 116, "75": 120, "93": 117, "69": 130, "13": 121})
    assert legend_ranges(bounds, start=116)[0] == (116, 116)
    assert legend_ranges(bounds, start=116)[-1][1] == 138
