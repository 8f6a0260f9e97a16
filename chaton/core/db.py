"""The database: declared unbound here, bound by the app factory, one connection per thread.

SQLite runs in WAL mode; writes go through `writing()`, which serializes them with one short
in-process lock instead of letting threads collide and retry on SQLITE_BUSY (retries give p99
latencies near a second).

PostgreSQL (`database_url = "postgresql://user:password@host/name"`) may serve several processes
on several machines, and there the database does its job: write transactions run side by side
(READ COMMITTED), counters move in place (`x = x + 1`), duplicates are refused by unique
constraints (`ON CONFLICT`), a change that depends on a row's state says so in its WHERE.
Where a write must read, decide and write with nothing in between (one person's signature on
one petition, one account), `writing(key...)` names what it serializes: a transaction-level
advisory lock on that key only, as Mastodon takes a lock per resource; other keys never wait.

No process can hold the others up for long: every connection sets `lock_timeout` (a wait for
a row or a key gives up), `idle_in_transaction_session_timeout` (the server ends the
transaction of a client that stopped mid-write: a paused VM, a cut network) and TCP
keepalives (a dead peer is noticed in seconds, not the two hours of the system default).
"""

import hashlib
import json
import os
import socket
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


# key of the PostgreSQL advisory lock of migrations and of the queue's tables: one process at
# a time creates them (keys of `writing(...)` are hashes, in another space of numbers)
SCHEMA_LOCK_KEY = 0x63686174_6F6E + 1

# what every PostgreSQL connection of Chaton sets (seconds; the settings of the same names)
TIMEOUTS = {"database_lock_timeout": 5, "database_idle_timeout": 5}


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


def open_database(url, instance_path, settings=None):
    """Create the peewee database for a URL (empty: instance/chaton.db) and bind the proxy."""
    if not url:
        url = "sqlite:///" + str(Path(instance_path) / "chaton.db")
    if url.startswith("sqlite"):
        db = connect(url, pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    elif url.startswith(("postgresql://", "postgres://")):
        if peewee.psycopg2 is None and peewee.psycopg is None:
            raise SystemExit("database_url names PostgreSQL but its driver is missing: "
                             "install it with `.venv/bin/pip install -e '.[postgresql]'`")
        db = PostgresqlDatabase(**postgresql_parameters(url, settings or TIMEOUTS))
    else:
        raise SystemExit(f"database_url: unsupported database {url.split(':', 1)[0]!r} "
                         "(use sqlite:///path/to/file.db or postgresql://user:password@host/name)")
    database.initialize(db)
    return db


def postgresql_parameters(url, settings):
    """psycopg's connection parameters for a postgresql:// URL: its user and password
    URL-decoded (`p%40ss` is `p@ss`), its query string as libpq options, and Chaton's timeouts
    and keepalives unless the URL sets them."""
    params = parse(url, unquote_password=True, unquote_user=True)
    lock_ms = int(float(settings.get("database_lock_timeout", 5)) * 1000)
    idle_ms = int(float(settings.get("database_idle_timeout", 5)) * 1000)
    options = f"-c lock_timeout={lock_ms} -c idle_in_transaction_session_timeout={idle_ms}"
    params["options"] = (options + " " + params["options"]).strip() if "options" in params else options
    for name, value in {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
                        "keepalives_count": 3, "connect_timeout": 10,
                        # which process a session belongs to, in pg_stat_activity
                        "application_name": f"chaton {socket.gethostname()} {os.getpid()}"[:63],
                        }.items():
        params.setdefault(name, value)
    return params


def is_sqlite():
    """True when the bound database is SQLite."""
    return isinstance(database.obj, peewee.SqliteDatabase)


@contextmanager
def writing(*key):
    """One short write transaction.

    SQLite: one at a time (an in-process lock and BEGIN IMMEDIATE), whatever the key.
    PostgreSQL: side by side; with a key (strings and numbers naming what the transaction reads
    then changes, e.g. `writing("signatory", petition_id, email_key)`), transactions of the
    same key take turns across every process, by an advisory lock released at commit."""
    if is_sqlite():
        with _write_lock, database.atomic("IMMEDIATE"):
            yield
    else:
        with database.atomic():
            if key:
                advisory_xact_lock(database, lock_number(*key))
            yield


def lock_number(*key):
    """The 64-bit signed number of an advisory lock for a key (a stable hash of its parts)."""
    text = "\x1f".join(str(part) for part in key).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big", signed=True)


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
