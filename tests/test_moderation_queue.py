"""The association's moderation queue: every consultation's pending and reported items."""

import pytest
from consultation_helpers import DEMO_URL, ORG, post, sign_in, write_consultation
from helpers import member_client

from chaton.accounts.models import AuditEntry
from chaton.consultations.models import (
    Comment,
    Consultation,
    Contribution,
    ModerationAction,
    Participant,
    Report,
    Topic,
)

QUEUE = f"/{ORG}/admin/moderation/"
OTHER = "velo-pour-tous"
TOPIC = DEMO_URL + "/topics/jardin-partage"


def contribute(client, url, title, body="Le texte."):
    response = post(client, url, url + "/contribute", title=title, body=body, stance="for")
    assert response.status_code == 303
    return response.headers["Location"]


@pytest.fixture
def waiting(app, client, outbox, content_dir):
    """A contribution and a comment waiting in a pre-moderated consultation, then a reported
    contribution in the demo consultation (post-moderated): two consultations, three items."""
    url = write_consultation(content_dir, "premod", moderation="pre", title="Avant publication")
    sign_in(client, outbox, url=url, email="nadia@example.org", name="Nadia")
    contribute(client, url + "/topics/t1", "Proposition en attente")
    post(client, url + "/topics/t1", url + "/topics/t1/comment", body="Commentaire en attente")
    sign_in(client, outbox, email="nadia@example.org", name="Nadia")
    contribute(client, TOPIC, "Achetez mes vélos")
    reporter = app.test_client()
    sign_in(reporter, outbox, email="bob@example.org", name="Bob")
    reported = Contribution.get(Contribution.title == "Achetez mes vélos")
    report_url = f"{DEMO_URL}/report/contribution/{reported.id}"
    assert post(reporter, report_url, report_url, reason="spam", details="Publicité").status_code == 303
    return {"pending": Contribution.get(Contribution.title == "Proposition en attente"),
            "comment": Comment.get(Comment.body == "Commentaire en attente"), "reported": reported}


def decide(client, item, kind, action, reason="", slug=None):
    slug = slug or Consultation.get_by_id(item.consultation_id).slug
    token_page = "/account/"  # any page with a form gives the session's CSRF token
    return post(client, token_page, f"{QUEUE}{slug}/{kind}/{item.id}", action=action,
                reason=reason)


def test_the_queue_lists_both_consultations_oldest_first_with_context(app, waiting):
    moderator = member_client(app, ORG, "moderator")
    html = moderator.get(QUEUE).get_data(as_text=True)
    for text in ("Proposition en attente", "Commentaire en attente", "Achetez mes vélos",
                 "Avant publication", "Topic one", "Nadia", "Spam or advertising", "Publicité",
                 Consultation.get(Consultation.slug == "avenir-friche-jean-moulin").title):
        assert text in html, text
    assert html.index("Proposition en attente") < html.index("Commentaire en attente") \
        < html.index("Achetez mes vélos")
    assert 'aria-current="page">Moderation<' in html
    page = moderator.get(f"/{ORG}/admin/consultations/").get_data(as_text=True)
    assert QUEUE in page  # linked from the consultations page


def test_decisions_from_the_queue_are_the_same_as_from_a_consultation(app, client, waiting):
    moderator = member_client(app, ORG, "moderator")
    assert decide(moderator, waiting["pending"], "contribution", "approve").status_code == 303
    assert decide(moderator, waiting["comment"], "comment", "approve").status_code == 303
    assert Contribution.get_by_id(waiting["pending"].id).status == "published"
    assert Comment.get_by_id(waiting["comment"].id).status == "published"

    refused = decide(moderator, waiting["reported"], "contribution", "hide")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "the reason is public" in html
    assert 'aria-invalid="true"' in html and 'class="error-summary"' in html
    assert Contribution.get_by_id(waiting["reported"].id).status == "published"

    assert decide(moderator, waiting["reported"], "contribution", "hide", "publicité").status_code == 303
    assert Contribution.get_by_id(waiting["reported"].id).status == "hidden"
    assert Report.get().resolved_at is not None
    log = client.get(DEMO_URL + "/moderation").get_data(as_text=True)
    assert "publicité" in log
    assert [a.action for a in ModerationAction.select().order_by(ModerationAction.id)] == [
        "approve", "approve", "hide"]
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.action.startswith("moderation"))]
    assert actions == ["moderation.approve", "moderation.approve", "moderation.hide"]
    assert "Nothing waits" in moderator.get(QUEUE).get_data(as_text=True)


def test_approving_a_comment_notifies_the_author_of_the_contribution(app, client, outbox, waiting):
    """The same notifications as the consultation page: a reply to a contribution is mailed."""
    moderator = member_client(app, ORG, "moderator")
    url = "/" + ORG + "/consultations/premod"
    decide(moderator, waiting["pending"], "contribution", "approve")
    number = Contribution.get_by_id(waiting["pending"].id).number
    other = app.test_client()
    sign_in(other, outbox, url=url, email="zoe@example.org", name="Zoé")
    permalink = f"{url}/contributions/{number}"
    post(other, permalink, permalink + "/comment", body="Une réponse")
    reply = Comment.get(Comment.body == "Une réponse")
    before = len(outbox.to("nadia@example.org"))
    decide(moderator, reply, "comment", "approve")
    assert len(outbox.to("nadia@example.org")) == before + 1


@pytest.mark.parametrize("role, expected", [("editor", 403), ("admin", 200), ("moderator", 200)])
def test_roles(app, waiting, role, expected):
    member = member_client(app, ORG, role)
    assert member.get(QUEUE).status_code == expected
    response = decide(member, waiting["pending"], "contribution", "approve")
    assert response.status_code == (403 if expected == 403 else 303)


def test_another_association_gets_403_and_items_stay_in_their_association(app, waiting):
    # was a 404; issue 14: every refusal is a clear 403 (a 404 stays for what does not exist)
    stranger = member_client(app, OTHER, "admin")
    assert stranger.get(QUEUE).status_code == 403
    response = post(stranger, "/account/", f"{QUEUE}premod/contribution/"
                    f"{waiting['pending'].id}", action="approve")
    assert response.status_code == 403
    # an item of the other association's consultation, through this association's queue
    other = Consultation.get(Consultation.association != waiting["pending"].consultation.association)
    topic = Topic.get(Topic.consultation == other)
    participant = Participant.create(consultation=other, email="x@example.org",
                                     email_key="x@example.org", display_name="X", nonce="n",
                                     session_key="s")
    foreign = Contribution.create(consultation=other, topic=topic, number=999, title="Ailleurs",
                                  body="x", participant=participant, status="pending")
    moderator = member_client(app, ORG, "moderator")
    assert "Ailleurs" not in moderator.get(QUEUE).get_data(as_text=True)
    for slug in (other.slug, "premod"):
        assert decide(moderator, foreign, "contribution", "approve", slug=slug).status_code == 404
    assert Contribution.get_by_id(foreign.id).status == "pending"
    assert app.test_client().get(QUEUE).status_code == 302  # signed out: to the sign-in page
