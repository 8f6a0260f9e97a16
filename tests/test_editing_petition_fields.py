"""The editor's fields for a petition's territory, the conditions of its answer threshold and
the letter to the representatives: what a volunteer used to write in YAML, through HTTP as a
browser sends it, checked in the file written and on the public page.
"""

import html as html_module
import re

import pytest
from helpers import member_client
from test_editing import ADMIN, ECOLE, ECOLE_EDIT, ORG, form_of

from chaton.core import frontmatter as fm
from chaton.petitions.content import SCHEMA

PISCINE_EDIT = f"{ADMIN}/petitions/piscine/edit"
PISCINE = """---
title: Ouvrez la piscine le dimanche
target: Mairie de Villeneuve
demand: Ouvrir la piscine le dimanche matin.
answer_threshold: 500
status: open
ask_postal_code: true
---

Le texte.
"""


@pytest.fixture
def editor(app):
    return member_client(app, ORG, "editor")


@pytest.fixture
def piscine(content_dir):
    path = content_dir / ORG / "petitions/piscine.md"
    path.write_text(PISCINE)
    return path


def values_of(client, url):
    """The editor's inputs as a browser sends them, with the checked radio buttons."""
    data = form_of(client, url)
    html = client.get(url).get_data(as_text=True)
    for tag in re.findall(r'<input type="radio" [^>]*checked[^>]*>', html):
        data[re.search(r'name="([^"]+)"', tag).group(1)] = re.search(r'value="([^"]*)"', tag).group(1)
    return data


def save_with(client, url, **changes):
    """Save the form as a browser would, radio buttons included."""
    data = {**values_of(client, url), "action": "save", **changes}
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def header(path):
    return path.read_text().split("---\n")[1]


def errors_of(html, field_id):
    """The error shown beside a field (its id), or None."""
    found = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html, re.S)
    return html_module.unescape(found.group(1)) if found else None


# -- territory -----------------------------------------------------------------------------------

