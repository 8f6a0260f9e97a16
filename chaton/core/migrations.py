"""Numbered schema migrations, applied in order and recorded in `schema_migration`.

The shipped migrations are in chaton/schema.py (they name the built-in capabilities' models),
and a capability from outside Chaton declares its own (`Capability.migrations`, numbered within
it, recorded in capability_migration); this module runs them. Add one by appending a
function to MIGRATIONS there; never edit one that has shipped.

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


class CapabilityMigration(BaseModel):
    """The migrations of capabilities from outside chaton/schema.py, numbered within each
    (made only once such a capability is installed)."""

    capability = peewee.CharField(max_length=64)
    number = peewee.IntegerField()
    name = peewee.CharField(max_length=100)
    applied_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "capability_migration"
        indexes = ((("capability", "number"), True),)


def model_named(path):
    module, _, name = path.partition(":")
    return getattr(__import__(module, fromlist=[name]), name)


def add_columns(db, number):
    """Add the columns of migration `number` (ADDED_COLUMNS) that the table lacks."""
    for path, name in _history().ADDED_COLUMNS[number]:
        add_missing_column(db, model_named(path), name)


def _history():
    """The shipped migrations (chaton/schema.py): the core runs them, it does not name them."""
    from chaton import schema

    return schema


def __getattr__(name):  # migrations.MIGRATIONS, migrations.ADDED_COLUMNS: the schema's lists
    if name in ("MIGRATIONS", "ADDED_COLUMNS"):
        return getattr(_history(), name)
    raise AttributeError(name)


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
    return [(n, fn) for n, fn in _history().MIGRATIONS if n not in done]


def capabilities_pending(create=True):
    """(capability, number, function) of the installed capabilities' own migrations not
    applied yet, in INSTALLED order (without `create`, nothing is made)."""
    from chaton.core.capability import installed

    declared = [(capability.name, number, fn) for capability in installed()
                for number, fn in capability.load_migrations()]
    if not declared:
        return []
    table = CapabilityMigration._meta.table_name
    if not database.table_exists(table):
        if not create:
            return declared
        database.create_tables([CapabilityMigration])
    done = set(CapabilityMigration.select(CapabilityMigration.capability,
                                          CapabilityMigration.number).tuples())
    return [(name, number, fn) for name, number, fn in declared if (name, number) not in done]


def upgrade():
    """Apply every pending migration, each in its own transaction: the shipped history
    (chaton/schema.py), then each installed capability's own; return their names."""
    names = []
    with one_upgrader():
        for number, fn in pending():
            with database.atomic():
                fn(database)
                SchemaMigration.create(number=number, name=fn.__name__)
            log.info("applied migration %s", fn.__name__)
            names.append(fn.__name__)
        for capability, number, fn in capabilities_pending():
            with database.atomic():
                fn(database)
                CapabilityMigration.create(capability=capability, number=number,
                                           name=fn.__name__)
            log.info("applied migration %s of %s", fn.__name__, capability)
            names.append(f"{capability}: {fn.__name__}")
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
