"""The hoster's side: associations created, suspended, given domains and quotas."""

from chaton.core.capability import Capability

capability = Capability(
    name="hoster",
    blueprints=("chaton.hoster.views:bp",),
    commands=("chaton.hoster.commands:org",),
)
