"""The map of a petition's signatures by département (/<org>/petitions/<slug>/map.svg), an
image the petition page shows beside the same figures as a table."""

from flask import Response
from flask_babel import gettext as _
from flask_babel import ngettext

from chaton.core import formats
from chaton.petitions.loading import load_petition
from chaton.petitions.territory import area_counts
from chaton.petitions.views import bp
from chaton.territory.maps import departements_svg


@bp.route("/<slug>/map.svg")
def signature_map(org, slug):
    petition = load_petition(org, slug)
    response = Response(map_of(petition, area_counts(petition)), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


def map_of(petition, counts):
    """The map of these counts by département, in the reader's language (SVG text)."""
    return departements_svg(
        counts,
        title=_("Signatures of “%(title)s” by département", title=petition.title),
        tooltip=lambda code, name, count: ngettext(
            "%(name)s (%(code)s): %(n)s signature", "%(name)s (%(code)s): %(n)s signatures",
            count, name=name, code=code, n=formats.number(count)),
        legend_title=_("Signatures"),
        legend_label=lambda low, high: (formats.number(low) if low == high else _(
            "%(low)s to %(high)s", low=formats.number(low), high=formats.number(high))),
        none_label=_("none"),
        figure=formats.number,
        paris_label=_("Paris and around"),
    )
