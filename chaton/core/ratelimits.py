"""Rate limits that every app server shares: Flask-Limiter's counters in the database.

With SQLite (one machine, one `chaton serve`) the counters live in the process's memory, with
Flask-Limiter's moving window. With PostgreSQL several app servers answer one visitor in turn
(a load balancer spreads requests), so each would count only its share and let N times the
limit through: the counters are rows of `rate_limit` instead, one per key and window, moved by
one `INSERT ... ON CONFLICT DO UPDATE` per request that counts (a fixed window: at most twice
the limit across a window's edge, the price of one statement a hit).
"""

import time

import peewee
from huey import crontab
from limits.storage import Storage

from chaton.core.db import BaseModel, database, is_sqlite
from chaton.core.tasks import periodic


class RateLimit(BaseModel):
    """One counter of Flask-Limiter: a key (limit, route, address) and its window."""

    key = peewee.CharField(max_length=500, primary_key=True)
    count = peewee.IntegerField()
    expires_at = peewee.DoubleField()  # seconds since the epoch

    class Meta:
        table_name = "rate_limit"


class DatabaseStorage(Storage):
    """`chaton-database://`: Flask-Limiter's storage in Chaton's own database."""

    STORAGE_SCHEME = ["chaton-database"]

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return peewee.DatabaseError

    def incr(self, key, expiry, amount=1):
        """Add `amount` to the counter of `key`, started again if its window is over."""
        now = time.time()
        table = RateLimit._meta.table_name
        cursor = database.execute_sql(
            f'INSERT INTO "{table}" (key, count, expires_at) VALUES (%s, %s, %s) '
            f'ON CONFLICT (key) DO UPDATE SET '
            f'count = CASE WHEN "{table}".expires_at <= %s THEN EXCLUDED.count '
            f'ELSE "{table}".count + EXCLUDED.count END, '
            f'expires_at = CASE WHEN "{table}".expires_at <= %s THEN EXCLUDED.expires_at '
            f'ELSE "{table}".expires_at END RETURNING count',
            (key[:500], amount, now + expiry, now, now))
        return cursor.fetchone()[0]

    def get(self, key):
        row = (RateLimit.select(RateLimit.count)
               .where((RateLimit.key == key[:500]) & (RateLimit.expires_at > time.time()))
               .first())
        return row.count if row else 0

    def get_expiry(self, key):
        row = RateLimit.select(RateLimit.expires_at).where(RateLimit.key == key[:500]).first()
        return row.expires_at if row else time.time()

    def check(self):
        database.execute_sql("SELECT 1")
        return True

    def reset(self):
        return RateLimit.delete().execute()

    def clear(self, key):
        RateLimit.delete().where(RateLimit.key == key[:500]).execute()


def configure(app):
    """Where the app's rate limits count: in memory with SQLite, shared in the database with
    PostgreSQL (before Flask-Limiter's init_app reads these)."""
    if is_sqlite():
        app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
        app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    else:
        app.config.setdefault("RATELIMIT_STORAGE_URI", "chaton-database://")
        app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")


def forget_expired(now=None):
    """Delete the counters whose window is over (a few rows per address seen)."""
    if is_sqlite():
        return 0
    return RateLimit.delete().where(RateLimit.expires_at < (now or time.time())).execute()


@periodic(crontab(minute="*/10"))
def forget_expired_rate_limits():
    forget_expired()
