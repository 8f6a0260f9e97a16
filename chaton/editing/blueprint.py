"""The editing blueprint, under the association area (/<org>/admin/...)."""

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l

from chaton.accounts import audit
from chaton.admin import nav
from chaton.admin.auth import can
from chaton.orgs.views import load_association

bp = Blueprint("editing", __name__, url_prefix="/<org>/admin")
nav.register("editing.campaigns", _l("Campaigns"), "view", order=20)

EDITOR_TEXT_KB = 1024  # long stories in forms: French text takes up to 9 bytes a letter once encoded

for action, text in {
    "campaign.create": _l("Campaign file created"),
    "campaign.edit": _l("Campaign file edited"),
    "campaign.publish": _l("Campaign published"),
    "campaign.schedule": _l("Campaign scheduled"),
    "campaign.close": _l("Campaign closed"),
    "campaign.archive": _l("Campaign archived"),
    "campaign.unarchive": _l("Campaign taken out of the archive"),
    "media.upload": _l("File uploaded"),
}.items():
    audit.label(action, text)


@bp.url_value_preprocessor
def pick_association(endpoint, values):
    """The association of the URL; members who may edit get room for long texts and uploads.

    This runs before the CSRF check reads the form, so the larger limit applies to the body
    that check parses; everybody else keeps `max_body_kb` (oversized bodies get 413)."""
    load_association(values["org"])
    if request.method == "POST" and can("edit"):
        from chaton.editing.uploads import limit_bytes

        request.max_content_length = limit_bytes() + EDITOR_TEXT_KB * 1024
        request.max_form_memory_size = EDITOR_TEXT_KB * 1024

