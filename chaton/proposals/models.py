"""A resident's proposal of a petition, and the supporters it gathers before the association
decides on it (chaton/proposals/__init__.py tells the whole path)."""

import peewee

from chaton.core.db import BaseModel, UTCDateTimeField, utcnow
from chaton.orgs.models import Association

# unconfirmed: its author has not opened the link yet; gathering: collecting supporters
# (reachable by its address, listed nowhere); waiting: enough supporters, for the association
# to decide; published: a petition was made of it; rejected: with a public coded reason
STATUSES = ("unconfirmed", "gathering", "waiting", "published", "rejected")
DECIDED = ("published", "rejected")


class Proposal(BaseModel):
    association = peewee.ForeignKeyField(Association, on_delete="CASCADE")
    code = peewee.CharField(max_length=16, unique=True)  # its public address, random
    title = peewee.CharField(max_length=200)
    demand = peewee.TextField()  # what is asked, one or two sentences
    target = peewee.CharField(max_length=200)  # of whom
    story = peewee.TextField(default="")  # why, in Markdown
    author_name = peewee.CharField(max_length=100)  # shown as the proposer
    email = peewee.CharField(max_length=254, null=True)  # erased with retention
    email_key = peewee.CharField(max_length=254, null=True)
    language = peewee.CharField(max_length=8, default="fr")
    nonce = peewee.CharField(max_length=32)  # rotated: the author's links work once
    status = peewee.CharField(max_length=16, default="unconfirmed")
    supporter_count = peewee.IntegerField(default=0)
    reason = peewee.CharField(max_length=24, default="")  # a code of REASONS when rejected
    note = peewee.TextField(default="")  # the decision's public note
    petition_slug = peewee.CharField(max_length=100, default="")  # once published
    created_at = UTCDateTimeField(default=utcnow)
    confirmed_at = UTCDateTimeField(null=True)
    submitted_at = UTCDateTimeField(null=True)  # when it had its supporters
    decided_at = UTCDateTimeField(null=True)
    erased_at = UTCDateTimeField(null=True)  # its personal data, by retention

    class Meta:
        table_name = "proposal"
        indexes = ((("association", "status"), False),)

    @classmethod
    def find(cls, association, code):
        """The association's proposal of this code (an address's part, cut to a code's
        length before it is looked up), or None."""
        return cls.get_or_none((cls.association == association) & (cls.code == code[:16]))


class ProposalSupport(BaseModel):
    """One person's support, counted once confirmed (once per address and proposal)."""

    proposal = peewee.ForeignKeyField(Proposal, backref="supports", on_delete="CASCADE")
    name = peewee.CharField(max_length=100)
    email = peewee.CharField(max_length=254, null=True)
    email_key = peewee.CharField(max_length=254)
    language = peewee.CharField(max_length=8, default="fr")
    nonce = peewee.CharField(max_length=32)
    created_at = UTCDateTimeField(default=utcnow)
    confirmed_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "proposal_support"
        indexes = ((("proposal", "email_key"), True),)


TABLES = [Proposal, ProposalSupport]
