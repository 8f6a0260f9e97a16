"""Associations: their pages, media, branding, archive and deletion."""

from chaton.core.capability import Capability

capability = Capability(
    name="orgs",
    blueprints=("chaton.orgs.branding:bp", "chaton.orgs.views:bp"),
    modules=("chaton.orgs.tasks",),  # purges deleted associations
    archive=("chaton.orgs.archive:ARCHIVE",),  # its events
)
