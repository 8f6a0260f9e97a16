"""What a browser shows of a feed: an XSLT stylesheet, served by the instance (a browser applies
only a stylesheet of the feed's own origin), that turns the Atom or RSS document into a page
saying what a feed is, how to follow it (a feed reader, or Mastodon with the association's
handle), and listing its entries. Feed readers ignore the `<?xml-stylesheet?>` instruction:
the feed itself is unchanged.

One stylesheet for the instance's feed, one for each association's (its handle and theme), each
in the language named by `?lang=`, which the feed's instruction gives.
"""

import re
from datetime import date
from xml.sax.saxutils import quoteattr

from flask import Blueprint, Response, url_for
from flask_babel import get_locale

from chaton.core import formats
from chaton.core.themes import render
from chaton.orgs.loading import load_association

bp = Blueprint("feed_stylesheet", __name__)
SAMPLE = date(2026, 10, 25)  # a day whose parts cannot be confused: 25, October, 2026


@bp.route("/feed.xsl")
def instance_stylesheet():
    return _stylesheet(None)


@bp.route("/<org>/feed.xsl")
def association_stylesheet(org):
    return _stylesheet(load_association(org))


def _stylesheet(association):
    response = Response(stylesheet_text(association), mimetype="text/xsl")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def stylesheet_text(association):
    """The XSLT of the instance's feed (association None) or of an association's feeds (with
    its fediverse handle, which the template asks federation for when it is installed)."""
    return render("feed_stylesheet.xml", association=association, date_parts=date_parts(),
                  months=month_names())


def as_page(document, org=None):
    """The page the stylesheet makes of a feed document, made here for browsers: the same
    page, whether or not the browser still applies XSLT."""
    from lxml import etree

    association = load_association(org) if org else None
    transform = etree.XSLT(etree.fromstring(stylesheet_text(association).encode()),
                           access_control=etree.XSLTAccessControl.DENY_ALL)
    return str(transform(etree.fromstring(document)))


def date_parts():
    """The language's date style as a sequence of ("day" | "month" | "year" | literal text),
    read from babel's own rendering of a sample day, so the stylesheet writes dates as pages do."""
    shown, month = formats.date(SAMPLE), month_names()[SAMPLE.month - 1]
    parts = []
    for piece in re.split(f"(25|2026|{re.escape(month)})", shown):
        if piece:
            parts.append({"25": "day", "2026": "year", month: "month"}.get(piece, piece))
    return parts


def month_names():
    """The twelve month names as the long date style writes them ("octobre", "October")."""
    names = []
    for number in range(1, 13):
        day = date(2026, number, 25)
        names.append(formats.date(day).replace("25", "").replace("2026", "").strip(" ,."))
    return names


def processing_instruction(org=None):
    """The `<?xml-stylesheet?>` line of a feed (a path on the feed's own host)."""
    endpoint = ("feed_stylesheet.association_stylesheet" if org
                else "feed_stylesheet.instance_stylesheet")
    href = url_for(endpoint, org=org, lang=str(get_locale())) if org else url_for(
        endpoint, lang=str(get_locale()))
    return f'<?xml-stylesheet type="text/xsl" href={quoteattr(href)}?>'.encode()


def with_stylesheet(document, org=None):
    """The feed document with its stylesheet instruction after the XML declaration."""
    declaration_end = document.find(b"?>") + 2 if document.startswith(b"<?xml") else 0
    return (document[:declaration_end] + b"\n" + processing_instruction(org)
            + document[declaration_end:])