def test_a_departement_chosen_by_name_is_written_with_its_code(editor, client, piscine):
    html = editor.get(PISCINE_EDIT).get_data(as_text=True)
    assert '<option value="93">Seine-Saint-Denis (93)</option>' in html
    assert '<option value="11">Île-de-France</option>' in html
    response = save_with(editor, PISCINE_EDIT, **{"m.territory.kind": "departement",
                                             "m.territory.departement": "93"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert "ask_postal_code: true\nterritory: {departement: '93'}\n" in header(piscine)
    data = client.get(f"/{ORG}/petitions/piscine.json").get_json()
    assert data["territory"]["name"] == "Seine-Saint-Denis"
    assert values_of(editor, PISCINE_EDIT)["m.territory.kind"] == "departement"  # opens filled in


@pytest.mark.parametrize("typed", ["Saint-Denis 93200", "93200 saint denis", "93066",
                                   "Saint-Denis (93066)", "ST DENIS (93)"])
def test_a_commune_is_found_by_name_and_postal_code_or_by_its_code(editor, piscine, typed):
    response = save_with(editor, PISCINE_EDIT, **{"m.territory.kind": "commune",
                                             "m.territory.commune": typed})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert "territory: {commune: '93066'}\n" in header(piscine)
    assert values_of(editor, PISCINE_EDIT)["m.territory.commune"] == "Saint-Denis (93066)"


def test_an_ambiguous_commune_comes_back_with_the_choices(editor, piscine):
    before = piscine.read_text()
    response = save_with(editor, PISCINE_EDIT, **{"m.territory.kind": "commune",
                                             "m.territory.commune": "Saint-Denis",
                                             "m.goal": "2 000"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert errors_of(html, "f-territory") == "Several communes match “Saint-Denis”: choose one below."
    assert '<a href="#f-territory">Territory of the petition: Several communes' in html
    choices = re.findall(r'name="m.territory.choice" value="(\w+)"', html)
    assert choices == ["11339", "30247", "93066", "97411"]
    assert "Saint-Denis · La Réunion" in html and "Saint-Denis · Seine-Saint-Denis" in html
    assert 'value="Saint-Denis"' in html and 'value="2 000"' in html  # what was typed is kept
    assert piscine.read_text() == before
    response = save_with(editor, PISCINE_EDIT, **{"m.territory.kind": "commune",
                                             "m.territory.commune": "Saint-Denis",
                                             "m.territory.choice": "97411"})
    assert response.status_code == 303
    assert "territory: {commune: '97411'}\n" in header(piscine)


def test_a_choice_for_another_name_is_not_taken(editor, piscine):
    """The choice goes with the name it was offered for: a name typed since wins."""
    response = save_with(editor, PISCINE_EDIT, **{"m.territory.kind": "commune",
                                             "m.territory.commune": "Bourg-en-Bresse",
                                             "m.territory.choice": "97411"})
    assert response.status_code == 303
    assert "territory: {commune: '01053'}\n" in header(piscine)


@pytest.mark.parametrize(("fields", "message"), [
    ({"m.territory.kind": "commune", "m.territory.commune": ""},
     "Give the commune's name and postal code, or its INSEE code."),
    ({"m.territory.kind": "commune", "m.territory.commune": "Nullepart-sur-Mer"},
     "No commune found for “Nullepart-sur-Mer”"),
    ({"m.territory.kind": "commune", "m.territory.commune": "Saint"}, "No commune found"),
    ({"m.territory.kind": "departement", "m.territory.departement": ""}, "Choose the département."),
    ({"m.territory.kind": "region", "m.territory.region": ""}, "Choose the région."),
    ({"m.territory.kind": "departement", "m.territory.departement": "99"},
     "“99” is not the code of a French département."),
    ({"m.territory.kind": "canton"}, "Choose the kind of territory."),
    ({"m.territory.kind": "commune", "m.territory.commune": "x" * 30000}, "No commune found"),
])
def test_what_cannot_be_a_territory_is_said_beside_the_field(editor, piscine, fields, message):
    before = piscine.read_text()
    response = save_with(editor, PISCINE_EDIT, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in (errors_of(html, "f-territory") or "")
    assert piscine.read_text() == before


def test_a_territory_needs_the_postal_code_as_the_file_check_says(editor, piscine):
    response = save_with(editor, PISCINE_EDIT, **{"m.territory.kind": "france",
                                             "m.ask_postal_code": None})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert errors_of(html, "f-territory") == ("A territory needs the postal code: tick “Ask "
                                              "signatories for their postal code”.")
    assert "Needs the postal code" in html  # said beside the field before any error
    assert save_with(editor, PISCINE_EDIT, **{"m.territory.kind": "france"}).status_code == 303
    assert "ask_postal_code: true\nterritory: france\n" in header(piscine)


def test_removing_the_territory_removes_its_line(editor, piscine):
    piscine.write_text(PISCINE.replace("ask_postal_code: true\n",
                                       "ask_postal_code: true\nterritory: {region: '11'}\n"))
    assert values_of(editor, PISCINE_EDIT)["m.territory.region"] == "11"
    assert save_with(editor, PISCINE_EDIT, **{"m.territory.kind": ""}).status_code == 303
    assert "territory" not in piscine.read_text()


@pytest.mark.parametrize("written", [
    "territory: {departement: 93}  # unquoted",
    "territory:\n  commune: 93066   # Saint-Denis, block style",
    "territory: France",
    "territory: {departement: '2a'}",
])
def test_a_territory_written_by_hand_is_kept_as_written(editor, piscine, written):
    text = PISCINE.replace("ask_postal_code: true\n", f"ask_postal_code: true\n{written}\n")
    piscine.write_text(text)
    response = save_with(editor, PISCINE_EDIT, **{"m.goal": "100"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert piscine.read_text() == text.replace("answer_threshold", "goal: 100\nanswer_threshold")


def test_a_commune_named_in_the_file_fills_the_form(editor, piscine):
    piscine.write_text(PISCINE.replace("ask_postal_code: true\n",
                                       "ask_postal_code: true\nterritory: {commune: '75056'}\n"))
    values = values_of(editor, PISCINE_EDIT)
    assert values["m.territory.kind"] == "commune"
    assert values["m.territory.commune"] == "Paris (75056)"
    response = save_with(editor, PISCINE_EDIT, **{"m.territory.commune": "Paris 75011"})
    assert response.status_code == 303  # the arrondissement's city is taken by its name
    assert "{commune: '75056'}" in piscine.read_text()


# -- conditions of the answer threshold ------------------------------------------------------------

def test_the_conditions_open_filled_in_and_are_saved_as_written_by_hand(editor, content_dir):
    values = values_of(editor, ECOLE_EDIT)
    assert (values["m.answer_conditions.within_days"], values["m.answer_conditions.spread"],
            values["m.answer_conditions.places"], values["m.answer_conditions.each"]) == \
        ("365", "departements", "5", "100")
    assert values["m.write_to_representatives"] == "y"
    path = content_dir / ORG / f"petitions/{ECOLE}.md"
    response = save_with(editor, ECOLE_EDIT, **{"m.answer_conditions.spread": "regions",
                                           "m.answer_conditions.places": "3",
                                           "m.answer_conditions.within_days": ""})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert ("answer_conditions:              # as the European Citizens' Initiative: from several "
            "places\n  spread: regions\n  places: 3\n  each: 100\n") in path.read_text()


def test_new_conditions_are_written_in_block_style_beside_the_threshold(editor, piscine):
    response = save_with(editor, PISCINE_EDIT, **{"m.answer_conditions.within_days": "365",
                                             "m.answer_conditions.spread": "departements",
                                             "m.answer_conditions.places": "5",
                                             "m.answer_conditions.each": "1 000"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert ("answer_threshold: 500\nanswer_conditions:\n  within_days: 365\n"
            "  spread: departements\n  places: 5\n  each: 1000\nstatus: open\n") in piscine.read_text()
    doc = fm.parse(piscine, piscine.read_text(), SCHEMA)
    assert doc.ok and doc.meta["answer_conditions"]["each"] == 1000


@pytest.mark.parametrize(("fields", "message"), [
    ({"m.answer_conditions.spread": "departements"},
     "Spread over, at least this many places and signatures each go together"),
    ({"m.answer_conditions.within_days": "dix"},
     "Reached within this many days of the opening: Write a whole number"),
    ({"m.answer_conditions.places": "500"},
     "At least this many places: Write a number between 1 and 200."),
    ({"m.answer_conditions.spread": "cantons", "m.answer_conditions.places": "2",
      "m.answer_conditions.each": "3"}, "Spread over: Choose one of: departements, regions."),
    ({"m.answer_conditions.within_days": "30", "m.answer_threshold": ""},
     "Give the answer threshold too"),
    ({"m.answer_conditions.spread": "regions", "m.answer_conditions.places": "2",
      "m.answer_conditions.each": "3", "m.ask_postal_code": None},
     "A spread needs the postal code"),
])
def test_conditions_errors_sit_beside_the_conditions(editor, piscine, fields, message):
    before = piscine.read_text()
    response = save_with(editor, PISCINE_EDIT, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in (errors_of(html, "f-answer-conditions") or ""), errors_of(
        html, "f-answer-conditions")
    for name, value in fields.items():
        if value and name != "m.answer_threshold":
            assert f'value="{value}"' in html  # kept as typed (an input, or the select's option)
    assert piscine.read_text() == before


# -- writing to the representatives ---------------------------------------------------------------

def test_the_representatives_box_writes_the_key_and_unticking_it_says_false(editor, piscine):
    assert "m.write_to_representatives" not in values_of(editor, PISCINE_EDIT)
    assert save_with(editor, PISCINE_EDIT, **{"m.goal": "5"}).status_code == 303
    assert "write_to_representatives" not in piscine.read_text()  # the default is not added
    assert save_with(editor, PISCINE_EDIT, **{"m.write_to_representatives": "y"}).status_code == 303
    assert "letter" not in piscine.read_text()
    assert "ask_postal_code: true\nwrite_to_representatives: true\n" in piscine.read_text()
    assert values_of(editor, PISCINE_EDIT)["m.write_to_representatives"] == "y"
    assert save_with(editor, PISCINE_EDIT, **{"m.write_to_representatives": None}).status_code == 303
    assert "write_to_representatives: false\n" in piscine.read_text()


def test_the_new_fields_are_in_french(editor, piscine):
    editor.set_cookie("lang", "fr")
    html = save_with(editor, PISCINE_EDIT, **{"m.territory.kind": "commune",
                                         "m.territory.commune": "Saint-Denis"}).get_data(as_text=True)
    assert "Territoire de la pétition" in html and "Un département" in html
    assert "Plusieurs communes correspondent à «\u00a0Saint-Denis\u00a0»\u00a0: choisissez" in html
    assert "Proposer d’écrire aux élu·es" in html


def test_a_number_written_with_its_thousands_apart_stays_so(editor, piscine):
    piscine.write_text(PISCINE.replace("answer_threshold: 500", "answer_threshold: 1 500"))
    assert values_of(editor, PISCINE_EDIT)["m.answer_threshold"] == "1 500"
    assert save_with(editor, PISCINE_EDIT, **{"m.territory.kind": "france"}).status_code == 303
    assert "answer_threshold: 1 500\n" in piscine.read_text()
    assert save_with(editor, PISCINE_EDIT, **{"m.answer_threshold": "2000"}).status_code == 303
    assert "answer_threshold: 2000\n" in piscine.read_text()


@pytest.mark.parametrize(("typed", "found"), [
    ("01000", ["01344", "01053"]),  # a postal code of two communes: both, to choose
    ("Saint-Denis-lès-Bourg 01000", ["01344"]),
    ("saint denis les bourg", ["01344"]),
    ("Saint-Denis 01000", ["01053", "01344"]),  # no such name there: the code's communes
    ("Saint-Denis (974)", ["97411"]),
    ("75011", ["75056", "75111"]),  # an arrondissement, and its city
    ("Ajaccio 2a004", ["2A004"]),
    ("", []),
])
def test_communes_matching_what_was_typed(typed, found):
    from chaton.editing.territory_field import communes_matching

    assert communes_matching(typed) == sorted(found)
