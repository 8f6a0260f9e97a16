"""The association's proposals queue: what waits for a decision (and what still gathers
supporters), with the buttons to publish a proposal as a petition or reject it."""

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton.admin import nav
from chaton.admin.auth import require
from chaton.admin.files import slugify
from chaton.core.markup import render_markdown
from chaton.core.themes import render
from chaton.orgs.loading import area_blueprint
from chaton.proposals import proposing, publishing
from chaton.proposals.models import Proposal

bp = area_blueprint("proposals_admin", __name__, "/<org>/admin/proposals")
nav.register("proposals_admin.queue", _l("Proposals"), "proposals", order=45)
SHOWN = 200


def _page(errors=None, values=None, status=200):
    association = g.association
    rows = list(Proposal.select().where(
        (Proposal.association == association)
        & Proposal.status.in_(["waiting", "gathering"]))
        .order_by(Proposal.status.desc(), Proposal.submitted_at, Proposal.confirmed_at)
        .limit(SHOWN))
    decided = list(Proposal.select().where(
        (Proposal.association == association) & Proposal.status.in_(["published", "rejected"]))
        .order_by(Proposal.decided_at.desc()).limit(20))
    return render("admin/proposals.html", association=association, rows=rows, decided=decided,
                  settings=proposing.settings(association),
                  needed=proposing.supporters_needed(association),
                  reasons=publishing.REASONS, errors=errors or {}, values=values or {},
                  slug_for=lambda p: (values or {}).get(f"slug-{p.code}", slugify(p.title)),
                  markdown=render_markdown), status


@bp.route("/")
@require("proposals")
def queue(org):
    return _page()


def _proposal(code):
    proposal = Proposal.find(g.association, code)
    if proposal is None:
        abort(404)
    return proposal


@bp.route("/<code>/publish", methods=["POST"])
@require("proposals")
def publish(org, code):
    proposal = _proposal(code)
    slug = request.form.get("slug", "").strip().lower()[:100]
    refusal = publishing.publish(proposal, slug)
    if refusal:
        return _page({f"slug-{code}": refusal}, {f"slug-{code}": slug}, 422)
    flash(_("Published: the petition is open, and its author and supporters are told."))
    return redirect(url_for("editing.edit_petition", org=org, slug=slug), code=303)


@bp.route("/<code>/reject", methods=["POST"])
@require("proposals")
def reject(org, code):
    proposal = _proposal(code)
    reason, note = request.form.get("reason", ""), request.form.get("note", "")
    refusal = publishing.reject(proposal, reason, note)
    if refusal:
        return _page({f"reason-{code}": refusal}, {f"reason-{code}": reason,
                                                   f"note-{code}": note[:publishing.NOTE_MAX]}, 422)
    flash(_("Rejected: the reason is public on the proposals page, and its author is told."))
    return redirect(url_for(".queue", org=org), code=303)
