"""The association's data: contacts per petition, open data of consultations, the whole
archive, and the way to delete the association. Admins only (`manage`)."""

from flask import g, send_file
from flask_babel import lazy_gettext as _l

from chaton.accounts import audit
from chaton.admin import nav
from chaton.admin.auth import require
from chaton.core.capability import page_context
from chaton.core.db import utcnow
from chaton.core.security import limiter
from chaton.core.themes import render
from chaton.orgs import archive
from chaton.orgs.deletion import summary
from chaton.orgs.loading import area_blueprint

bp = area_blueprint("exports", __name__, "/<org>/admin/exports")
nav.register("exports.index", _l("Exports"), "manage", order=70)
audit.label("association.export", _l("Whole export downloaded"))



@bp.route("/")
@require("manage")
def index(org):
    """What the capabilities export (petitions: contacts; consultations: open data), and the
    whole archive."""
    association = g.association
    return render("admin/exports.html", association=association, tables=archive.parts(),
                  summary=summary(association), **page_context("exports", association))


@bp.route("/archive.zip", methods=["POST"])
@require("manage")
@limiter.limit("10 per hour")
def download(org):
    """Build the archive in an anonymous temporary file, then stream it."""
    association = g.association
    output = archive.temporary_file()
    try:
        manifest = archive.build(association, output)
        output.seek(0)
    except BaseException:
        output.close()
        raise
    audit.record("association.export", association, target=association.slug,
                 files=len(manifest["files"]))
    name = f"{association.slug}-{utcnow().strftime('%Y%m%d-%H%M')}.zip"
    response = send_file(output, mimetype="application/zip", as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
