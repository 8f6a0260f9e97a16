"""Health checks for monitoring and load balancers.

`/healthz` says the application answers and its database can be read. `/healthz/write` proves
more: a write transaction completes within a couple of seconds. A server whose writes cannot
complete (its database connection stuck, the database refusing writes, locks held by a stopped
process) answers 503 there and a load balancer takes it out, while its pages would still look
fine. Each server writes one row of its own (its host name and process), so probes of several
servers never wait on each other.
"""

import os
import socket

import peewee

from chaton.core.db import BaseModel, UTCDateTimeField, database, is_sqlite, utcnow, writing

PROBE_TIMEOUT_MS = 2000


class Heartbeat(BaseModel):
    """The last write each server proved it could make."""

    name = peewee.CharField(max_length=200, primary_key=True)
    checked_at = UTCDateTimeField()


def server_name():
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def can_write():
    """Whether a write transaction completes now (within PROBE_TIMEOUT_MS on PostgreSQL)."""
    try:
        with writing():
            if not is_sqlite():
                database.execute_sql(f"SET LOCAL lock_timeout = {PROBE_TIMEOUT_MS}")
                database.execute_sql(f"SET LOCAL statement_timeout = {PROBE_TIMEOUT_MS}")
            now = utcnow()
            (Heartbeat.insert(name=server_name(), checked_at=now)
             .on_conflict(conflict_target=[Heartbeat.name], update={Heartbeat.checked_at: now})
             .execute())
    except (peewee.OperationalError, peewee.InterfaceError, peewee.InternalError):
        return False
    return True
