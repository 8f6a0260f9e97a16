"""ActivityPub: actors, WebFinger, inboxes, deliveries, mirrors and co-hosting."""

from chaton.core.capability import Capability

capability = Capability(
    name="federation",
    blueprints=("chaton.federation.views:bp",),
    modules=("chaton.federation.tasks", "chaton.federation.publish",  # delivers events
             "chaton.federation.cohost",  # reports co-hosted counts
             "chaton.federation.hoster_pages"),  # following other instances, on the hoster area
    deletion_steps=("chaton.federation.deletion:before_rows",),
    alternates=(("association", "chaton.federation.views:negotiate_association"),
                ("petition", "chaton.federation.views:negotiate_petition"),
                ("consultation", "chaton.federation.views:negotiate_consultation"),
                ("removed", "chaton.federation.views:removed_campaign")),
    page_context=(("home", "chaton.federation.mirrors:home_context"),
                  ("petition", "chaton.federation.partners:petition_context")),
)
