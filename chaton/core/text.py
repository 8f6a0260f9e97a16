"""Control characters: refused or removed wherever text enters, in one place.

Nothing a person means to write needs them, and they break what is built from text: an XML
feed (lxml refuses them: a single one in a title made the whole instance's feed answer 500),
a mail header, PostgreSQL (NUL). Tabs and line breaks are text; C0 and C1 controls, DEL and
the Unicode line and paragraph separators are not.
"""

import re

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def first_control(text):
    """(index, character) of the first control character of `text`, or None."""
    found = CONTROL.search(text)
    return (found.start(), found.group()) if found else None


def strip_control(text):
    """`text` without its control characters (tabs and line breaks kept)."""
    return CONTROL.sub("", text)


def describe(character):
    return f"U+{ord(character):04X}"
