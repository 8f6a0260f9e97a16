"""Consultations: phases, topics, participants, votes, contributions, comments, moderation,
synthesis, answer, open data."""

from chaton.core.capability import Capability, ContentKind

capability = Capability(
    name="consultations",
    blueprints=("chaton.consultations.views:bp", "chaton.consultations.admin:bp",
                "chaton.consultations.moderation_queue:bp"),  # across its consultations
    # routes added to the public blueprint by these modules, and the tasks
    modules=("chaton.consultations.exports", "chaton.consultations.participate",
             "chaton.consultations.tasks"),
    content_kinds=(ContentKind(
        name="consultations", files="chaton.consultations.content:consultation_files",
        parse="chaton.consultations.content:parse_consultation",
        broken="chaton.consultations.content:broken_consultation",
        index="chaton.consultations.indexing:index_consultations",
        listed="chaton.consultations.loading:listed",
        load="chaton.consultations.loading:load_consultation",
        model="chaton.consultations.models:Consultation",
        campaigns="chaton.consultations.feeds:campaigns",
        describe="chaton.consultations.feeds:describe",
        event_day="chaton.consultations.feeds:event_day",
        event_url="chaton.consultations.feeds:url_of"),),
    page_context=(("exports", "chaton.consultations.admin:exports_context"),),
    archive=("chaton.consultations.association_data:ARCHIVE",),
    erased=("chaton.consultations.association_data:erased",),
)
