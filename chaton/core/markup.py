"""Markdown to HTML, and the one place that sanitizes HTML (nh3, the maintained Ammonia binding).

Content authors and visitors alike go through `sanitize()`: raw HTML in Markdown is allowed
only as far as the allow-list goes, scripts and event handlers never pass, and images must be
served by the instance (no third-party request from a visitor's browser).
"""

import markdown
import nh3
from markupsafe import Markup

RENDER_VERSION = "2"  # bump when the output changes, so the content index re-renders

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre",
    "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
# "extra" without fenced_code (it imports Pygments when installed: memory for nothing)
EXTENSIONS = ["abbr", "def_list", "footnotes", "tables", "sane_lists"]


def _is_local(url):
    """A path on this instance (no scheme, no host)."""
    return not (":" in url.split("/", 1)[0] or url.startswith("//") or url.startswith("\\"))


def _in_media(url, media_base):
    """A relative path in content points into the association's media folder."""
    if not media_base or url.startswith(("/", "#", "?")):
        return url
    return media_base.rstrip("/") + "/" + url.removeprefix("./")


def sanitize(html, media_base=""):
    """Clean untrusted HTML; relative image paths are resolved under media_base."""

    def keep(element, attribute, value):
        if element == "img" and attribute == "src":
            if not _is_local(value):
                return None  # a remote image would leak the visitor's address to a third party
            return _in_media(value, media_base)
        if element == "a" and attribute == "href" and _is_local(value):
            return _in_media(value, media_base)  # e.g. [the report](documents/report.pdf)
        return value

    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        attribute_filter=keep,
    )


def render_markdown(text, media_base=""):
    """Markdown source to sanitized HTML."""
    html = markdown.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    return sanitize(html, media_base)


def plain_text(text):
    """Visitor text to safe HTML paragraphs (no Markdown: comments stay plain)."""
    paragraphs = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
    escaped = (Markup.escape(p) for p in paragraphs)
    return Markup("".join(f"<p>{p}</p>".replace("\n", "<br>") for p in escaped))
