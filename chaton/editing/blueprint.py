"""The editing blueprint, under the association area (/<org>/admin/...)."""

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from chaton.accounts import audit
from chaton.admin import nav
from chaton.admin.auth import can
from chaton.orgs.loading import area_blueprint

bp = area_blueprint("editing", __name__, "/<org>/admin")
nav.register("editing.campaigns", _l("Campaigns"), "view", order=20)

UPLOAD_ROOM = 4
EDITOR_TEXT_KB = 1024  # long stories in forms: French text takes up to 9 bytes a letter once encoded

for action, text in {
    "campaign.create": _l("Campaign file created"),
    "campaign.edit": _l("Campaign file edited"),
    "campaign.publish": _l("Campaign published"),
    "campaign.schedule": _l("Campaign scheduled"),
    "campaign.close": _l("Campaign closed"),
    "campaign.answered": _l("Petition marked answered"),
    "campaign.archive": _l("Campaign archived"),
    "campaign.unarchive": _l("Campaign taken out of the archive"),
    "media.upload": _l("File uploaded"),
}.items():
    audit.label(action, text)


@bp.url_value_preprocessor
def make_room(endpoint, values):
    """The association of the URL; members who may edit get room for long texts and uploads.

    This runs before the CSRF check reads the form, so the larger limit applies to the body
    that check parses; everybody else keeps `max_body_kb` (oversized bodies get 413)."""
    if request.method == "POST" and can("edit"):
        request.max_content_length = editor_body_limit(current_app.config["CHATON"])
        request.max_form_memory_size = EDITOR_TEXT_KB * 1024


def editor_body_limit(settings):
    """The largest body an editor may send: a file of up to UPLOAD_ROOM times the upload
    limit still reaches the editor, which refuses it with the limit in its message and keeps
    what was typed (a phone photo of 12 MB, say); beyond, a plain 413."""
    return int(settings["upload_max_kb"]) * 1024 * UPLOAD_ROOM + EDITOR_TEXT_KB * 1024

