"""ActivityPub: actors, WebFinger, inboxes, deliveries, mirrors and co-hosting."""

from chaton.core.capability import Capability

capability = Capability(
    name="federation",
    blueprints=("chaton.federation.views:bp",),
    modules=("chaton.federation.tasks", "chaton.federation.publish",  # delivers events
             "chaton.federation.cohost"),  # reports co-hosted counts
)
