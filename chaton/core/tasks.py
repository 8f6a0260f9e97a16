"""Background work with huey: SqliteHuey in instance/queue.db, drained by a consumer.

`chaton serve` starts the consumer in-process (threads); `chaton worker` runs it alone for
larger hosts. Tasks run inside an app context. In tests, `immediate_tasks` runs them inline.
"""

import functools
import logging
from pathlib import Path

from huey import SqliteHuey

log = logging.getLogger(__name__)

# created in immediate (in-memory) mode so that importing opens no file; configure() binds it
huey = SqliteHuey("chaton", immediate=True, utc=True)
_app = None


def configure(app):
    """Bind the queue to this app's instance folder (or to inline execution for tests)."""
    global _app
    _app = app
    settings = app.config["CHATON"]
    if settings["immediate_tasks"]:
        huey.immediate = True
        return
    huey.storage_kwargs = {"filename": str(Path(app.instance_path) / "queue.db"),
                           "journal_mode": "wal", "fsync": False, "timeout": 10}
    huey._immediate = False
    huey.storage = huey.create_storage()


def task(**options):
    """A huey task that runs inside the app context, with retries by default."""
    options.setdefault("retries", 5)
    options.setdefault("retry_delay", 30)

    def decorator(fn):
        @functools.wraps(fn)
        def in_context(*args, **kwargs):
            with _app.app_context():
                return fn(*args, **kwargs)

        return huey.task(name=fn.__name__, **options)(in_context)

    return decorator


def periodic(schedule):
    """A periodic huey task (crontab) that runs inside the app context."""
    def decorator(fn):
        @functools.wraps(fn)
        def in_context():
            with _app.app_context():
                return fn()

        return huey.periodic_task(schedule, name=fn.__name__)(in_context)

    return decorator


def start_consumer(threads):
    """Start the consumer's threads in this process (for `chaton serve`)."""
    import signal

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = huey.create_consumer(workers=threads, worker_type="thread", periodic=True,
                                    check_worker_health=False)
    consumer.start()
    for sig, handler in handlers.items():  # the web server owns the process's signals
        signal.signal(sig, handler)
    return consumer


@task()
def handle_event(event_id):
    """Hand a new campaign event to every handler (mails, feeds, federation)."""
    from chaton.core.events import dispatch

    dispatch(event_id)
