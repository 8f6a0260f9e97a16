"""An association's brand colour: checked for contrast, applied by a small stylesheet.

The Content-Security-Policy forbids inline styles, so the colour is not written into pages:
`/<org>/style.css` sets the theme's CSS custom properties (`--accent`, `--accent-soft`), and
base.html links it after the theme's stylesheet when the association has a colour. Its address
carries a version (the checksum of association.md), so it is cached long and changes at once.
"""

import hashlib

from flask import Blueprint, Response, request

from chaton.orgs.colors import tint, usable
from chaton.orgs.loading import load_association

bp = Blueprint("branding", __name__)


def stylesheet_text(color):
    return (f":root {{\n  --accent: {color.lower()};\n  --accent-ink: #ffffff;\n"
            f"  --accent-soft: {tint(color)};\n}}\n")


@bp.route("/<org>/style.css")
def stylesheet(org):
    """The association's colours; empty when it has none (or one too pale to be readable)."""
    association = load_association(org)
    color = association.meta.get("color") or ""
    text = stylesheet_text(color) if usable(color) else "/* no brand colour */\n"
    etag = hashlib.sha256(text.encode()).hexdigest()[:20]
    response = Response(text, mimetype="text/css")
    response.set_etag(etag)
    # versioned address (?v=): cache a day; without it, a browser checks again after 5 minutes
    response.cache_control.public = True
    response.cache_control.max_age = 86400 if request.args.get("v") else 300
    return response.make_conditional(request)
