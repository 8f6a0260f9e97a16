"""The database: declared unbound here, bound by the app factory, one connection per thread.

SQLite runs in WAL mode; writes go through `writing()`, which serializes them with one short
in-process lock instead of letting threads collide and retry on SQLITE_BUSY (retries give p99
latencies near a second). PostgreSQL (`database_url = "postgresql://..."`) needs no lock.
"""

import json
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import peewee
from playhouse.db_url import connect

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


def utcnow():
    """Timezone-aware now, the only clock the models use."""
    return datetime.now(UTC)


def open_database(url, instance_path):
    """Create the peewee database for a URL (empty: instance/chaton.db) and bind the proxy."""
    if not url:
        url = "sqlite:///" + str(Path(instance_path) / "chaton.db")
    if url.startswith("sqlite"):
        db = connect(url, pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    else:
        db = connect(url)
    database.initialize(db)
    return db


def is_sqlite():
    """True when the bound database is SQLite."""
    return isinstance(database.obj, peewee.SqliteDatabase)


@contextmanager
def writing():
    """One short write transaction, serialized in-process on SQLite."""
    if is_sqlite():
        with _write_lock, database.atomic("IMMEDIATE"):
            yield
    else:
        with database.atomic():
            yield


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
