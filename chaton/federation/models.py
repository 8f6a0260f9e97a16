"""Federation state: keys, remote actors, followers, inbox log, deliveries, mirrors, partners."""

import peewee

from chaton.core.db import BaseModel, JSONField, UTCDateTimeField, utcnow


class ActorKey(BaseModel):
    """The RSA key pair of a local actor ('instance' or an association slug)."""

    owner = peewee.CharField(max_length=64, unique=True)
    private_pem = peewee.TextField()
    public_pem = peewee.TextField()
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "fed_actor_key"


class RemoteActor(BaseModel):
    """A remote actor as last fetched: its inbox and its public key."""

    uri = peewee.CharField(max_length=500, unique=True)
    key_id = peewee.CharField(max_length=500, unique=True)
    public_pem = peewee.TextField()
    inbox = peewee.CharField(max_length=500)
    shared_inbox = peewee.CharField(max_length=500, default="")
    username = peewee.CharField(max_length=200, default="")
    name = peewee.CharField(max_length=300, default="")
    host = peewee.CharField(max_length=255, index=True)
    fetched_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "fed_remote_actor"

    @property
    def delivery_inbox(self):
        return self.shared_inbox or self.inbox


class Follower(BaseModel):
    """A remote actor following a local association."""

    association = peewee.CharField(max_length=64)
    actor = peewee.CharField(max_length=500)
    inbox = peewee.CharField(max_length=500)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "fed_follower"
        indexes = ((("association", "actor"), True),)


class InboxActivity(BaseModel):
    """Every verified activity, once: only a verified activity reserves its id (a forged copy
    sent first must not shadow the genuine one)."""

    activity_id = peewee.CharField(max_length=500, unique=True)
    actor = peewee.CharField(max_length=500)
    type = peewee.CharField(max_length=64)
    status = peewee.CharField(max_length=16)  # verified (queued for the worker), done
    request = JSONField(null=True)  # the activity, until the worker has handled it
    error = peewee.TextField(default="")
    received_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "fed_inbox"


class InboxWaiting(BaseModel):
    """A signed request whose key is not known yet: trusted for nothing until the worker has
    fetched the key from its owner and verified the signature. Several rows may carry the
    same activity id (a forgery and the genuine one)."""

    activity_id = peewee.CharField(max_length=500, index=True)
    actor = peewee.CharField(max_length=500)
    key_id = peewee.CharField(max_length=500, index=True)
    host = peewee.CharField(max_length=255, index=True)  # the key's host: limits apply per host
    request = JSONField(null=True)  # method, url, headers, body
    status = peewee.CharField(max_length=16, default="waiting")  # waiting, rejected
    error = peewee.TextField(default="")
    received_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "fed_inbox_waiting"


class Delivery(BaseModel):
    """One activity to one inbox, tried until it lands (durable, inspectable)."""

    activity = JSONField()
    sender = peewee.CharField(max_length=64)  # local actor whose key signs
    inbox = peewee.CharField(max_length=500)
    host = peewee.CharField(max_length=255, index=True)
    status = peewee.CharField(max_length=12, default="pending")  # pending, done, dropped
    tries = peewee.IntegerField(default=0)
    next_try_at = UTCDateTimeField(default=utcnow)
    last_status = peewee.IntegerField(null=True)
    last_error = peewee.TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "fed_delivery"
        indexes = ((("status", "next_try_at"), False),)


class RemoteHost(BaseModel):
    """Delivery health of a remote host; a host that keeps failing is paused."""

    host = peewee.CharField(max_length=255, unique=True)
    failures = peewee.IntegerField(default=0)
    paused_until = UTCDateTimeField(null=True)
    last_error = peewee.TextField(default="")
    # fetching keys from this host failed: requests needing one wait until then (503)
    fetch_failed_until = UTCDateTimeField(null=True)

    class Meta:
        table_name = "fed_remote_host"


class Following(BaseModel):
    """A remote association this instance follows (to mirror its campaigns)."""

    actor = peewee.CharField(max_length=500, unique=True)
    handle = peewee.CharField(max_length=300, default="")
    follow_id = peewee.CharField(max_length=500)
    state = peewee.CharField(max_length=12, default="pending")  # pending, accepted
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "fed_following"


class Mirror(BaseModel):
    """A campaign of another instance, shown here with a canonical link to its origin."""

    object_id = peewee.CharField(max_length=500, unique=True)
    actor = peewee.CharField(max_length=500, index=True)
    association_name = peewee.CharField(max_length=200, default="")
    title = peewee.CharField(max_length=300)
    data = JSONField(default=dict)
    html = peewee.TextField(default="")
    deleted = peewee.BooleanField(default=False)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "fed_mirror"


class PartnerCount(BaseModel):
    """Confirmed signatures a declared partner instance reports for a co-hosted petition (on a
    partner: what the origin and the other partners collected, as the origin last said)."""

    petition = peewee.IntegerField(index=True)
    partner = peewee.CharField(max_length=255)  # the partner's host
    actor = peewee.CharField(max_length=500)
    count = peewee.IntegerField(default=0)  # as reported
    duplicates = peewee.IntegerField(default=0)  # of those, people who also signed elsewhere
    hashes = peewee.TextField(default="")  # keyed hashes of its signatories (see dedup.py)
    reported_at = UTCDateTimeField(default=utcnow)

    @property
    def counted(self):
        return max(0, self.count - self.duplicates)

    class Meta:
        table_name = "fed_partner_count"
        indexes = ((("petition", "partner"), True),)


class Cohosting(BaseModel):
    """A co-hosted petition, on the origin or on a partner: the secret its instances hash
    e-mail addresses with (made by the origin, given to declared partners only), and on a
    partner whether a count report is due (reports are sent at most every REPORT_DELAY)."""

    petition = peewee.IntegerField(unique=True)
    secret = peewee.CharField(max_length=64, default="")
    report_due = peewee.BooleanField(default=False)
    reported_at = UTCDateTimeField(null=True)
    computed_count = peewee.IntegerField(default=-1)  # origin: local count at the last dedup

    class Meta:
        table_name = "fed_cohosting"


MODELS = [ActorKey, RemoteActor, Follower, InboxActivity, InboxWaiting, Delivery, RemoteHost,
          Following, Mirror, PartnerCount, Cohosting]
