"""A petition's base of arguments for interpellation: short paragraphs the association writes
in the petition's front matter, that each signatory may add to the message they prepare for
the decision makers (interpellation.py, the writing page).

    arguments:
      - title: La santé des enfants
        text: >
          L'amiante est interdit depuis 1997 parce qu'il tue. Des enfants de six ans passent
          six heures par jour sous ces plafonds.

In the front matter, beside the `letter` they complete: checked with the other fields (a
problem is `petitions/x.md:31: arguments: item 2: text: must not be empty`), indexed with the
petition, kept by the web editor, and versioned with the file; not part of the signed text.
Which arguments a signatory chose is never stored: the page rebuilds the message from what the
form sends (compose), or the browser does it as they tick (static/js/arguments.js, the same
rules).
"""

from chaton.core import frontmatter as fm

MAX_ARGUMENTS, TITLE_MAX, TEXT_MAX = 12, 120, 1000

PARSE = fm.list_of(fm.mapping({"title": (fm.text(TITLE_MAX), True),
                               "text": (fm.text(TEXT_MAX), True)}), max_items=MAX_ARGUMENTS)


def chosen(values, arguments):
    """The numbers (from 1) of the arguments ticked; anything else sent is ignored."""
    numbers = {str(number): number for number in range(1, len(arguments) + 1)}
    return {numbers[value] for value in values if value in numbers}


def compose(body, arguments, ticked, closing):
    """The message as typed, with the ticked arguments' paragraphs added (before the closing
    signature when the message ends with it) and the others' taken out when still as written."""
    body = body.replace("\r\n", "\n")
    for number, argument in enumerate(arguments, start=1):
        text = argument["text"].strip()
        if number in ticked and text not in body:
            body = _insert(body, text, closing)
        elif number not in ticked and text in body:
            body = _remove(body, text)
    return body


def _insert(body, text, closing):
    head, ending, tail = body.rstrip().rpartition("\n\n" + closing)
    if ending and not tail:
        return f"{head.rstrip()}\n\n{text}{ending}"
    return f"{body.rstrip()}\n\n{text}" if body.strip() else text


def _remove(body, text):
    for written in ("\n\n" + text, text + "\n\n", text):
        if written in body:
            return body.replace(written, "", 1)
    return body
