"""Milestones, the answer threshold, news to signatories who opted in, retention, rate limits."""

from datetime import date, timedelta

from click.testing import CliRunner
from helpers import body_of, csrf_token, links_in, make_app, petition_meta, sign, write_md

from chaton.petitions.models import Petition, PetitionUpdate, Signature

URL = "/quartiers-solidaires/petitions/test"


def confirm(client, outbox, address):
    mail = outbox.last_to(address)
    link = next(x for x in links_in(mail) if "/s/" in x and x.count("/") == 4)
    path = link.replace("http://localhost", "")
    client.post(path, data={"csrf_token": csrf_token(client, path)})


def add_petition(content_dir, **meta):
    write_md(content_dir / "quartiers-solidaires/petitions/test.md", petition_meta(**meta))


def test_milestones_threshold_and_news(client, outbox, content_dir):
    add_petition(content_dir, goal=10, milestones=[2], answer_threshold=3,
                 target={"name": "The mayor", "contact": "mayor@example.org"})
    sign(client, URL, email="one@example.org", keep_informed="y")
    confirm(client, outbox, "one@example.org")
    sign(client, URL, email="two@example.org")  # did not opt in
    confirm(client, outbox, "two@example.org")
    news = [m for m in outbox.to("one@example.org") if "News" in m["Subject"]]
    assert len(news) == 1 and "2 signatures" in body_of(news[0])
    assert not [m for m in outbox.to("two@example.org") if "News" in m["Subject"]]
    assert outbox.to("mayor@example.org") == []

    sign(client, URL, email="three@example.org")
    confirm(client, outbox, "three@example.org")
    target_mail = outbox.last_to("mayor@example.org")
    assert "3 signatures" in body_of(target_mail)
    petition = Petition.get(Petition.slug == "test")
    kinds = {(u.kind, u.value) for u in PetitionUpdate.select().where(
        PetitionUpdate.petition == petition)}
    assert kinds == {("milestone", 2), ("threshold", 3)}
    html = client.get(URL).get_data(as_text=True)
    assert "threshold for an answer is reached" in html


def test_milestone_recorded_once_even_after_withdrawal(client, outbox, content_dir):
    add_petition(content_dir, goal=10, milestones=[1])
    sign(client, URL, email="one@example.org")
    confirm(client, outbox, "one@example.org")
    signature = Signature.get(Signature.email == "one@example.org")
    from chaton.petitions import signing

    signing.withdraw(signature)
    sign(client, URL, email="two@example.org")
    confirm(client, outbox, "two@example.org")
    petition = Petition.get(Petition.slug == "test")
    assert PetitionUpdate.select().where((PetitionUpdate.kind == "milestone")
                                         & (PetitionUpdate.petition == petition)).count() == 1


def test_news_mail_has_unsubscribe_that_works(client, outbox, content_dir):
    add_petition(content_dir, goal=10, milestones=[1])
    sign(client, URL, email="one@example.org", keep_informed="y")
    confirm(client, outbox, "one@example.org")
    news = [m for m in outbox.to("one@example.org") if "News" in m["Subject"]][-1]
    assert news["List-Unsubscribe"]
    link = next(x for x in links_in(news) if x.endswith("/unsubscribe"))
    path = link.replace("http://localhost", "")
    client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert not Signature.get(Signature.email == "one@example.org").keep_informed


def test_retention_anonymizes_closed_petitions(tmp_path, content_dir):
    closed = (date.today() - timedelta(days=40)).isoformat()
    add_petition(content_dir, status="open", closes=closed, opens="2020-01-01",
                 retention_days=30)
    app = make_app(tmp_path, content_dir)
    petition = Petition.get(Petition.slug == "test")
    Signature.create(petition=petition, revision=1, name="Old", email="old@example.org",
                     email_key="old@example.org", status="confirmed", nonce="n",
                     confirmed_at=petition.indexed_at)
    Petition.update(signature_count=1).where(Petition.id == petition.id).execute()
    runner = CliRunner()
    from chaton.cli import main

    with app.app_context():
        from chaton.petitions import retention

        assert [p.slug for p in retention.due_petitions()] == ["test"]
        assert retention.run() == {"quartiers-solidaires/test": 1}
        assert retention.run() == {"quartiers-solidaires/test": 0}
    row = Signature.get(Signature.petition == petition)
    assert row.name == "" and row.email is None and row.anonymized_at is not None
    assert Petition.get_by_id(petition.id).signature_count == 1  # the count stays
    result = runner.invoke(main, ["--instance", str(tmp_path / "instance"), "retention", "run",
                                  "--dry-run"], env={"CHATON_CONTENT_DIR": str(content_dir),
                                                     "CHATON_SECRET_KEY": "x"})
    assert result.exit_code == 0, result.output


def test_open_petitions_are_not_anonymized(app):
    with app.app_context():
        from chaton.petitions import retention

        assert "ecole-sans-amiante" not in [p.slug for p in retention.due_petitions()]


