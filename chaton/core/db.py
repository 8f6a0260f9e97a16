"""The database: declared unbound here, bound by the app factory, one connection per thread.

SQLite runs in WAL mode; writes go through `writing()`, which serializes them with one short
in-process lock instead of letting threads collide and retry on SQLITE_BUSY (retries give p99
latencies near a second).

PostgreSQL (`database_url = "postgresql://user:password@host/name"`) may serve several processes
on several machines. `writing()` keeps the same promise there: one write transaction at a time,
by a transaction-level advisory lock that every app server and worker shares. Code written for
SQLite's single writer (read a row, decide, write) stays correct without SELECT ... FOR UPDATE;
reads are never blocked (MVCC), and a transaction lasts a few milliseconds.
"""

import json
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import peewee
from playhouse.db_url import connect, parse
from playhouse.shortcuts import ReconnectMixin

database = peewee.DatabaseProxy()
_write_lock = threading.RLock()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",  # safe against a killed process in WAL mode
    "foreign_keys": 1,
    "cache_size": -4000,  # 4 MB a connection
    "busy_timeout": 10000,
    "temp_store": "memory",
}


# keys of PostgreSQL advisory locks (any constants, distinct): one writer at a time, one
# process at a time applying migrations or creating the queue's tables
WRITE_LOCK_KEY = 0x63686174_6F6E  # "chaton"
SCHEMA_LOCK_KEY = WRITE_LOCK_KEY + 1


class PostgresqlDatabase(ReconnectMixin, peewee.PostgresqlDatabase):
    """PostgreSQL whose threads reopen a connection the server lost (restart, network cut).

    A statement outside a transaction is retried once on a new connection; inside one, the
    error stands (the transaction is lost, the request fails and the next one reconnects)."""

    reconnect_errors = (
        (peewee.OperationalError, "server closed the connection"),
        (peewee.OperationalError, "terminating connection"),
        (peewee.OperationalError, "could not receive data"),
        (peewee.OperationalError, "could not send data"),
        (peewee.OperationalError, "ssl connection has been closed"),
        (peewee.InterfaceError, "connection already closed"),
    )

    def rollback(self):
        if not self.is_closed() and self._state.conn.closed:
            return  # the connection died: the server ended the transaction, the error stands
        super().rollback()


def utcnow():
    """Timezone-aware now, the only clock the models use."""
    return datetime.now(UTC)


def open_database(url, instance_path):
    """Create the peewee database for a URL (empty: instance/chaton.db) and bind the proxy."""
    if not url:
        url = "sqlite:///" + str(Path(instance_path) / "chaton.db")
    if url.startswith("sqlite"):
        db = connect(url, pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    elif url.startswith(("postgresql://", "postgres://")):
        if peewee.psycopg2 is None and peewee.psycopg is None:
            raise SystemExit("database_url names PostgreSQL but its driver is missing: "
                             "install it with `.venv/bin/pip install -e '.[postgresql]'`")
        db = PostgresqlDatabase(**parse(url))
    else:
        raise SystemExit(f"database_url: unsupported database {url.split(':', 1)[0]!r} "
                         "(use sqlite:///path/to/file.db or postgresql://user:password@host/name)")
    database.initialize(db)
    return db


def is_sqlite():
    """True when the bound database is SQLite."""
    return isinstance(database.obj, peewee.SqliteDatabase)


@contextmanager
def writing():
    """One short write transaction, one at a time: an in-process lock and BEGIN IMMEDIATE on
    SQLite, an advisory lock shared by every process on PostgreSQL (released at commit)."""
    if is_sqlite():
        with _write_lock, database.atomic("IMMEDIATE"):
            yield
    else:
        with database.atomic():
            advisory_xact_lock(database, WRITE_LOCK_KEY)
            yield


def modulo(dividend, divisor):
    """SQL `dividend mod divisor` on either engine (peewee's `%` operator means LIKE; SQLite
    has no MOD() without its math functions; psycopg2 reads a bare `%` as a placeholder)."""
    if is_sqlite():
        return peewee.Expression(dividend, "%", divisor)
    return peewee.fn.MOD(dividend, divisor)


def advisory_xact_lock(db, key):
    """Wait for a PostgreSQL advisory lock, held until the current transaction ends."""
    db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (key,))


class UTCDateTimeField(peewee.DateTimeField):
    """Stores aware datetimes as naive UTC text and gives them back aware."""

    def db_value(self, value):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class JSONField(peewee.TextField):
    """A JSON document in a text column (portable between SQLite and PostgreSQL)."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, default=str)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False
