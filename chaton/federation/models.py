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
    """Every activity received, once (deduplicated by id); kept while it waits for a key."""

    activity_id = peewee.CharField(max_length=500, unique=True)
    actor = peewee.CharField(max_length=500)
    type = peewee.CharField(max_length=64)
    status = peewee.CharField(max_length=16)  # waiting_key, verified, done, rejected
    request = JSONField(null=True)  # method, url, headers, body while waiting for a key
    error = peewee.TextField(default="")
    received_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "fed_inbox"


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
    """Confirmed signatures a declared partner instance reports for a co-hosted petition."""

    petition = peewee.IntegerField(index=True)
    partner = peewee.CharField(max_length=255)  # the partner's host
    actor = peewee.CharField(max_length=500)
    count = peewee.IntegerField(default=0)
    reported_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "fed_partner_count"
        indexes = ((("petition", "partner"), True),)


MODELS = [ActorKey, RemoteActor, Follower, InboxActivity, Delivery, RemoteHost, Following, Mirror,
          PartnerCount]
