"""Requests side by side, as several app servers make them: on PostgreSQL each thread has its
own connection and transaction, so races the database must settle really happen."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from chaton.core.db import database


def side_by_side(app, *functions):
    """Call the functions in threads started together, each in an app context of its own;
    their results, in order."""
    barrier = threading.Barrier(len(functions))

    def run(function):
        with app.app_context():
            barrier.wait(timeout=10)
            try:
                return function()
            finally:
                database.close()

    with ThreadPoolExecutor(len(functions)) as pool:
        return [f.result(timeout=60) for f in [pool.submit(run, fn) for fn in functions]]


def slowly(monkeypatch, owner, name, seconds=0.2):
    """owner.name waits a little first: what the threads read before it, they all read (the
    transactions overlap for sure)."""
    real = getattr(owner, name)

    def wait_then(*args, **kwargs):
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wait_then)
