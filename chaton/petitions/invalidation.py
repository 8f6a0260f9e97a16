"""Removing signatures after the fact: by e-mail domain, by time window, by a list of addresses.

A preview counts what the criteria match; applying deletes those signatures (their personal
data goes with them), takes the confirmed ones out of the counters in the same transaction,
and records a public explanation. Milestones already reached stay reached.

Signing goes on meanwhile: the rows are deleted with `DELETE ... RETURNING`, and the counters
are moved by what was actually deleted, inside one `writing()` transaction, so that a signature
confirmed a moment before is uncounted, and one confirmed a moment after was never matched.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from peewee import fn

from chaton.core.db import writing
from chaton.petitions import signing
from chaton.petitions.models import (
    AreaCount,
    DailyCount,
    Petition,
    Signature,
    SignatureInvalidation,
)

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)[a-z0-9-]+(\.[a-z0-9-]+)+$")
MAX_DOMAINS = 50
MAX_ADDRESSES = 5000
CHUNK = 500  # addresses per IN (...): well under every database's limit of parameters
WINDOW_FIELDS = ("created_at", "confirmed_at")
EXAMPLES = 5


@dataclass
class Criteria:
    """What to remove; a signature matches when its address is at one of the domains or in the
    list (when either is given) and, when a window is given, its date falls within it."""

    domains: list = field(default_factory=list)
    addresses: list = field(default_factory=list)  # normalized keys, as signing stores them
    window_field: str = "created_at"
    start: datetime | None = None
    end: datetime | None = None

    @property
    def empty(self):
        return not (self.domains or self.addresses or self.start or self.end)

    def describe(self):
        """For the audit log and the invalidation row: never the listed addresses themselves."""
        found = {}
        if self.domains:
            found["domains"] = self.domains
        if self.addresses:
            found["addresses"] = len(self.addresses)
        if self.start or self.end:
            found["window"] = {"field": self.window_field,
                               "start": self.start.isoformat() if self.start else None,
                               "end": self.end.isoformat() if self.end else None}
        return found


class CriteriaError(ValueError):
    """Criteria that cannot be used; `.errors` maps form fields to messages (msgids)."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def parse_domains(text):
    """['example.org', ...] from text with one domain per line (or separated by commas)."""
    found = []
    for word in re.split(r"[\s,;]+", (text or "").strip().lower()):
        word = word.lstrip("@").rstrip(".")
        if word and word not in found:
            found.append(word)
    return found


def parse_addresses(text):
    """Normalized keys of the e-mail addresses in a pasted list (any separators)."""
    found = dict.fromkeys(signing.normalize_email(w) for w in re.split(r"[\s,;<>]+", text or "")
                          if "@" in w)
    return list(found)


def parse_moment(text):
    """A UTC datetime from an HTML datetime-local value (2026-03-14T21:30), or None."""
    text = (text or "").strip()
    if not text:
        return None
    value = datetime.fromisoformat(text)  # ValueError for the caller
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:  # year 1 with a positive offset, say
        raise ValueError(str(exc)) from None


def criteria_from_form(form):
    """Criteria from the form fields; raises CriteriaError with every problem at once."""
    errors = {}
    domains = parse_domains(form.get("domains", ""))
    bad = [d for d in domains if not DOMAIN_RE.match(d)]
    if bad:
        errors["domains"] = ("bad_domain", ", ".join(bad[:5]))
    elif len(domains) > MAX_DOMAINS:
        errors["domains"] = ("too_many_domains", MAX_DOMAINS)
    addresses = parse_addresses(form.get("addresses", ""))
    if len(addresses) > MAX_ADDRESSES:
        errors["addresses"] = ("too_many_addresses", MAX_ADDRESSES)
    elif form.get("addresses", "").strip() and not addresses:
        errors["addresses"] = ("no_address", None)
    window_field = form.get("window_field", "created_at")
    if window_field not in WINDOW_FIELDS:
        window_field = "created_at"
    moments = {}
    for name in ("start", "end"):
        try:
            moments[name] = parse_moment(form.get(name))
        except ValueError:
            errors[name] = ("bad_moment", None)
    if moments.get("start") and moments.get("end") and moments["start"] >= moments["end"]:
        errors["end"] = ("end_before_start", None)
    criteria = Criteria(domains, addresses, window_field, moments.get("start"), moments.get("end"))
    if not errors and criteria.empty:
        errors["domains"] = ("nothing_chosen", None)
    if errors:
        raise CriteriaError(errors)
    return criteria


