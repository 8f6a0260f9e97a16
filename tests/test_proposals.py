"""Residents' proposals of petitions: drafted, confirmed, supported, then published as a
petition file or rejected with a public reason (chaton/proposals)."""

import re
from datetime import timedelta
from html import unescape

import pytest
import yaml
from helpers import Outbox, body_of, csrf_token, links_in, make_app, member_client

ORG = "quartiers-solidaires"
BASE = f"/{ORG}/proposals"
PROPOSAL = {"title": "Un abri pour les vélos de l'école", "target": "Mairie de Villeneuve",
            "demand": "Installer un abri pour 30 vélos devant l'école Jaurès.",
            "story": "Les vélos sont **volés** chaque mois.\n\nUn abri fermé suffirait.",
            "name": "Awa Diallo", "email": "awa@example.org", "agree": "y", "website": ""}


def open_proposals(content_dir, **settings):
    """The association's file with `proposals` set (the demo opens them: 5 supporters)."""
    path = content_dir / ORG / "association.md"
    _, header, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(header)
    meta["proposals"] = {"open": True, **settings}
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body,
                    encoding="utf-8")


@pytest.fixture
def site(tmp_path, content_dir):
    open_proposals(content_dir, supporters=2, remit="Ce qui relève de la vie du quartier.")
    app = make_app(tmp_path, content_dir, propose_rate_limit="")
    client = app.test_client()
    client.set_cookie("lang", "en")
    return app, client, Outbox(tmp_path / "instance" / "outbox")


def link_to(outbox, address):
    return next(link for link in links_in(outbox.last_to(address)) if "/proposals/link/" in link)


def path_of(link):
    return re.sub(r"^https?://[^/]+", "", link)


def confirm(client, link):
    path = path_of(link)
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={"csrf_token": csrf_token(client, path)})


def propose(client, **fields):
    return client.post(f"{BASE}/new", data={**PROPOSAL, **fields})


def code_of(app, title=PROPOSAL["title"]):
    from chaton.proposals.models import Proposal

    with app.app_context():
        return Proposal.get(Proposal.title == title).code


def supported(app, client, outbox, code, *names):
    for name in names:
        address = f"{name.lower()}@example.org"
        response = client.post(f"{BASE}/{code}/support", data={"name": name, "email": address})
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        confirm(client, link_to(outbox, address))


