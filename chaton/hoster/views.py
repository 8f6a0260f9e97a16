"""The hoster area (/hoster/): associations, their domains, quotas and suspension, the hoster
team, following other instances, and the instance-wide audit log. Hoster admins only.

Hosters see an association's members (names, e-mails, roles) and figures, never its data
(signatories, participants, exports): they reach that only as one of its members. They may
change its settings (name, texts, colour, logo: /<org>/admin/settings), recorded as theirs.
"""

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from peewee import fn

from chaton.accounts import audit
from chaton.accounts import service as accounts
from chaton.accounts.models import Account, Membership
from chaton.accounts.sessions import current_account
from chaton.admin.auth import hoster_required
from chaton.core.i18n import LANGUAGES
from chaton.core.security import limiter
from chaton.core.themes import render
from chaton.hoster import quotas, service
from chaton.hoster.models import AssociationDomain
from chaton.orgs.models import Association

bp = Blueprint("hoster", __name__, url_prefix="/hoster")
PAGE = 50


def _association(slug):
    found = Association.get_or_none(Association.slug == slug)
    if found is None:
        abort(404)
    return found


def _member_counts():
    return dict(Membership.select(Membership.association, fn.COUNT(Membership.id))
                .group_by(Membership.association).tuples())


def _domains():
    found = {}
    for row in AssociationDomain.select().order_by(AssociationDomain.host):
        found.setdefault(row.association_id, []).append(row.host)
    return found


@bp.route("/")
@hoster_required
def index():
    associations = list(Association.select().order_by(Association.present.desc(),
                                                      Association.slug))
    return render("hoster/index.html", associations=associations, domains=_domains(),
                  members=_member_counts(), usage={a.id: quotas.usage(a) for a in associations})


def _new_form():
    campaigns, storage = service.default_quotas()
    if request.method == "GET":
        return {"slug": "", "name": "", "language": current_app.config["CHATON"]["language"],
                "domain": "", "admin_email": "", "max_campaigns": campaigns or "",
                "max_storage_mb": storage or ""}
    return {key: request.form.get(key, "").strip()[:300] for key in (
        "slug", "name", "language", "domain", "admin_email", "max_campaigns", "max_storage_mb")}


@bp.route("/new", methods=["GET", "POST"])
@hoster_required
@limiter.limit("30 per hour", methods=["POST"])
def new():
    form, errors = _new_form(), {}
    if request.method == "POST":
        try:
            association, token = service.create_association(
                form["slug"], form["name"], form["language"], [form["domain"]],
                form["admin_email"], current_account(), form["max_campaigns"],
                form["max_storage_mb"])
        except service.HostingError as exc:
            errors = exc.errors
        else:
            flash(_("%(name)s is created.", name=association.name))
            if token:
                flash(_("Invitation sent to %(email)s.", email=form["admin_email"]))
            return redirect(url_for("hoster.association", slug=association.slug), code=303)
    return render("hoster/new.html", form=form, errors=errors,
                  languages=LANGUAGES), 400 if errors else 200


def _association_page(association, errors=None, form=None, status=200):
    return render("hoster/association.html", hosted=association,
                  hosts=service.hosts_of(association), usage=quotas.usage(association),
                  members=accounts.members(association),
                  invitations=accounts.pending_invitations(association),
                  errors=errors or {}, form=form or {}), status


@bp.route("/associations/<slug>")
@hoster_required
def association(slug):
    return _association_page(_association(slug))


def _back(association):
    return redirect(url_for("hoster.association", slug=association.slug), code=303)


@bp.route("/associations/<slug>/quotas", methods=["POST"])
@hoster_required
def set_quotas(slug):
    association = _association(slug)
    form = {k: request.form.get(k, "").strip()[:20] for k in ("max_campaigns", "max_storage_mb")}
    try:
        service.set_quotas(association, form["max_campaigns"], form["max_storage_mb"],
                           current_account())
    except service.HostingError as exc:
        return _association_page(association, exc.errors, form, 400)
    flash(_("The quotas are saved."))
    return _back(association)


