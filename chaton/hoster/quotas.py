"""Quotas the hoster sets per association: campaigns held, and storage of files.

- **Campaigns** are petitions plus consultations, drafts included, counted from the files
  (`petitions/*.md`, `consultations/*/index.md`), so that a file with errors counts too.
- **Storage** is the size of every file under `content/<slug>/`: pictures, documents, whatever
  the web editor uploads into the association's folder, and the Markdown texts (which an editor
  could otherwise multiply without limit).

An empty quota (None) means no limit. The web editor calls `check_new_campaign()` before
creating a campaign and `check_upload()` before keeping an upload or a text that grows: each
returns a message for the person (translated) when the quota would be exceeded, else None.
"""

import math
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

MB = 1024 * 1024


@dataclass(frozen=True)
class Usage:
    campaigns: int
    max_campaigns: int | None
    storage_bytes: int
    max_storage_mb: int | None

    @property
    def max_storage_bytes(self):
        return None if self.max_storage_mb is None else self.max_storage_mb * MB

    @property
    def campaigns_full(self):
        return self.max_campaigns is not None and self.campaigns >= self.max_campaigns

    @property
    def storage_full(self):
        limit = self.max_storage_bytes
        return limit is not None and self.storage_bytes >= limit


def folder_of(association):
    return Path(current_app.config["CHATON"]["content_dir"]) / association.slug


def campaigns_used(association):
    """The association's campaigns of every installed kind (petitions, consultations...),
    drafts included, counted from its files."""
    from chaton.core.capability import content_kinds

    folder = folder_of(association)
    return sum(len(kind.function("files")(folder)) for kind in content_kinds())


def storage_used(association):
    """Bytes of the files under the association's folder, Markdown included."""
    total = 0
    for root, _dirs, files in os.walk(folder_of(association)):
        for name in files:
            if name.startswith(".tmp-"):
                continue
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except FileNotFoundError:
                continue
    return total


def usage(association):
    return Usage(campaigns_used(association), association.max_campaigns,
                 storage_used(association), association.max_storage_mb)


def human_size(size_bytes):
    """A size for people: 350 KB, 2.4 MB (in the interface language)."""
    if size_bytes < MB:
        return _("%(n)s KB", n=format_decimal(math.ceil(size_bytes / 1024)))
    return _("%(n)s MB", n=format_decimal(round(size_bytes / MB, 1)))


def check_new_campaign(association):
    """A message when one more campaign would exceed the association's quota, else None."""
    limit = association.max_campaigns
    if limit is None:
        return None
    used = campaigns_used(association)
    if used + 1 <= limit:
        return None
    return " ".join((
        ngettext("This association may hold at most %(num)d campaign on this instance (petitions "
                 "and consultations, drafts included).", "This association may hold at most "
                 "%(num)d campaigns on this instance (petitions and consultations, drafts "
                 "included).", limit),
        _("It already has %(n)d. Delete a campaign you no longer need, or ask your hoster for "
          "more.", n=used)))


def check_upload(association, size_bytes):
    """A message when adding a file of this size would exceed the storage quota, else None."""
    limit = association.max_storage_mb
    if limit is None:
        return None
    used = storage_used(association)
    if used + int(size_bytes) <= limit * MB:
        return None
    return _("This file (%(size)s) does not fit: the association’s files may take at most "
             "%(max)s on this instance, and %(used)s are used. Delete files you no longer need, "
             "or ask your hoster for more room.", size=human_size(int(size_bytes)),
             max=human_size(limit * MB), used=human_size(used))
