"""Two associations full of data (signatures, participation, team, federation), so that tests
can check that exporting or deleting one leaves the other exactly as it was."""

from consultation_helpers import sign_in
from helpers import make_member, sign

ORG = "quartiers-solidaires"
OTHER = "velo-pour-tous"
PETITIONS = {ORG: "ecole-sans-amiante", OTHER: "piste-cyclable-avenue-gambetta"}
CONSULTATIONS = {ORG: "avenir-friche-jean-moulin", OTHER: "plan-velo-quartier"}
PEOPLE = {ORG: "qs-person@example.org", OTHER: "velo-person@example.net"}
PARTICIPANTS = {ORG: "qs-participant@example.org", OTHER: "velo-participant@example.net"}


def populate(app, client, outbox, content_dir):
    """Demo data in both associations, plus people and rows that belong to one of them only."""
    from chaton.consultations.demo import seed as seed_consultations
    from chaton.petitions.demo import seed

    with app.app_context():
        seed()
        seed_consultations()
    for org in (ORG, OTHER):
        url = f"/{org}/petitions/{PETITIONS[org]}"
        sign(client, url, email=PEOPLE[org], name="Personne Unique", keep_informed="y")
        sign(client, url, email="waiting-" + PEOPLE[org], name="En attente")
        with app.test_request_context():
            from chaton.petitions import signing
            from chaton.petitions.models import Signature

            signing.confirm(Signature.get(Signature.email == PEOPLE[org]))
        sign_in(client, outbox, url=f"/{org}/consultations/{CONSULTATIONS[org]}",
                email=PARTICIPANTS[org], name="Unique", notify_news=None)
        make_member(app, org, "admin")
        make_member(app, org, "editor", email=f"editor@{org}.example")
        _federation_and_more(app, org)
        (content_dir / org / "petitions" / "broken.md").write_text("---\ntitle: [\n---\n")
    client.get("/")  # indexes the broken files: content errors for both
    return app


def _federation_and_more(app, org):
    """An invitation, an invalidation, a follower, a delivery, a partner count, a key."""
    from chaton.accounts import service
    from chaton.federation.keys import key_pair
    from chaton.federation.models import Delivery, Follower, PartnerCount
    from chaton.orgs.models import Association
    from chaton.petitions import invalidation
    from chaton.petitions.models import Petition

    with app.test_request_context():
        association = Association.get(Association.slug == org)
        service.invite(f"invited@{org}.example", association, "editor")
        petition = Petition.get((Petition.association == association)
                                & (Petition.slug == PETITIONS[org]))
        invalidation.apply(petition, invalidation.Criteria(addresses=["demo1@example.invalid"]),
                           "Doublon")
        Follower.create(association=org, actor=f"https://remote.example/users/{org}",
                        inbox=f"https://remote.example/users/{org}/inbox")
        Delivery.create(activity={"type": "Create"}, sender=org, inbox="https://remote.example/inbox",
                        host="remote.example", status="done")
        PartnerCount.create(petition=petition.id, partner="partner.example",
                            actor="https://partner.example/actor", count=3)
        key_pair(org)