@bp.route("/associations/<slug>/domains", methods=["POST"])
@hoster_required
def add_domain(slug):
    association = _association(slug)
    form = {"domain": request.form.get("domain", "").strip()[:300]}
    try:
        host = service.add_domain(association, form["domain"], current_account())
    except service.HostingError as exc:
        return _association_page(association, exc.errors, form, 400)
    flash(_("%(name)s now answers at %(host)s once its DNS points to this server.",
            name=association.name, host=host))
    return _back(association)


@bp.route("/associations/<slug>/domains/remove", methods=["POST"])
@hoster_required
def remove_domain(slug):
    association = _association(slug)
    host = request.form.get("host", "")[:300]
    if not service.remove_domain(association, host, current_account()):
        abort(404)
    flash(_("%(host)s no longer serves %(name)s.", host=host, name=association.name))
    return _back(association)


@bp.route("/associations/<slug>/disable", methods=["GET", "POST"])
@hoster_required
def disable(slug):
    """GET asks for confirmation; POST suspends."""
    association = _association(slug)
    if request.method == "GET":
        return render("hoster/disable.html", hosted=association)
    service.disable(association, current_account())
    flash(_("%(name)s is suspended. Nothing was deleted.", name=association.name))
    return _back(association)


@bp.route("/associations/<slug>/delete", methods=["GET", "POST"])
@hoster_required
def delete(slug):
    """The same confirmation as in the association's own area (what is erased, type the slug)."""
    from chaton.admin.deletion import confirmation_page

    association = _association(slug)
    if not association.present:
        abort(404)
    return confirmation_page(association, url_for("hoster.index"), hoster=True)


@bp.route("/associations/<slug>/enable", methods=["POST"])
@hoster_required
def enable(slug):
    association = _association(slug)
    service.enable(association, current_account())
    flash(_("%(name)s is enabled again.", name=association.name))
    return _back(association)


def _email_error(email):
    if not service.EMAIL_RE.fullmatch(email) or len(email) > 254:
        return _("Write a valid e-mail address.")
    return None


@bp.route("/associations/<slug>/invite", methods=["POST"])
@hoster_required
@limiter.limit("30 per hour")
def invite(slug):
    association = _association(slug)
    form = {"email": request.form.get("email", "").strip()[:300]}
    problem = _email_error(form["email"])
    if problem:
        return _association_page(association, {"email": problem}, form, 400)
    service.invite_admin(association, form["email"], current_account())
    flash(_("Invitation sent to %(email)s.", email=form["email"]))
    return _back(association)


@bp.route("/team", methods=["GET", "POST"])
@hoster_required
@limiter.limit("30 per hour", methods=["POST"])
def team():
    form, errors = {"email": request.form.get("email", "").strip()[:300]}, {}
    if request.method == "POST":
        problem = _email_error(form["email"])
        if problem:
            errors["email"] = problem
        else:
            accounts.invite(form["email"], hoster=True, invited_by=current_account())
            audit.record("hoster.team_invite", None, target=form["email"].lower())
            flash(_("Invitation sent to %(email)s.", email=form["email"]))
            return redirect(url_for("hoster.team"), code=303)
    hosters = list(Account.select().where(Account.is_hoster == True)  # noqa: E712
                   .order_by(Account.email))
    return render("hoster/team.html", hosters=hosters, form=form, errors=errors,
                  invitations=accounts.pending_invitations(hoster=True)), 400 if errors else 200


@bp.route("/audit")
@hoster_required
def audit_log():
    page = max(1, min(request.args.get("page", 1, type=int), 10000))
    entries = list(audit.entries(hoster=True).paginate(page, PAGE + 1))
    slugs = dict(Association.select(Association.id, Association.slug).tuples())
    return render("hoster/audit.html", entries=entries[:PAGE], page=page,
                  more=len(entries) > PAGE, slugs=slugs)
