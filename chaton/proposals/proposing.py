"""Proposing and supporting: short write transactions, each deciding by its own WHERE.

A proposal is drafted by anyone with an e-mail address, counts once its author opens the
link mailed to them, then gathers supporters (each confirmed by their own link, once per
address); with `supporters` of them (5 by default, as on the UK Parliament's petitions site) it
waits for the association's decision (publishing.py). Links carry a signed token naming the
row and its nonce. On PostgreSQL two confirmations of one link, or the last two supports, run
side by side: the conditional UPDATE that matched is the one that counts.
"""

import secrets
import string
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from chaton.core.db import database, utcnow, writing
from chaton.orgs.models import Association
from chaton.petitions.signing import normalize_email
from chaton.proposals.models import DECIDED, Proposal, ProposalSupport

DEFAULT_SUPPORTERS = 5
GATHERING_DAYS = 60  # a proposal that has not found its supporters by then is deleted
OPEN_PER_AUTHOR = 3  # proposals one address may have unconfirmed or gathering at once
ALPHABET = string.ascii_lowercase + string.digits
CODE_LENGTH = 10
TOO_MANY = _l("This address already has proposals waiting for their confirmation or their "
             "supporters here: wait until they are decided.")
OWN_PROPOSAL = _l("This is the address of the proposal's author: the supporters are other "
                  "people.")


def settings(association):
    """The association's `proposals` settings (association.md), or None when it takes none."""
    value = (association.meta or {}).get("proposals") or {}
    if not value.get("open"):
        return None
    return {"supporters": value.get("supporters") or DEFAULT_SUPPORTERS,
            "remit": value.get("remit") or ""}


def supporters_needed(association):
    return (settings(association) or {}).get("supporters", DEFAULT_SUPPORTERS)


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="chaton.proposal")


def token_for(row):
    """The link's token of a proposal's author ("a") or of a supporter ("s")."""
    kind = "a" if isinstance(row, Proposal) else "s"
    return _serializer().dumps([kind, row.id, row.nonce])


def from_token(token):
    """The Proposal or ProposalSupport a token names, or None (forged, old or gone)."""
    try:
        kind, row_id, nonce = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    model = {"a": Proposal, "s": ProposalSupport}.get(kind)
    if model is None or not isinstance(row_id, int):
        return None
    row = model.get_or_none(model.id == row_id)
    if row is None or not secrets.compare_digest(row.nonce, str(nonce)):
        return None
    return row


def _expiry():
    return timedelta(hours=current_app.config["CHATON"]["pending_expiry_hours"])


def is_expired(row, now=None):
    """An unconfirmed proposal or support whose link is past the confirmation delay."""
    return row.confirmed_at is None and row.created_at < (now or utcnow()) - _expiry()


def _new_code():
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if not Proposal.select().where(Proposal.code == code).exists():
            return code


def too_many(association, email):
    """Whether this address already has its share of proposals not yet decided here."""
    return (Proposal.select().where(
        (Proposal.association == association) & (Proposal.email_key == normalize_email(email))
        & Proposal.status.in_(["unconfirmed", "gathering"])).count() >= OPEN_PER_AUTHOR)


def create(association, data, language):
    """Record an unconfirmed proposal from the form's data; its link is mailed next."""
    with writing():
        return Proposal.create(
            association=association, code=_new_code(), title=data["title"].strip(),
            demand=data["demand"].strip(), target=data["target"].strip(),
            story=(data.get("story") or "").strip(), author_name=data["name"].strip(),
            email=data["email"].strip(), email_key=normalize_email(data["email"]),
            language=language, nonce=secrets.token_hex(8))


def confirm_author(proposal):
    """The author opened their link: the proposal starts gathering (once)."""
    with writing():
        return bool(Proposal.update(status="gathering", confirmed_at=utcnow()).where(
            (Proposal.id == proposal.id) & (Proposal.status == "unconfirmed")).execute())


