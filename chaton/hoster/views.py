"""The hoster area (/hoster/): the associations of the instance. Hoster admins only."""

from flask import Blueprint

from chaton.admin.auth import hoster_required
from chaton.core.themes import render
from chaton.orgs.models import Association

bp = Blueprint("hoster", __name__, url_prefix="/hoster")


@bp.route("/")
@hoster_required
def index():
    associations = list(Association.select().order_by(Association.slug))
    return render("hoster/index.html", associations=associations)
