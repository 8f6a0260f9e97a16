"""Phases: information, contribution, vote, synthesis, answer, each optional, with dates.

Phases may overlap (contributions and votes at the same time, for instance); what a
participant can do today is the union of what the active phases allow.
"""

from dataclasses import dataclass
from datetime import date

PHASES = ("information", "contribution", "vote", "synthesis", "answer")
ACTIONS = {
    "information": set(),
    "contribution": {"contribute", "comment", "support"},
    "vote": {"vote", "comment", "support"},
    "synthesis": set(),
    "answer": set(),
}


@dataclass(frozen=True)
class Phase:
    name: str
    start: date
    end: date | None  # None: until the next phase starts, or for good when it is the last

    def state(self, today):
        """past, current or upcoming."""
        if today < self.start:
            return "upcoming"
        if self.end is not None and today > self.end:
            return "past"
        return "current"


@dataclass(frozen=True)
class Schedule:
    phases: tuple

    @classmethod
    def from_meta(cls, raw):
        """Phases from the indexed front matter ({name: {"start": iso, "end": iso}})."""
        found = []
        for name in PHASES:
            spec = raw.get(name)
            if not spec:
                continue
            start = _as_date(spec["start"])
            end = _as_date(spec["end"]) if spec.get("end") else None
            found.append(Phase(name, start, end))
        closed = []
        for index, phase in enumerate(found):  # an open end stops where the next one starts
            if phase.end is None and index + 1 < len(found):
                later = [p.start for p in found[index + 1:] if p.start > phase.start]
                if later:
                    phase = Phase(phase.name, phase.start, date.fromordinal(min(later).toordinal() - 1))
            closed.append(phase)
        return cls(tuple(closed))

    def get(self, name):
        return next((p for p in self.phases if p.name == name), None)

    def active(self, today):
        return [p for p in self.phases if p.state(today) == "current"]

    def current(self, today):
        """The most recently started active phase, or None (before, between or after)."""
        active = self.active(today)
        return max(active, key=lambda p: (p.start, PHASES.index(p.name))) if active else None

    def next(self, today):
        """The next phase to start, or None."""
        upcoming = [p for p in self.phases if p.state(today) == "upcoming"]
        return min(upcoming, key=lambda p: p.start) if upcoming else None

    def allows(self, action, today):
        """Can participants do this today (vote, contribute, comment, support)?"""
        return any(action in ACTIONS[p.name] for p in self.active(today))

    def vote_closed(self, today):
        vote = self.get("vote")
        return vote is not None and vote.state(today) == "past"

    def results_visible(self, mode, today):
        """Live results, or only once the vote phase is over."""
        return mode == "live" or self.vote_closed(today)


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value))
