"""Background work with huey, drained by a consumer.

The queue lives next to the data: in instance/queue.db (SQLite) by default, in the PostgreSQL
database itself (tables huey_*) when `database_url` names one, so that app servers on several
machines feed one queue that one `chaton worker` drains (FOR UPDATE SKIP LOCKED).

Two queues, each drained by its own threads, so that mail to people never waits behind work
that waits on other servers: `huey` (mail, campaign events, housekeeping) and `remote`
(federation: key fetches, deliveries, what other servers send; a slow or hostile server can
hold its threads for `federation_timeout` seconds, never the mail's). Both live in the same
storage under two names.

`chaton serve` starts the consumers in-process (threads); `chaton worker` runs them alone for
larger hosts. Tasks run inside an app context. In tests, `immediate_tasks` runs them inline.
"""

import functools
import logging
from pathlib import Path

import peewee
from huey import SqliteHuey
from huey.contrib.sql_huey import BytesBlobField, SqlStorage
from huey.storage import SqliteStorage

from chaton.core import db

log = logging.getLogger(__name__)

# created in immediate (in-memory) mode so that importing opens no file; configure() binds them
huey = SqliteHuey("chaton", immediate=True, utc=True)
remote = SqliteHuey("chaton-remote", immediate=True, utc=True)
QUEUES = {"main": huey, "remote": remote}
_app = None


def configure(app):
    """Bind the queues to this app's database (or to inline execution for tests); call it
    once the database is open."""
    global _app
    _app = app
    for queue in QUEUES.values():
        _bind(queue, app)


def _bind(queue, app):
    if app.config["CHATON"]["immediate_tasks"]:
        queue.immediate = True
        return
    if not db.is_sqlite():
        # the app's own database object: no second connection per thread, and a task queued
        # inside a transaction is seen by the worker only if that transaction commits
        queue.storage_class = PostgresqlQueue
        queue.storage_kwargs = {"database": db.database.obj}
    else:
        queue.storage_class = SqliteStorage
        queue.storage_kwargs = {"filename": str(Path(app.instance_path) / "queue.db"),
                                "journal_mode": "wal", "fsync": False, "timeout": 10}
    queue._immediate = False
    queue.storage = queue.create_storage()


class PostgresqlQueue(SqlStorage):
    """huey's SQL storage in the PostgreSQL database, tables named huey_* beside Chaton's; FOR
    UPDATE SKIP LOCKED lets the consumers of several machines share them."""

    def create_models(self):
        # huey's own four models (huey.contrib.sql_huey), with prefixed table names
        class Base(peewee.Model):
            class Meta:
                database = self.database
                table_function = _queue_table_name

        class KV(Base):
            queue = peewee.CharField()
            key = peewee.CharField()
            value = BytesBlobField()

            class Meta:
                primary_key = peewee.CompositeKey("queue", "key")

        class Schedule(Base):
            queue = peewee.CharField()
            data = BytesBlobField()
            timestamp = peewee.TimestampField(resolution=1000)

            class Meta:
                indexes = ((("queue", "timestamp"), False),)

        class Task(Base):
            queue = peewee.CharField()
            data = BytesBlobField()
            priority = peewee.FloatField(default=0.0)

        Task.add_index(Task.priority.desc(), Task.id)

        class Counter(Base):
            queue = peewee.CharField()
            key = peewee.CharField()
            value = peewee.IntegerField()

            class Meta:
                primary_key = peewee.CompositeKey("queue", "key")

        return KV, Schedule, Task, Counter

    def create_tables(self):
        # app servers starting together take turns: CREATE TABLE IF NOT EXISTS is not atomic
        with self.database:  # a connection and a transaction, closed on exit
            db.advisory_xact_lock(self.database, db.SCHEMA_LOCK_KEY)
            self.database.create_tables([self.KV, self.Schedule, self.Task, self.Counter])


def _queue_table_name(model):
    return "huey_" + model.__name__.lower()


def task(queue="main", **options):
    """A huey task that runs inside the app context, with retries by default, on the main
    queue or on the `remote` one (work that waits on other servers)."""
    options.setdefault("retries", 5)
    options.setdefault("retry_delay", 30)

    def decorator(fn):
        @functools.wraps(fn)
        def in_context(*args, **kwargs):
            with _app.app_context():
                return fn(*args, **kwargs)

        return QUEUES[queue].task(name=fn.__name__, **options)(in_context)

    return decorator


def periodic(schedule, queue="main"):
    """A periodic huey task (crontab) that runs inside the app context."""
    def decorator(fn):
        @functools.wraps(fn)
        def in_context():
            with _app.app_context():
                return fn()

        return QUEUES[queue].periodic_task(schedule, name=fn.__name__)(in_context)

    return decorator


def _consumers(settings, threads=None):
    return [huey.create_consumer(workers=threads or settings["worker_threads"],
                                 worker_type="thread", periodic=True, check_worker_health=False),
            remote.create_consumer(workers=settings["remote_worker_threads"],
                                   worker_type="thread", periodic=True,
                                   check_worker_health=False)]


def _watch_content():
    """The worker indexes content edited on disk by itself (orgs/tree.py watch)."""
    import threading

    stop = threading.Event()
    _app.extensions["chaton_content"].watch(_app, stop)
    return stop


def start_consumer(settings):
    """Start the consumers' threads in this process (for `chaton serve`); returns a stopper."""
    import signal

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumers = _consumers(settings)
    for consumer in consumers:
        consumer.start()
    for sig, handler in handlers.items():  # the web server owns the process's signals
        signal.signal(sig, handler)
    watching = _watch_content()

    def stop():
        watching.set()
        for consumer in consumers:
            consumer.stop(graceful=True)

    return stop


def run_consumers(settings, threads=None):
    """Run the consumers in the foreground until a signal stops them (`chaton worker`)."""
    main, other = _consumers(settings, threads)
    other.start()  # threads of its own; the main consumer owns the process's signals
    watching = _watch_content()
    try:
        main.run()
    finally:
        watching.set()
        other.stop(graceful=True)


@task()
def handle_event(event_id):
    """Queue one task per handler of a new campaign event (mails, federation...): each is
    retried on its own."""
    from chaton.core.events import HANDLERS

    for name in sorted(HANDLERS):
        handle_event_with(event_id, name)


@task()
def handle_event_with(event_id, name):
    """One handler on one event; a failure retries this pair only."""
    from chaton.core.events import run_handler

    run_handler(event_id, name)
