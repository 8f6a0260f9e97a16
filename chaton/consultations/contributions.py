"""Contributions, supports and comments: short write transactions that keep counters exact.

Under pre-moderation, new contributions and comments wait (status `pending`, seen only by
their author and the moderators) and are counted once approved.

On PostgreSQL these transactions run side by side: numbers come from an in-place increment,
supports from the unique (contribution, participant) and the row count of their DELETE, and
a participant's writes take turns with their erasure (`writing("participant", id)`). Rows are
locked in one order everywhere (the item, then consultation, then topic counters, then the
day's activity), so that two transactions never wait for each other in a circle.
"""


from chaton.consultations.models import (
    VISIBLE,
    Comment,
    Consultation,
    Contribution,
    Support,
    Topic,
    bump_day,
)
from chaton.core.db import database, modulo, writing

PAGE_SIZE = 20
ORDERS = ("support", "recent", "random")


def _initial_status(consultation):
    return "pending" if consultation.moderation == "pre" else VISIBLE


def _count_contribution(contribution, delta):
    Consultation.update(contribution_count=Consultation.contribution_count + delta).where(
        Consultation.id == contribution.consultation_id).execute()
    Topic.update(contribution_count=Topic.contribution_count + delta).where(
        Topic.id == contribution.topic_id).execute()


def _count_comment(comment, delta):
    if comment.contribution_id:
        Contribution.update(comment_count=Contribution.comment_count + delta).where(
            Contribution.id == comment.contribution_id).execute()
    Consultation.update(comment_count=Consultation.comment_count + delta).where(
        Consultation.id == comment.consultation_id).execute()
    Topic.update(comment_count=Topic.comment_count + delta).where(
        Topic.id == comment.topic_id).execute()


def _next_number(consultation_id):
    Consultation.update(last_number=Consultation.last_number + 1).where(
        Consultation.id == consultation_id).execute()
    return Consultation.select(Consultation.last_number).where(
        Consultation.id == consultation_id).scalar()


def contribute(participant, topic, title, body, stance, consultation):
    """A participant's contribution on a topic; numbered in the consultation (#c<number>)."""
    with writing("participant", participant.id):
        contribution = Contribution.create(
            consultation=consultation.id, topic=topic.id, number=_next_number(consultation.id),
            participant=participant.id, author_name=participant.display_name, stance=stance,
            title=title, body=body, status=_initial_status(consultation))
        if contribution.status == VISIBLE:
            _count_contribution(contribution, 1)
            bump_day(consultation.id, "contributions")
    return contribution


def record_collective(consultation, topic, title, body, stance, workshop):
    """What an in-person workshop produced, recorded by the organisers (never pre-moderated)."""
    with writing():
        contribution = Contribution.create(
            consultation=consultation.id, topic=topic.id, number=_next_number(consultation.id),
            author_name=workshop.get("place", ""), kind="collective", stance=stance,
            title=title, body=body, workshop=workshop, status=VISIBLE)
        _count_contribution(contribution, 1)
        bump_day(consultation.id, "contributions")
    return contribution


def toggle_support(participant, contribution, wanted):
    """Support a contribution (once) or take the support back; returns the new state."""
    with writing("participant", participant.id):
        if wanted:
            query = Support.insert(contribution=contribution.id,
                                   participant=participant.id).on_conflict_ignore()
            if database.execute(query).rowcount == 1:
                Contribution.update(support_count=Contribution.support_count + 1).where(
                    Contribution.id == contribution.id).execute()
            return True
        removed = Support.delete().where((Support.contribution == contribution.id)
                                         & (Support.participant == participant.id)).execute()
        if removed:
            Contribution.update(support_count=Contribution.support_count - 1).where(
                Contribution.id == contribution.id).execute()
        return False


def supported_by(participant, contributions):
    """Ids of the given contributions this participant supports."""
    if participant is None or not contributions:
        return set()
    ids = [c.id for c in contributions]
    return {s.contribution_id for s in Support.select(Support.contribution).where(
        (Support.participant == participant) & Support.contribution.in_(ids))}


def comment(participant, topic, body, consultation, contribution=None, parent=None):
    """A comment on a topic or a contribution; a reply to a reply answers its parent."""
    if parent is not None and parent.parent_id:
        parent = Comment.get_by_id(parent.parent_id)  # one level of replies
    with writing("participant", participant.id):
        made = Comment.create(
            consultation=consultation.id, topic=topic.id,
            contribution=contribution.id if contribution else None,
            parent=parent.id if parent else None, participant=participant.id,
            author_name=participant.display_name, body=body,
            status=_initial_status(consultation))
        if made.status == VISIBLE:
            _count_comment(made, 1)
            bump_day(consultation.id, "comments")
    return made


def listed(topic, order="support", stance=None, page=1, seed=0, viewer=None):
    """One page of a topic's contributions (and the viewer's own waiting ones)."""
    shown = Contribution.status != "pending"
    if viewer is not None:
        shown |= Contribution.participant == viewer.id
    query = Contribution.select().where((Contribution.topic == topic) & shown)
    if stance:
        query = query.where(Contribution.stance == stance)
    if order == "recent":
        query = query.order_by(Contribution.number.desc())
    elif order == "random":  # a permutation that depends on the seed: stable for one visitor
        # not peewee's `%`, which means LIKE (every seed gave the oldest first on SQLite, and
        # a 500 on PostgreSQL)
        key = modulo((Contribution.number + seed) * 2654435761, 4294967291)
        query = query.order_by(key, Contribution.number)
    else:
        query = query.order_by(Contribution.support_count.desc(), Contribution.number)
    return list(query.paginate(page, PAGE_SIZE))


def thread(topic, contribution=None, viewer=None):
    """Top-level comments with their replies, oldest first: [(comment, [replies])]."""
    shown = Comment.status != "pending"
    if viewer is not None:
        shown |= Comment.participant == viewer.id
    where = (Comment.topic == topic) & shown
    where &= (Comment.contribution == contribution) if contribution else Comment.contribution.is_null()
    rows = list(Comment.select().where(where).order_by(Comment.id))
    replies = {}
    for row in rows:
        if row.parent_id:
            replies.setdefault(row.parent_id, []).append(row)
    return [(row, replies.get(row.id, [])) for row in rows if not row.parent_id]
