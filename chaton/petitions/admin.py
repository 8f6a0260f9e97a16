"""The organisers' pages of a petition, in the association area (/<org>/admin/petitions/...):
statistics, contacts export, updates, answer; and the petitions on the area's dashboard.

The routes are on the area's blueprint (their endpoints stay admin.petition...); who may do
what is decided by the member's role (chaton/accounts/roles.py).
"""

from datetime import date
from pathlib import Path

from flask import Response, current_app, flash, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from chaton.accounts import audit
from chaton.admin import auth
from chaton.admin.charts import daily_bars
from chaton.admin.files import update_path, write_answer, write_update
from chaton.admin.views import bp
from chaton.core.csvexport import stream_csv
from chaton.core.db import utcnow
from chaton.core.formats import spreadsheet_time
from chaton.core.lookup import found_or_404
from chaton.core.markup import render_markdown
from chaton.core.themes import render
from chaton.petitions import news, territory
from chaton.petitions.handover import Handover
from chaton.petitions.models import (
    DailyCount,
    Petition,
    Signature,
    SignatureInvalidation,
)


def exports_context(association):
    """The association's petitions and their contacts, for the area's exports page."""
    petitions = list(Petition.select().where((Petition.association == association)
                                             & Petition.present).order_by(Petition.title))
    contacts = dict(Signature.select(Signature.petition, fn.COUNT(Signature.id))
                    .where(Signature.petition.in_([p.id for p in petitions] or [0])
                           & (Signature.status == "confirmed") & Signature.keep_informed
                           & Signature.email.is_null(False))
                    .group_by(Signature.petition).tuples())
    return {"petitions": petitions, "contacts": contacts, "separator": contacts_separator()}


def dashboard_context(association):
    """The association's petitions with their pending signatures, for the area's dashboard."""
    petitions = list(Petition.select().where((Petition.association == association)
                                             & Petition.present).order_by(Petition.id.desc()))
    pending = dict(Signature.select(Signature.petition, fn.COUNT(Signature.id))
                   .where((Signature.petition.in_(petitions)) & (Signature.status == "pending"))
                   .group_by(Signature.petition).tuples()) if petitions else {}
    return {"petitions": petitions, "pending": pending}


def organiser_petition(org, slug):
    """The petition of an organiser's page, drafts included (404 otherwise)."""
    petition = found_or_404(Petition.find(g.association, slug))
    petition.association = g.association
    return petition


@bp.route("/petitions/<slug>")
@auth.require("view")
def petition(org, slug):
    petition = organiser_petition(org, slug)
    days = {d.day: d.count for d in DailyCount.select().where(DailyCount.petition == petition)}
    areas = territory.by_departement(territory.area_counts(petition, unplaced=True))  # named
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
                  contacts=contacts, pending=pending, invalidations=removed,
                  handovers=list(Handover.select().where(Handover.petition == petition)
                                 .order_by(Handover.number.desc())))


audit.label("contacts.export", _l("Contacts exported"))
audit.label("petition.update", _l("Update published"))
audit.label("petition.answer", _l("Answer published"))

# the contacts file is for people: its columns titled in the interface's language
CONTACT_TITLES = {"name": _l("Name"), "email": _l("E-mail address"),
                  "postal_code": _l("Postal code"), "confirmed_at": _l("Confirmed on (UTC)"),
                  "revision": _l("Version of the text signed")}
SEPARATORS = {"semicolon": ";", "comma": ","}


def contacts_separator():
    """The separator asked (`?separator=semicolon|comma`), else the language's: `;` for
    French, whose spreadsheets read `,` as the decimal comma, `,` otherwise."""
    asked = request.args.get("separator", "")
    if asked in SEPARATORS:
        return asked
    return "semicolon" if str(get_locale()).startswith("fr") else "comma"


@bp.route("/petitions/<slug>/contacts.csv")
@auth.require("manage")
def export_contacts(org, slug):
    """Confirmed signatories who agreed to be kept informed, and nobody else: a file for a
    spreadsheet (byte order mark, titled columns, times to the second)."""
    petition = organiser_petition(org, slug)
    query = (Signature.select(Signature.name, Signature.email, Signature.postal_code,
                              Signature.confirmed_at, Signature.revision)
             .where((Signature.petition == petition) & (Signature.status == "confirmed")
                    & Signature.keep_informed & Signature.email.is_null(False))
             .order_by(Signature.id))

    rows = ({"name": s.name, "email": s.email, "postal_code": s.postal_code,
             "confirmed_at": spreadsheet_time(s.confirmed_at), "revision": s.revision}
            for s in query.iterator())
    name = f"{org}-{slug}-contacts-{utcnow().date().isoformat()}.csv"
    audit.record("contacts.export", g.association, target=petition.slug)
    titles = {field: str(title) for field, title in CONTACT_TITLES.items()}
    document = stream_csv(rows, list(titles), titles=titles,
                          delimiter=SEPARATORS[contacts_separator()], bom=True)
    return Response(document, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _petition_folder(petition):
    content_dir = Path(current_app.config["CHATON"]["content_dir"])
    return content_dir / petition.association.slug / "petitions" / petition.slug


def _back(org, slug):
    return redirect(url_for("admin.petition", org=org, slug=slug), code=303)


def _refresh_and_back(org, slug, message):
    current_app.extensions["chaton_content"].refresh()
    flash(message)
    return _back(org, slug)


def _confirm_news(petition, kind, key, markdown, **fields):
    """The page showing the mail a publication will send and to how many people, unless it was
    confirmed (`confirmed=1`) or mails nobody (None: publish). Everything posted is sent
    again with the confirmation."""
    if request.form.get("confirmed") == "1":
        return None
    html = render_markdown(markdown, f"/{petition.association.slug}/media")
    waiting = news.pending(petition, kind, key, html, **fields)
    if waiting is None:
        return None
    posted = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "confirmed")]
    return render("admin/petition_news.html", association=g.association, petition=petition,
                  pending=waiting, fields=posted)


@bp.route("/petitions/<slug>/updates", methods=["POST"])
@auth.require("edit")
def post_update(org, slug):
    petition = organiser_petition(org, slug)
    title = request.form.get("title", "").strip()[:200]
    body = request.form.get("body", "").strip()[:20000]
    if not title or not body:
        flash(_("An update needs a title and a text."), "error")
        return _back(org, slug)
    day = date.today()
    key = update_path(_petition_folder(petition), title, day).stem  # the file it will be
    confirm = _confirm_news(petition, "update", key, body, title=title, slug=key)
    if confirm is not None:
        return confirm
    path = write_update(_petition_folder(petition), title, body, day=day)
    audit.record("petition.update", g.association, target=petition.slug, file=path.name)
    return _refresh_and_back(org, slug, _("The update is published."))


@bp.route("/petitions/<slug>/answer", methods=["POST"])
@auth.require("edit")
def record_answer(org, slug):
    petition = organiser_petition(org, slug)
    author = request.form.get("author", "").strip()[:200]
    body = request.form.get("body", "").strip()[:50000]
    if not author or not body:
        flash(_("An answer needs its author and its text."), "error")
        return _back(org, slug)
    day = date.today()  # once: the preview and the file name the same day, even at midnight
    confirm = _confirm_news(petition, "answer", day.isoformat(), body, author=author)
    if confirm is not None:
        return confirm
    write_answer(_petition_folder(petition), author, body, day=day)
    audit.record("petition.answer", g.association, target=petition.slug)
    return _refresh_and_back(org, slug, _("The answer is published."))
