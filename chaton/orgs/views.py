"""The instance home, association pages, media files, privacy notice and health check."""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    send_file,
    send_from_directory,
)

from chaton.core.capability import alternate, listings, page_context
from chaton.core.themes import render
from chaton.orgs.loading import load_association
from chaton.orgs.models import Association

bp = Blueprint("orgs", __name__)

MEDIA_TYPES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".avif"}


@bp.route("/")
def home():
    """The associations, and what the capabilities list: open campaigns, partners' ones."""
    return render("home.html", associations=list(Association.visible()),
                  **listings(), **page_context("home"))


@bp.route("/<org>/")
def association_page(org):
    association = load_association(org)
    other = alternate("association", association)  # its actor, for servers
    if other is not None:
        return other
    html = render("association.html", association=association,
                  **listings(association), **page_context("association", association))
    return html, 200, {"Vary": "Accept"}


@bp.route("/<org>/media/<path:filename>")
def media(org, filename):
    """Images and documents from the association's folder (never its Markdown sources)."""
    association = load_association(org)
    if Path(filename).suffix.lower() not in MEDIA_TYPES:
        abort(404)
    folder = Path(current_app.config["CHATON"]["content_dir"]) / association.slug
    response = send_from_directory(folder, filename, max_age=3600)
    if filename.lower().endswith(".svg"):
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.app_template_global()
def shareable_url(association_slug, path):
    """A PNG or JPEG address of a picture, for link previews and the fediverse."""
    from chaton.orgs.renditions import shareable_url as url

    return url(association_slug, path)


@bp.route("/<org>/renditions/<path:filename>")
def rendition(org, filename):
    """A PNG version of a picture of the association's folder (renditions.py)."""
    from chaton.orgs.renditions import CONVERTED, NoRendition
    from chaton.orgs.renditions import rendition as make

    association = load_association(org)
    if Path(filename).suffix.lower() not in CONVERTED:
        abort(404)
    folder = Path(current_app.config["CHATON"]["content_dir"]) / association.slug
    try:
        path = make(folder, filename)
    except NoRendition:
        abort(404)
    return send_file(path, mimetype="image/png", max_age=3600)


@bp.route("/source.tar.gz")
def source():
    """This instance's source code (AGPL): the archive of the running checkout."""
    from chaton import __version__
    from chaton.core.source import archive

    path = archive(current_app.instance_path, __version__)
    return send_file(path, mimetype="application/gzip", as_attachment=True, max_age=3600,
                     download_name=path.name)


@bp.route("/privacy")
def privacy():
    return render("privacy.html", retention_days=current_app.config["CHATON"]["retention_days"])


@bp.route("/<org>/privacy")
def association_privacy(org):
    """The privacy notice with the association's privacy contact and retention period."""
    association = load_association(org)
    days = association.meta.get("retention_days") or current_app.config["CHATON"]["retention_days"]
    return render("privacy.html", association=association, retention_days=days)


@bp.route("/healthz")
def health():
    """For monitoring: the database answers."""
    Association.select().limit(1).count()
    return {"status": "ok"}


@bp.route("/healthz/write")
def health_write():
    """For load balancers: a write completes within seconds (503 otherwise, take me out)."""
    from chaton.core.health import can_write

    if not can_write():
        return {"status": "cannot write"}, 503, {"Retry-After": "5", "Cache-Control": "no-store"}
    return {"status": "ok"}, 200, {"Cache-Control": "no-store"}
