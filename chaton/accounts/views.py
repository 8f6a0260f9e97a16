"""Signing in and out, sign-in links, invitations, and the account page (/account/...)."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from chaton.accounts import audit, service
from chaton.accounts.models import Membership
from chaton.accounts.passwords import needs_rehash, password_problem, verify_password
from chaton.accounts.sessions import current_account, sign_in, sign_out, sign_out_everywhere
from chaton.core.security import limiter, safe_next
from chaton.core.themes import render
from chaton.orgs.models import Association

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _after_login(account):
    target = safe_next(request.args.get("next"))
    return redirect(target or url_for("accounts.home"), code=303)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def login():
    form = {"email": request.form.get("email", "").strip()[:254]}
    error = None
    if request.method == "POST" and request.form.get("action") == "link":
        if "@" not in form["email"]:
            error = _("Write the e-mail address of your account.")
        else:
            service.send_login_link(form["email"])
            return render("account/link_sent.html", email=form["email"])
    elif request.method == "POST":
        account = service.find_account(form["email"])
        password = request.form.get("password", "")[:500]
        stored = account.password_hash if account else ""
        if verify_password(stored, password) and account.disabled_at is None:
            if needs_rehash(stored):
                service.set_password(account, password)
                account = service.find_account(account.email)
            sign_in(account)
            return _after_login(account)
        error = _("This e-mail address and password do not match an account.")
    return render("account/login.html", form=form, error=error), 401 if error else 200


@bp.route("/logout", methods=["POST"])
def logout():
    sign_out()
    flash(_("You are signed out."))
    return redirect(url_for("orgs.home"), code=303)


@bp.route("/link/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def use_link(token):
    """GET only shows a button: mail scanners that follow links must not use them up."""
    if request.method == "GET":
        if not service.link_is_valid(token):
            return render("account/link_invalid.html"), 410
        return render("account/link_confirm.html", token=token)
    account = service.use_login_link(token)
    if account is None:
        return render("account/link_invalid.html"), 410
    sign_in(account)
    return redirect(url_for("accounts.home"), code=303)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def invitation(token):
    found = service.open_invitation(token)
    if found is None:
        return render("account/link_invalid.html", invitation=True), 410
    existing = service.find_account(found.email)
    form = {"name": request.form.get("name", "").strip()[:200]}
    errors = {}
    me = current_account()
    if existing is not None and existing.password_hash and (me is None or me.id != existing.id):
        # the link must not work as a password: its owner signs in first, then accepts
        return render("account/invitation.html", invitation=found, existing=existing,
                      form=form, errors={}, sign_in_first=True)
    if request.method == "POST":
        password = request.form.get("password", "")
        if existing is None:
            if not form["name"]:
                errors["name"] = _("Write your name, as your team knows it.")
            if password or request.form.get("method") != "link":
                problem = password_problem(password, found.email)
                if problem:
                    errors["password"] = problem
        if not errors:
            account = service.accept(found, form["name"], password or None)
            if account is None:
                return render("account/link_invalid.html", invitation=True), 410
            sign_in(account)
            flash(_("Welcome! You joined %(place)s.",
                    place=found.association.name if found.association else _("the hoster team")))
            if found.association is not None:
                return redirect(url_for("admin.dashboard", org=found.association.slug), code=303)
            return redirect(url_for("accounts.home"), code=303)
    status = 400 if errors else 200
    return render("account/invitation.html", invitation=found, existing=existing, form=form,
                  errors=errors), status


def _signed_in():
    account = current_account()
    if account is None:
        abort(redirect(url_for("accounts.login", next=request.path)))
    return account


@bp.route("/")
def home():
    account = _signed_in()
    memberships = list(Membership.select(Membership, Association).join(Association)
                       .where((Membership.account == account) & Association.present)
                       .order_by(Association.name))
    return render("account/home.html", account=account, memberships=memberships, errors={})


@bp.route("/password", methods=["POST"])
@limiter.limit("10 per minute")
def change_password():
    account = _signed_in()
    errors = {}
    if account.password_hash and not verify_password(account.password_hash,
                                                     request.form.get("current", "")):
        errors["current"] = _("This is not your current password.")
    new = request.form.get("password", "")
    problem = password_problem(new, account.email)
    if problem:
        errors["password"] = problem
    if errors:
        memberships = list(Membership.select().where(Membership.account == account))
        return render("account/home.html", account=account, memberships=memberships,
                      errors=errors), 400
    account = service.set_password(account, new)
    audit.record("account.password", account=account, target=account.email)
    sign_in(account)  # the other sessions end; this one goes on
    flash(_("Your password is changed. Your other sessions are signed out."))
    return redirect(url_for("accounts.home"), code=303)


@bp.route("/sessions", methods=["POST"])
def end_sessions():
    account = _signed_in()
    sign_out_everywhere(account)
    sign_out()
    flash(_("Every session of your account is signed out, this one too."))
    return redirect(url_for("accounts.login"), code=303)
