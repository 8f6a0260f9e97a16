"""Consultations through HTTP: content checks, the participant journey, phase rules, results."""

import pytest
from click.testing import CliRunner
from consultation_helpers import (
    CLOSED_URL,
    DEMO_URL,
    ORG,
    days,
    login_link,
    post,
    sign_in,
    write_consultation,
)
from helpers import body_of, member_client, write_md

from chaton.cli import main
from chaton.consultations.models import Consultation, Contribution, Participant, Topic, Vote
from chaton.orgs.tree import load_tree


@pytest.fixture
def demo_consultations(app):
    """The demo consultations with their example participation."""
    from chaton.consultations.demo import seed

    return seed()


def errors_of(content_dir):
    return [str(p) for p in load_tree(content_dir).errors]


# -- content ----------------------------------------------------------------------------------

def test_demo_content_is_valid_and_indexed(app):
    result = CliRunner().invoke(main, ["content", "check", "--path",
                                       str(app.config["CHATON"]["content_dir"])])
    assert result.exit_code == 0, result.output
    assert "2 consultation(s)" in result.output
    assert Consultation.select().count() == 2
    assert Topic.select().count() == 5


def test_content_errors_say_file_line_and_field(content_dir):
    folder = content_dir / ORG / "consultations" / "broken"
    write_md(folder / "index.md", {"title": "X", "question": "Q?", "moderation": "maybe",
                                   "phases": {"vote": {"start": "2026-02-01", "end": "2026-01-01"}}})
    write_md(folder / "topics" / "t.md", {"title": "T", "vote": "options", "options": ["only"]})
    found = errors_of(content_dir)
    assert any("consultations/broken/index.md:" in e and "moderation: expected one of post, pre"
               in e for e in found), found
    assert any("topics/t.md:1: options: an options vote needs at least two options" in e
               for e in found)


def test_phase_dates_are_checked(content_dir):
    write_consultation(content_dir, "dates", phases={
        "vote": {"start": "2026-03-01", "end": "2026-02-01"},
        "synthesis": {"start": "2026-01-01"}})
    found = errors_of(content_dir)
    assert any("vote: end is before start" in e for e in found)
    assert any("synthesis: starts before vote" in e for e in found)


def test_a_consultation_cannot_take_a_petition_address(content_dir):
    write_consultation(content_dir, "ecole-sans-amiante")
    assert any("a petition is already called 'ecole-sans-amiante'" in e
               for e in errors_of(content_dir))


def test_broken_topic_keeps_its_last_good_version(app, client, content_dir):
    url = write_consultation(content_dir, topics={"t1": {"title": "Good title"}})
    assert "Good title" in client.get(url + "/topics/t1").get_data(as_text=True)
    write_md(content_dir / ORG / "consultations/test/topics/t1.md", {"title": "", "vote": "x"})
    page = client.get(url + "/topics/t1")
    assert page.status_code == 200 and "Good title" in page.get_data(as_text=True)


def test_draft_is_hidden(client, content_dir):
    url = write_consultation(content_dir, status="draft")
    assert client.get(url).status_code == 404


# -- the journey ---------------------------------------------------------------------------------

def test_the_join_form_errors_are_listed_with_french_typography(client):
    """The summary writes "Nom affiché : ..." with a no-break space, as French does."""
    url = DEMO_URL + "/join?lang=fr"
    html = post(client, url, url, email="ada@example.org", display_name="", website="").get_data(True)
    assert "Nom affiché\u00a0: Choisissez un nom affiché." in html


def test_magic_link_journey(client, outbox):
    page = client.get(DEMO_URL).get_data(as_text=True)
    assert "Take part" in page and "Now: " in page
    response = post(client, DEMO_URL + "/join", DEMO_URL + "/join",
                    email="ada@example.org", display_name="Ada", website="")
    assert response.status_code == 303 and response.headers["Location"].endswith("/check-your-mail")
    link = login_link(outbox, "ada@example.org")
    opened = client.get(link)  # a mail scanner following the link signs nobody in
    assert opened.status_code == 200 and opened.headers["Cache-Control"] == "no-store"
    assert "Signed in as" not in client.get(DEMO_URL).get_data(as_text=True)
    done = post(client, link, link)
    assert done.status_code == 303
    assert "Signed in as Ada" in client.get(DEMO_URL).get_data(as_text=True)
    assert Consultation.get(Consultation.slug == "avenir-friche-jean-moulin").participant_count == 1
    again = client.get(link)  # the link worked once
    assert again.status_code == 404


def test_coming_back_from_another_device(app, outbox):
    phone, laptop = app.test_client(), app.test_client()
    phone.set_cookie("lang", "en")
    sign_in(phone, outbox)
    sign_in(laptop, outbox)
    assert Participant.select().count() == 1
    assert "Signed in as Ada" in phone.get(DEMO_URL).get_data(as_text=True)
    assert Consultation.get(Consultation.slug == "avenir-friche-jean-moulin").participant_count == 1


