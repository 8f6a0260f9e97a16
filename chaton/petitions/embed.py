"""Spreading a petition on other sites: an embeddable signing card, oEmbed, and CORS on the
public JSON.

The card (/<org>/petitions/<slug>/embed) is the only page that other sites may frame, and
only those the association names in `embed_origins` (association.md): its
`Content-Security-Policy: frame-ancestors` lists them and it sends no `X-Frame-Options`;
every other page keeps `frame-ancestors 'none'` and `DENY`. It works without JavaScript: a
small signing form whose answer (the check-your-mail page, or the petition page with what to
correct) opens in the whole window, on this site. Nothing in it calls another site.

oEmbed (https://oembed.com): the petition page names /oembed?url=..., which answers the card as
a "rich" embed for the tools that understand it (WordPress, Mastodon's link cards do not).
"""

from urllib.parse import urlsplit

from flask import Blueprint, abort, g, request, url_for
from flask_babel import gettext as _

from chaton.core.themes import render
from chaton.petitions.loading import load_petition
from chaton.petitions.views import bp, make_form

oembed_bp = Blueprint("embed", __name__)
CARD_WIDTH, CARD_HEIGHT = 400, 560


@bp.route("/<slug>/embed")
def card(org, slug):
    petition = load_petition(org, slug)
    g.frame_ancestors = petition.association.meta.get("embed_origins") or []
    return render("embed.html", petition=petition, association=petition.association,
                  form=make_form(petition))


@oembed_bp.route("/oembed")
def oembed():
    """The card of a petition of this instance as an oEmbed "rich" object (JSON only)."""
    if request.args.get("format", "json") != "json":
        abort(501)  # oEmbed: an unsupported format
    parts = urlsplit(request.args.get("url", ""))
    segments = parts.path.strip("/").split("/")
    if parts.netloc.lower() != request.host.lower() or len(segments) != 3 \
            or segments[1] != "petitions":
        abort(404)
    org, _kind, slug = segments
    petition = load_petition(org, slug)
    src = url_for("petitions.card", org=org, slug=slug, _external=True)
    width = min(_size("maxwidth", CARD_WIDTH), CARD_WIDTH)
    height = min(_size("maxheight", CARD_HEIGHT), CARD_HEIGHT)
    title = _("Sign: %(title)s", title=petition.title)
    response = {
        "type": "rich", "version": "1.0", "title": petition.title,
        "provider_name": petition.association.name,
        "provider_url": url_for("orgs.association_page", org=org, _external=True),
        "width": width, "height": height,
        "html": f'<iframe src="{src}" width="{width}" height="{height}" title="{_escape(title)}" '
                'style="border:0;max-width:100%" loading="lazy"></iframe>',
    }
    return response, 200, {"Access-Control-Allow-Origin": "*"}


def _size(name, default):
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) < 10_000 else default


def _escape(text):
    from markupsafe import escape

    return str(escape(text))
