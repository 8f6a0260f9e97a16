"""Campaign texts in mails: the HTML that markup.py rendered and sanitized, with its links made
absolute (a mail has no page to be relative to) for the HTML part, and read as plain text for
the text part: paragraphs, headings, lists and quotes laid out as people write them in a
mail, every link and picture written out after its text.

The input is always sanitized HTML (markup.render_markdown): the layout is all this module
decides, never what may pass.
"""

from urllib.parse import urljoin

from markupsafe import Markup

BREAK = "\x00"  # a <br> inside a paragraph, until whitespace is collapsed
BLOCKS = {"p", "div", "section", "figure", "figcaption", "dl", "dt", "dd", "h2", "h3", "h4", "h5",
          "h6", "ul", "ol", "blockquote", "pre", "hr", "table"}


def _fragment(html):
    from lxml import html as lxml_html  # lxml is heavy: loaded when a mail is written

    return lxml_html.fragment_fromstring(html or "", create_parent="div")


def absolute_html(html, base):
    """The HTML with its links and pictures addressed from `base` (the campaign's page)."""
    from lxml import html as lxml_html

    root = _fragment(html)
    for tag, attribute in (("a", "href"), ("img", "src")):
        for element in root.iter(tag):
            if element.get(attribute):
                element.set(attribute, urljoin(base, element.get(attribute)))
    return Markup(lxml_html.tostring(root, encoding="unicode")[len("<div>"):-len("</div>")])  # noqa: S704


def text_of(html, base):
    """The HTML as a plain-text mail reads it, links written out in full."""
    return "\n\n".join(_blocks(_fragment(html), base))


def _squash(text):
    """Whitespace collapsed as a browser does, <br> kept as line breaks."""
    return "\n".join(" ".join(line.split()) for line in text.split(BREAK)).strip()


def _blocks(element, base):
    """The blocks (paragraphs, lists...) of an element, its loose text gathered in paragraphs."""
    blocks, line = [], [element.text or ""]

    def flush():
        text = _squash("".join(line))
        line.clear()
        if text:
            blocks.append(text)

    for child in element:
        if isinstance(child.tag, str) and child.tag in BLOCKS:
            flush()
            blocks.extend(b for b in _block(child, base) if b)
        elif isinstance(child.tag, str):
            line.append(_inline(child, base))
        line.append(child.tail or "")
    flush()
    return blocks


def _inline(element, base):
    """Text within a paragraph: a link is followed by its address, a picture by its own."""
    if element.tag == "br":
        return BREAK
    if element.tag == "img":
        src = urljoin(base, element.get("src") or "")
        return f"{element.get('alt')} ({src})" if element.get("alt") else src
    inner = (element.text or "") + "".join(
        _inline(child, base) + (child.tail or "") for child in element if isinstance(child.tag, str))
    if element.tag == "a" and element.get("href"):
        href = urljoin(base, element.get("href"))
        shown = " ".join(inner.split())
        if shown in (href, href.removeprefix("mailto:")):
            return href.removeprefix("mailto:")
        return f"{inner} ({href.removeprefix('mailto:')})"
    return inner


def _block(element, base):
    tag = element.tag
    if tag in ("h2", "h3", "h4", "h5", "h6"):
        title = _squash(_inline(element, base))
        return [f"{title}\n{('=' if tag == 'h2' else '-') * len(title)}"] if title else []
    if tag in ("ul", "ol"):
        return [_list(element, base)]
    if tag == "blockquote":
        inner = "\n\n".join(_blocks(element, base))
        return ["\n".join(f"> {line}".rstrip() for line in inner.split("\n"))]
    if tag == "pre":
        return [element.text_content().rstrip("\n")]
    if tag == "hr":
        return ["* * *"]
    if tag == "table":
        rows = (" | ".join(_squash(_inline(cell, base)) for cell in row if cell.tag in ("td", "th"))
                for row in element.iter("tr"))
        return ["\n".join(rows)]
    return _blocks(element, base)


def _list(element, base):
    """One line an item ("- " or "1. "), its continuation lines indented under its text."""
    items, number = [], int(element.get("start") or 1)
    for item in (child for child in element if child.tag == "li"):
        mark = f"{number}. " if element.tag == "ol" else "- "
        loose = any(child.tag == "p" for child in item)  # a blank line between its paragraphs
        text = ("\n\n" if loose else "\n").join(_blocks(item, base))
        items.append(mark + text.replace("\n", "\n" + " " * len(mark)).replace(
            "\n" + " " * len(mark) + "\n", "\n\n"))
        number += 1
    return "\n".join(items)


def install(app):
    """The templates' filters: `html|mail_html(base)` and `html|mail_text(base)`."""
    app.jinja_env.filters.update(mail_html=absolute_html, mail_text=text_of)
