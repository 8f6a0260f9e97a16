"""What the hoster keeps about associations, beside the columns of Association (suspension,
quotas): the host names that serve each association at their root."""

import peewee

from chaton.core.db import BaseModel, UTCDateTimeField, utcnow
from chaton.orgs.models import Association


class AssociationDomain(BaseModel):
    """A host name (`petitions.asso.example`) whose requests serve one association."""

    association = peewee.ForeignKeyField(Association, backref="domains", on_delete="CASCADE")
    host = peewee.CharField(max_length=253, unique=True)  # lower-case, ASCII (punycode)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "association_domain"


TABLES = [AssociationDomain]
