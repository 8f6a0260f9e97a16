"""The hoster's page for following other instances' associations (/hoster/federation): on
the hoster area's blueprint (its endpoint stays hoster.federation), beside federation."""

import re

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from chaton.accounts import audit
from chaton.admin.auth import hoster_required
from chaton.core.themes import render
from chaton.federation import tasks
from chaton.federation.models import Following
from chaton.hoster.views import bp


@bp.route("/federation", methods=["GET", "POST"])
@hoster_required
def federation():
    """Follow another instance's association: its campaigns are listed under /mirrors/."""
    if not current_app.config["CHATON"]["federation"]:
        abort(404)
    form, errors = {"handle": request.form.get("handle", "").strip()[:300]}, {}
    if request.method == "POST":
        if not re.fullmatch(r"@?[\w.-]+@[\w.:-]+|https?://\S+", form["handle"]):
            errors["handle"] = _("Write the address as @association@instance.example.")
        else:
            tasks.follow_handle(form["handle"])
            audit.record("federation.follow", None, target=form["handle"])
            flash(_("Follow request queued: the campaigns appear under “Campaigns from partner "
                    "instances” once the other instance accepts."))
            return redirect(url_for("hoster.federation"), code=303)
    follows = list(Following.select().order_by(Following.created_at.desc()))
    return render("hoster/federation.html", follows=follows, form=form,
                  errors=errors), 400 if errors else 200
