"""Public petition pages: the petition, signing, JSON, revisions, QR code, printable sheet."""

import io
from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, redirect, request, session, url_for
from flask_babel import get_locale

from chaton.admin.auth import is_member
from chaton.core.cache import TTLCache, generation
from chaton.core.capability import alternate, page_context
from chaton.core.security import anonymous_form, rate_limit
from chaton.core.themes import render
from chaton.petitions import interpellation, invalidation, signing, territory, thresholds
from chaton.petitions.forms import SignForm
from chaton.petitions.loading import load_petition
from chaton.petitions.models import PetitionRevision, PetitionUpdate
from chaton.petitions.tasks import send_confirmation

bp = Blueprint("petitions", __name__, url_prefix="/<org>/petitions")


def make_form(petition, formdata=None, via=None):
    """The signing form; `via` (a blank form's) is the code of the share link the visitor
    came by, checked by the form's filter."""
    return SignForm(formdata=formdata, ask_postal_code=petition.meta.get("ask_postal_code"),
                    country=petition.association.meta.get("country", "FR"), via=via,
                    ask_commune=bool(petition.meta.get("territory")))


def share_links(petition, via=None):
    """Where a visitor can pass the petition on: the page's own address and nothing else in
    each link (no tracking parameter), but a signatory's own code (`via`, personal share
    links: petitions/sharing.py); the apps' pages are reached only when clicked."""
    url = url_for("petitions.show", org=petition.association.slug, slug=petition.slug,
                  _external=True, **({"via": via} if via else {}))
    text = quote(f"{petition.title} {url}")
    return {
        "url": url,
        "email": f"mailto:?subject={quote(petition.title)}&body={text}",
        "mastodon": f"https://share.joinmastodon.org/#text={text}",
        "sms": f"sms:?&body={text}",  # "?&": the form both Android and iOS read
        "whatsapp": f"https://wa.me/?text={text}",
    }


def page(petition, form, status=200, **extra):
    """The petition page, with the given form (blank or as the visitor filled it)."""
    updates = list(PetitionUpdate.select().where((PetitionUpdate.petition == petition)
                                                  & PetitionUpdate.present)
                   .order_by(PetitionUpdate.published_at.desc(), PetitionUpdate.id))
    partners, duplicates_removed = partner_counts(petition)
    body = render(
        "petition.html", petition=petition, association=petition.association, form=form,
        signable=petition.is_signable(date.today()), updates=updates,
        signatures=signing.recent_public(petition), share=share_links(petition),
        partners=partners, duplicates_removed=duplicates_removed,
        invalidations=invalidation.public(petition), places=territory.places(petition),
        conditions=thresholds.conditions(petition), messages_sent=interpellation.total_sent(petition),
        **extra,
    )
    return body, status


@bp.route("/<slug>")
def show(org, slug):
    removed = alternate("removed", "petitions", org, slug)  # a Tombstone, for servers
    if removed is not None:
        return removed
    petition = load_petition(org, slug)
    other = alternate("petition", petition)  # its Note, for servers
    if other is not None:
        return other
    return blank_page(petition), 200, {"Vary": "Accept"}


_pages = TTLCache(ttl=2.0, max_size=256)


def blank_page(petition):
    """The petition page with an empty form, rendered once per state and language.

    The key holds everything the page shows that can change (content generation, counters,
    language, host, query), so a cached page is never stale by more than the TTL for anything
    else. Nothing in it belongs to a visitor (the signing form needs no token): the same bytes
    serve everyone, here and in any shared cache. Admins and visitors with pending messages
    get a fresh render.

    A personal share link (`?via=<code>`) puts the code in the form: such a page is cached per
    address, like any other query (here, in Chaton's response cache and in nginx, whose keys
    hold the query), so everyone who opens one signatory's link shares one render, and the
    plain address's entry is not touched. The code is the sharer's, not the visitor's.
    """
    via = request.args.get("via")
    if is_member(petition.association) or session.get("_flashes"):
        body, _status = page(petition, make_form(petition, via=via))
        return body
    key = (petition.id, petition.checksum, petition.signature_count, petition.partner_count,
           str(get_locale()), request.host, request.query_string, generation())
    body = _pages.get(key)
    if body is None:
        body, _status = page(petition, make_form(petition, via=via))
        _pages.set(key, body)
    return body


