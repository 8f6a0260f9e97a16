"""Signing, confirming and withdrawing: short write transactions that keep the counters exact.

A signature is pending until its e-mail link is confirmed; only confirmed signatures count.
Links carry a signed token ([id, nonce]); rotating the nonce invalidates older links.

On PostgreSQL these transactions run side by side (several app servers): a change that depends
on a signature's state says so in its WHERE (`status = 'pending'`) and checks its row count, a
withdrawal uncounts what its `DELETE ... RETURNING` actually removed, counters move in place,
milestones are inserted once by their unique slug. Only signing reads then decides, under a
lock on the one signatory (petition, address) it concerns.
"""

import re
import secrets
from datetime import timedelta

from blinker import signal
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from peewee import fn

from chaton.core.db import database, utcnow, writing
from chaton.core.events import record_event
from chaton.core.mail import normalize_domain
from chaton.petitions import sharing, thresholds
from chaton.petitions.models import AreaCount, DailyCount, Petition, PetitionUpdate, Signature

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}
# sent with a petition's id inside the transaction that changed its confirmed count (so that
# what receivers write commits or rolls back with it); co-hosting reports the new count
count_changed = signal("chaton.petitions.count-changed")


def normalize_email(email):
    """The key that makes two spellings of one mailbox count once (the address as typed is
    kept for sending)."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    domain = normalize_domain(domain)
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def area_of(postal_code, country="FR", commune=None):
    """The French département of a postal code (2A/2B for Corsica, 971-976 overseas), from the
    official list (chaton.territory); '' elsewhere or for a code that does not exist. The
    commune's, when it is known: a few postal codes serve communes of two départements."""
    from chaton import territory

    if commune:
        return territory.departement_of_commune(commune)
    code = re.sub(r"\s", "", postal_code or "").upper()
    if country != "FR" or not re.fullmatch(r"\d{5}", code):
        return ""
    return territory.departement(code)


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="chaton.signature")


def token_for(signature):
    """The capability in the links of every mail to this signatory."""
    return _serializer().dumps([signature.id, signature.nonce])


def signature_from_token(token):
    """The signature a token designates, or None (bad, old or withdrawn)."""
    try:
        sig_id, nonce = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    signature = Signature.get_or_none(Signature.id == sig_id)
    if signature is None or not secrets.compare_digest(signature.nonce, str(nonce)):
        return None
    return signature


def sign(petition, form):
    """Record a pending signature; returns (signature, outcome), outcome in
    'new', 'pending' (a link is sent again) or 'confirmed' (already counted)."""
    key = normalize_email(form["email"])
    country = petition.association.meta.get("country", "FR")
    via = sharing.referrer_code(petition, form.get("via"))  # whose link brought them, if any
    # two submissions of one address (a double click, two servers) take turns: the second
    # finds the first's row instead of failing on the unique (petition, email_key)
    with writing("signatory", petition.id, key):
        existing = Signature.get_or_none((Signature.petition == petition)
                                         & (Signature.email_key == key))
        if existing is not None and existing.status == "pending":
            now, nonce = utcnow(), secrets.token_hex(8)  # a new link, valid for the full delay
            # still pending? a confirmation, a withdrawal or the expiry may have come meanwhile
            changes = {"nonce": nonce, "confirmation_sent_at": None, "created_at": now}
            if via:  # the first link that brought them keeps the credit
                changes["via"] = fn.COALESCE(Signature.via, via)
            if Signature.update(**changes).where(
                    (Signature.id == existing.id) & (Signature.status == "pending")).execute():
                existing.nonce, existing.confirmation_sent_at, existing.created_at = nonce, None, now
                return existing, "pending"
            existing = Signature.get_or_none(Signature.id == existing.id)  # confirmed, or gone
        if existing is not None:
            return existing, "confirmed"
        signature = Signature.create(
            petition=petition, revision=petition.revision_number, name=form["name"],
            email=form["email"].strip(), email_key=key,
            postal_code=form.get("postal_code") or "",
            area=area_of(form.get("postal_code"), country, form.get("commune")),
            commune=form.get("commune") or None,
            comment=form.get("comment") or "",
            show_name=bool(form.get("show_name")), keep_informed=bool(form.get("keep_informed")),
            language=form.get("language") or "fr",
            nonce=secrets.token_hex(8), via=via,
        )
    return signature, "new"


def mark_confirmation_sent(signature_id, nonce):
    """The link with this nonce went out (a newer link resets the mark)."""
    with writing():
        Signature.update(confirmation_sent_at=utcnow()).where(
            (Signature.id == signature_id) & (Signature.nonce == nonce)).execute()


def unsent_confirmations(min_age_seconds):
    """Pending signatures whose confirmation mail never went out (lost in a crash, an outage)."""
    hours = current_app.config["CHATON"]["pending_expiry_hours"]
    now = utcnow()
    return [s.id for s in Signature.select(Signature.id).where(
        (Signature.status == "pending") & Signature.confirmation_sent_at.is_null()
        & (Signature.created_at < now - timedelta(seconds=min_age_seconds))
        & (Signature.created_at > now - timedelta(hours=hours))).limit(1000)]


