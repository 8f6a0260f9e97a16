"""The association's moderation queue: what waits in all its consultations, oldest first.

Decisions go through the same function as each consultation's page
(`consultations.admin.carry_out`), so the public moderation log, the audit log and the
notifications are the same whichever page a moderator uses.
"""

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton.admin import nav
from chaton.admin.auth import require
from chaton.consultations import moderation
from chaton.consultations.admin import carry_out, reason_labels
from chaton.consultations.models import Consultation
from chaton.core.themes import render
from chaton.orgs.loading import area_blueprint

bp = area_blueprint("moderation", __name__, "/<org>/admin/moderation")
nav.register("moderation.queue", _l("Moderation"), "moderate", order=40)
ACTIONS = ("hide", "restore", "approve")



def _page(errors=None, status=200):
    items = moderation.association_queue(g.association)
    for waiting in items:
        waiting.consultation.association = g.association
    return render("admin/moderation.html", association=g.association, items=items,
                  reasons=dict(reason_labels()), errors=errors or {},
                  limit=moderation.QUEUE_LIMIT), status


@bp.route("/")
@require("moderate")
def queue(org):
    return _page()


@bp.route("/<slug>/<any(contribution, comment):kind>/<int(max=2000000000):item_id>",
          methods=["POST"])
@require("moderate")
def decide(org, slug, kind, item_id):
    consultation = Consultation.find(g.association, slug)
    item = moderation.target(consultation, kind, item_id) if consultation else None
    action = request.form.get("action")
    reason = request.form.get("reason", "").strip()[:300]
    if item is None or action not in ACTIONS:
        abort(404)
    if action == "hide" and not reason:
        field = f"reason-{kind}-{item_id}"
        return _page({field: _("Say why it is hidden: the reason is public.")}, status=422)
    consultation.association = g.association
    flash(carry_out(consultation, kind, item, action, reason))
    return redirect(url_for(".queue", org=org), code=303)