def test_vote_change_and_counts(client, outbox):
    sign_in(client, outbox)
    topic_url = DEMO_URL + "/topics/jardin-partage"
    assert post(client, topic_url, topic_url + "/vote", choice="yes").status_code == 303
    assert post(client, topic_url, topic_url + "/vote", choice="no").status_code == 303
    topic = Topic.get(Topic.slug == "jardin-partage")
    assert topic.vote_count == 1 and Vote.select().count() == 1
    data = client.get(DEMO_URL + "/export.json").get_json()
    results = next(t for t in data["topics"] if t["slug"] == "jardin-partage")["results"]
    assert results == {"yes": 0, "no": 1, "abstain": 0}
    assert post(client, topic_url, topic_url + "/vote", choice="maybe").status_code == 422
    html = client.get(topic_url).get_data(as_text=True)
    assert 'value="no" checked' in html and "Change my vote" in html


def test_options_vote(client, outbox):
    sign_in(client, outbox)
    url = DEMO_URL + "/topics/usage-principal"
    post(client, url, url + "/vote", choice="2")
    data = client.get(DEMO_URL + "/export.json").get_json()
    results = next(t for t in data["topics"] if t["slug"] == "usage-principal")["results"]
    assert results["2"] == 1 and sum(results.values()) == 1


def test_actions_need_a_participant(app, client):
    """Anonymous pages carry no token (they are the same for everyone): a vote posted without
    one is refused; with a session (a team member who is no participant), it asks to join."""
    url = DEMO_URL + "/topics/jardin-partage"
    assert post(client, DEMO_URL + "/join", url + "/vote", choice="yes").status_code == 400
    member = member_client(app, "quartiers-solidaires", "editor")
    response = post(member, "/account/", url + "/vote", choice="yes")
    assert response.status_code == 303 and "/join" in response.headers["Location"]
    assert Vote.select().count() == 0


def test_contribute_support_comment_reply(app, client, outbox):
    sign_in(client, outbox)
    url = DEMO_URL + "/topics/jardin-partage"
    made = post(client, url, url + "/contribute", title="Des bacs surélevés",
                body="Pour les personnes en fauteuil.\n\n<script>alert(1)</script>", stance="proposal")
    assert made.status_code == 303
    contribution = Contribution.get(Contribution.title == "Des bacs surélevés")
    permalink = f"{DEMO_URL}/contributions/{contribution.number}"
    assert made.headers["Location"].endswith(permalink)
    html = client.get(permalink).get_data(as_text=True)
    assert "Des bacs surélevés" in html and "<script>alert" not in html and "&lt;script&gt;" in html

    other = app.test_client()
    sign_in(other, outbox, email="bob@example.org", name="Bob")
    assert post(other, permalink, permalink + "/support", support="1").status_code == 303
    post(other, permalink, permalink + "/support", support="1")
    assert Contribution.get_by_id(contribution.id).support_count == 1
    post(other, permalink, permalink + "/support", support="0")
    assert Contribution.get_by_id(contribution.id).support_count == 0

    commented = post(other, permalink, permalink + "/comment", body="Bonne idée !")
    assert commented.status_code == 303 and "/comments/" in commented.headers["Location"]
    assert "Bonne idée" in body_of(outbox.last_to("ada@example.org"))  # Ada asked for replies
    comment_id = int(commented.headers["Location"].rsplit("/", 1)[1])
    follow = client.get(commented.headers["Location"])
    assert follow.status_code == 302 and follow.headers["Location"].endswith(
        f"{permalink}#comment-{comment_id}")
    reply = post(client, permalink, permalink + "/comment", body="Merci Bob", parent=comment_id)
    assert reply.status_code == 303
    assert "Merci Bob" in body_of(outbox.last_to("bob@example.org"))
    assert Contribution.get_by_id(contribution.id).comment_count == 2
    assert Topic.get(Topic.slug == "jardin-partage").contribution_count == 1


def test_invalid_contribution_keeps_the_text(client, outbox):
    sign_in(client, outbox)
    url = DEMO_URL + "/topics/jardin-partage"
    response = post(client, url, url + "/contribute", title="", body="Mon texte gardé",
                    stance="for")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Mon texte gardé" in html and "Give your contribution a title." in html


def test_sorting_is_stable_and_paginated(app, client, outbox):
    from chaton.consultations import contributions as service

    sign_in(client, outbox)
    consultation = Consultation.get(Consultation.slug == "avenir-friche-jean-moulin")
    participant = Participant.get()
    topic = Topic.get(Topic.slug == "ouverture-nocturne")
    with app.app_context():
        for i in range(25):
            service.contribute(participant, topic, f"Idée {i}", "Texte", "proposal", consultation)
    url = f"{DEMO_URL}/topics/{topic.slug}"
    client.get(url)  # shows (and clears) the "signed in" message
    first = client.get(url + "?order=random&seed=42").get_data(as_text=True)
    assert first == client.get(url + "?order=random&seed=42").get_data(as_text=True)
    assert first != client.get(url + "?order=random&seed=43").get_data(as_text=True)
    recent = client.get(url + "?order=recent").get_data(as_text=True)
    assert recent.index("Idée 24") < recent.index("Idée 23")
    assert "Next page" in recent and "Idée 0<" in client.get(url + "?order=recent&page=2").get_data(
        as_text=True)


