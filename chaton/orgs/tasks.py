"""Worker jobs after associations are deleted: set-aside folders and retired keys."""

import logging

from huey import crontab

from chaton.core.tasks import periodic

log = logging.getLogger(__name__)


@periodic(crontab(minute="10"))
def purge_deleted_associations():
    """Erase the folders of deleted associations once their grace period is over, and their
    federation keys once the Delete sent to their followers is delivered (hourly)."""
    from chaton.orgs.deletion import forget_retired_keys, purge_deleted_folders

    for name in purge_deleted_folders():
        log.info("deleted association folder erased: %s", name)
    forget_retired_keys()
