"""Deleting the association from its own area: what will be erased, then a confirmation by
typing its address. Admins only (`manage`); the work is `orgs.deletion.delete_association`."""

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton.accounts import audit
from chaton.accounts.sessions import current_account
from chaton.admin.auth import require
from chaton.core.themes import render
from chaton.orgs import deletion
from chaton.orgs.loading import area_blueprint

bp = area_blueprint("deletion", __name__, "/<org>/admin/delete")
audit.label("association.delete", _l("Association deleted"))



@bp.route("/", methods=["GET", "POST"])
@require("manage")
def confirm(org):
    return confirmation_page(g.association, url_for("accounts.home"))


def confirmation_page(association, done_url, hoster=False):
    """The page listing what will be erased; POST with the typed address deletes."""
    typed = request.form.get("slug", "").strip()[:100]
    error = None
    if request.method == "POST":
        if typed != association.slug:
            error = _("Type %(slug)s exactly, to show that you mean this association.",
                      slug=association.slug)
        else:
            name = association.name
            deletion.delete_association(association, current_account())
            flash(_("%(name)s and all its data were deleted.", name=name))
            return redirect(done_url, code=303)
    return render("admin/delete.html", association=association, typed=typed, error=error,
                  summary=deletion.summary(association), grace_days=deletion.grace_days(),
                  hoster=hoster), 422 if error else 200
