"""Consultation pages as participants read them: errors by their fields, each topic's own
question, dates and numbers in the reader's language, the topics CSV's columns."""

import csv
import io
import re

import pytest
from consultation_helpers import CLOSED_URL, DEMO_URL, ORG, post, sign_in, write_consultation
from helpers import write_md

from chaton.orgs.tree import load_tree

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.fixture
def demo_consultations(app):
    from chaton.consultations.demo import seed

    return seed()


def visible_text(html):
    """What a reader sees: no tags, no attributes (machines keep their ISO dates there)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def tag_with_id(html, element_id):
    return re.search(rf'<[a-z]+ [^>]*id="{element_id}"[^>]*>', html)[0]


# -- errors by their fields ---------------------------------------------------------------------

def test_a_vote_without_an_answer_shows_the_topic_again_with_the_message(client, outbox):
    sign_in(client, outbox)
    url = DEMO_URL + "/topics/jardin-partage"
    for choice in ("", "maybe"):  # nothing chosen; a choice the topic does not offer
        response = post(client, url, url + "/vote", choice=choice)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "Un jardin partagé géré par les habitants" in html  # the topic, not a bare page
        assert "Information sheet" in html and 'id="contributions"' in html
        assert "#vote" in re.search(r'action="([^"]*/vote[^"]*)"', html)[1]
        summary = html[html.index('id="vote-errors"'):]
        assert 'href="#choice-yes"' in summary[:600]
        fieldset = html[html.index('id="vote-choices"'):html.index("</fieldset>",
                                                                   html.index('id="vote-choices"'))]
        message = '<p class="field-error" id="vote-choice-error">Choose one of the answers before'
        assert message in fieldset
        assert 'aria-describedby="vote-choice-error"' in tag_with_id(html, "vote-choices")
        assert 'aria-invalid="true"' in tag_with_id(html, "choice-yes")
    assert post(client, url, url + "/vote", choice="yes").status_code == 303
    assert 'aria-invalid' not in client.get(url).get_data(as_text=True).split('id="vote"')[1][:3000]


def test_contribution_errors_are_by_their_fields(client, outbox):
    sign_in(client, outbox)
    url = DEMO_URL + "/topics/jardin-partage"
    response = post(client, url, url + "/contribute", title="", body="Mon texte gardé",
                    stance="maybe")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    title = tag_with_id(html, "contribution-title")
    assert 'aria-invalid="true"' in title and 'aria-describedby="contribution-title-error"' in title
    assert re.search(r'id="contribution-title-error">Give your contribution a title\.'
                     r'.{0,20}</p><input id="contribution-title"', html)
    assert 'aria-invalid="true"' in tag_with_id(html, "stance-for")
    assert 'aria-describedby="contribution-stance-error"' in tag_with_id(html, "contribution-stance")
    assert 'id="contribution-stance-error">Choose one of the answers.' in html
    body = tag_with_id(html, "contribution-body")
    assert "aria-invalid" not in body and "Mon texte gardé</textarea>" in html
    summary = html[html.index('id="contribute-errors"'):html.index("<form", html.index(
        'id="contribute-errors"'))]
    assert 'href="#contribution-title"' in summary and 'href="#stance-for"' in summary


# -- each topic's own question --------------------------------------------------------------------

def test_each_topic_asks_its_own_question(client, outbox, content_dir):
    url = write_consultation(content_dir, "q", topics={
        "own": {"title": "Night opening", "question": "Open the park until 10 pm?"},
        "plain": {"title": "A shared garden"},
        "pick": {"title": "Main use", "vote": "options", "options": ["Park", "Sports"]}})
    sign_in(client, outbox, url=url)
    legends = {slug: re.search(r"<legend>(.*?)</legend>", client.get(
        f"{url}/topics/{slug}").get_data(as_text=True))[1] for slug in ("own", "plain", "pick")}
    assert legends == {"own": "Open the park until 10 pm?", "plain": "A shared garden",
                       "pick": "Main use"}  # never the consultation's "What should we do?"
    exported = {t["slug"]: t["question"] for t in client.get(url + "/export.json").get_json()["topics"]}
    assert exported == legends  # the open data says what each vote asked


def test_demo_topics_ask_their_own_questions(client, outbox):
    sign_in(client, outbox)
    html = client.get(DEMO_URL + "/topics/jardin-partage").get_data(as_text=True)
    legend = re.search(r"<legend>(.*?)</legend>", html)[1]
    assert legend.startswith("Faut-il réserver 1 000 m²") and "Que doit devenir" not in legend


def test_a_topic_question_is_checked(content_dir):
    folder = content_dir / ORG / "consultations" / "avenir-friche-jean-moulin" / "topics"
    write_md(folder / "long.md", {"title": "Long", "question": "x" * 301})
    write_md(folder / "listed.md", {"title": "Listed", "question": ["a", "b"]})
    write_md(folder / "novote.md", {"title": "No vote", "vote": "none", "question": "Why?"})
    problems = [str(p) for p in load_tree(content_dir).all_problems]
    assert any("long.md" in p and "question" in p and "too long" in p for p in problems)
    assert any("listed.md" in p and "question" in p and "line of text" in p for p in problems)
    assert any("novote.md" in p and "only with a vote" in p for p in problems)


# -- French words, dates and numbers --------------------------------------------------------------

def test_the_french_vote_button_says_voter(client, outbox):
    sign_in(client, outbox)
    client.set_cookie("lang", "fr")
    html = client.get(DEMO_URL + "/topics/jardin-partage").get_data(as_text=True)
    button = re.search(r'<button type="submit" class="button primary">([^<]*)</button>',
                       html[html.index('id="vote"'):])[1]
    assert button == "Voter"
    assert '<h2 id="vote-title">Vote</h2>' in html  # the noun stays


def test_no_iso_date_in_the_visible_text_of_consultation_pages(client, demo_consultations):
    client.set_cookie("lang", "fr")
    pages = [DEMO_URL + "/topics/jardin-partage", DEMO_URL + "/topics/usage-principal",
             DEMO_URL, DEMO_URL + "/dashboard", DEMO_URL + "/moderation",
             CLOSED_URL + "/synthesis"]
    pages += [f"{DEMO_URL}/contributions/{n}" for n in range(1, 8)]
    for page in pages:
        response = client.get(page)
        if response.status_code == 404:
            continue
        html = response.get_data(as_text=True)
        assert not ISO_DATE.findall(visible_text(html)), page
        assert "<time datetime=" in html or page.endswith(("/usage-principal", "/moderation")), page
    workshop = client.get(DEMO_URL + "/topics/usage-principal?order=recent").get_data(as_text=True)
    card = workshop[workshop.index('class="author collective"'):]
    card = card[:card.index("</p>")]
    assert '<time datetime="2026-02-07">' in card
    assert re.sub(r"<[^>]+>", "", card).endswith(  # and no second date
        "Atelier du 7 février 2026, Centre social des Tilleuls, 31 participants")


def test_results_read_as_french_percentages(client, outbox):
    client.set_cookie("lang", "fr")
    url = DEMO_URL + "/topics/usage-principal"
    for n, choice in enumerate(("1", "1", "2")):
        other = client.application.test_client()
        other.set_cookie("lang", "fr")
        sign_in(other, outbox, email=f"p{n}@example.org", name=f"P{n}")
        assert post(other, url, url + "/vote", choice=choice).status_code == 303
    table = client.get(url).get_data(as_text=True)
    table = table[table.index('<table class="data results">'):]
    table = table[:table.index("</table>")]
    assert "66,7\u00a0%" in table and "33,3\u00a0%" in table and "0\u00a0%" in table


# -- the topics CSV ------------------------------------------------------------------------------

def test_topics_csv_has_one_column_per_answer(client, outbox):
    sign_in(client, outbox)
    for slug, choice in (("jardin-partage", "no"), ("usage-principal", "2")):
        url = f"{DEMO_URL}/topics/{slug}"
        assert post(client, url, url + "/vote", choice=choice).status_code == 303
    response = client.get(DEMO_URL + "/export/topics.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    options = ["Un parc avec un jardin partagé", "Des terrains de sport en accès libre",
               "Une maison des associations et une salle des fêtes"]
    assert rows[0] == ["slug", "title", "question", "vote_type", "options", "votes", *options,
                       "abstain",
                       "yes", "no", "contributions", "comments"]
    found = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    garden, use = found["jardin-partage"], found["usage-principal"]
    assert (garden["votes"], garden["yes"], garden["no"], garden["abstain"]) == ("1", "0", "1", "0")
    assert all(garden[o] == "" for o in options)  # not this topic's answers
    assert [use[o] for o in options] == ["0", "1", "0"] and use["yes"] == use["no"] == ""
    assert "results" not in rows[0] and not any("=" in cell for row in rows for cell in row)
    assert garden["question"].startswith("Faut-il réserver 1 000 m²")


def test_topics_csv_columns_do_not_collide(client, content_dir):
    url = write_consultation(content_dir, "cols", topics={
        "t": {"title": "T", "vote": "options", "options": ["votes", "Autre", "Autre"]}})
    rows = list(csv.reader(io.StringIO(client.get(url + "/export/topics.csv")
                                       .get_data(as_text=True))))
    assert rows[0][6:10] == ["votes (1)", "Autre", "Autre (3)", "abstain"]
    assert rows[1][5:10] == ["0", "0", "0", "0", "0"]


def test_topics_csv_hides_results_until_shown(client, outbox, content_dir):
    url = write_consultation(content_dir, "secret", results="after_vote")
    sign_in(client, outbox, url=url)
    assert post(client, url + "/topics/t1", url + "/topics/t1/vote", choice="yes").status_code == 303
    rows = list(csv.reader(io.StringIO(client.get(url + "/export/topics.csv")
                                       .get_data(as_text=True))))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["votes"] == "1" and row["yes"] == row["no"] == row["abstain"] == ""


def test_the_sign_in_page_says_hour_or_hours(tmp_path, content_dir):
    from helpers import make_app

    client = make_app(tmp_path, content_dir, magic_link_hours=1).test_client()
    client.set_cookie("lang", "fr")
    html = client.get(DEMO_URL + "/check-your-mail").get_data(as_text=True)
    assert "pendant 1 heure." in html and "1 heures" not in html
