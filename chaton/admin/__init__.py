"""The association area: its blueprint and helpers (auth, menu, files, charts), dashboard,
members, exports, deletion. The pages of other capabilities are beside them: the petitions'
organiser pages, the consultations' moderation queue, the settings form in editing."""

from chaton.core.capability import Capability

capability = Capability(
    name="admin",
    blueprints=("chaton.admin.views:bp", "chaton.admin.members:bp", "chaton.admin.exports:bp",
                "chaton.admin.deletion:bp"),
)