@bp.route("/<slug>/sign", methods=["POST"])
@anonymous_form
@rate_limit("sign_rate_limit")
def sign(org, slug):
    petition = load_petition(org, slug, counts_needed=False)
    if not petition.is_signable(date.today()):
        return page(petition, make_form(petition), status=409)
    form = make_form(petition, request.form)
    if not form.validate():
        return page(petition, form, status=422)
    sent = None
    if not form.is_bot:
        data = dict(form.data, language=str(get_locale()))
        signature, outcome = signing.sign(petition, data)
        send_confirmation(signature.id, outcome)
        sent = _check_mail_box().encrypt(f"{petition.id} {form.email.data.strip()}".encode()).decode()
    return redirect(url_for("petitions.check_mail", org=org, slug=slug, sent=sent), code=303)


@bp.errorhandler(429)
def too_many(exc):
    """Rate limited: say so on the petition page, keeping what the person typed."""
    org, slug = request.view_args.get("org"), request.view_args.get("slug")
    petition = load_petition(org, slug)
    form = make_form(petition, request.form)
    form.validate()
    form.form_errors.append("rate_limited")
    return page(petition, form, status=429)


CHECK_MAIL_MAX_AGE = 3600  # seconds the check-your-mail address shows the address typed


def _check_mail_box():
    """Encrypts the address typed for the check-your-mail page's address (Fernet: encrypted
    and authenticated, a fresh random IV each time: the address cannot be read, and the token
    tells nothing of whether that address had signed before)."""
    import base64
    import hashlib

    from cryptography.fernet import Fernet

    key = hashlib.sha256(f"chaton.check-mail:{current_app.config['SECRET_KEY']}".encode())
    return Fernet(base64.urlsafe_b64encode(key.digest()))


@bp.route("/<slug>/check-your-mail")
def check_mail(org, slug):
    """Where the link went: the address typed is shown to the visitor who just signed, so
    that a typo can be noticed and the form sent again. The redirect carries it encrypted
    (valid an hour): signing sets no cookie, and nothing readable is in the address."""
    from cryptography.fernet import InvalidToken

    petition = load_petition(org, slug)
    try:
        number, _, email = _check_mail_box().decrypt(request.args.get("sent", "").encode(),
                                                     ttl=CHECK_MAIL_MAX_AGE).decode().partition(" ")
    except (InvalidToken, ValueError, UnicodeDecodeError):
        number, email = "", None
    if number != str(petition.id):  # a token of another petition's page shows nothing
        email = None
    body = render("check_mail.html", petition=petition, association=petition.association,
                  email=email)
    return body, 200, {"Cache-Control": "private, no-store"} if email else {}


@bp.route("/<slug>.json")
def as_json(org, slug):
    petition = load_petition(org, slug)
    # public data, no credentials: any site may read it (a counter on the association's site)
    return petition_json(petition), 200, {"Access-Control-Allow-Origin": "*"}


def partner_counts(petition):
    """({host: signatures counted}, duplicates removed) of a co-hosted petition, as the
    capability that co-hosts (federation) gives them for the "petition" page."""
    context = page_context("petition", petition)
    return context.get("partners", {}), context.get("duplicates_removed", 0)


