"""The association area: its blueprint (/<org>/admin/), on which the capabilities add their
organisers' pages (petitions/admin.py), and its dashboard.

Who may do what is decided by the member's role (chaton/accounts/roles.py).
"""

from flask import g, redirect, url_for
from flask_babel import lazy_gettext as _l

from chaton.admin import auth, nav
from chaton.core.capability import page_context
from chaton.core.themes import render
from chaton.orgs.loading import area_blueprint
from chaton.orgs.models import ContentError

bp = area_blueprint("admin", __name__, "/<org>/admin")
nav.register("admin.dashboard", _l("Dashboard"), "view", order=10)



@bp.route("/login")
def login(org):
    """The former token sign-in page: accounts sign in on /account/login."""
    return redirect(url_for("accounts.login", next=url_for("admin.dashboard", org=org)))


@bp.route("/")
@auth.require("view")
def dashboard(org):
    """The content errors, and what the capabilities show here (petitions: their counts)."""
    association = g.association
    errors = list(ContentError.select().where(ContentError.association.in_([org, ""])))
    return render("admin/dashboard.html", association=association, errors=errors,
                  **page_context("dashboard", association))
