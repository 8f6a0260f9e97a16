"""Consultations (indexed from Markdown), their topics, participants and what they write.

Counters (votes per choice, supports, comments, participants) are written in the same
`writing()` transaction as the row they count, never recounted on a page view. They move in
place (`count = count + 1`), since on PostgreSQL transactions run side by side.
"""

import peewee

from chaton.core.db import BaseModel, JSONField, UTCDateTimeField, utcnow
from chaton.orgs.models import Association

STANCES = ("for", "against", "neutral", "proposal")
VISIBLE = "published"


class Consultation(BaseModel):
    association = peewee.ForeignKeyField(Association, backref="consultations", on_delete="CASCADE")
    slug = peewee.CharField(max_length=100)
    path = peewee.CharField(max_length=500)
    checksum = peewee.CharField(max_length=64)
    title = peewee.CharField(max_length=300)
    summary = peewee.TextField(default="")
    question = peewee.TextField(default="")
    status = peewee.CharField(max_length=16, default="published")  # draft, published
    language = peewee.CharField(max_length=8, default="")
    meta = JSONField(default=dict)  # organisers, decision makers, phases, moderation, licence...
    context_html = peewee.TextField(default="")
    charter_html = peewee.TextField(default="")
    synthesis = JSONField(null=True)  # {"date", "author", "html"} from synthesis.md
    answer = JSONField(null=True)  # {"date", "author", "html"} from answer.md
    present = peewee.BooleanField(default=True)
    archived = peewee.BooleanField(default=False)  # hidden from lists and feeds, page kept
    participant_count = peewee.IntegerField(default=0)
    contribution_count = peewee.IntegerField(default=0)
    comment_count = peewee.IntegerField(default=0)
    vote_count = peewee.IntegerField(default=0)
    last_number = peewee.IntegerField(default=0)  # numbering of contributions (#c1, #c2...)
    indexed_at = UTCDateTimeField(default=utcnow)

    campaign_type = "consultation"

    class Meta:
        table_name = "consultation"
        indexes = ((("association", "slug"), True),)

    @classmethod
    def find(cls, association, slug):
        """The consultation `slug` of the association whose file is present, or None."""
        return cls.get_or_none((cls.association == association) & (cls.slug == slug)
                               & cls.present)

    @property
    def moderation(self):
        return self.meta.get("moderation") or "post"

    @property
    def licence(self):
        return self.meta.get("licence") or "ODbL-1.0"

    def schedule(self):
        """The phases of this consultation (chaton.consultations.phases.Schedule)."""
        from chaton.consultations.phases import Schedule

        return Schedule.from_meta(self.meta.get("phases") or {})


class Topic(BaseModel):
    consultation = peewee.ForeignKeyField(Consultation, backref="topics", on_delete="CASCADE")
    slug = peewee.CharField(max_length=100)
    path = peewee.CharField(max_length=500)
    checksum = peewee.CharField(max_length=64)
    title = peewee.CharField(max_length=300)
    summary = peewee.TextField(default="")
    question = peewee.TextField(default="")  # what the vote asks ("": the title)
    position = peewee.IntegerField(default=0)
    vote_type = peewee.CharField(max_length=16, default="yes_no")  # yes_no, options, none
    options = JSONField(default=list)
    allow_abstain = peewee.BooleanField(default=True)
    html = peewee.TextField(default="")
    documents = JSONField(default=list)
    present = peewee.BooleanField(default=True)
    vote_count = peewee.IntegerField(default=0)
    contribution_count = peewee.IntegerField(default=0)
    comment_count = peewee.IntegerField(default=0)

    class Meta:
        table_name = "consultation_topic"
        indexes = ((("consultation", "slug"), True),)

    def choices(self):
        """(key, label) of every choice a voter has, in order (labels untranslated)."""
        if self.vote_type == "yes_no":
            found = [("yes", "yes"), ("no", "no")]
        elif self.vote_type == "options":
            found = [(str(i), label) for i, label in enumerate(self.options, start=1)]
        else:
            return []
        if self.allow_abstain:
            found.append(("abstain", "abstain"))
        return found


class VoteCount(BaseModel):
    topic = peewee.ForeignKeyField(Topic, on_delete="CASCADE")
    choice = peewee.CharField(max_length=16)
    count = peewee.IntegerField(default=0)

    class Meta:
        table_name = "consultation_vote_count"
        indexes = ((("topic", "choice"), True),)


class Participant(BaseModel):
    consultation = peewee.ForeignKeyField(Consultation, backref="participants",
                                          on_delete="CASCADE")
    email = peewee.CharField(max_length=254)
    email_key = peewee.CharField(max_length=254)
    display_name = peewee.CharField(max_length=60)
    language = peewee.CharField(max_length=8, default="fr")
    notify_news = peewee.BooleanField(default=False)  # new phase, synthesis, answer
    notify_replies = peewee.BooleanField(default=False)  # comments on what I wrote
    nonce = peewee.CharField(max_length=32)  # rotated when a magic link is used
    session_key = peewee.CharField(max_length=32)  # rotated to sign out every device
    created_at = UTCDateTimeField(default=utcnow)
    confirmed_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "consultation_participant"
        indexes = ((("consultation", "email_key"), True),)


