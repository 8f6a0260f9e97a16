"""The content checks speak English (`chaton content check` is for the command line); the editor
tells the same problems in the interface language."""

import re

from flask_babel import gettext as _


def _patterns():
    return [
        (r"required field is missing", lambda m: _("This field is required.")),
        (r"must not be empty", lambda m: _("This field is required.")),
        (r"too long \((\d+) characters, at most (\d+)\)",
         lambda m: _("Too long: %(n)s characters, at most %(max)s.", n=m[1], max=m[2])),
        (r"expected a whole number.*, got (.*)",
         lambda m: _("Write a whole number, such as 1500 or 1 500 (not “%(value)s”).",
                     value=_unquoted(m[1]))),
        (r"must be between (\d+) and (\d+)",
         lambda m: _("Write a number between %(min)s and %(max)s.", min=m[1], max=m[2])),
        (r"expected a date written YYYY-MM-DD, got (.*)",
         lambda m: _("Write a date as YYYY-MM-DD (got %(value)s).", value=m[1])),
        (r"expected one of (.*), got (.*)",
         lambda m: _("Choose one of: %(options)s.", options=m[1])),
        (r"expected an e-mail address, got (.*)", lambda m: _("Write a valid e-mail address.")),
        (r"expected a language code.*", lambda m: _("Write a language code such as fr or en.")),
        (r"expected a path inside the association's folder.*",
         lambda m: _("Choose a picture or a document sent to the site, such as images/photo.jpg.")),
        (r"use lower-case letters, digits and dashes only",
         lambda m: _("Use lower-case letters, digits and dashes only.")),
        (r"file (.*) not found",
         lambda m: _("%(file)s is not on the site: send it with the form below.", file=m[1])),
        (r"is before opens", lambda m: _("The last day comes before the first day.")),
        (r"a milestone is above the goal", lambda m: _("A milestone is above the goal.")),
        (r"describe the image for people who cannot see it",
         lambda m: _("Describe the picture for people who cannot see it.")),
        (r"unknown field \(kept, but ignored\)",
         lambda m: _("Unknown field: kept in the file, but ignored.")),
        (r"give at least one phase.*", lambda m: _("Give at least one phase with its start.")),
        (r"(\w+): end is before start",
         lambda m: _("%(phase)s: the end comes before the start.", phase=m[1])),
        (r"(\w+): starts before (\w+).*",
         lambda m: _("%(phase)s starts before %(previous)s: phases follow the order shown.",
                     phase=m[1], previous=m[2])),
        (r"an options vote needs at least two options",
         lambda m: _("A choice among options needs at least two options.")),
        (r"options are used only with vote: options",
         lambda m: _("Options are used only for a choice among options.")),
        (r"the question is asked only with a vote",
         lambda m: _("The question is asked only when the topic has a vote.")),
        (r"a territory needs ask_postal_code: true.*",
         lambda m: _("A territory needs the postal code: tick “Ask signatories for their postal "
                     "code”.")),
        (r"a spread needs ask_postal_code: true.*",
         lambda m: _("A spread needs the postal code: tick “Ask signatories for their postal "
                     "code”.")),
        (r"needs answer_threshold: .*",
         lambda m: _("Give the answer threshold too: these conditions complete it.")),
        (r"spread, places and each go together.*",
         lambda m: _("Spread over, at least this many places and signatures each go together: "
                     "fill in all three, or none.")),
        (r"'(.*)' is not the code of a French (commune|departement|region).*",
         lambda m: {"commune": _("“%(code)s” is not the code of a French commune."),
                    "departement": _("“%(code)s” is not the code of a French département."),
                    "region": _("“%(code)s” is not the code of a French région.")}[m[2]]
         % {"code": m[1]}),
        (r"expected france, or one of commune.*",
         lambda m: _("Choose France, a commune, a département or a région.")),
        (r"expected true or false.*", lambda m: _("Write true or false.")),
        (r"expected a list.*", lambda m: _("Write a list.")),
    ]


def explain(problem):
    """The problem's message in the interface language (the English one when not known)."""
    message = problem.message
    prefix = ""
    nested = re.match(r"^((?:item \d+: |[a-z_]+: )+)(.*)$", message)
    if nested and not re.fullmatch(r"(\w+): (end is before start|starts before .*)", message):
        prefix, message = nested[1], nested[2]
    for pattern, make in _patterns():
        found = re.fullmatch(pattern, message)
        if found:
            return _humanize(prefix) + make(found)
    return problem.message


def _unquoted(shown):
    """`'deuxmille'` (a value as the checks show it) -> `deuxmille`."""
    if len(shown) > 1 and shown[0] == shown[-1] and shown[0] in "'\"":
        return shown[1:-1]
    return shown


def _humanize(prefix):
    """`item 2: name: ` -> `Row 2, name: `."""
    parts = [p for p in prefix.split(": ") if p]
    shown = [_("row %(n)s", n=p[5:]) if p.startswith("item ") else p for p in parts]
    return (", ".join(shown) + ": ") if shown else ""
