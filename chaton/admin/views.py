"""The association's minimal protected area: counts over time, contacts export, updates, answer.

The full web administration (accounts, roles, editing) comes later; this area is protected by
the association's admin token.
"""

import re
from pathlib import Path

from flask import Blueprint, Response, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from peewee import fn

from chaton.admin import auth
from chaton.admin.charts import daily_bars
from chaton.admin.files import write_answer, write_update
from chaton.core.csvexport import stream_csv
from chaton.core.db import utcnow
from chaton.core.security import limiter, safe_next
from chaton.core.themes import render
from chaton.orgs.models import ContentError
from chaton.orgs.views import load_association
from chaton.petitions.models import AreaCount, DailyCount, Petition, Signature

bp = Blueprint("admin", __name__, url_prefix="/<org>/admin")


@bp.url_value_preprocessor
def pick_association(endpoint, values):
    load_association(values["org"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login(org):
    association = g.association
    error = None
    if request.method == "POST":
        if auth.check_token(association, request.form.get("token", "").strip()):
            auth.sign_in(association)
            target = safe_next(request.args.get("next"))
            if not target.startswith(f"/{org}/admin"):
                target = url_for("admin.dashboard", org=org)
            return redirect(target, code=303)
        error = _("This token is not valid for this association.")
    status = 401 if error else 200
    return render("admin/login.html", association=association, error=error), status


@bp.route("/logout", methods=["POST"])
def logout(org):
    auth.sign_out(g.association)
    return redirect(url_for("orgs.association_page", org=org), code=303)


@bp.route("/")
@auth.admin_required
def dashboard(org):
    association = g.association
    petitions = list(Petition.select().where((Petition.association == association)
                                             & Petition.present).order_by(Petition.id.desc()))
    pending = dict(Signature.select(Signature.petition, fn.COUNT(Signature.id))
                   .where((Signature.petition.in_(petitions)) & (Signature.status == "pending"))
                   .group_by(Signature.petition).tuples()) if petitions else {}
    errors = list(ContentError.select().where(ContentError.association.in_([org, ""])))
    from chaton.federation.models import Following

    follows = list(Following.select().order_by(Following.created_at.desc()))
    return render("admin/dashboard.html", association=association, petitions=petitions,
                  pending=pending, errors=errors, follows=follows)


@bp.route("/follow", methods=["POST"])
@auth.admin_required
def follow_remote(org):
    """Mirror another instance's association: the worker resolves and follows it."""
    from chaton.federation.tasks import follow_handle

    handle = request.form.get("handle", "").strip()[:300]
    if not re.fullmatch(r"@?[\w.-]+@[\w.:-]+|https?://\S+", handle):
        flash(_("Write the address as @association@instance.example."), "error")
    else:
        follow_handle(handle)
        flash(_("Follow request queued: the campaigns appear under “Campaigns from partner "
                "instances” once the other instance accepts."))
    return redirect(url_for("admin.dashboard", org=org), code=303)


def _admin_petition(org, slug):
    from flask import abort

    petition = Petition.get_or_none((Petition.association == g.association)
                                    & (Petition.slug == slug) & Petition.present)
    if petition is None:
        abort(404)
    petition.association = g.association
    return petition


@bp.route("/petitions/<slug>")
@auth.admin_required
def petition(org, slug):
    petition = _admin_petition(org, slug)
    days = {d.day: d.count for d in DailyCount.select().where(DailyCount.petition == petition)}
    areas = list(AreaCount.select().where((AreaCount.petition == petition) & (AreaCount.count > 0))
                 .order_by(AreaCount.count.desc(), AreaCount.area))
    contacts = (Signature.select().where((Signature.petition == petition)
                                         & (Signature.status == "confirmed")
                                         & Signature.keep_informed).count())
    pending = (Signature.select().where((Signature.petition == petition)
                                        & (Signature.status == "pending")).count())
    chart = daily_bars(days, label=_("Confirmed signatures per day, last 30 days"))
    return render("admin/petition.html", association=g.association, petition=petition,
                  chart=chart, days=sorted(days.items(), reverse=True)[:30], areas=areas,
                  contacts=contacts, pending=pending)


FIELDS = ["name", "email", "postal_code", "confirmed_at", "revision"]


@bp.route("/petitions/<slug>/contacts.csv")
@auth.admin_required
def export_contacts(org, slug):
    """Confirmed signatories who agreed to be kept informed, and nobody else."""
    petition = _admin_petition(org, slug)
    query = (Signature.select(Signature.name, Signature.email, Signature.postal_code,
                              Signature.confirmed_at, Signature.revision)
             .where((Signature.petition == petition) & (Signature.status == "confirmed")
                    & Signature.keep_informed & Signature.email.is_null(False))
             .order_by(Signature.id))

    rows = ({"name": s.name, "email": s.email, "postal_code": s.postal_code,
             "confirmed_at": s.confirmed_at.isoformat(), "revision": s.revision}
            for s in query.iterator())
    name = f"{org}-{slug}-contacts-{utcnow().date().isoformat()}.csv"
    return Response(stream_csv(rows, FIELDS), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _petition_folder(petition):
    content_dir = Path(current_app.config["CHATON"]["content_dir"])
    return content_dir / petition.association.slug / "petitions" / petition.slug


def _refresh_and_back(org, slug, message):
    current_app.extensions["chaton_content"].refresh()
    flash(message)
    return redirect(url_for("admin.petition", org=org, slug=slug), code=303)


@bp.route("/petitions/<slug>/updates", methods=["POST"])
@auth.admin_required
def post_update(org, slug):
    petition = _admin_petition(org, slug)
    title = request.form.get("title", "").strip()[:200]
    body = request.form.get("body", "").strip()[:20000]
    if not title or not body:
        flash(_("An update needs a title and a text."), "error")
        return redirect(url_for("admin.petition", org=org, slug=slug), code=303)
    write_update(_petition_folder(petition), title, body)
    return _refresh_and_back(org, slug, _("The update is published."))


@bp.route("/petitions/<slug>/answer", methods=["POST"])
@auth.admin_required
def record_answer(org, slug):
    petition = _admin_petition(org, slug)
    author = request.form.get("author", "").strip()[:200]
    body = request.form.get("body", "").strip()[:50000]
    if not author or not body:
        flash(_("An answer needs its author and its text."), "error")
        return redirect(url_for("admin.petition", org=org, slug=slug), code=303)
    write_answer(_petition_folder(petition), author, body)
    return _refresh_and_back(org, slug, _("The answer is published."))
