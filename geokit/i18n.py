"""The language of what a person reads: gettext catalogs and CLDR formats.

Products people read (the map, the brief, the chart, the index, ``changes.md``,
KML descriptions) are written in one :class:`Language`. Its messages come from
a gettext catalog, ``geokit/locale/<code>/LC_MESSAGES/geokit.po``, extracted
from the code with Babel (``make messages``); its dates, numbers and plural
forms come from Babel's CLDR data. English is the default and the source
language: it has no catalog, so English products are the messages as written.

Machine tables (CSV columns, GeoPackage fields, JSON keys) are a schema that
scripts read and stay English whatever the language.

Only literal messages in geokit's code are translated. Text from data (town
and corridor names, notes) is never passed to :meth:`Language.gettext`, and a
translated message is filled with :meth:`str.format` keyword arguments only,
after the data in them is escaped for where it goes.

Adding a language is adding one catalog: ``pybabel init -i geokit/locale/geokit.pot
-d geokit/locale -D geokit -l xx``, translating every message, and adding the
code to :data:`LANGUAGES`; ``tests/test_i18n.py`` fails while a message has no
translation or a translation loses a placeholder.

Examples
--------
>>> from datetime import date
>>> fr = language("fr")
>>> fr.date(date(2025, 9, 13)), language().date(date(2025, 9, 13))
('13 sept. 2025', '13 Sep 2025')
>>> fr.number(1809106) == "1\\u202f809\\u202f106"
True
>>> fr.decimal(12.5, 1), language("en").decimal(12.5, 1)
('12,5', '12.5')
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
from dataclasses import dataclass
import datetime as dt
from importlib import resources

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from geokit._errors import GeokitError

__all__ = ["LANGUAGES", "DEFAULT_LANGUAGE", "Language", "language", "check_language", "N_"]

#: The languages geokit writes, by code; English is the source language (no catalog).
LANGUAGES: dict[str, str] = {"en": "English", "fr": "français"}

#: The language of products when neither ``--lang`` nor the project names one.
DEFAULT_LANGUAGE = "en"

#: The catalogs' gettext domain and package folder.
DOMAIN = "geokit"
_LOCALE_PACKAGE = "geokit.locale"


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (module-level tables).

    Parameters
    ----------
    message : str
        A literal message of geokit's code, translated later with :meth:`Language.gettext`.

    Returns
    -------
    str
        ``message`` unchanged.

    Examples
    --------
    >>> N_("blockaded")
    'blockaded'
    """
    return message


class LanguageError(GeokitError, ValueError):
    """A language geokit has no catalog for."""


def check_language(code: object, *, where: str = "language") -> str:
    """Return ``code`` when geokit writes that language, else raise naming the ones it does.

    Parameters
    ----------
    code : object
        A language code from the command line, a project or the Python API (case and spaces ignored).
    where : str, default "language"
        What set it, for the message (e.g. ``"--lang"`` or ``"[project] language"``).

    Returns
    -------
    str
        The code in lower case.

    Raises
    ------
    LanguageError
        When geokit has no catalog for ``code``.

    Examples
    --------
    >>> check_language("fr")
    'fr'
    >>> check_language("de")
    Traceback (most recent call last):
    ...
    geokit.i18n.LanguageError: language = 'de' is not a language geokit writes; use one of: en (English), fr (français)
    """
    if isinstance(code, str) and code.strip().lower() in LANGUAGES:
        return code.strip().lower()
    known = ", ".join(f"{k} ({v})" for k, v in LANGUAGES.items())
    raise LanguageError(f"{where} = {code!r} is not a language geokit writes; use one of: {known}")


@dataclass(frozen=True)
class Language:
    """One language's messages and formats; get one with :func:`language`.

    Parameters
    ----------
    code : str
        The language code, e.g. ``"fr"``.
    translations : gettext.NullTranslations
        The catalog (a null one for English, the source language).

    Examples
    --------
    >>> fr = language("fr")
    >>> fr.gettext("blockaded"), fr.ngettext("{n} day", "{n} days", 1)
    ('bloqué', '{n} day')
    """

    code: str
    translations: _gettext.NullTranslations

    def gettext(self, message: str) -> str:
        """The translation of a literal message from geokit's code (never of data)."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural translation for ``n``, by the language's plural rule."""
        return self.translations.ngettext(singular, plural, n)

    def date(self, day: dt.date, pattern: str = "d MMM y") -> str:
        """A date in the language (CLDR pattern): ``13 Sep 2025`` / ``13 sept. 2025``."""
        return format_date(day, pattern, locale=self.code)

    def day_month(self, day: dt.date) -> str:
        """Day and month: ``13 Sep`` / ``13 sept.``."""
        return format_date(day, "d MMM", locale=self.code)

    def month(self, day: dt.date, pattern: str = "MMM y") -> str:
        """A month: ``Sep 2025`` / ``sept. 2025`` (``"MMMM y"`` for the full name)."""
        return format_date(day, pattern, locale=self.code)

    def number(self, value: float) -> str:
        """A whole number with the language's grouping: ``1,809,106`` / ``1 809 106``."""
        return format_decimal(round(value), format="#,##0", locale=self.code)

    def decimal(self, value: float, digits: int = 1) -> str:
        """A number with ``digits`` decimals and the language's separators: ``12.5`` / ``12,5``."""
        pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
        return format_decimal(value, format=pattern, locale=self.code, decimal_quantization=True)

    @property
    def name(self) -> str:
        """The language's own name, e.g. ``français``."""
        return Locale.parse(self.code).get_display_name(self.code) or self.code


def _translations(code: str) -> _gettext.NullTranslations:
    """The compiled catalog of ``code``, read from the ``.po`` shipped in the package."""
    if code == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    po = resources.files(_LOCALE_PACKAGE).joinpath(code, "LC_MESSAGES", f"{DOMAIN}.po")
    with po.open("rb") as f:
        catalog = read_po(f, locale=code, domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return _gettext.GNUTranslations(mo)


@functools.cache
def language(code: str | None = None) -> Language:
    """The :class:`Language` for ``code`` (default English), its catalog read once.

    Examples
    --------
    >>> fr = language("fr")
    >>> fr.code, language(None).code
    ('fr', 'en')
    """
    code = check_language(code or DEFAULT_LANGUAGE)
    return Language(code, _translations(code))
