"""Members of an association (invite, change role, remove) and its audit log. Admins only."""

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton.accounts import audit, service
from chaton.accounts.models import Account, Invitation
from chaton.accounts.roles import ROLES
from chaton.accounts.sessions import current_account
from chaton.admin import nav
from chaton.admin.auth import require
from chaton.core.security import limiter
from chaton.core.themes import render
from chaton.orgs.loading import area_blueprint

bp = area_blueprint("members", __name__, "/<org>/admin")
nav.register("members.index", _l("Members"), "manage", order=80)
nav.register("members.audit_log", _l("Audit log"), "manage", order=90)

PAGE = 50



def _form_errors(email, role):
    errors = {}
    if "@" not in email or len(email) > 254 or " " in email:
        errors["email"] = _("Write a valid e-mail address.")
    if role not in ROLES:
        errors["role"] = _("Choose a role.")
    return errors


@bp.route("/members", methods=["GET", "POST"])
@require("manage")
@limiter.limit("30 per hour", methods=["POST"])
def index(org):
    association = g.association
    form = {"email": request.form.get("email", "").strip()[:300],
            "role": request.form.get("role", "editor")}
    errors = {}
    if request.method == "POST":
        errors = _form_errors(form["email"], form["role"])
        if not errors:
            service.invite(form["email"], association, form["role"], invited_by=current_account())
            flash(_("Invitation sent to %(email)s.", email=form["email"]))
            return redirect(url_for("members.index", org=org), code=303)
    return render("admin/members.html", association=association,
                  members=service.members(association),
                  invitations=service.pending_invitations(association),
                  form=form, errors=errors, roles=ROLES), 400 if errors else 200


def _member(association, account_id):
    account = Account.get_or_none(Account.id == account_id)
    if account is None or account not in [m.account for m in service.members(association)]:
        abort(404)
    return account


@bp.route("/members/<int(max=2000000000):account_id>", methods=["POST"])
@require("manage")
def change(org, account_id):
    association = g.association
    account = _member(association, account_id)
    role = request.form.get("role", "")
    removing = request.form.get("action") == "remove"
    if not removing and role not in ROLES:
        abort(400)
    # the service decides under the association's key (two admins demoting each other at once)
    if removing and service.remove_member(account, association):
        audit.record("member.remove", association, target=account.email)
        flash(_("%(email)s is no longer a member.", email=account.email))
    elif not removing and service.set_role(account, association, role):
        audit.record("member.role", association, target=account.email, role=role)
        flash(_("%(email)s is now: %(role)s.", email=account.email, role=role_label(role)))
    else:
        flash(_("An association keeps at least one administrator."), "error")
    return redirect(url_for("members.index", org=org), code=303)


def role_label(role):
    from chaton.accounts.roles import ROLE_NAMES

    return str(ROLE_NAMES[role])


@bp.route("/invitations/<int(max=2000000000):invitation_id>/revoke", methods=["POST"])
@require("manage")
def revoke(org, invitation_id):
    invitation = Invitation.get_or_none((Invitation.id == invitation_id)
                                        & (Invitation.association == g.association))
    if invitation is None:
        abort(404)
    if service.revoke_invitation(invitation):
        flash(_("The invitation to %(email)s is withdrawn.", email=invitation.email))
    else:  # accepted (or withdrawn by another admin) meanwhile
        flash(_("The invitation was already accepted, withdrawn, or it expired after 7 "
                "days."), "error")
    return redirect(url_for("members.index", org=org), code=303)


@bp.route("/audit")
@require("manage")
def audit_log(org):
    page = max(1, min(request.args.get("page", 1, type=int), 10000))
    entries = list(audit.entries(g.association).paginate(page, PAGE + 1))
    return render("admin/audit.html", association=g.association, entries=entries[:PAGE],
                  page=page, more=len(entries) > PAGE)
