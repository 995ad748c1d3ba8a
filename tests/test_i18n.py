"""The catalogs: every message in the code has a translation that keeps its placeholders."""

from __future__ import annotations

import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from geokit.i18n import LANGUAGES, DEFAULT_LANGUAGE, LanguageError, check_language, language

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "geokit"
METHODS = [("**.py", "python"), ("maps/**.js", "javascript")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _messages() -> dict[str, tuple[str, ...]]:
    """Every message the code marks, as extracted by Babel (msgid -> its forms)."""
    found: dict[str, tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), METHODS, keywords=KEYWORDS, options_map={"**.js": {}}):
        forms = message if isinstance(message, tuple) else (message,)
        found[forms[0]] = forms
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _catalog(code: str):
    with open(PACKAGE / "locale" / code / "LC_MESSAGES" / "geokit.po", "rb") as f:
        return read_po(f, locale=code)


TRANSLATED = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_in_the_code_has_a_translation(code):
    catalog = _catalog(code)
    missing = []
    for msgid, forms in _messages().items():
        entry = catalog.get(forms if len(forms) > 1 else msgid)
        if entry is None and len(forms) > 1:
            entry = catalog.get(msgid)
        strings = entry.string if entry is not None else None
        strings = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(msgid)
    assert not missing, f"{len(missing)} messages have no {code} translation (make messages, then translate): {missing[:20]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_every_placeholder(code):
    lost = []
    for entry in _catalog(code):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set().union(*(_placeholders(i) for i in ids))
        for s in strings:
            if s and _placeholders(s) != wanted:
                # a plural form may drop the count ({n}) only in the singular of languages that say "one"
                lost.append((ids[0], s))
    assert not lost, f"translations whose placeholders differ from the message: {lost[:10]}"


def test_a_placeholder_check_fails_on_a_lost_placeholder():
    assert _placeholders("{n} towns cut off from {place}") == {"n", "place"}
    assert _placeholders("{n} villes coupées") != _placeholders("{n} towns cut off from {place}")


def test_dates_and_numbers_follow_the_language():
    fr, en = language("fr"), language("en")
    day = date(2025, 9, 13)
    assert fr.date(day) == "13 sept. 2025"
    assert fr.date(day, "d MMMM y") == "13 septembre 2025"
    assert en.date(day) == "13 Sep 2025"
    assert fr.day_month(day) == "13 sept."
    assert fr.month(day, "MMMM y") == "septembre 2025"
    assert fr.number(1809106) == "1\u202f809\u202f106"
    assert en.number(1809106) == "1,809,106"
    assert fr.decimal(0.25, 2) == "0,25"
    # French plural rule: 0 and 1 are singular
    assert fr.translations.plural(0) == 0 and fr.translations.plural(1) == 0 and fr.translations.plural(2) == 1


def test_an_unknown_language_is_refused_by_name():
    with pytest.raises(LanguageError, match=r"'de' is not a language geokit writes; use one of: en \(English\), fr"):
        check_language("de")
    assert check_language(" FR ") == "fr"
