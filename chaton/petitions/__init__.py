"""Petitions: signing, confirming, counters, milestones, answers, retention."""

from chaton.core.capability import Capability

capability = Capability(
    name="petitions",
    blueprints=("chaton.petitions.signatures:bp", "chaton.petitions.views:bp"),
    modules=("chaton.petitions.tasks",),
)
