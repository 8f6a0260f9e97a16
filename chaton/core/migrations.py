"""Numbered schema migrations, applied in order and recorded in `schema_migration`.

Add a migration by appending a function to MIGRATIONS; never edit one that has shipped.
"""

import logging
from contextlib import contextmanager

import peewee

from chaton.core.db import SCHEMA_LOCK_KEY, BaseModel, UTCDateTimeField, database, is_sqlite, utcnow

log = logging.getLogger(__name__)


class SchemaMigration(BaseModel):
    number = peewee.IntegerField(primary_key=True)
    name = peewee.CharField(max_length=100)
    applied_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "schema_migration"


def m0001_initial(db):
    """Associations, petitions, signatures, counters, events, content index."""
    from chaton.core.events import Event
    from chaton.orgs.models import Association, ContentError
    from chaton.petitions.models import (
        AreaCount,
        DailyCount,
        Petition,
        PetitionRevision,
        PetitionUpdate,
        Signature,
    )

    db.create_tables([
        Association, ContentError, Event, Petition, PetitionRevision,
        PetitionUpdate, Signature, DailyCount, AreaCount,
    ])


def m0002_federation(db):
    """Keys, remote actors, followers, inbox log, deliveries, mirrors, partner counts."""
    from chaton.federation.models import MODELS
    from chaton.petitions.models import Petition

    db.create_tables(MODELS)
    add_missing_column(db, Petition, "partner_count")


def add_missing_column(db, model, name):
    """Add a column unless migration 1 already made it (it creates tables from the models)."""
    from playhouse.migrate import SchemaMigrator, migrate

    table = model._meta.table_name
    if name not in {c.name for c in db.get_columns(table)}:
        migrate(SchemaMigrator.from_database(db).add_column(table, name, model._meta.fields[name]))


def m0003_consultations(db):
    """Consultations: topics, participants, votes, contributions, comments, moderation."""
    from chaton.consultations.models import TABLES

    db.create_tables(TABLES)


def m0004_confirmation_sent(db):
    """Remember when a confirmation mail went out, to send again those lost in a crash."""
    from chaton.petitions.models import Signature

    add_missing_column(db, Signature, "confirmation_sent_at")


def m0005_accounts(db):
    """Accounts, roles in associations, invitations, sign-in links, audit log."""
    from chaton.accounts.models import TABLES

    db.create_tables(TABLES)


def m0006_hosting(db):
    """What the hoster keeps per association: suspension, quotas, domains."""
    from chaton.hoster.models import TABLES
    from chaton.orgs.models import Association

    for name in ("disabled_at", "max_campaigns", "max_storage_mb"):
        add_missing_column(db, Association, name)
    db.create_tables(TABLES)


def m0007_archived(db):
    """Archived campaigns: hidden from lists and feeds, their page still reachable."""
    from chaton.consultations.models import Consultation
    from chaton.petitions.models import Petition

    add_missing_column(db, Petition, "archived")
    add_missing_column(db, Consultation, "archived")


def m0008_invalidations(db):
    """Signatures removed after the fact, with their public explanation."""
    from chaton.petitions.models import SignatureInvalidation

    db.create_tables([SignatureInvalidation])


def m0009_federation_trust(db):
    """Requests waiting for a key apart from verified activities; hosts whose keys cannot be
    fetched; co-hosting secrets and de-duplicated partner counts; remote keys cached under the
    old rule (which let one server replace another's key) are forgotten and fetched again."""
    from chaton.federation.models import (
        Cohosting,
        InboxActivity,
        InboxWaiting,
        PartnerCount,
        RemoteActor,
        RemoteHost,
    )

    db.create_tables([InboxWaiting, Cohosting])
    add_missing_column(db, RemoteHost, "fetch_failed_until")
    add_missing_column(db, PartnerCount, "duplicates")
    add_missing_column(db, PartnerCount, "hashes")
    InboxActivity.delete().where(InboxActivity.status.not_in(["verified", "done"])).execute()
    RemoteActor.delete().execute()


def m0010_account_sessions(db):
    """Sessions kept on the server, so that signing out ends them (everyone signs in again)."""
    from chaton.accounts.models import AccountSession

    db.create_tables([AccountSession])


MIGRATIONS = [(1, m0001_initial), (2, m0002_federation), (3, m0003_consultations),
              (4, m0004_confirmation_sent), (5, m0005_accounts), (6, m0006_hosting),
              (7, m0007_archived), (8, m0008_invalidations), (9, m0009_federation_trust),
              (10, m0010_account_sessions)]


def applied_numbers():
    """Numbers of the migrations already applied."""
    database.create_tables([SchemaMigration])
    return {m.number for m in SchemaMigration.select()}


def pending():
    """(number, function) of the migrations not applied yet."""
    done = applied_numbers()
    return [(n, fn) for n, fn in MIGRATIONS if n not in done]


def upgrade():
    """Apply every pending migration, each in its own transaction; return their names."""
    names = []
    with one_upgrader():
        for number, fn in pending():
            with database.atomic():
                fn(database)
                SchemaMigration.create(number=number, name=fn.__name__)
            log.info("applied migration %s", fn.__name__)
            names.append(fn.__name__)
    return names


@contextmanager
def one_upgrader():
    """On PostgreSQL, processes starting together (app servers on several machines) take turns:
    the first applies the migrations, the others then find nothing pending."""
    if is_sqlite():
        yield
        return
    database.execute_sql("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
    try:
        yield
    finally:
        database.execute_sql("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))
