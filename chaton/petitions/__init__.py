"""Petitions: signing, confirming, counters, milestones, answers, retention."""

from chaton.core.capability import Capability, ContentKind

capability = Capability(
    name="petitions",
    blueprints=("chaton.petitions.signatures:bp", "chaton.petitions.views:bp",
                "chaton.petitions.invalidation_pages:bp",  # removing signatures (organisers)
                "chaton.petitions.embed:oembed_bp"),  # /oembed
    # the tasks; the organisers' pages, added to the association area's blueprint
    modules=("chaton.petitions.tasks", "chaton.petitions.admin", "chaton.petitions.territory_pages",
             "chaton.petitions.embed", "chaton.petitions.interpellation_pages",
             "chaton.petitions.handover_pages"),
    page_context=(("dashboard", "chaton.petitions.admin:dashboard_context"),
                  ("exports", "chaton.petitions.admin:exports_context")),
    content_kinds=(ContentKind(
        name="petitions", files="chaton.petitions.content:petition_files",
        parse="chaton.petitions.content:parse_petition",
        broken="chaton.petitions.content:broken_petition",
        index="chaton.petitions.indexing:index_petitions",
        listed="chaton.petitions.loading:listed", load="chaton.petitions.loading:load_petition",
        model="chaton.petitions.models:Petition",
        campaigns="chaton.petitions.feeds:campaigns", describe="chaton.petitions.feeds:describe",
        event_url="chaton.petitions.feeds:url_of", prepare="chaton.petitions.feeds:prepare",
        event_day="chaton.petitions.feeds:event_day"),),
    archive=("chaton.petitions.association_data:ARCHIVE",),
    erased=("chaton.petitions.association_data:erased",),
)