def test_a_proposal_gathers_its_supporters_and_becomes_a_petition_file(site, content_dir):
    app, client, outbox = site
    listing = client.get(BASE + "/").get_data(as_text=True)
    assert "Propose a petition" in listing and "Ce qui relève de la vie du quartier." in listing
    assert "Propose a petition" in client.get(f"/{ORG}/").get_data(as_text=True)

    # a bad form comes back with what was typed
    bad = propose(client, title="", agree="")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Give your petition a title." in html and "Tick this box" in html
    assert "Installer un abri pour 30 vélos" in html and "awa@example.org" in html

    sent = propose(client)
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"{BASE}/sent")
    code = code_of(app)
    assert client.get(f"{BASE}/{code}").status_code == 404  # nobody sees it unconfirmed
    author_link = link_to(outbox, "awa@example.org")
    assert confirm(client, author_link).status_code == 303
    thanks_page = client.get(path_of(author_link))
    assert thanks_page.headers["Cache-Control"] == "private, no-store"  # never a cached button
    thanks = thanks_page.get_data(as_text=True)
    assert f"http://localhost{BASE}/{code}" in thanks and "Your proposal is confirmed" in thanks

    page = client.get(f"{BASE}/{code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<meta name="robots" content="noindex">' in html
    assert "<strong>volés</strong>" in html and "0 of the 2 needed" in html
    assert code not in client.get(BASE + "/").get_data(as_text=True)  # listed nowhere yet

    # its author does not support it; a supporter counts once, however often they confirm
    own = client.post(f"{BASE}/{code}/support", data={"name": "Awa", "email": "AWA@example.org"})
    assert own.status_code == 422 and "author" in own.get_data(as_text=True)
    supported(app, client, outbox, code, "Bilal")
    confirm(client, link_to(outbox, "bilal@example.org"))
    assert "1 of the 2 needed" in client.get(f"{BASE}/{code}").get_data(as_text=True)
    member_client(app, ORG, "moderator")  # the team is told when it is complete
    supported(app, client, outbox, code, "Chloé")
    team = outbox.last_to("moderator@quartiers-solidaires.example")
    assert "Une proposition attend votre décision" in team["Subject"]  # the team's language

    moderator = member_client(app, ORG, "moderator")
    queue = moderator.get(f"/{ORG}/admin/proposals/")
    assert queue.status_code == 200 and "un-abri-pour-les-velos-de-l-ecole" in queue.get_data(True)
    published = moderator.post(f"/{ORG}/admin/proposals/{code}/publish", data={
        "csrf_token": csrf_token(moderator, f"/{ORG}/admin/proposals/"), "slug": "abri-velos"})
    assert published.status_code == 303
    assert published.headers["Location"].endswith(f"/{ORG}/admin/petitions/abri-velos/edit")

    text = (content_dir / ORG / "petitions" / "abri-velos.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    assert front == {"title": PROPOSAL["title"], "target": {"name": "Mairie de Villeneuve"},
                     "demand": PROPOSAL["demand"], "status": "open", "proposed_by": "Awa Diallo",
                     "proposal": code}
    assert "Un abri fermé suffirait." in text
    petition = client.get(f"/{ORG}/petitions/abri-velos").get_data(as_text=True)
    assert "Proposed by" in petition and "Awa Diallo" in petition and "Sign the petition" in petition

    assert "is published" in outbox.last_to("awa@example.org")["Subject"]
    for address in ("bilal@example.org", "chloé@example.org"):
        mail = outbox.last_to(address)
        assert "is open" in mail["Subject"]
        assert f"http://localhost/{ORG}/petitions/abri-velos" in links_in(mail)
    decided = client.get(BASE + "/").get_data(as_text=True)
    assert f"/{ORG}/petitions/abri-velos" in decided and "Proposed by Awa Diallo" in decided
    again = moderator.post(f"/{ORG}/admin/proposals/{code}/publish", data={
        "csrf_token": csrf_token(moderator, f"/{ORG}/admin/proposals/"), "slug": "abri-velos-2"})
    assert again.status_code == 422 and "decided meanwhile" in again.get_data(as_text=True)
    assert not (content_dir / ORG / "petitions" / "abri-velos-2.md").exists()


def ready(app, client, outbox, **fields):
    """A proposal confirmed by its author and with its supporters; its code."""
    propose(client, **fields)
    address = fields.get("email", PROPOSAL["email"])
    confirm(client, link_to(outbox, address))
    code = code_of(app, fields.get("title", PROPOSAL["title"]))
    supported(app, client, outbox, code, "Bilal", "Chloe")
    return code


def test_a_rejection_is_public_with_its_coded_reason(site):
    app, client, outbox = site
    code = ready(app, client, outbox)
    client.post(f"{BASE}/{code}/support", data={"name": "Eve", "email": "eve@example.org"})
    editor = member_client(app, ORG, "editor")
    url = f"/{ORG}/admin/proposals/{code}/reject"
    token = csrf_token(editor, f"/{ORG}/admin/proposals/")
    missing = editor.post(url, data={"csrf_token": token, "reason": "", "note": "gardé"})
    assert missing.status_code == 422 and 'value="gardé"' in missing.get_data(as_text=True)
    other = editor.post(url, data={"csrf_token": token, "reason": "other", "note": ""})
    assert other.status_code == 422 and "Say why in the note" in other.get_data(as_text=True)
    done = editor.post(url, data={"csrf_token": token, "reason": "duplicate",
                                  "note": "Voir la pétition sur l'école."})
    assert done.status_code == 303

    page = client.get(f"{BASE}/{code}")
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and "noindex" not in html
    assert "Duplicate" in html and "Voir la pétition sur l'école." in html
    assert PROPOSAL["demand"][:30] in html and "Support this proposal" not in html
    assert client.post(f"{BASE}/{code}/support", data={"name": "Dan", "email": "dan@example.org"}
                       ).status_code == 409
    # a support asked before the decision, confirmed after it, no longer counts
    late = path_of(link_to(outbox, "eve@example.org"))
    assert confirm(client, late).status_code == 303
    assert "This proposal has been decided" in client.get(late).get_data(as_text=True)
    from chaton.proposals.models import Proposal

    with app.app_context():
        assert Proposal.get(Proposal.code == code).supporter_count == 2
    assert "Duplicate" in client.get(BASE + "/").get_data(as_text=True)
    mail = outbox.last_to("awa@example.org")
    assert "was not published" in mail["Subject"] and "Voir la pétition" in body_of(mail)


def test_an_offensive_proposal_is_rejected_without_its_text(site):
    app, client, outbox = site
    code = ready(app, client, outbox, title="Texte injurieux", demand="Des insultes ici.")
    admin = member_client(app, ORG, "admin")
    admin.post(f"/{ORG}/admin/proposals/{code}/reject", data={
        "csrf_token": csrf_token(admin, f"/{ORG}/admin/proposals/"), "reason": "offensive"})
    for url in (f"{BASE}/{code}", BASE + "/"):
        html = client.get(url).get_data(as_text=True)
        assert "Offensive" in html
        assert "Texte injurieux" not in html and "Des insultes" not in html


def test_hostile_and_closed_requests_get_4xx_and_change_nothing(tmp_path, site, content_dir):
    from chaton.proposals.models import Proposal

    app, client, outbox = site
    assert client.get("/velo-pour-tous/proposals/").status_code == 404  # not opened there
    assert client.get("/velo-pour-tous/proposals/new").status_code == 404
    assert client.post("/velo-pour-tous/proposals/new", data=PROPOSAL).status_code == 404
    assert client.get(f"{BASE}/link/forged-token").status_code == 404
    assert client.get(f"{BASE}/nope").status_code == 404
    propose(client)
    link = path_of(link_to(outbox, "awa@example.org"))
    # the link of one association's proposal, under another's address
    assert client.get(link.replace(ORG, "velo-pour-tous")).status_code == 404
    assert client.post(link.replace(ORG, "velo-pour-tous")).status_code == 404
    # a post from another site
    assert client.post(link, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    with app.app_context():
        assert Proposal.get().status == "unconfirmed"
    # a bot fills the hidden field: it is told the same, and nothing is kept
    assert propose(client, title="Bot", website="http://spam.example").status_code == 303
    with app.app_context():
        assert not Proposal.select().where(Proposal.title == "Bot").exists()
    # an address with three proposals not yet decided waits
    for n in range(2):
        propose(client, title=f"Encore {n}")
    fourth = propose(client, title="Une de trop")
    assert fourth.status_code == 422 and "Une de trop" in fourth.get_data(as_text=True)
    # not a member, and a member's bad addresses
    assert client.get(f"/{ORG}/admin/proposals/").status_code in (302, 303)
    outsider = member_client(app, "velo-pour-tous", "admin")
    assert outsider.get(f"/{ORG}/admin/proposals/").status_code == 403
    confirm(client, link)
    code = code_of(app)
    admin = member_client(app, ORG, "admin")
    token = csrf_token(admin, f"/{ORG}/admin/proposals/")
    # gathering: not yet published; a bad web address is refused with what was typed
    waiting_only = admin.post(f"/{ORG}/admin/proposals/{code}/publish",
                              data={"csrf_token": token, "slug": "abri"})
    assert waiting_only.status_code == 422
    supported(app, client, outbox, code, "Bilal", "Chloe")
    for slug in ("../evil", "avec espaces", "", "ecole-sans-amiante"):
        refused = admin.post(f"/{ORG}/admin/proposals/{code}/publish",
                             data={"csrf_token": token, "slug": slug})
        assert refused.status_code == 422, slug
    assert admin.post(f"/{ORG}/admin/proposals/unknown/publish",
                      data={"csrf_token": token, "slug": "x"}).status_code == 404
    assert not list((content_dir / ORG / "petitions").glob("abri*.md"))
    assert not (tmp_path / "evil.md").exists()


def test_unconfirmed_and_stale_proposals_expire_and_decided_ones_lose_their_addresses(site):
    from chaton.core.db import utcnow
    from chaton.proposals import proposing
    from chaton.proposals.models import Proposal, ProposalSupport

    app, client, outbox = site
    code = ready(app, client, outbox)
    propose(client, title="Jamais confirmée", email="zoe@example.org")
    admin = member_client(app, ORG, "admin")
    admin.post(f"/{ORG}/admin/proposals/{code}/reject", data={
        "csrf_token": csrf_token(admin, f"/{ORG}/admin/proposals/"), "reason": "remit"})
    with app.app_context():
        assert proposing.expire(utcnow()) == 0
        assert proposing.expire(utcnow() + timedelta(hours=73)) == 1  # the unconfirmed one
        assert proposing.due_for_erasure(utcnow()) == []
        due = proposing.due_for_erasure(utcnow() + timedelta(days=366))
        assert [p.code for p in due] == [code]
        proposing.erase(due[0])
        proposal = Proposal.get(Proposal.code == code)
        assert proposal.email is None and proposal.erased_at is not None
        assert proposal.supporter_count == 2 and proposal.author_name == "Awa Diallo"
        assert not ProposalSupport.select().exists()
    assert "Outside our remit" in client.get(f"{BASE}/{code}").get_data(as_text=True)


def test_the_archive_holds_the_proposals(site):
    import csv
    import io
    import zipfile

    app, client, outbox = site
    code = ready(app, client, outbox)
    admin = member_client(app, ORG, "admin")
    page = f"/{ORG}/admin/exports/"
    response = admin.post(f"/{ORG}/admin/exports/archive.zip",
                          data={"csrf_token": csrf_token(admin, page)})
    assert response.status_code == 200, response.status_code
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    rows = list(csv.DictReader(io.StringIO(
        archive.read("data/proposals.csv").decode("utf-8-sig"))))
    assert [(r["proposal"], r["author_email"], r["supporters"]) for r in rows] == [
        (code, "awa@example.org", "2")]
    supports = archive.read("data/proposal_supports.csv").decode("utf-8-sig")
    assert "bilal@example.org" in supports


def test_too_many_proposals_from_one_connection_keep_what_was_typed(tmp_path, content_dir):
    open_proposals(content_dir)
    app = make_app(tmp_path, content_dir, propose_rate_limit="1 per hour")
    client = app.test_client()
    client.set_cookie("lang", "en")
    assert propose(client).status_code == 303
    limited = propose(client, title="Deuxième idée", email="other@example.org")
    html = limited.get_data(as_text=True)
    assert limited.status_code == 429 and "Too many forms" in html
    assert "Deuxième idée" in html and "other@example.org" in html


def test_the_demo_shows_the_whole_path(app, client):
    from chaton.proposals.demo import seed

    with app.app_context():
        assert seed() == 4
        assert seed() == 0  # once only
    listing = unescape(client.get(BASE + "/").get_data(as_text=True))
    assert "/quartiers-solidaires/petitions/bancs-place-des-tilleuls" in listing
    assert "Outside our remit" in listing and "écrivez à votre député·e" in listing
    assert "1 proposal waits for the association's decision." in listing
    assert "Proposed by" in client.get(f"/{ORG}/petitions/bancs-place-des-tilleuls").get_data(True)
    assert "3 of the 5 needed" in client.get(f"{BASE}/eclairage7k").get_data(as_text=True)
    queue = member_client(app, ORG, "editor").get(f"/{ORG}/admin/proposals/").get_data(True)
    assert "Des toilettes publiques" in queue and "Un éclairage" in queue


def test_racing_confirmations_and_decisions_count_once(site):
    """As several servers would run them (on PostgreSQL, side by side in transactions)."""
    from concurrency import side_by_side
    from flask import g

    from chaton.orgs.models import Association
    from chaton.proposals import proposing, publishing
    from chaton.proposals.models import Proposal, ProposalSupport

    app, client, outbox = site
    propose(client)
    confirm(client, link_to(outbox, "awa@example.org"))
    code = code_of(app)
    for name in ("bilal", "chloe"):
        client.post(f"{BASE}/{code}/support", data={"name": name, "email": f"{name}@example.org"})
    with app.app_context():
        rows = list(ProposalSupport.select().order_by(ProposalSupport.id))
    # one supporter's link used twice at once counts once
    assert sorted(side_by_side(app, lambda: proposing.confirm_support(rows[0]),
                               lambda: proposing.confirm_support(rows[0]))) == ["", "counted"]
    # the last two of the supporters needed at once: one of them completes it
    with app.app_context():
        proposal = Proposal.get(Proposal.code == code)
        third, _ = proposing.support(proposal, "Dan", "dan@example.org", "fr")
        ProposalSupport.update(confirmed_at=None).where(ProposalSupport.id == rows[0].id).execute()
        Proposal.update(supporter_count=0).where(Proposal.id == proposal.id).execute()
    results = side_by_side(app, lambda: proposing.confirm_support(rows[1]),
                           lambda: proposing.confirm_support(third))
    assert sorted(results) == ["counted", "submitted"]

    def decide(action):
        g.association = Association.get(Association.slug == ORG)
        fresh = Proposal.get(Proposal.code == code)
        return action(fresh)

    outcomes = side_by_side(app, lambda: decide(lambda p: publishing.reject(p, "unclear", "")),
                            lambda: decide(lambda p: publishing.reject(p, "remit", "")))
    assert outcomes.count(None) == 1 and "decided meanwhile" in str([o for o in outcomes if o])
    with app.app_context():
        proposal = Proposal.get(Proposal.code == code)
        assert proposal.status == "rejected" and proposal.supporter_count == 2
