"""The French catalog is complete: French is the default interface language.

A new English string without its French translation fails here, with the
command that brings the catalog up to date.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "chaton" / "translations"
FRENCH_PO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
UPDATE_HINT = (
    "run `.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext "
    "-o chaton/translations/messages.pot . && .venv/bin/pybabel update "
    "-i chaton/translations/messages.pot -d chaton/translations -l fr`, "
    "then translate the new entries"
)


def read_catalog(path, locale=None):
    with open(path, "rb") as f:
        return read_po(f, locale=locale)


def translated(message):
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return all(s and s.strip() for s in strings)


@pytest.fixture(scope="module")
def french():
    return read_catalog(FRENCH_PO, locale="fr")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The template extracted from the current sources, as `pybabel extract` makes it."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    command = [str(pybabel)] if pybabel.exists() else [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run(
        [*command, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True, timeout=60,
    )
    return read_catalog(pot)


def test_every_message_has_a_french_translation(french):
    untranslated = [m.id for m in french if m.id and not translated(m)]
    fuzzy = [m.id for m in french if m.id and m.fuzzy]
    assert not untranslated, f"untranslated in {FRENCH_PO.name}: {untranslated}"
    assert not fuzzy, f"fuzzy (to review, then remove the flag): {fuzzy}"
    assert not french.fuzzy, "the catalog header is marked fuzzy"


def test_plural_entries_have_both_french_forms(french):
    for m in french:
        if m.id and m.pluralizable:
            assert len(m.string) == french.num_plurals == 2, m.id


def test_placeholders_are_kept(french):
    """Babel's own checks: same %(name)s placeholders on both sides, valid formats."""
    problems = {m.id: [str(e) for e in errors] for m, errors in french.check()}
    assert not problems, problems


def test_no_english_string_is_missing_from_the_french_catalog(french, extracted):
    missing = [m.id for m in extracted if m.id and m.id not in french]
    assert not missing, f"new strings missing from {FRENCH_PO.name}: {missing}; {UPDATE_HINT}"


def test_french_punctuation_keeps_its_no_break_space(french):
    """French puts a space before : ; ? ! and inside « »; a plain space lets the line break
    before the sign ("Votre nom" at the end of a line, ": Indiquez..." on the next)."""
    import re

    wrong = []
    for message in french:
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for text in strings:
            if text and (re.search(r" [:;?!](\s|$)", text) or "« " in text or " »" in text):
                wrong.append(text)
    assert not wrong, f"use a no-break space (U+00A0) before : ; ? ! and inside « »: {wrong[:5]}"
