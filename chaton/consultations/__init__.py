"""Consultations: phases, topics, participants, votes, contributions, comments, moderation,
synthesis, answer, open data."""

from chaton.core.capability import Capability

capability = Capability(
    name="consultations",
    blueprints=("chaton.consultations.views:bp", "chaton.consultations.admin:bp"),
    # routes added to the public blueprint by these modules, and the tasks
    modules=("chaton.consultations.exports", "chaton.consultations.participate",
             "chaton.consultations.tasks"),
)
