"""The association area: dashboard, petition statistics, contacts export, updates, answer.

Who may do what is decided by the member's role (chaton/accounts/roles.py).
"""

from pathlib import Path

from flask import Blueprint, Response, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from chaton.accounts import audit
from chaton.admin import auth, nav
from chaton.admin.charts import daily_bars
from chaton.admin.files import write_answer, write_update
from chaton.core.csvexport import stream_csv
from chaton.core.db import utcnow
from chaton.core.lookup import found_or_404
from chaton.core.themes import render
from chaton.orgs.loading import load_association
from chaton.orgs.models import ContentError
from chaton.petitions.models import (
    AreaCount,
    DailyCount,
    Petition,
    Signature,
    SignatureInvalidation,
)

bp = Blueprint("admin", __name__, url_prefix="/<org>/admin")
nav.register("admin.dashboard", _l("Dashboard"), "view", order=10)


@bp.url_value_preprocessor
def pick_association(endpoint, values):
    load_association(values["org"])


@bp.route("/login")
def login(org):
    """The former token sign-in page: accounts sign in on /account/login."""
    return redirect(url_for("accounts.login", next=url_for("admin.dashboard", org=org)))


@bp.route("/")
@auth.require("view")
def dashboard(org):
    association = g.association
    petitions = list(Petition.select().where((Petition.association == association)
                                             & Petition.present).order_by(Petition.id.desc()))
    pending = dict(Signature.select(Signature.petition, fn.COUNT(Signature.id))
                   .where((Signature.petition.in_(petitions)) & (Signature.status == "pending"))
                   .group_by(Signature.petition).tuples()) if petitions else {}
    errors = list(ContentError.select().where(ContentError.association.in_([org, ""])))
    return render("admin/dashboard.html", association=association, petitions=petitions,
                  pending=pending, errors=errors)


def _admin_petition(org, slug):
    petition = found_or_404(Petition.find(g.association, slug))
    petition.association = g.association
    return petition


@bp.route("/petitions/<slug>")
@auth.require("view")
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
    removed = list(SignatureInvalidation.select().where(SignatureInvalidation.petition == petition)
                   .order_by(SignatureInvalidation.id.desc()))
    return render("admin/petition.html", association=g.association, petition=petition,
                  chart=chart, days=sorted(days.items(), reverse=True)[:30], areas=areas,
                  contacts=contacts, pending=pending, invalidations=removed)


audit.label("contacts.export", _l("Contacts exported"))
audit.label("petition.update", _l("Update published"))
audit.label("petition.answer", _l("Answer published"))

FIELDS = ["name", "email", "postal_code", "confirmed_at", "revision"]


@bp.route("/petitions/<slug>/contacts.csv")
@auth.require("manage")
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
    audit.record("contacts.export", g.association, target=petition.slug)
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
@auth.require("edit")
def post_update(org, slug):
    petition = _admin_petition(org, slug)
    title = request.form.get("title", "").strip()[:200]
    body = request.form.get("body", "").strip()[:20000]
    if not title or not body:
        flash(_("An update needs a title and a text."), "error")
        return redirect(url_for("admin.petition", org=org, slug=slug), code=303)
    path = write_update(_petition_folder(petition), title, body)
    audit.record("petition.update", g.association, target=petition.slug, file=path.name)
    return _refresh_and_back(org, slug, _("The update is published."))


@bp.route("/petitions/<slug>/answer", methods=["POST"])
@auth.require("edit")
def record_answer(org, slug):
    petition = _admin_petition(org, slug)
    author = request.form.get("author", "").strip()[:200]
    body = request.form.get("body", "").strip()[:50000]
    if not author or not body:
        flash(_("An answer needs its author and its text."), "error")
        return redirect(url_for("admin.petition", org=org, slug=slug), code=303)
    write_answer(_petition_folder(petition), author, body)
    audit.record("petition.answer", g.association, target=petition.slug)
    return _refresh_and_back(org, slug, _("The answer is published."))
