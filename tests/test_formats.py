"""Numbers, percentages and dates in the reader's language (chaton/core/formats.py), as pages,
mails and exports show them."""

from datetime import date, datetime

import pytest

from chaton.core import formats

NNBSP = "\u202f"
NBSP = "\u00a0"


@pytest.mark.parametrize("locale, expected", [
    ("fr", {"number": f"1{NNBSP}500", "percent": f"40,5{NBSP}%", "whole": f"40{NBSP}%",
            "date": "25 octobre 2026", "datetime": "25 octobre 2026 à 13:55"}),
    ("en", {"number": "1,500", "percent": "40.5%", "whole": "40%",
            "date": "October 25, 2026", "datetime": "October 25, 2026 at 1:55\u202fPM"}),
])
def test_one_style_per_language(app, locale, expected):
    with app.test_request_context(f"/?lang={locale}"):
        assert formats.number(1500) == expected["number"]
        assert formats.percent(0.405) == expected["percent"]
        assert formats.percent(0.4) == expected["whole"]
        assert formats.share(81, 200) == expected["percent"]
        assert formats.share(1, 0) == ""
        assert formats.date(date(2026, 10, 25)) == expected["date"]
        # a datetime shows its date in the same style; the old style names are ignored
        assert formats.date(datetime(2026, 10, 25, 13, 55), "short") == expected["date"]
        assert formats.datetime(datetime(2026, 10, 25, 13, 55, 12), "short") == expected["datetime"]
        assert formats.date(None) == formats.number(None) == ""


def test_the_first_of_a_month_is_an_ordinal_in_french(app):
    with app.test_request_context("/?lang=fr"):
        assert formats.date(date(2026, 9, 1)) == "1er septembre 2026"
        assert formats.datetime(datetime(2026, 9, 1, 9, 5)) == "1er septembre 2026 à 09:05"
        assert formats.date(date(2026, 9, 11)) == "11 septembre 2026"
    with app.test_request_context("/?lang=en"):
        assert formats.date(date(2026, 9, 1)) == "September 1, 2026"


def test_colon_is_spaced_in_french_only(app):
    with app.test_request_context("/?lang=fr"):
        assert formats.colon("Votre nom") == f"Votre nom{NBSP}:"
    with app.test_request_context("/?lang=en"):
        assert formats.colon("Your name") == "Your name:"


def test_spreadsheet_time_is_to_the_second():
    assert formats.spreadsheet_time(datetime(2026, 12, 5, 13, 55, 2)) == "2026-12-05 13:55:02"
