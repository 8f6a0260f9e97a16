"""Numbers, percentages and dates as the reader's language writes them: one helper for
templates, mails, feeds' text and exports.

French: "1 500", "40,5 %", "25 octobre 2026" ("1er septembre 2026"), "25 octobre 2026 à 13:55";
English: "1,500", "40.5%", "October 25, 2026", "October 25, 2026 at 1:55 PM". One date style per language, on
every page (a page mixing "25 octobre 2026", "05/12/2026" and "2026-10-25" reads as three
authors). Machines get ISO 8601 (`<time datetime>`, feeds, the JSON); a spreadsheet gets
`spreadsheet_time` (to the second, a format every spreadsheet reads as a date).

The language is Flask-Babel's (`get_locale()`, the page's); outside a request, the instance's
`language` setting through the same selector.
"""

from datetime import date as Date
from datetime import datetime as DateTime

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent, parse_pattern
from flask_babel import get_locale, gettext

NARROW_NO_BREAK_SPACE = "\u202f"
NO_BREAK_SPACE = "\u00a0"


def _locale(locale=None):
    if locale is not None:
        return Locale.parse(locale)
    return get_locale() or Locale.parse("fr")


def number(value, locale=None):
    """1500 -> "1 500" (fr), "1,500" (en); None -> ""."""
    if value is None or value == "":
        return ""
    return format_decimal(value, locale=_locale(locale))


def percent(value, digits=1, locale=None):
    """A share between 0 and 1 as a percentage with at most `digits` decimals:
    0.405 -> "40,5 %" (fr, a no-break space before %), "40.5%" (en); 0.4 -> "40 %"."""
    if value is None:
        return ""
    loc = _locale(locale)
    pattern = parse_pattern(loc.percent_formats[None].pattern)
    pattern.frac_prec = (0, digits)
    return format_percent(value, format=pattern, locale=loc)


def share(part, whole, digits=1, locale=None):
    """part / whole as `percent`, "" when whole is 0."""
    return percent(part / whole, digits, locale) if whole else ""


def date(value, style=None, locale=None):
    """The language's one date style: "25 octobre 2026" / "October 25, 2026".

    A datetime shows its date only. `style` is accepted (and ignored) for themes written
    when several styles existed."""
    if not value:
        return ""
    if isinstance(value, DateTime):
        value = value.date()
    if isinstance(value, str):
        value = Date.fromisoformat(value[:10])
    return _long_date(value, _locale(locale))


def _long_date(value, loc):
    """French writes the first of a month as an ordinal: "1er septembre 2026" (Babel: "1")."""
    text = format_date(value, "long", locale=loc)
    if loc.language == "fr" and value.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]
    return text


def datetime(value, style=None, locale=None):
    """The date in its one style and the time to the minute: "25 octobre 2026 à 13:55" /
    "October 25, 2026 at 1:55 PM". Times are stored and shown in UTC (the instance says so
    where it matters, e.g. the invalidation form)."""
    if not value:
        return ""
    loc = _locale(locale)
    when = _long_date(value.date(), loc)
    at = format_time(value.time(), "short", locale=loc)
    return gettext("%(date)s at %(time)s", date=when, time=at)


def spreadsheet_time(value):
    """For CSV exports: "2026-12-05 13:55:12" (to the second, read as a date by LibreOffice
    and Excel in every language)."""
    if not value:
        return ""
    return value.strftime("%Y-%m-%d %H:%M:%S")


def colon(label):
    """A label followed by a colon as its language writes it: "Votre nom :" with a no-break
    space in French, "Your name:" in English."""
    sep = NO_BREAK_SPACE if str(_locale()).startswith("fr") else ""
    return f"{label}{sep}:"


def install(app):
    app.jinja_env.filters.update(number=number, percent=percent, date=date, datetime=datetime,
                                 colon=colon)
    app.jinja_env.globals.update(share_of=share)  # "share" is the petition page's share links
