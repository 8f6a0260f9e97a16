"""The organisers' side, in the association area: moderation queue, decisions with a public
reason (moderators), collective contributions from in-person workshops (editors)."""

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton.accounts import audit
from chaton.admin import nav
from chaton.admin.auth import require
from chaton.consultations import contributions as service
from chaton.consultations import moderation
from chaton.consultations.forms import CollectiveForm
from chaton.consultations.models import Consultation, Participant, Topic
from chaton.consultations.tasks import notify_reply
from chaton.consultations.views import context, topics_of
from chaton.core.lookup import found_or_404
from chaton.core.themes import render
from chaton.orgs.loading import area_blueprint

bp = area_blueprint("consultations_admin", __name__, "/<org>/admin/consultations")
nav.register("consultations_admin.index", _l("Consultations"), "view", order=30)
audit.label("moderation.hide", _l("Hidden by moderation"))
audit.label("moderation.restore", _l("Shown again by moderation"))
audit.label("moderation.approve", _l("Approved by moderation"))
audit.label("consultation.collective", _l("Workshop contribution recorded"))



def _consultation(slug):
    found = found_or_404(Consultation.find(g.association, slug))
    found.association = g.association
    return found


@bp.route("/")
@require("view")
def index(org):
    consultations = list(Consultation.select().where(
        (Consultation.association == g.association) & Consultation.present)
        .order_by(Consultation.id.desc()))
    queues = {c.id: sum(len(part) for part in moderation.queue(c)) for c in consultations}
    return render("consultations/admin/index.html", association=g.association,
                  consultations=consultations, queues=queues)


def _collective_form(consultation, formdata=None):
    form = CollectiveForm(formdata=formdata)
    form.topic.choices = [(t.slug, t.title) for t in topics_of(consultation)]
    return form


def _page(consultation, form=None, status=200):
    pending, reported = moderation.queue(consultation)
    followers = Participant.select().where((Participant.consultation == consultation)
                                           & Participant.notify_news).count()
    body = render("consultations/admin/consultation.html",
                  **context(consultation, None, pending=pending, reported=reported,
                            followers=followers, form=form or _collective_form(consultation),
                            reasons=dict(reason_labels())))
    return body, status


def reason_labels():
    from chaton.consultations.forms import reason_choices

    return [(k, str(v)) for k, v in reason_choices()]


@bp.route("/<slug>")
@require("view")
def consultation(org, slug):
    return _page(_consultation(slug))


@bp.route("/<slug>/moderate/<any(contribution, comment):kind>/<int(max=2000000000):item_id>",
          methods=["POST"])
@require("moderate")
def moderate(org, slug, kind, item_id):
    found = _consultation(slug)
    item = moderation.target(found, kind, item_id)
    action = request.form.get("action")
    reason = request.form.get("reason", "").strip()[:300]
    if item is None or action not in ("hide", "restore", "approve"):
        abort(404)
    if action == "hide" and not reason:
        flash(_("Say why it is hidden: the reason is public."), "error")
        return redirect(url_for(".consultation", org=org, slug=slug), code=303)
    flash(carry_out(found, kind, item, action, reason))
    return redirect(url_for(".consultation", org=org, slug=slug), code=303)


def carry_out(consultation, kind, item, action, reason):
    """A moderator's decision, from this page or the association's queue: the public log, the
    audit log and the reply notification; returns the message for the moderator."""
    was_pending = item.status == "pending"
    moderation.decide(consultation, kind, item, action, reason)
    audit.record(f"moderation.{action}", g.association,
                 target=f"{consultation.slug}: {kind} {item.id}", reason=reason)
    if kind == "comment" and was_pending and action == "approve":
        notify_reply(item.id)
    return {"hide": _("Hidden, with its reason in the public moderation log."),
            "restore": _("Shown again."), "approve": _("Published.")}[action]


@bp.route("/<slug>/collective", methods=["POST"])
@require("edit")
def collective(org, slug):
    found = _consultation(slug)
    form = _collective_form(found, request.form)
    if not form.validate():
        return _page(found, form, status=422)
    topic = Topic.get((Topic.consultation == found) & (Topic.slug == form.topic.data))
    workshop = {"date": form.day.data.isoformat(), "place": form.place.data.strip(),
                "participants": form.participants.data}
    made = service.record_collective(found, topic, form.title.data.strip(),
                                     form.body.data.strip(), form.stance.data, workshop)
    audit.record("consultation.collective", g.association, target=f"{slug}: #c{made.number}")
    flash(_("The workshop's contribution is published as #c%(n)s.", n=made.number))
    return redirect(url_for(".consultation", org=org, slug=slug), code=303)


def exports_context(association):
    """The association's consultations, for the area's exports page (their open data)."""
    return {"consultations": list(Consultation.select().where(
        (Consultation.association == association) & Consultation.present)
        .order_by(Consultation.title))}
