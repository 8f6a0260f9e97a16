"""Petitions (indexed from Markdown), their revisions, updates, signatures and counters."""

from datetime import date

import peewee

from chaton.core.db import BaseModel, JSONField, UTCDateTimeField, utcnow
from chaton.orgs.models import Association

STATUSES = ("draft", "open", "closed", "won", "answered")
ENDED = ("closed", "won", "answered")  # statuses of a petition that collects no more signatures


class Petition(BaseModel):
    association = peewee.ForeignKeyField(Association, backref="petitions", on_delete="CASCADE")
    slug = peewee.CharField(max_length=100)
    path = peewee.CharField(max_length=500)
    checksum = peewee.CharField(max_length=64)
    title = peewee.CharField(max_length=300)
    summary = peewee.TextField(default="")
    status = peewee.CharField(max_length=16, default="draft")
    goal = peewee.IntegerField(default=0)
    opens_on = peewee.DateField(null=True)
    closes_on = peewee.DateField(null=True)
    language = peewee.CharField(max_length=8, default="")
    meta = JSONField(default=dict)
    story_html = peewee.TextField(default="")
    answer = JSONField(null=True)  # {"date", "author", "html"} from answer.md
    revision_number = peewee.IntegerField(default=0)
    present = peewee.BooleanField(default=True)
    archived = peewee.BooleanField(default=False)  # hidden from lists and feeds, page kept
    # counters: written in the signing transactions, never recounted on a page view
    signature_count = peewee.IntegerField(default=0)
    partner_count = peewee.IntegerField(default=0)  # sum reported by co-hosting instances
    indexed_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "petition"
        indexes = ((("association", "slug"), True),)

    @classmethod
    def find(cls, association, slug):
        """The petition `slug` of the association whose file is present, or None."""
        return cls.get_or_none((cls.association == association) & (cls.slug == slug)
                               & cls.present)

    @property
    def target(self):
        return self.meta.get("target") or {}

    @property
    def milestones(self):
        return self.meta.get("milestones") or []

    @property
    def other_counts(self):
        """Signatures collected elsewhere (paper, partners), by source, from the front matter."""
        counts = {}
        if self.meta.get("paper_signatures"):
            counts["paper"] = self.meta["paper_signatures"]
        for item in self.meta.get("other_signatures") or []:
            counts[item["source"]] = counts.get(item["source"], 0) + item["count"]
        return counts

    @property
    def total_count(self):
        return self.signature_count + sum(self.other_counts.values()) + self.partner_count

    @property
    def next_milestone(self):
        """The first milestone (or the goal) not reached yet, or None."""
        marks = sorted(set(self.milestones) | ({self.goal} if self.goal else set()))
        return next((m for m in marks if m > self.total_count), None)

    @property
    def progress_percent(self):
        if not self.goal:
            return 0
        return min(100, int(self.total_count * 100 / self.goal))

    def to_target(self, language):
        """The file's phrase for "to the target" ("au conseil municipal"), when the page is in
        the petition's language (it is written in that language); None otherwise."""
        phrase = self.target.get("to")
        own = self.language or self.association.language or "fr"
        return phrase if phrase and str(language).split("_")[0] == own.split("-")[0] else None

    def is_over(self, today):
        """Signing has ended for good: a closed, won or answered status, or a past last day."""
        return self.status in ENDED or bool(self.closes_on and today > self.closes_on)

    def shown_status(self, today):
        """The status as pages and the JSON state it: an open petition past its last day of
        signing reads as closed."""
        return "closed" if self.status == "open" and self.is_over(today) else self.status

    def closed_on(self, today):
        """The day signing ended, when known: the last day of signing once past, else the date
        of the answer it was closed with."""
        if self.closes_on and today > self.closes_on:
            return self.closes_on
        if self.status == "answered" and self.answer:
            return date.fromisoformat(self.answer["date"][:10])
        return None

    def is_signable(self, today):
        """Open status, and today within the opening and closing dates."""
        if self.status != "open" or not self.present or self.archived:
            return False
        if self.opens_on and today < self.opens_on:
            return False
        return not (self.closes_on and today > self.closes_on)

    def retention_days(self, default):
        return self.meta.get("retention_days") or default