class Vote(BaseModel):
    topic = peewee.ForeignKeyField(Topic, on_delete="CASCADE")
    participant = peewee.ForeignKeyField(Participant, on_delete="CASCADE")
    choice = peewee.CharField(max_length=16)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "consultation_vote"
        indexes = ((("topic", "participant"), True),)


class Contribution(BaseModel):
    consultation = peewee.ForeignKeyField(Consultation, on_delete="CASCADE")
    topic = peewee.ForeignKeyField(Topic, on_delete="CASCADE")
    number = peewee.IntegerField()  # the permalink: .../contributions/<number>, #c<number>
    participant = peewee.ForeignKeyField(Participant, null=True, on_delete="SET NULL")
    author_name = peewee.CharField(max_length=100, default="")
    kind = peewee.CharField(max_length=12, default="online")  # online, collective
    stance = peewee.CharField(max_length=12, default="neutral")
    title = peewee.CharField(max_length=150)
    body = peewee.TextField()
    workshop = JSONField(null=True)  # collective: {"date", "place", "participants"}
    status = peewee.CharField(max_length=12, default=VISIBLE)  # pending, published, hidden
    moderation_reason = peewee.TextField(default="")
    support_count = peewee.IntegerField(default=0)
    comment_count = peewee.IntegerField(default=0)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "consultation_contribution"
        indexes = (
            (("consultation", "number"), True),
            (("topic", "status", "support_count"), False),
            (("topic", "status", "number"), False),
        )

    @property
    def visible(self):
        return self.status != "pending"


class Support(BaseModel):
    contribution = peewee.ForeignKeyField(Contribution, on_delete="CASCADE")
    participant = peewee.ForeignKeyField(Participant, on_delete="CASCADE")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "consultation_support"
        indexes = ((("contribution", "participant"), True),)


class Comment(BaseModel):
    consultation = peewee.ForeignKeyField(Consultation, on_delete="CASCADE")
    topic = peewee.ForeignKeyField(Topic, on_delete="CASCADE")
    contribution = peewee.ForeignKeyField(Contribution, null=True, on_delete="CASCADE")
    parent = peewee.ForeignKeyField("self", null=True, backref="replies", on_delete="CASCADE")
    participant = peewee.ForeignKeyField(Participant, null=True, on_delete="SET NULL")
    author_name = peewee.CharField(max_length=100, default="")
    body = peewee.TextField()
    status = peewee.CharField(max_length=12, default=VISIBLE)
    moderation_reason = peewee.TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "consultation_comment"
        indexes = ((("topic", "contribution", "id"), False),)


class Report(BaseModel):
    """A participant's report of a contribution or comment, with a reason."""

    consultation = peewee.ForeignKeyField(Consultation, on_delete="CASCADE")
    target_type = peewee.CharField(max_length=12)  # contribution, comment
    target_id = peewee.IntegerField()
    participant = peewee.ForeignKeyField(Participant, null=True, on_delete="SET NULL")
    reason = peewee.CharField(max_length=16)
    details = peewee.TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)
    resolved_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "consultation_report"
        indexes = ((("target_type", "target_id", "participant"), True),
                   (("consultation", "resolved_at"), False))


class ModerationAction(BaseModel):
    """The public moderation log: what was hidden, restored or approved, when and why."""

    consultation = peewee.ForeignKeyField(Consultation, on_delete="CASCADE")
    target_type = peewee.CharField(max_length=12)
    target_id = peewee.IntegerField()
    action = peewee.CharField(max_length=12)  # hide, restore, approve
    reason = peewee.TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "consultation_moderation"
        indexes = ((("consultation", "created_at"), False),)


class ActivityDay(BaseModel):
    """Participation per day, for the dashboard's chart."""

    consultation = peewee.ForeignKeyField(Consultation, on_delete="CASCADE")
    day = peewee.DateField()
    participants = peewee.IntegerField(default=0)
    votes = peewee.IntegerField(default=0)
    contributions = peewee.IntegerField(default=0)
    comments = peewee.IntegerField(default=0)

    class Meta:
        table_name = "consultation_day"
        indexes = ((("consultation", "day"), True),)


TABLES = [Consultation, Topic, VoteCount, Participant, Vote, Contribution, Support, Comment,
          Report, ModerationAction, ActivityDay]


def bump_day(consultation_id, column, delta=1, day=None):
    """Add delta to today's activity counter (inside the caller's transaction)."""
    field = getattr(ActivityDay, column)
    (ActivityDay.insert(consultation=consultation_id, day=day or utcnow().date(), **{column: delta})
     .on_conflict(conflict_target=[ActivityDay.consultation, ActivityDay.day],
                  update={field: field + delta})
     .execute())
