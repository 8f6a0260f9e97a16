"""The association an address names, for every capability's views: 404 when there is none,
410 while the hoster suspends it. A public module (not a view module), so that capabilities
import it without importing each other's pages."""

from flask import Blueprint, g, jsonify, make_response, request

from chaton.core.lookup import found_or_404
from chaton.core.themes import render
from chaton.orgs.models import Association


def area_blueprint(name, import_name, url_prefix):
    """A blueprint of pages under `/<org>/...`: each request first loads the association of
    the address (`load_association`). Its own preprocessors, if any, run after."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    bp.url_value_preprocessor(lambda endpoint, values: load_association(values["org"]))
    return bp


def load_association(slug):
    """The association of the URL (or 404; 410 while the hoster suspends it), remembered for
    theme and language."""
    association = found_or_404(Association.by_slug(slug))
    g.association = association
    if association.disabled:
        from flask import abort

        abort(suspended(association))
    return association


def suspended(association):
    """410 Gone while the hoster suspends the association: a short page, or JSON for machines."""
    accept = request.headers.get("Accept", "")
    if request.path.endswith(".json") or "json" in accept and "html" not in accept:
        response = jsonify(error="This space is suspended by the hoster of this site.", status=410)
        response.status_code = 410
    else:
        in_area = "/admin" in request.path
        response = make_response(render("suspended.html", association=association,
                                         in_area=in_area), 410)
    response.headers["Cache-Control"] = "no-store"  # back at once when the hoster enables it
    return response