class PetitionRevision(BaseModel):
    """Each distinct version of the text people sign (title, target, demand, story)."""

    petition = peewee.ForeignKeyField(Petition, backref="revisions", on_delete="CASCADE")
    number = peewee.IntegerField()
    checksum = peewee.CharField(max_length=64)
    source = peewee.TextField()
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "petition_revision"
        indexes = ((("petition", "number"), True),)


class PetitionUpdate(BaseModel):
    """News on a petition: written as Markdown, or recorded when a milestone is reached."""

    petition = peewee.ForeignKeyField(Petition, backref="updates", on_delete="CASCADE")
    slug = peewee.CharField(max_length=150)
    kind = peewee.CharField(max_length=16, default="update")  # update, milestone, threshold
    title = peewee.CharField(max_length=300)
    html = peewee.TextField(default="")
    value = peewee.IntegerField(null=True)
    path = peewee.CharField(max_length=500, null=True)
    checksum = peewee.CharField(max_length=64, default="")
    published_at = UTCDateTimeField(default=utcnow)
    present = peewee.BooleanField(default=True)

    class Meta:
        table_name = "petition_update"
        indexes = ((("petition", "slug"), True),)


class Signature(BaseModel):
    petition = peewee.ForeignKeyField(Petition, backref="signatures", on_delete="CASCADE")
    revision = peewee.IntegerField()
    name = peewee.CharField(max_length=100)
    email = peewee.CharField(max_length=254, null=True)
    email_key = peewee.CharField(max_length=254, null=True)  # normalized, for duplicates
    postal_code = peewee.CharField(max_length=12, default="")
    area = peewee.CharField(max_length=8, default="")
    # its INSEE code, when the petition has a territory (petitions/territory.py); null unknown
    commune = peewee.CharField(max_length=5, null=True)
    comment = peewee.TextField(default="")
    show_name = peewee.BooleanField(default=False)
    keep_informed = peewee.BooleanField(default=False)
    language = peewee.CharField(max_length=8, default="fr")  # for the mails we send them
    status = peewee.CharField(max_length=12, default="pending")  # pending, confirmed
    nonce = peewee.CharField(max_length=32)  # rotated to invalidate old links
    created_at = UTCDateTimeField(default=utcnow)
    confirmed_at = UTCDateTimeField(null=True)
    confirmation_sent_at = UTCDateTimeField(null=True)  # null: the link still has to go out
    anonymized_at = UTCDateTimeField(null=True)
    # personal share links (petitions/sharing.py): this signatory's code, given at confirmation,
    # and the code of the link that brought them (a confirmed signatory's, checked at signing)
    share_code = peewee.CharField(max_length=8, null=True)
    via = peewee.CharField(max_length=8, null=True)

    class Meta:
        table_name = "signature"
        indexes = (
            (("petition", "email_key"), True),
            (("petition", "share_code"), True),  # NULLs (pending, anonymized) do not collide
            (("petition", "via", "status"), False),  # counting who came through a link
            (("petition", "status", "show_name", "confirmed_at"), False),
            (("status", "created_at"), False),
        )


class DailyCount(BaseModel):
    """Confirmed signatures per day, for the association's chart."""

    petition = peewee.ForeignKeyField(Petition, on_delete="CASCADE")
    day = peewee.DateField()
    count = peewee.IntegerField(default=0)

    class Meta:
        table_name = "daily_count"
        indexes = ((("petition", "day"), True),)


class AreaCount(BaseModel):
    """Confirmed signatures per area (French département from the postal code)."""

    petition = peewee.ForeignKeyField(Petition, on_delete="CASCADE")
    area = peewee.CharField(max_length=8)
    count = peewee.IntegerField(default=0)

    class Meta:
        table_name = "area_count"
        indexes = ((("petition", "area"), True),)


class SignatureInvalidation(BaseModel):
    """Signatures removed after the fact (fraud, a bot, a mistake), explained in public.

    The signatures themselves are deleted; this row keeps what the page and the audit need:
    when, how many, why, and by which criteria (never the addresses of a pasted list).
    """

    petition = peewee.ForeignKeyField(Petition, backref="invalidations", on_delete="CASCADE")
    reason = peewee.TextField()  # public: shown on the petition page and in its JSON
    criteria = JSONField(default=dict)  # domains, window, how many addresses were listed
    confirmed_removed = peewee.IntegerField(default=0)
    pending_removed = peewee.IntegerField(default=0)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "signature_invalidation"
        indexes = ((("petition", "created_at"), False),)
