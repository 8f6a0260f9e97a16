"""Numbered schema migrations, applied in order and recorded in `schema_migration`.

Add a migration by appending a function to MIGRATIONS; never edit one that has shipped.

Servers are upgraded one at a time (the first new one applies the migrations while the others
still run the previous release), so a migration only expands: new tables, new columns that are
nullable or have a database default (the old code inserts rows without them), never a rename
or a drop. What the new code no longer needs is removed a release later, when no old code is
left. `add_missing_column` enforces the rule for columns; `m0011_several_servers` gave the
columns added before the rule their database defaults.
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

    db.create_tables(MODELS)
    add_columns(db, 2)


# columns added to existing tables, by migration: the rule above applies to each
ADDED_COLUMNS = {
    2: [("chaton.petitions.models:Petition", "partner_count")],
    4: [("chaton.petitions.models:Signature", "confirmation_sent_at")],
    6: [("chaton.orgs.models:Association", name)
        for name in ("disabled_at", "max_campaigns", "max_storage_mb")],
    7: [("chaton.petitions.models:Petition", "archived"),
        ("chaton.consultations.models:Consultation", "archived")],
    9: [("chaton.federation.models:RemoteHost", "fetch_failed_until"),
        ("chaton.federation.models:PartnerCount", "duplicates"),
        ("chaton.federation.models:PartnerCount", "hashes")],
}


def model_named(path):
    module, _, name = path.partition(":")
    return getattr(__import__(module, fromlist=[name]), name)


def add_columns(db, number):
    """Add the columns of migration `number` (ADDED_COLUMNS) that the table lacks."""
    for path, name in ADDED_COLUMNS[number]:
        add_missing_column(db, model_named(path), name)


def add_missing_column(db, model, name):
    """Add a column unless migration 1 already made it (it creates tables from the models),
    with its database default: servers still on the previous release insert rows without it."""
    from playhouse.migrate import SchemaMigrator, migrate

    field = model._meta.fields[name]
    default = sql_default(field)
    if not field.null and default is None:
        raise ValueError(f"{model._meta.table_name}.{name}: a column added to a database in use "
                         "must be nullable or have a default the database can apply")
    table = model._meta.table_name
    if name not in {c.name for c in db.get_columns(table)}:
        migrate(SchemaMigrator.from_database(db).add_column(table, name, field))
    if default is not None and not is_sqlite():
        db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{name}" SET DEFAULT {default}')


def sql_default(field):
    """The SQL of a field's default as PostgreSQL can apply it, or None (no default, or one
    only Python can compute)."""
    default = field.default
    if isinstance(field, UTCDateTimeField) and default is utcnow:
        return "(now() AT TIME ZONE 'utc')"
    if callable(default) or default is None:
        return None
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, int | float):
        return repr(default)
    if isinstance(default, str):
        return "'" + default.replace("'", "''") + "'"
    return None


def m0003_consultations(db):
    """Consultations: topics, participants, votes, contributions, comments, moderation."""
    from chaton.consultations.models import TABLES

    db.create_tables(TABLES)


def m0004_confirmation_sent(db):
    """Remember when a confirmation mail went out, to send again those lost in a crash."""
    add_columns(db, 4)


def m0005_accounts(db):
    """Accounts, roles in associations, invitations, sign-in links, audit log."""
    from chaton.accounts.models import TABLES

    db.create_tables(TABLES)


def m0006_hosting(db):
    """What the hoster keeps per association: suspension, quotas, domains."""
    from chaton.hoster.models import TABLES

    add_columns(db, 6)
    db.create_tables(TABLES)


def m0007_archived(db):
    """Archived campaigns: hidden from lists and feeds, their page still reachable."""
    add_columns(db, 7)


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
        RemoteActor,
    )

    db.create_tables([InboxWaiting, Cohosting])
    add_columns(db, 9)
    InboxActivity.delete().where(InboxActivity.status.not_in(["verified", "done"])).execute()
    RemoteActor.delete().execute()


def m0010_account_sessions(db):
    """Sessions kept on the server, so that signing out ends them (everyone signs in again)."""
    from chaton.accounts.models import AccountSession

    db.create_tables([AccountSession])


def m0011_several_servers(db):
    """Database defaults for the columns earlier migrations added without one (servers on the
    previous release failed to insert rows without them during a rolling upgrade), the
    heartbeat rows of `/healthz/write` and the rate limits app servers share."""
    from chaton.core.health import Heartbeat
    from chaton.core.ratelimits import RateLimit

    db.create_tables([Heartbeat, RateLimit])
    for number in ADDED_COLUMNS:
        if number < 11:
            add_columns(db, number)


MIGRATIONS = [(1, m0001_initial), (2, m0002_federation), (3, m0003_consultations),
              (4, m0004_confirmation_sent), (5, m0005_accounts), (6, m0006_hosting),
              (7, m0007_archived), (8, m0008_invalidations), (9, m0009_federation_trust),
              (10, m0010_account_sessions), (11, m0011_several_servers)]


def applied_numbers(create=True):
    """Numbers of the migrations already applied (without `create`, an empty database is read
    as such: nothing is made)."""
    if not create and not database.table_exists(SchemaMigration._meta.table_name):
        return set()
    database.create_tables([SchemaMigration])
    return {m.number for m in SchemaMigration.select()}


def pending(create=True):
    """(number, function) of the migrations not applied yet."""
    done = applied_numbers(create)
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
    database.execute_sql("SET lock_timeout = 0")  # however long the first one takes
    database.execute_sql("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
    database.execute_sql("RESET lock_timeout")  # Chaton's, for the migrations' own statements
    try:
        yield
    finally:
        database.execute_sql("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))
