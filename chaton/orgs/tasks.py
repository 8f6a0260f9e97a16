"""Worker jobs after associations are deleted: their set-aside folders (federation forgets
their keys itself, federation/tasks.py)."""

import logging

from huey import crontab

from chaton.core.tasks import periodic

log = logging.getLogger(__name__)


@periodic(crontab(minute="10"))
def purge_deleted_associations():
    """Erase the folders of deleted associations once their grace period is over (hourly)."""
    from chaton.orgs.deletion import purge_deleted_folders

    for name in purge_deleted_folders():
        log.info("deleted association folder erased: %s", name)
