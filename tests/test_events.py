"""Campaign events in the worker: one task per (event, handler), each retried on its own."""

import datetime

from helpers import make_app

from chaton.core import events, tasks
from chaton.core.db import writing


def drain(queue):
    """Run what the queue holds, retries included (their delay skipped), like a worker."""
    while True:
        task = queue.dequeue()
        if task is None:
            later = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
            due = queue.read_schedule(later + datetime.timedelta(hours=1))
            if not due:
                return
            for retry in due:
                retry.eta = None  # now, not in retry_delay seconds
                queue.enqueue(retry)
            continue
        queue.execute(task)


def test_a_failing_handler_is_retried_without_running_the_others_again(tmp_path, content_dir,
                                                                       monkeypatch):
    app = make_app(tmp_path, content_dir, immediate_tasks=False)
    seen = {"mails": [], "deliveries": []}

    def mails(event):
        seen["mails"].append(event.id)

    def deliveries(event):
        seen["deliveries"].append(event.id)
        if len(seen["deliveries"]) == 1:
            raise ConnectionError("the remote server is down")

    monkeypatch.setattr(events, "HANDLERS", {"test.a-mails": mails, "test.b-deliveries": deliveries})
    with app.app_context():
        queue = tasks.QUEUES["main"]
        queue.flush()  # what indexing the demo queued
        with writing():
            event = events.record_event("quartiers-solidaires", "ecole-sans-amiante", "update",
                                        "retry-alone", title="News")
        drain(queue)
    assert seen == {"mails": [event.id], "deliveries": [event.id, event.id]}


def test_an_unknown_handler_name_in_the_queue_is_skipped(tmp_path, content_dir, monkeypatch):
    """Work queued under a name that a new release no longer has does not fail for ever."""
    app = make_app(tmp_path, content_dir)
    monkeypatch.setattr(events, "HANDLERS", {})
    with app.app_context():
        events.run_handler(1, "gone.handler")  # no exception: logged and skipped


def test_every_handler_has_a_declared_name(app):
    assert set(events.HANDLERS) >= {"petitions.news", "consultations.news",
                                    "federation.publish"}