def is_expired(signature, now=None):
    hours = current_app.config["CHATON"]["pending_expiry_hours"]
    now = now or utcnow()
    return signature.status == "pending" and signature.created_at < now - timedelta(hours=hours)


def _bump(model, petition_id, delta, **key):
    """Add delta to a per-day or per-area counter row (created on first use)."""
    conflict = [model.petition] + [getattr(model, k) for k in key]
    (model.insert(petition=petition_id, count=delta, **key)
     .on_conflict(conflict_target=conflict, update={model.count: model.count + delta})
     .execute())


def _add_to_counters(signature, delta):
    petition_id = signature.petition_id
    Petition.update(signature_count=Petition.signature_count + delta).where(
        Petition.id == petition_id).execute()
    _bump(DailyCount, petition_id, delta, day=signature.confirmed_at.date())
    if signature.area:
        _bump(AreaCount, petition_id, delta, area=signature.area)


def confirm(signature):
    """Count a pending signature; returns False when it was already confirmed."""
    with writing():
        fresh = Signature.get_or_none(Signature.id == signature.id)
        if fresh is None or fresh.status == "confirmed":
            return False  # counted already, or gone (withdrawn, expired, removed by its association)
        now = utcnow()
        # conditional, so that a concurrent confirmation or deletion (PostgreSQL runs them side
        # by side) can never count it twice or count a row that is gone
        code = sharing.new_code(fresh.petition_id)  # for the personal share link
        if not Signature.update(status="confirmed", confirmed_at=now, share_code=code).where(
                (Signature.id == fresh.id) & (Signature.status == "pending")).execute():
            return False
        fresh.status, fresh.confirmed_at, fresh.share_code = "confirmed", now, code
        _add_to_counters(fresh, 1)
        record_milestones(Petition.get_by_id(fresh.petition_id))
        _count_changed(fresh.petition_id)
    signature.status, signature.confirmed_at = fresh.status, fresh.confirmed_at
    signature.share_code = fresh.share_code
    return True


def _count_changed(petition_id):
    count_changed.send(petition_id)


def record_milestones(petition):
    """Record, once each, the milestones, goal and answer threshold the total has reached."""
    marks = {m: "milestone" for m in petition.milestones}
    if petition.goal:
        marks.setdefault(petition.goal, "milestone")
    threshold = petition.meta.get("answer_threshold")
    if threshold and threshold <= petition.total_count and thresholds.met(petition):
        # every condition holds (count, and the period and spread an ECI-like petition adds)
        marks[petition.meta["answer_threshold"]] = "threshold"
    reached = {m: k for m, k in marks.items() if m <= petition.total_count}
    if not reached:
        return
    known = {u.slug for u in PetitionUpdate.select(PetitionUpdate.slug).where(
        (PetitionUpdate.petition == petition) & PetitionUpdate.kind.in_(["milestone", "threshold"]))}
    for mark, kind in sorted(reached.items()):
        slug = f"{kind}-{mark}"
        if slug in known:
            continue
        # the unique (petition, slug) decides: a confirmation, a partner's count or the indexer
        # crossing the same mark at the same moment records it once, and none of them fails
        query = PetitionUpdate.insert(petition=petition, slug=slug, kind=kind, title=slug,
                                      value=mark).on_conflict_ignore()
        if database.execute(query).rowcount == 1:
            record_event(petition.association.slug, petition.slug, kind, mark, value=mark,
                         campaign_kind="petitions")


def withdraw(signature):
    """Erase a signature and everything its signatory gave; uncount it if it counted.

    The row's state when it is deleted decides (RETURNING): a confirmation committed a moment
    before is uncounted, and of two withdrawals (or a withdrawal and an invalidation) only the
    one that deleted the row uncounts it."""
    with writing():
        for gone in (Signature.delete().where(Signature.id == signature.id)
                     .returning(Signature.petition, Signature.status, Signature.confirmed_at,
                                Signature.area, Signature.share_code)):
            sharing.forget(gone)
            if gone.status == "confirmed":
                _add_to_counters(gone, -1)
                _count_changed(gone.petition_id)


def unsubscribe(signature):
    """Stop the association's news to this signatory (the signature still counts)."""
    with writing():
        Signature.update(keep_informed=False).where(Signature.id == signature.id).execute()


def expire_pending(now=None):
    """Delete pending signatures older than the confirmation delay; return how many."""
    hours = current_app.config["CHATON"]["pending_expiry_hours"]
    cutoff = (now or utcnow()) - timedelta(hours=hours)
    with writing():
        return (Signature.delete()
                .where((Signature.status == "pending") & (Signature.created_at < cutoff))
                .execute())


def recent_public(petition, limit=10):
    """The latest confirmed signatories who agreed to show their name."""
    return list(Signature.select(Signature.name, Signature.area, Signature.comment,
                                 Signature.confirmed_at)
                .where((Signature.petition == petition) & (Signature.status == "confirmed")
                       & (Signature.show_name == True))  # noqa: E712
                .order_by(Signature.confirmed_at.desc()).limit(limit))

