"""Markdown to HTML, and the one place that sanitizes HTML (nh3, the maintained Ammonia binding).

Markdown is rendered by cmark-gfm (GitHub's CommonMark implementation in C, through
cmarkgfm): its time is linear in the text whatever its shape, which matters because the same
renderer runs when files are indexed, in the editor's preview and in the worker for other
instances' campaigns. Python-Markdown, used before, is quadratic on some inputs (10,000
unclosed `[` took 12 s). Measurements are in docs/architecture.md.

Content authors and visitors alike go through `sanitize()`: raw HTML in Markdown is allowed
only as far as the allow-list goes, scripts and event handlers never pass, and images must be
served by the instance (no third-party request from a visitor's browser).
"""

import re

import nh3
from markupsafe import Markup

RENDER_VERSION = "3"  # bump when the output changes, so the content index re-renders

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


def _is_local(url):
    """A path on this instance (no scheme, no host). Browsers read a backslash as a slash, so
    `/\\evil.example/x.png` is `//evil.example/x.png`, another site: refused."""
    url = url.strip()
    return not (":" in url.split("/", 1)[0] or "\\" in url or url.startswith("//"))


def _in_media(url, media_base):
    """A relative path in content points into the association's media folder."""
    if not media_base or url.startswith(("/", "#", "?")):
        return url
    return media_base.rstrip("/") + "/" + url.removeprefix("./")


MAX_DEPTH = 100  # nested elements: no text needs more, and the HTML parser slows down past it
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def _nests_deeper_than(html, limit):
    """Whether elements nest deeper than `limit` (one linear pass over the tags)."""
    depth = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if name.lower() in VOID or self_closing:
            continue
        depth += -1 if closing else 1
        if depth > limit:
            return True
    return False


def sanitize(html, media_base=""):
    """Clean untrusted HTML; relative image paths are resolved under media_base. HTML nested
    deeper than MAX_DEPTH (200,000 `>` make as many block quotes, and the HTML parser's time
    grows with the square of the depth) is shown as text instead."""
    if _nests_deeper_than(html, MAX_DEPTH):
        return str(Markup.escape(html))

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
    """Markdown source (GitHub-flavoured CommonMark: tables, strikethrough, links written
    bare, footnotes) to sanitized HTML; raw HTML is kept for the sanitizer to judge."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    html = cmarkgfm.github_flavored_markdown_to_html(
        text or "", options=Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES)
    return sanitize(html, media_base)


def plain_text(text):
    """Visitor text to safe HTML paragraphs (no Markdown: comments stay plain)."""
    paragraphs = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
    escaped = (Markup.escape(p) for p in paragraphs)
    return Markup("".join(f"<p>{p}</p>".replace("\n", "<br>") for p in escaped))
