"""Thresholds that oblige (petitions/thresholds.py): the answer threshold fires when every
condition holds (count, spread over départements or régions, period), not before; the page and
the JSON show where the petition stands."""

import re

import pytest
from helpers import csrf_token, links_in, make_app, petition_meta, sign, write_md

from chaton.petitions.content import check_petition

ORG = "quartiers-solidaires"
URL = f"/{ORG}/petitions/seuil"


def confirm(client, outbox, email, postal_code):
    assert sign(client, URL, email=email, postal_code=postal_code).status_code == 303
    link = next(re.sub(r"^https?://[^/]+", "", link) for link in links_in(outbox.last_to(email))
                if "/s/" in link and not link.endswith(("/withdraw", "/unsubscribe")))
    assert client.post(link, data={"csrf_token": csrf_token(client, link)}).status_code == 303


def app_with(tmp_path, content_dir, **meta):
    write_md(content_dir / ORG / "petitions/seuil.md", petition_meta(
        title="Seuil", goal=100, milestones=[], ask_postal_code=True,
        target={"name": "La mairie", "contact": "mairie@example.org"}, **meta))
    return make_app(tmp_path, content_dir)


def thresholds_reached(client):
    return [m for m in client.get(URL + ".json").get_json()["milestones_reached"]
            if m["kind"] == "threshold"]


def test_the_threshold_waits_for_its_spread(tmp_path, content_dir):
    from helpers import Outbox

    app = app_with(tmp_path, content_dir, answer_threshold=3,
                   answer_conditions={"spread": "departements", "places": 2, "each": 1})
    client, outbox = app.test_client(), Outbox(tmp_path / "instance" / "outbox")
    client.set_cookie("lang", "en")
    for n in range(3):
        confirm(client, outbox, f"p{n}@example.org", "93200")
    assert thresholds_reached(client) == []  # 3 signatures, but all in one département
    assert not outbox.to("mairie@example.org")
    html = client.get(URL).get_data(as_text=True)
    assert "départements with at least 1 signature: 1 of 2" in html
    conditions = client.get(URL + ".json").get_json()["answer_conditions"]
    assert [(c["kind"], c["current"], c["needed"], c["met"]) for c in conditions] == [
        ("count", 3, 3, True), ("spread", 1, 2, False)]

    confirm(client, outbox, "paris@example.org", "75011")
    assert [m["value"] for m in thresholds_reached(client)] == [3]
    html = client.get(URL).get_data(as_text=True)
    assert "départements with at least 1 signature: 2 of 2" in html


def test_a_period_that_ended_never_fires(tmp_path, content_dir):
    from helpers import Outbox

    app = app_with(tmp_path, content_dir, answer_threshold=1, opens="2020-01-01",
                   answer_conditions={"within_days": 30})
    client, outbox = app.test_client(), Outbox(tmp_path / "instance" / "outbox")
    client.set_cookie("lang", "en")
    confirm(client, outbox, "late@example.org", "93200")
    assert thresholds_reached(client) == []
    html = client.get(URL).get_data(as_text=True)
    assert "period: ended on January 30, 2020" in html


def test_a_plain_threshold_still_fires_at_its_count(tmp_path, content_dir):
    from helpers import Outbox

    app = app_with(tmp_path, content_dir, answer_threshold=1)
    client, outbox = app.test_client(), Outbox(tmp_path / "instance" / "outbox")
    client.set_cookie("lang", "fr")
    html = client.get(URL).get_data(as_text=True)
    assert 'class="threshold"' in html and "Conditions" not in html  # the sentence, no list
    confirm(client, outbox, "one@example.org", "93200")
    assert [m["value"] for m in thresholds_reached(client)] == [1]


@pytest.mark.parametrize("conditions, meta, message", [
    ({"spread": "departements", "places": 5}, {"ask_postal_code": True}, "go together"),
    ({"spread": "regions", "places": 2, "each": 10}, {}, "needs ask_postal_code"),
    ({"within_days": 30}, {"answer_threshold": None}, "needs answer_threshold"),
    ({"spread": "communes", "places": 2, "each": 1}, {"ask_postal_code": True}, "spread"),
    ({"within_days": 0}, {}, "within_days"),
])
def test_conditions_are_checked_in_the_file(tmp_path, conditions, meta, message):
    fields = petition_meta(**{"answer_threshold": 100, "answer_conditions": conditions, **meta})
    fields = {k: v for k, v in fields.items() if v is not None}
    path = write_md(tmp_path / "petitions/seuil.md", fields)
    doc = check_petition(path, path.read_text(), tmp_path)
    assert any(p.field == "answer_conditions" and message in str(p) for p in doc.problems), \
        doc.problems
