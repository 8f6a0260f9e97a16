"""The association area: dashboard, members, settings, moderation, exports, deletion (the
petitions' organiser pages are beside the petitions, on its blueprint)."""

from chaton.core.capability import Capability

capability = Capability(
    name="admin",
    blueprints=("chaton.admin.views:bp", "chaton.admin.members:bp", "chaton.admin.settings:bp",
                "chaton.admin.moderation:bp",
                "chaton.admin.exports:bp", "chaton.admin.deletion:bp"),
)
