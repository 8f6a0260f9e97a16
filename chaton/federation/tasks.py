"""Federation work for the worker's `remote` queue: deliveries, key fetches, what other servers
sent, backfills. It waits on other servers, so it never holds the threads that send mail."""

import logging

from huey import crontab

from chaton.core.tasks import periodic, remote, task

log = logging.getLogger(__name__)


@task(queue="remote", retries=0)
def deliver(delivery_id):
    """Try a delivery; schedule the next try when it failed for a temporary reason."""
    from chaton.federation.delivery import attempt

    delay = attempt(delivery_id)
    if delay is not None and not remote.immediate:
        deliver.schedule((delivery_id,), delay=delay)


@task(queue="remote", retries=3, retry_delay=60)
def handle_verified(activity_id):
    from chaton.federation.inbox import handle_verified as handle

    handle(activity_id)


@task(queue="remote", retries=0)
def fetch_key(key_id):
    """Fetch a key, then verify the requests waiting for it; later again if its host failed."""
    from chaton.federation.inbox import process_waiting

    delay = process_waiting(key_id)
    if delay is not None and not remote.immediate:
        fetch_key.schedule((key_id,), delay=delay)


@task(queue="remote", retries=3, retry_delay=60)
def backfill(actor_uri):
    """After a follow is accepted, import the campaigns already in the remote outbox."""
    from chaton.federation.mirrors import import_outbox

    import_outbox(actor_uri)


@task(queue="remote", retries=3, retry_delay=60)
def follow_handle(handle):
    """Resolve and follow a remote association (asked from the hoster area)."""
    from chaton.federation.mirrors import follow

    follow(handle)


@task(queue="remote", retries=3, retry_delay=30)
def report_count(petition_id):
    from chaton.federation.cohost import send_count_report

    send_count_report(petition_id)


@periodic(crontab(minute="*"), queue="remote")
def sweep_deliveries():
    from chaton.federation.delivery import overdue

    for delivery_id in overdue():
        deliver(delivery_id)


@periodic(crontab(minute="*/10"), queue="remote")
def refresh_cohosting():
    """Co-hosted copies read their origin again; origins count each person once again."""
    from chaton.federation import cohost, partners

    cohost.refresh_all()
    partners.recount_stale()


@periodic(crontab(minute="*/10"), queue="remote")
def prune_inbox():
    from chaton.federation.inbox import prune

    prune()


@periodic(crontab(minute="10"), queue="remote")
def forget_retired_keys():
    """The keys of deleted associations, once the Delete sent to their followers is delivered
    (hourly)."""
    from chaton.federation import deletion

    deletion.forget_retired_keys()