def support(proposal, name, email, language):
    """Record a support; returns (support or None, outcome): 'new', 'pending' (its link is
    sent again), 'confirmed' (it counts already) or 'author' (one does not support oneself)."""
    key = normalize_email(email)
    if key == proposal.email_key:
        return None, "author"
    nonce = secrets.token_hex(8)
    with writing():
        # the unique (proposal, email_key) decides between two submissions at once
        inserted = database.execute(ProposalSupport.insert(
            proposal=proposal.id, name=name.strip(), email=email.strip(), email_key=key,
            language=language, nonce=nonce).on_conflict_ignore()).rowcount
        row = ProposalSupport.get((ProposalSupport.proposal == proposal.id)
                                  & (ProposalSupport.email_key == key))
        if inserted == 1:
            return row, "new"
        if row.confirmed_at is not None:
            return row, "confirmed"
        ProposalSupport.update(nonce=nonce, created_at=utcnow(), name=name.strip()).where(
            (ProposalSupport.id == row.id) & ProposalSupport.confirmed_at.is_null()).execute()
        return ProposalSupport.get_by_id(row.id), "pending"


def confirm_support(row):
    """Count a support once; returns 'counted', 'submitted' (it completed the supporters the
    association asks for: the proposal now waits for its decision) or '' (counted before, or
    the proposal was decided meanwhile)."""
    with writing():
        if Proposal.get_by_id(row.proposal_id).status not in ("gathering", "waiting"):
            return ""  # decided meanwhile: a support no longer counts
        if not ProposalSupport.update(confirmed_at=utcnow()).where(
                (ProposalSupport.id == row.id) & ProposalSupport.confirmed_at.is_null()).execute():
            return ""
        Proposal.update(supporter_count=Proposal.supporter_count + 1).where(
            Proposal.id == row.proposal_id).execute()
        proposal = Proposal.get_by_id(row.proposal_id)
        if proposal.status != "gathering" or (
                proposal.supporter_count < supporters_needed(proposal.association)):
            return "counted"
        submitted = Proposal.update(status="waiting", submitted_at=utcnow()).where(
            (Proposal.id == proposal.id) & (Proposal.status == "gathering")).execute()
        return "submitted" if submitted else "counted"


def confirmed_supporters(proposal):
    return list(ProposalSupport.select().where((ProposalSupport.proposal == proposal)
                                               & ProposalSupport.confirmed_at.is_null(False))
                .order_by(ProposalSupport.id))


def expire(now=None):
    """Delete unconfirmed proposals and supports past their link's delay, and proposals that
    did not find their supporters in GATHERING_DAYS; return how many proposals went."""
    now = now or utcnow()
    cutoff = now - _expiry()
    with writing():
        ProposalSupport.delete().where(ProposalSupport.confirmed_at.is_null()
                                       & (ProposalSupport.created_at < cutoff)).execute()
        return Proposal.delete().where(
            ((Proposal.status == "unconfirmed") & (Proposal.created_at < cutoff))
            | ((Proposal.status == "gathering")
               & (Proposal.confirmed_at < now - timedelta(days=GATHERING_DAYS)))).execute()


def due_for_erasure(today_now=None):
    """Decided proposals whose retention period has run out and that still hold addresses:
    the association's `retention_days`, else the instance's, counted from the decision."""
    now = today_now or utcnow()
    instance_days = current_app.config["CHATON"]["retention_days"]
    due = []
    for proposal in (Proposal.select(Proposal, Association).join(Association)
                     .where(Proposal.status.in_(DECIDED) & Proposal.erased_at.is_null())):
        days = proposal.association.meta.get("retention_days") or instance_days
        if proposal.decided_at and proposal.decided_at + timedelta(days=days) <= now:
            due.append(proposal)
    return due


def erase(proposal):
    """Erase the addresses of a proposal and its supporters (names of supporters too); its
    text, its author's public name and its counts stay."""
    with writing():
        ProposalSupport.delete().where(ProposalSupport.proposal == proposal).execute()
        Proposal.update(email=None, email_key=None, erased_at=utcnow()).where(
            Proposal.id == proposal.id).execute()
