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
                                        "retry-alone", title="News", campaign_kind="petitions")
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


def test_each_event_names_its_campaign_kind_and_older_rows_get_theirs(tmp_path, content_dir):
    """Readers never guess a campaign's kind from its slug: every event records it, and
    migration 12 gives it to the events recorded before (an older server's rows, "" until
    then, still reach the feeds meanwhile)."""
    from chaton import schema
    from chaton.consultations.models import Consultation
    from chaton.core.db import database
    from chaton.petitions.models import Petition

    app = make_app(tmp_path, content_dir)
    client = app.test_client()
    with app.app_context():
        petitions = {p.slug for p in Petition.select(Petition.slug)}
        consultations = {c.slug for c in Consultation.select(Consultation.slug)}
        recorded = {(e.campaign, e.campaign_kind) for e in events.Event.select()}
        assert {kind for _slug, kind in recorded} == {"petitions", "consultations"}
        assert all((slug in petitions) if kind == "petitions" else (slug in consultations)
                   for slug, kind in recorded)
        feed = client.get("/feed.atom").get_data(True)
        with writing():
            events.Event.update(campaign_kind="").execute()
        assert client.get("/feed.atom").get_data(True).count("<entry>") == feed.count("<entry>")
        with writing():
            schema.m0012_event_campaign_kind(database)
        assert {(e.campaign, e.campaign_kind) for e in events.Event.select()} == recorded