def test_erasing_a_participation_uncounts_it(client, outbox):
    sign_in(client, outbox)
    url = DEMO_URL + "/topics/jardin-partage"
    post(client, url, url + "/vote", choice="yes")
    post(client, url, url + "/contribute", title="Titre", body="Texte", stance="for")
    response = post(client, DEMO_URL + "/me", DEMO_URL + "/me/erase")
    assert response.status_code == 303
    assert Participant.select().count() == 0
    assert Topic.get(Topic.slug == "jardin-partage").vote_count == 0
    consultation = Consultation.get(Consultation.slug == "avenir-friche-jean-moulin")
    assert consultation.participant_count == 0 and consultation.vote_count == 0
    assert Contribution.get().author_name == ""
    assert "Former participant" in client.get(DEMO_URL + "/contributions/1").get_data(as_text=True)


# -- phase rules ------------------------------------------------------------------------------------

def test_phase_rules(client, outbox, content_dir):
    url = write_consultation(content_dir, "phased", phases={
        "information": {"start": days(-20), "end": days(-11)},
        "contribution": {"start": days(-10), "end": days(10)},
        "vote": {"start": days(11), "end": days(20)}})
    sign_in(client, outbox, url=url)
    topic = url + "/topics/t1"
    assert post(client, topic, topic + "/vote", choice="yes").status_code == 409
    assert post(client, topic, topic + "/contribute", title="T", body="B",
                stance="for").status_code == 303
    html = client.get(url).get_data(as_text=True)
    assert "Now: Contributions" in html and "Next: Vote" in html
    assert 'aria-current="step"' in html


def test_nothing_is_possible_once_closed(client, outbox, content_dir):
    url = write_consultation(content_dir, "over", phases={
        "vote": {"start": days(-20), "end": days(-1)}, "answer": {"start": days(-1)}})
    sign_in(client, outbox, url=url)
    topic = url + "/topics/t1"
    assert post(client, topic, topic + "/vote", choice="yes").status_code == 409
    assert post(client, topic, topic + "/comment", body="Hello").status_code == 409
    assert post(client, topic, topic + "/contribute", title="T", body="B",
                stance="for").status_code == 409


def test_results_after_the_vote_only(client, outbox, content_dir):
    url = write_consultation(content_dir, "secret", results="after_vote")
    sign_in(client, outbox, url=url)
    topic = url + "/topics/t1"
    post(client, topic, topic + "/vote", choice="yes")
    html = client.get(topic).get_data(as_text=True)
    assert "Results are published when the vote closes." in html
    assert "Results: 1 vote" not in html
    exported = client.get(url + "/export.json").get_json()["topics"][0]
    assert exported["votes"] == 1 and exported["results"] is None  # no leak through the data
    closed = client.get(CLOSED_URL + "/topics/piste-protegee").get_data(as_text=True)
    assert "Results: " in closed


# -- results ---------------------------------------------------------------------------------------

def test_synthesis_links_to_cited_contributions(client, demo_consultations):
    html = client.get(CLOSED_URL + "/synthesis").get_data(as_text=True)
    assert f'href="{CLOSED_URL}/contributions/2"' in html
    assert "Les livraisons des commerces" in html  # dissent cited and listed
    assert "The answer of Métropole de Villeneuve" in html
    assert "Against" in html


def test_pages_with_demo_participation(client, demo_consultations):
    for path in ("", "/topics/usage-principal", "/dashboard", "/moderation", "/data",
                 "/contributions/1"):
        response = client.get(DEMO_URL + path)
        assert response.status_code == 200, path
    dashboard = client.get(DEMO_URL + "/dashboard").get_data(as_text=True)
    assert dashboard.count("<svg") == 3
    log = client.get(DEMO_URL + "/moderation").get_data(as_text=True)
    assert "publicité" in log


def test_association_and_home_pages_list_consultations(client):
    html = client.get(f"/{ORG}/").get_data(as_text=True)
    assert "Quel avenir pour la friche Jean-Moulin" in html
    home = client.get("/").get_data(as_text=True)
    assert "Open consultations" in home and "Quel avenir pour la friche Jean-Moulin" in home
    assert "Plan vélo du quartier Gambetta" not in home  # finished: on its association's page


def test_feeds_tell_consultation_events(client):
    import feedparser

    parsed = feedparser.parse(client.get(CLOSED_URL + "/feed.atom").data)
    assert not parsed.bozo
    titles = [e.title for e in parsed.entries]
    assert any(t.startswith("New consultation") for t in titles)
    assert any("synthesis is published" in t for t in titles)
    assert any("answered" in t for t in titles)
    instance = [e.title for e in feedparser.parse(client.get("/feed.atom").data).entries]
    assert any("New consultation" in t for t in instance)