def test_rate_limit_keeps_what_was_typed(tmp_path, content_dir):
    app = make_app(tmp_path, content_dir, sign_rate_limit="2 per minute")
    client = app.test_client()
    url = "/quartiers-solidaires/petitions/ecole-sans-amiante"
    assert sign(client, url, email="a1@example.org").status_code == 303
    assert sign(client, url, email="a2@example.org").status_code == 303
    limited = sign(client, url, email="a3@example.org", comment="Je tiens à signer")
    assert limited.status_code == 429
    html = limited.get_data(as_text=True)
    assert "a3@example.org" in html and "Je tiens à signer" in html
    assert not Signature.select().where(Signature.email == "a3@example.org").exists()


def test_rate_limit_trusts_forwarded_for_only_behind_a_proxy(tmp_path, content_dir):
    url = "/quartiers-solidaires/petitions/ecole-sans-amiante"
    direct = make_app(tmp_path / "a", content_dir, sign_rate_limit="1 per minute").test_client()
    assert sign(direct, url, email="b1@example.org").status_code == 303
    headers = {"X-Forwarded-For": "203.0.113.9"}
    data = {"csrf_token": csrf_token(direct, url), "name": "B", "email": "b3@example.org",
            "postal_code": "75011"}
    assert direct.post(url + "/sign", data=data, headers=headers).status_code == 429

    proxied = make_app(tmp_path / "b", content_dir, sign_rate_limit="1 per minute",
                       trusted_proxies=1).test_client()
    for ip, address in (("203.0.113.1", "c1@example.org"), ("203.0.113.2", "c2@example.org")):
        data = {"csrf_token": csrf_token(proxied, url), "name": "C", "email": address,
                "postal_code": "75011"}
        response = proxied.post(url + "/sign", data=data, headers={"X-Forwarded-For": ip})
        assert response.status_code == 303


def test_removed_petition_is_anonymized_after_retention(tmp_path, content_dir):
    from chaton.core.db import utcnow
    from chaton.core.events import Event

    add_petition(content_dir, retention_days=10)
    app = make_app(tmp_path, content_dir)
    petition = Petition.get(Petition.slug == "test")
    Signature.create(petition=petition, revision=1, name="Gone", email="gone@example.org",
                     email_key="gone@example.org", status="confirmed", nonce="n",
                     confirmed_at=utcnow())
    (content_dir / "quartiers-solidaires/petitions/test.md").unlink()
    with app.app_context():
        app.extensions["chaton_content"].refresh()
        from chaton.petitions import retention

        assert retention.due_petitions() == []
        Event.update(created_at=utcnow() - timedelta(days=11)).where(
            Event.kind == "removed").execute()
        assert retention.run() == {"quartiers-solidaires/test": 1}


def test_the_demo_starts_settled_and_real_milestones_still_mail(client, outbox, content_dir):
    """The demo's signatures cross the answer threshold: nobody is told (not even the target)
    on the first start; a milestone that real signatures cross afterwards is news again."""
    from chaton.core.events import Event
    from chaton.petitions.demo import seed

    seed()
    assert outbox.messages() == []
    assert Event.select().where((Event.campaign == "ecole-sans-amiante")
                                & (Event.kind == "threshold")).exists()  # known, shown in feeds
    path = content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante.md"
    total = Petition.get(Petition.slug == "ecole-sans-amiante").total_count
    path.write_text(path.read_text().replace("milestones: [100, 500, 1000]",
                                             f"milestones: [100, 500, 1000, {total + 1}]"))
    url = "/quartiers-solidaires/petitions/ecole-sans-amiante"
    sign(client, url, email="one@example.org", keep_informed="y")
    confirm(client, outbox, "one@example.org")
    news = [m for m in outbox.to("one@example.org") if "News" in m["Subject"]]
    assert len(news) == 1
    assert outbox.to("mairie@villeneuve.example") == []


def test_update_and_answer_mails_carry_their_text_in_text_and_html(client, outbox, content_dir):
    add_petition(content_dir, goal=10, milestones=[])
    sign(client, URL, email="one@example.org", keep_informed="y")
    confirm(client, outbox, "one@example.org")
    write_md(content_dir / "quartiers-solidaires/petitions/test/updates/2026-11-20-meeting.md",
             {"title": "A public meeting"},
             "We meet on **Friday** at [the town hall](https://example.org/hall).\n\n"
             "- bring a friend\n- bring a sign\n\n![The hall](hall.jpg)")
    client.get(URL)  # the content is indexed again
    news = outbox.last_to("one@example.org")
    assert "News" in news["Subject"]
    text = body_of(news)
    assert "A public meeting" in text
    assert "We meet on Friday at the town hall (https://example.org/hall)." in text
    assert "- bring a friend\n- bring a sign" in text
    assert "The hall (http://localhost/quartiers-solidaires/media/hall.jpg)" in text
    assert f"http://localhost{URL}#update-2026-11-20-meeting" in text
    html = news.get_body(("html",)).get_content()
    assert "<strong>Friday</strong>" in html and '<a href="https://example.org/hall"' in html
    assert '<img src="http://localhost/quartiers-solidaires/media/hall.jpg" alt="The hall">' in html
    assert "<script" not in html

    write_md(content_dir / "quartiers-solidaires/petitions/test/answer.md",
             {"date": "2026-11-25", "author": "The mayor"}, "We will *think* about it.")
    client.get(URL)
    answer = outbox.last_to("one@example.org")
    assert "The mayor has answered the petition “Test petition”:" in body_of(answer)
    assert "We will think about it." in body_of(answer)
    assert "<em>think</em>" in answer.get_body(("html",)).get_content()
