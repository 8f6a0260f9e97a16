"""One person, one vote per topic: a unique row per (topic, participant) and exact counters.

The vote row and the counters it moves are written in one `writing()` transaction; changing a
vote moves one unit from the old choice to the new one. On PostgreSQL, where transactions run
side by side, a participant's own writes take turns (`writing("participant", id)`: two tabs
changing one vote cannot both move it from the same old choice, and an erasure sees every vote
it uncounts); counters move in place, always in one order (consultation, topic, then choices
sorted), so that transactions of different people never wait for each other in a circle.
"""

from chaton.consultations.models import Consultation, Topic, Vote, VoteCount, bump_day
from chaton.core.db import database, utcnow, writing


class VoteRefused(ValueError):
    """The choice is not one of the topic's."""


def _bump(topic_id, choice, delta):
    (VoteCount.insert(topic=topic_id, choice=choice, count=delta)
     .on_conflict(conflict_target=[VoteCount.topic, VoteCount.choice],
                  update={VoteCount.count: VoteCount.count + delta})
     .execute())


def _move(topic_id, old, new):
    """Move the counters from the old choice (None: a new vote) to the new (None: erased)."""
    delta = (1 if new else 0) - (1 if old else 0)
    if delta:
        consultation = Topic.select(Topic.consultation).where(Topic.id == topic_id)
        Consultation.update(vote_count=Consultation.vote_count + delta).where(
            Consultation.id == consultation).execute()
        Topic.update(vote_count=Topic.vote_count + delta).where(Topic.id == topic_id).execute()
    moves = [(choice, step) for choice, step in ((old, -1), (new, 1)) if choice]
    for choice, step in sorted(moves):  # rows in one order, whichever way the vote moves
        _bump(topic_id, choice, step)


def cast(participant, topic, choice):
    """Record or change a participant's vote; returns 'new', 'changed' or 'unchanged'."""
    if choice not in {key for key, _label in topic.choices()}:
        raise VoteRefused(choice)
    # the participant's writes take turns: the vote read below is still theirs to change
    with writing("participant", participant.id):
        query = (Vote.insert(topic=topic.id, participant=participant.id, choice=choice)
                 .on_conflict_ignore())
        if database.execute(query).rowcount == 1:  # the unique index decides, not a read
            _move(topic.id, None, choice)
            bump_day(topic.consultation_id, "votes")
            return "new"
        vote = Vote.get((Vote.topic == topic.id) & (Vote.participant == participant.id))
        if vote.choice == choice:
            return "unchanged"
        _move(topic.id, vote.choice, choice)
        Vote.update(choice=choice, updated_at=utcnow()).where(Vote.id == vote.id).execute()
        return "changed"


def my_choice(participant, topic):
    if participant is None:
        return None
    vote = Vote.get_or_none((Vote.topic == topic) & (Vote.participant == participant))
    return vote.choice if vote else None


def results(topic, labels):
    """[(key, label, count, share)] for every choice, from the counters (share: 0 to 1, shown
    with the `percent` filter in the reader's language)."""
    counts = dict(VoteCount.select(VoteCount.choice, VoteCount.count)
                  .where(VoteCount.topic == topic).tuples())
    total = topic.vote_count or 0
    rows = []
    for key, label in topic.choices():
        count = counts.get(key, 0)
        rows.append((key, labels.get(key, label), count, count / total if total else 0))
    return rows
