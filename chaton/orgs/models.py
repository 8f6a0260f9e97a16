"""Associations (spaces) as indexed from content/<slug>/association.md."""

import peewee

from chaton.core.cache import TTLCache
from chaton.core.db import BaseModel, JSONField, UTCDateTimeField, utcnow

_by_slug = TTLCache(ttl=3.0)


class Association(BaseModel):
    slug = peewee.CharField(max_length=64, unique=True)
    name = peewee.CharField(max_length=200)
    path = peewee.CharField(max_length=500)
    checksum = peewee.CharField(max_length=64)
    meta = JSONField(default=dict)
    description_html = peewee.TextField(default="")
    language = peewee.CharField(max_length=8, default="fr")
    theme = peewee.CharField(max_length=64, default="")
    present = peewee.BooleanField(default=True)  # false once its folder is gone
    admin_token_hash = peewee.CharField(max_length=128, default="")
    created_at = UTCDateTimeField(default=utcnow)
    # kept by the hoster, not in association.md (which belongs to the association)
    disabled_at = UTCDateTimeField(null=True)  # suspended: public pages answer 410
    max_campaigns = peewee.IntegerField(null=True)  # petitions + consultations; None: no limit
    max_storage_mb = peewee.IntegerField(null=True)  # files other than Markdown; None: no limit

    class Meta:
        table_name = "association"

    @classmethod
    def is_public(cls):
        """The condition for associations shown to visitors: on disk and not suspended."""
        return (cls.present == True) & cls.disabled_at.is_null()  # noqa: E712

    @classmethod
    def visible(cls):
        """Associations shown to visitors: content on disk, not suspended by the hoster."""
        return cls.select().where(cls.is_public()).order_by(cls.name)

    @classmethod
    def by_slug(cls, slug):
        """The association with this slug, or None (kept a few seconds: every page needs it)."""
        found = _by_slug.get(slug)
        if found is None:
            found = _by_slug.set(slug, cls.get_or_none((cls.slug == slug)
                                                      & (cls.present == True)))  # noqa: E712
        return found

    @property
    def contact(self):
        return self.meta.get("contact") or {}

    @property
    def logo(self):
        return self.meta.get("logo")

    @property
    def disabled(self):
        return self.disabled_at is not None


class ContentError(BaseModel):
    """A content file that could not be loaded, listed for admins and `chaton content check`."""

    association = peewee.CharField(max_length=64, index=True)
    path = peewee.CharField(max_length=500)
    line = peewee.IntegerField(default=0)
    field = peewee.CharField(max_length=100, default="")
    message = peewee.TextField()
    seen_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "content_error"

    def __str__(self):
        field = f" {self.field}:" if self.field else ""
        return f"{self.path}:{self.line}:{field} {self.message}"
