"""The handover dossier's pages: made by the organisers (their petition page has the button),
shown to anyone at its address, as a printable page and a PDF (handover.py)."""

from flask import Response, abort, g, redirect, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton.accounts import audit
from chaton.admin import auth
from chaton.admin.views import bp as area
from chaton.core import formats
from chaton.core.cache import TTLCache
from chaton.core.themes import render
from chaton.petitions import handover, territory
from chaton.petitions.admin import organiser_petition
from chaton.petitions.loading import load_petition
from chaton.petitions.territory_pages import map_of
from chaton.petitions.views import bp, partner_counts

audit.label("petition.handover", _l("Handover dossier made"))


@area.route("/petitions/<slug>/handover", methods=["POST"])
@auth.require("edit")
def make_handover(org, slug):
    petition = organiser_petition(org, slug)
    made = handover.make(petition, partners=partner_counts(petition)[0])
    audit.record("petition.handover", g.association, target=petition.slug, number=made.number)
    return redirect(url_for("petitions.handover_page", org=org, slug=slug, number=made.number),
                    code=303)


def _found(org, slug, number):
    petition = load_petition(org, slug)
    found = handover.find(petition, number)
    if found is None:
        abort(404)
    return petition, found


def _tables(data):
    """(régions, départements) of a dossier as (label, count) rows, most signatures first."""
    counts = data["departements"]
    return ([(place.name, place.count) for place in territory.by_region(counts)],
            [(f"{place.name} ({place.code})", place.count)
             for place in territory.by_departement(counts)])


@bp.route("/<slug>/handover/<int(max=100000):number>")
def handover_page(org, slug, number):
    petition, found = _found(org, slug, number)
    data = found.snapshot
    regions, departements = _tables(data)
    return render("handover.html", petition=petition, association=petition.association,
                  handover=found, data=data, regions=regions, departements=departements,
                  named=handover.named_signatories(petition))


PDF_SECONDS = 60  # a dossier's PDF is made once a minute at most, per language
_pdfs = TTLCache(ttl=PDF_SECONDS, max_size=32)


@bp.route("/<slug>/handover/<int(max=100000):number>.pdf")
def handover_pdf_file(org, slug, number):
    """The dossier as a PDF. Making one takes a good part of a second of a small server's CPU,
    and a dossier's address is public: it is made once a minute at most (here, and in shared
    caches), so that a link passed around, or a hostile client, does not make it again each
    time. Its figures are fixed; its list of names is at most that old."""
    petition, found = _found(org, slug, number)
    key = (found.digest, str(get_locale()))
    pdf = _pdfs.get(key) or _pdfs.set(key, _build_pdf(org, slug, number, petition, found))
    response = Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{slug}-dossier-{number}.pdf"'})
    response.cache_control.public = True
    response.cache_control.max_age = PDF_SECONDS
    return response


def _build_pdf(org, slug, number, petition, found):
    data, association = found.snapshot, petition.association
    n = formats.number
    verify = url_for("petitions.handover_page", org=org, slug=slug, number=number, lang=None,
                     _external=True)  # the dossier's own address, whatever the reader's language
    counts = data["counts"]
    kv = [(_("Online"), n(counts["online"]))]
    kv += [(_("On paper") if source == "paper" else source, n(value))
           for source, value in counts.items() if source not in ("online", "partners", "total")]
    kv += [(_("Collected by %(host)s", host=host), n(value))
           for host, value in (counts.get("partners") or {}).items()]
    kv.append((_("Total"), n(counts["total"])))
    blocks = [
        ("p", _("Petition by %(name)s.", name=association.name) + " "
         + _("Addressed to: %(target)s.", target=data["target"])),
        ("kv", [(_("Dossier"), _("No. %(n)s, made on %(when)s", n=found.number,
                                 when=formats.datetime(found.created_at))),
                (_("Opened"), formats.date(data["opens"]) or "—"),
                (_("Closes"), formats.date(data["closes"]) or "—"),
                (_("Text signed"), _("version %(n)s, SHA-256 %(checksum)s", n=data["revision"],
                                     checksum=data["checksum"]))]),
        ("h", _("The demand")), ("p", data["demand"]),
        ("h", _("Signatures")), ("kv", kv),
    ]
    if data["conditions"]:
        blocks += [("h", _("Answer threshold")), ("list", [
            ("✓ " if c["met"] else "○ ") + _condition(c) for c in data["conditions"]])]
    regions, departements = _tables(data)
    if regions:
        blocks += [("h", _("Where the signatures come from")),
                   ("table", [_("Région"), _("Signatures")],
                    [(name, n(count)) for name, count in regions]),
                   ("map",),
                   ("table", [_("Département"), _("Signatures")],
                    [(name, n(count)) for name, count in departements])]
    named = handover.named_signatories(petition)
    blocks += [("h", ngettext("%(num)d signatory agreed to be named",
                              "%(num)d signatories agreed to be named", len(named))),
               ("list", [f"{name} ({place})" if place else name for name, place in named]),
               ("h", _("Verification")),
               ("p", _("This dossier can be checked at %(url)s (digest %(digest)s).", url=verify,
                       digest=found.digest))]
    from chaton.petitions import handover_pdf  # fpdf2 takes 0.3 to 0.7 s to import: only here

    return handover_pdf.build(
        {"title": _("Handover dossier: %(title)s", title=data["title"]),
         "author": association.name, "subject": data["demand"][:200],
         "footer": f"{association.name} · {verify}", "lang": str(get_locale())},
        _("Handover dossier: %(title)s", title=data["title"]), blocks,
        map_svg=map_of(petition, data["departements"]) if data["departements"] else None,
        map_title=_("Map of France: signatures by département."))


def _condition(c):
    n = formats.number
    if c["kind"] == "count":
        return _("signatures: %(n)s of %(needed)s", n=n(c["current"]), needed=n(c["needed"]))
    if c["kind"] == "spread":
        return _("places with at least %(each)s signatures: %(n)s of %(needed)s",
                 each=n(c["each"]), n=n(c["current"]), needed=n(c["needed"]))
    return _("period until %(day)s", day=formats.date(c["deadline"]))
