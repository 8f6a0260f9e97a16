"""Federation work for the worker: deliveries, key fetches, publishing, backfills."""

import logging

from huey import crontab

from chaton.core.tasks import huey, periodic, task

log = logging.getLogger(__name__)


@task(retries=0)
def deliver(delivery_id):
    """Try a delivery; schedule the next try when it failed for a temporary reason."""
    from chaton.federation.delivery import attempt

    delay = attempt(delivery_id)
    if delay is not None and not huey.immediate:
        deliver.schedule((delivery_id,), delay=delay)


@task(retries=3, retry_delay=60)
def handle_verified(activity_id):
    from chaton.federation.inbox import handle_verified as handle

    handle(activity_id)


@task(retries=4, retry_delay=60)
def fetch_key_and_process(activity_id):
    from chaton.federation.inbox import process_waiting

    process_waiting(activity_id)


@task(retries=3, retry_delay=60)
def backfill(actor_uri):
    """After a follow is accepted, import the campaigns already in the remote outbox."""
    from chaton.federation.mirrors import import_outbox

    import_outbox(actor_uri)


@task(retries=3, retry_delay=60)
def follow_handle(handle):
    """Resolve and follow a remote association (asked from the association area)."""
    from chaton.federation.mirrors import follow

    follow(handle)


@task(retries=3, retry_delay=30)
def report_count(petition_id):
    from chaton.federation.cohost import send_count_report

    send_count_report(petition_id)


@periodic(crontab(minute="*"))
def sweep_deliveries():
    from chaton.federation.delivery import overdue

    for delivery_id in overdue():
        deliver(delivery_id)
