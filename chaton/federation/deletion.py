"""What deleting an association means for federation (a deletion step, declared in
`chaton/federation/__init__.py`): its followers are sent a Delete of its actor and forgotten,
its pending deliveries dropped, the counts partners reported for its petitions deleted, and its
key forgotten once the Delete is delivered (at once, or by the worker)."""

from datetime import UTC, datetime

from flask import current_app

from chaton.core.db import writing
from chaton.federation.actors import CONTEXT, PUBLIC, actor_id
from chaton.federation.delivery import enqueue
from chaton.federation.keys import INSTANCE, key_pair
from chaton.federation.models import ActorKey, Delivery, Follower, PartnerCount
from chaton.orgs.models import Association
from chaton.petitions.models import Petition


def before_rows(association):
    """Tell the followers now; delete the partner counts once the petitions are gone."""
    petition_ids = [p for (p,) in Petition.select(Petition.id).where(
        Petition.association == association.id).tuples()]
    tell_followers(association.slug)

    def after_rows():
        gone = 0
        with writing():
            for start in range(0, len(petition_ids), 500):
                gone += PartnerCount.delete().where(
                    PartnerCount.petition.in_(petition_ids[start:start + 500])).execute()
        forget_retired_keys()  # at once when the Delete is already delivered, else the worker
        return {PartnerCount._meta.table_name: gone}

    return after_rows


def tell_followers(slug):
    """Send a Delete of the association's actor to its followers; forget them."""
    inboxes = [f.inbox for f in Follower.select(Follower.inbox).where(Follower.association == slug)]
    with writing():
        Follower.delete().where(Follower.association == slug).execute()
        Delivery.delete().where(Delivery.sender == slug).execute()  # news of a gone association
    if not inboxes or not current_app.config["CHATON"]["federation"]:
        with writing():
            ActorKey.delete().where(ActorKey.owner == slug).execute()
        return
    key_pair(slug)  # the Delete is signed with the key its followers know
    me = actor_id(slug)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    enqueue({"@context": CONTEXT, "id": f"{me}#delete-{stamp}", "type": "Delete", "actor": me,
             "object": me, "to": [PUBLIC], "cc": [me + "followers"]}, slug, inboxes)


def forget_retired_keys():
    """Delete the keys of deleted associations once their last delivery is finished."""
    owners = [k.owner for k in ActorKey.select(ActorKey.owner)]
    known = {a.slug for a in Association.select(Association.slug)} | {INSTANCE}
    busy = {d.sender for d in Delivery.select(Delivery.sender).where(Delivery.status == "pending")}
    retired = [o for o in owners if o not in known and o not in busy]
    if retired:
        with writing():  # checked again in the statement: a slug taken again keeps its key
            ActorKey.delete().where(
                ActorKey.owner.in_(retired)
                & ActorKey.owner.not_in(Association.select(Association.slug))
                & ActorKey.owner.not_in(Delivery.select(Delivery.sender).where(
                    Delivery.status == "pending"))).execute()
    return retired