def petition_json(petition):
    """The public JSON view (documented in docs/api.md)."""
    association = petition.association
    areas = dict(sorted(territory.area_counts(petition, unplaced=True).items()))
    placed = {code: count for code, count in areas.items() if code}
    regions = {place.code: place.count for place in sorted(territory.by_region(placed),
                                                           key=lambda place: place.code)}
    milestones = [{"value": u.value, "kind": u.kind, "reached_at": u.published_at.isoformat()}
                  for u in PetitionUpdate.select().where(
                      (PetitionUpdate.petition == petition)
                      & PetitionUpdate.kind.in_(["milestone", "threshold"]))
                  .order_by(PetitionUpdate.value)]
    partners, duplicates_removed = partner_counts(petition)
    area = territory.inside_outside(petition) or {}
    return {
        "type": "petition",
        "id": f"{association.slug}/{petition.slug}",
        "url": url_for("petitions.show", org=association.slug, slug=petition.slug,
                       _external=True),
        "association": {"slug": association.slug, "name": association.name},
        "title": petition.title,
        "summary": petition.summary,
        "target": {"name": petition.target.get("name"), "role": petition.target.get("role")},
        "demand": petition.meta.get("demand"),
        "status": petition.shown_status(date.today()),
        "archived": petition.archived,
        "goal": petition.goal,
        "answer_threshold": petition.meta.get("answer_threshold") or None,
        "answer_conditions": [c.as_data() for c in thresholds.conditions(petition)],
        "counts": {"online": petition.signature_count, **petition.other_counts,
                   "partners": partners, "duplicates_removed": duplicates_removed,
                   "total": petition.total_count},
        "signatures_by_area": areas,
        "signatures_by_region": regions,
        "territory": {key: area[key] for key in ("kind", "code", "name", "inside", "outside",
                                                   "unplaced")} if area else None,
        "signatures_by_commune": {p.code: p.count for p in sorted(area.get("communes", ()),
                                                                   key=lambda p: p.code)},
        "messages_sent": interpellation.total_sent(petition),
        "opens": petition.opens_on.isoformat() if petition.opens_on else None,
        "closes": petition.closes_on.isoformat() if petition.closes_on else None,
        "milestones_reached": milestones,
        "signatures_removed": [{"date": r.created_at.isoformat(), "count": r.confirmed_removed,
                                "reason": r.reason} for r in invalidation.public(petition)],
        "revision": petition.revision_number,
        "answer": petition.answer,
        "language": petition.language or association.language,
    }


@bp.route("/<slug>/revisions")
def revisions(org, slug):
    petition = load_petition(org, slug)
    items = list(PetitionRevision.select(PetitionRevision.number, PetitionRevision.checksum,
                                         PetitionRevision.created_at)
                 .where(PetitionRevision.petition == petition)
                 .order_by(PetitionRevision.number.desc()))
    return render("revisions.html", petition=petition, association=petition.association,
                  revisions=items)


@bp.route("/<slug>/revisions/<int(max=1000000):number>")
def revision(org, slug, number):
    petition = load_petition(org, slug)
    found = PetitionRevision.get_or_none((PetitionRevision.petition == petition)
                                         & (PetitionRevision.number == number))
    if found is None:
        abort(404)
    return render("revision.html", petition=petition, association=petition.association,
                  revision=found)


@bp.route("/<slug>/qr.<any(svg, png):kind>")
def qr_code(org, slug, kind):
    petition = load_petition(org, slug)
    import segno  # imported on first use: most processes never draw a QR code

    url = url_for("petitions.show", org=org, slug=slug, _external=True)
    qr = segno.make(url, error="m")
    out = io.BytesIO()
    qr.save(out, kind=kind, scale=10 if kind == "png" else 8, border=2)
    mimetype = "image/svg+xml" if kind == "svg" else "image/png"
    response = Response(out.getvalue(), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{petition.slug}-qr.{kind}"'
    response.cache_control.max_age = 3600
    return response


@bp.route("/<slug>/print")
def printable(org, slug):
    petition = load_petition(org, slug)
    return render("print.html", petition=petition, association=petition.association,
                  url=url_for("petitions.show", org=org, slug=slug, _external=True))
