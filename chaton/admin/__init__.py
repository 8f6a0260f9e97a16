"""The association area: dashboard, members, settings, exports, deletion (the petitions'
organiser pages and the consultations' moderation queue are beside their capabilities)."""

from chaton.core.capability import Capability

capability = Capability(
    name="admin",
    blueprints=("chaton.admin.views:bp", "chaton.admin.members:bp", "chaton.admin.settings:bp",

                "chaton.admin.exports:bp", "chaton.admin.deletion:bp"),
)