def _who(criteria):
    """The condition on the address: at one of the domains (or a subdomain), or in the list."""
    parts = []
    for domain in criteria.domains:  # DOMAIN_RE leaves no LIKE wildcard (% or _) in a domain
        parts.append(Signature.email_key.endswith("@" + domain))
        parts.append(Signature.email_key.endswith("." + domain))
    for start in range(0, len(criteria.addresses), CHUNK):
        parts.append(Signature.email_key.in_(criteria.addresses[start:start + CHUNK]))
    condition = None
    for part in parts:
        condition = part if condition is None else (condition | part)
    return condition


def matching(petition, criteria):
    """The condition selecting the petition's signatures that the criteria match."""
    condition = Signature.petition == petition.id
    who = _who(criteria)
    if who is not None:
        condition &= who
    column = getattr(Signature, criteria.window_field)
    if criteria.start:
        condition &= column >= criteria.start
    if criteria.end:
        condition &= column < criteria.end
    return condition


def mask(email):
    """ada@example.org -> a***@example.org (enough to recognise a pattern, not a person)."""
    if not email:
        return "—"
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


@dataclass
class Preview:
    confirmed: int
    pending: int
    examples: list  # (masked address, status, created_at)

    @property
    def total(self):
        return self.confirmed + self.pending


def preview(petition, criteria):
    """How many confirmed and pending signatures the criteria match, with masked examples."""
    condition = matching(petition, criteria)
    counts = dict(Signature.select(Signature.status, fn.COUNT(Signature.id))
                  .where(condition).group_by(Signature.status).tuples())
    examples = [(mask(s.email), s.status, s.created_at) for s in
                Signature.select(Signature.email, Signature.status, Signature.created_at)
                .where(condition).order_by(Signature.created_at).limit(EXAMPLES)]
    return Preview(counts.get("confirmed", 0), counts.get("pending", 0), examples)


def apply(petition, criteria, reason):
    """Delete the matching signatures and uncount the confirmed ones; returns the record."""
    with writing():
        removed = list(Signature.delete().where(matching(petition, criteria))
                       .returning(Signature.status, Signature.confirmed_at, Signature.area)
                       .tuples())
        confirmed = [(at, area) for status, at, area in removed if status == "confirmed"]
        _uncount(petition.id, confirmed)
        record = SignatureInvalidation.create(
            petition=petition.id, reason=reason, criteria=criteria.describe(),
            confirmed_removed=len(confirmed), pending_removed=len(removed) - len(confirmed))
        if confirmed:
            signing._count_changed(petition.id)  # co-hosted petitions report their new count
    return record


def _uncount(petition_id, confirmed):
    """Take removed confirmed signatures out of the three counters (inside the transaction)."""
    if not confirmed:
        return
    days, areas = {}, {}
    for at, area in confirmed:
        day = _as_utc(at).date()
        days[day] = days.get(day, 0) + 1
        if area:
            areas[area] = areas.get(area, 0) + 1
    Petition.update(signature_count=Petition.signature_count - len(confirmed)).where(
        Petition.id == petition_id).execute()
    for day, n in days.items():
        DailyCount.update(count=DailyCount.count - n).where(
            (DailyCount.petition == petition_id) & (DailyCount.day == day)).execute()
    for area, n in areas.items():
        AreaCount.update(count=AreaCount.count - n).where(
            (AreaCount.petition == petition_id) & (AreaCount.area == area)).execute()


def _as_utc(value):
    """A confirmation date as RETURNING gives it (text or datetime), as an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def public(petition):
    """The explanations shown on the petition page and in its JSON, oldest first."""
    return list(SignatureInvalidation.select().where(
        (SignatureInvalidation.petition == petition.id)
        & (SignatureInvalidation.confirmed_removed > 0)).order_by(SignatureInvalidation.id))
