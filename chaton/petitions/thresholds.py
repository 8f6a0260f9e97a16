"""Thresholds that oblige: the conditions under which the target must answer.

`answer_threshold` alone is a count. `answer_conditions` adds, as the European Citizens'
Initiative does, a period (the count reached within so many days of the opening) and a spread
(at least `places` départements, or régions, with at least `each` confirmed signatures each,
from the postal codes signatories gave):

    answer_threshold: 1000
    answer_conditions:
      within_days: 365
      spread: departements     # or regions
      places: 5
      each: 50

The "threshold" milestone (its event, the mail to the target, the feeds) is recorded when every
condition holds, not before (signing.record_milestones asks `met`). A threshold recorded stays
recorded: signatures withdrawn later, or the period ending, do not take it back.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from chaton.core import frontmatter as fm
from chaton.petitions.models import PetitionRevision

SPREADS = ("departements", "regions")
CONDITIONS = fm.mapping({
    "within_days": (fm.integer(1, 3650), False),
    "spread": (fm.choice(*SPREADS), False),
    "places": (fm.integer(1, 200), False),
    "each": (fm.integer(1, 100_000_000), False),
})


@dataclass(frozen=True)
class Condition:
    """One condition and where the petition stands: `current` of `needed` (for the period:
    days left, and its last day)."""

    kind: str  # "count", "spread", "period"
    needed: int
    current: int
    met: bool
    spread: str = ""  # départements or régions
    each: int = 0  # signatures needed in each place
    deadline: date | None = None

    def as_data(self):
        """As the JSON and the handover dossier keep it."""
        return {"kind": self.kind, "needed": self.needed, "current": self.current, "met": self.met,
                **({"spread": self.spread, "each": self.each} if self.kind == "spread" else {}),
                **({"deadline": self.deadline.isoformat()} if self.deadline else {})}


def check(doc):
    """Cross-field problems of a petition's conditions (content.check_petition)."""
    meta = doc.meta
    conditions = meta.get("answer_conditions")
    if not conditions:
        return
    problems = []
    if not meta.get("answer_threshold"):
        problems.append("needs answer_threshold: the number of signatures that obliges an answer")
    has_spread = [key for key in ("spread", "places", "each") if key in conditions]
    if has_spread and len(has_spread) < 3:
        problems.append("spread, places and each go together (for example spread: departements, "
                        "places: 5, each: 50)")
    if has_spread and not meta.get("ask_postal_code"):
        problems.append("a spread needs ask_postal_code: true (the place comes from the postal "
                        "code)")
    for problem in problems:
        doc.problems.append(fm.Problem(doc.path, 1, "answer_conditions", problem))


def opening_day(petition):
    """The first day of signing: `opens`, else the day its first version was recorded."""
    if petition.opens_on:
        return petition.opens_on
    first = (PetitionRevision.select(PetitionRevision.created_at)
             .where(PetitionRevision.petition == petition)
             .order_by(PetitionRevision.number).first())
    return first.created_at.date() if first else date.today()


def conditions(petition, today=None):
    """[Condition] of the petition's answer threshold, [] when it has none."""
    threshold = petition.meta.get("answer_threshold")
    if not threshold:
        return []
    today = today or date.today()
    found = [Condition("count", threshold, petition.total_count, petition.total_count >= threshold)]
    extra = petition.meta.get("answer_conditions") or {}
    if extra.get("spread"):
        from chaton.petitions.territory import area_counts, by_region

        counts = area_counts(petition)
        if extra["spread"] == "regions":
            counts = {place.code: place.count for place in by_region(counts)}
        enough = sum(1 for count in counts.values() if count >= extra["each"])
        found.append(Condition("spread", extra["places"], enough, enough >= extra["places"],
                               spread=extra["spread"], each=extra["each"]))
    if extra.get("within_days"):
        deadline = opening_day(petition) + timedelta(days=extra["within_days"] - 1)
        left = (deadline - today).days + 1
        found.append(Condition("period", extra["within_days"], max(left, 0), left > 0,
                               deadline=deadline))
    return found


def met(petition, today=None):
    """Whether every condition of the answer threshold holds now."""
    found = conditions(petition, today)
    return bool(found) and all(condition.met for condition in found)
