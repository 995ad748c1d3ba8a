"""Untrusted text: one escaping function per place text from data goes.

Text in layers, project files and fetched feeds (incident notes, town names,
corridor names, sources) is written by others. geokit never evaluates it: it
is escaped for the exact context it lands in, by the functions here, and
nowhere else.

- :func:`html_text` for HTML text and quoted attributes, which is also what
  every string inside a folium map is. folium/branca render each element's
  script a second time as a Jinja template, and folium puts tooltips inside
  JavaScript template literals, so on top of HTML escaping the characters
  ``{ } $ ` \\`` become numeric character references: no ``{{``, ``{%``,
  ``{#``, ``${`` or backtick survives, and the browser still shows them.
- :func:`js_string` for a JavaScript string literal in a script geokit
  writes (e.g. slider labels).
- :func:`safe_url` for a link: only ``http`` and ``https`` URLs, else none.
- :func:`csv_cell` / :func:`csv_safe` for spreadsheet cells (OWASP "CSV
  injection"): a text cell that a spreadsheet would read as a formula gets a
  leading apostrophe, which spreadsheets treat as "this is text", and so does
  formula text after a separator a spreadsheet may split the cell on
  (``, ; | tab``, line breaks).
- :func:`markdown_text` for Markdown reports (``changes.md``).
- :func:`terminal_text` for messages printed to a terminal: control
  characters (ANSI escape sequences) from data are shown, not obeyed.

Examples
--------
>>> html_text("<b>{{7*7}}</b> ${x}")
'&lt;b&gt;&#123;&#123;7*7&#125;&#125;&lt;/b&gt; &#36;&#123;x&#125;'
>>> csv_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> safe_url("javascript:alert(1)") is None
True
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # imported where used: the command line imports this module before any heavy library
    import pandas as pd

__all__ = ["plain_text", "html_text", "js_string", "js_array", "safe_url", "csv_cell", "csv_safe", "markdown_text",
           "terminal_text", "TEMPLATE_MARKERS"]

#: Sequences that start a Jinja expression, statement or comment, or a
#: JavaScript template-literal substitution; none may reach a folium map from data.
TEMPLATE_MARKERS = ("{{", "{%", "{#", "${", "`")

_HTML_EXTRA = str.maketrans({"{": "&#123;", "}": "&#125;", "$": "&#36;", "`": "&#96;", "\\": "&#92;"})
_JS_EXTRA = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027", "{": "\\u007b", "}": "\\u007d",
             "$": "\\u0024", "`": "\\u0060", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JS_PATTERN = re.compile("|".join(re.escape(k) for k in _JS_EXTRA))
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
#: A separator a spreadsheet may split a cell on, then text it would read as a formula (a plain
#: number such as -3.5 is not one).
_INNER_FORMULA = re.compile(r'([,;|\t\r\n])(?=[ "]*[=+\-@])(?![ "]*[-+]\d+(?:\.\d+)?[ "]*(?:[,;|\t\r\n]|$))')
#: Bidi embeddings, overrides and isolates: they reorder the text that follows them ("Trojan Source").
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: What :func:`terminal_text` shows escaped: C0 controls but tab and line feed, DEL, C1 controls, every
#: format character (Unicode category Cf: bidi embeddings, overrides and isolates U+202A-U+202E and
#: U+2066-U+2069, marks U+200E/U+200F/U+061C, zero-width space U+200B, word joiner, BOM, soft hyphen,
#: the invisible tag characters U+E0000-U+E007F) but the zero-width (non-)joiners U+200C/U+200D that
#: Persian, Indic scripts and emoji need, the line and paragraph separators U+2028/U+2029, and lone
#: surrogates (which no UTF-8 file or terminal can take).
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
                       "\u08e2\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
                       "\ufff9-\ufffb\ud800-\udfff\U000110bd\U000110cd\U00013430-\U0001343f"
                       "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
_MARKDOWN = re.compile(r"([\\`*_\[\]|<>!~])")
#: What GitHub-flavoured Markdown links by itself: the ":" of "://", the "." of "www.", an "@".
_AUTOLINK = re.compile(r"(?<=[A-Za-z0-9]):(?=//)|(?i:www)\.|@")


def plain_text(value: object) -> str:
    """A value as text, ``""`` for ``None``, NaN, NaT and ``pd.NA`` (whose truth value pandas refuses).

    Parameters
    ----------
    value : object
        Any value.

    Examples
    --------
    >>> import pandas as pd
    >>> plain_text(pd.NA), plain_text(None), plain_text(3)
    ('', '', '3')
    """
    if isinstance(value, str):  # the common case, without a look at pandas
        return value
    import pandas as pd

    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    return str(value)


def html_text(value: object) -> str:
    """Text safe in HTML text, a quoted HTML attribute, and anywhere in a folium map.

    HTML-escapes ``& < > " '`` and writes ``{ } $ ` \\`` as numeric
    character references, so the text cannot start a Jinja template tag
    (branca re-renders map scripts as templates) or a JavaScript
    template-literal substitution (folium's tooltips), and shows exactly
    as written. Bidi embeddings, overrides and isolates (U+202A-U+202E,
    U+2066-U+2069), which would reorder the text after them (geokit's own
    labels included), are shown as ``\\u202e``-style escapes, as on a
    terminal. ``None`` and missing values give ``""``.

    Parameters
    ----------
    value : object
        Any value; it is converted with ``str``.

    Returns
    -------
    str

    Examples
    --------
    >>> html_text("Kayes <Mali>")
    'Kayes &lt;Mali&gt;'
    >>> html_text("`${document.title}`")
    '&#96;&#36;&#123;document.title&#125;&#96;'
    >>> html_text(None)
    ''
    >>> html_text("Kayes\u202e (blockaded)")  # a bidi override shows as an escape, it reorders nothing
    'Kayes&#92;u202e (blockaded)'
    """
    text = html.escape(plain_text(value), quote=True).translate(_HTML_EXTRA)
    return _BIDI_CONTROL.sub(lambda m: f"&#92;u{ord(m.group(0)):04x}", text)


def js_string(value: object) -> str:
    """A JavaScript string literal (with its quotes) safe inside a ``<script>``
    and inside a template that is rendered again.

    Parameters
    ----------
    value : object
        Converted with ``str``.

    Returns
    -------
    str

    Examples
    --------
    >>> js_string("a</script>{{b}}")
    '"a\\\\u003c/script\\\\u003e\\\\u007b\\\\u007bb\\\\u007d\\\\u007d"'
    """
    return _JS_PATTERN.sub(lambda m: _JS_EXTRA[m.group(0)], json.dumps(str(value), ensure_ascii=False))


def js_array(values: Sequence[object]) -> str:
    """A JavaScript array literal of numbers, strings and nulls, safe inside a ``<script>`` and inside
    a template that is rendered again (every string escaped as :func:`js_string` escapes it).

    Parameters
    ----------
    values : sequence
        Numbers (NaN becomes ``null``), strings (converted with ``str``) or None.

    Returns
    -------
    str

    Examples
    --------
    >>> print(js_array([1, 2.5, None, float("nan"), "</script>"]))
    [1,2.5,null,null,"\\u003c/script\\u003e"]
    >>> import numpy as np
    >>> print(js_array(np.array([3, -1, 0])))  # integer arrays directly (100k incidents' columns)
    [3,-1,0]
    """
    import numpy as np

    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return "[" + ",".join(map(str, values.tolist())) + "]"
    items = [v.item() if hasattr(v, "item") and not isinstance(v, str) else v for v in values]  # numpy scalars
    clean = [None if v is None or (isinstance(v, float) and math.isnan(v)) else
             v if isinstance(v, bool | int | float) else str(v) for v in items]
    text = json.dumps(clean, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JS_PATTERN.sub(lambda m: _JS_EXTRA[m.group(0)], text)


def safe_url(value: object) -> str | None:
    """The URL if it is an absolute ``http``/``https`` URL with a host, else ``None``.

    ``javascript:``, ``data:``, ``file:`` and relative links from data are
    never turned into links; show them as text instead.

    Parameters
    ----------
    value : object

    Returns
    -------
    str or None

    Examples
    --------
    >>> safe_url("https://www.jeuneafrique.com/x")
    'https://www.jeuneafrique.com/x'
    >>> safe_url(" JavaScript:alert(1)") is None, safe_url("//evil") is None
    (True, True)
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _CONTROL.search(text) or any(c.isspace() for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def csv_cell(value: object) -> object:
    """A spreadsheet-safe cell: text that a spreadsheet would read as a formula, in the cell or in
    any cell a spreadsheet could split it into, gets an apostrophe; anything else is returned unchanged.

    OWASP's guidance on CSV injection (https://owasp.org/www-community/attacks/CSV_Injection) is
    that no cell may begin with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed,
    and that a single quote before such a cell makes spreadsheets read it as text. But the cell a
    spreadsheet sees depends on the list separator it splits on: geokit writes commas, while
    Excel and LibreOffice in French, German or Spanish locales split on ``;`` and some importers
    on tab or ``|``, and not every importer honours CSV quotes. So the rule applies to the start
    of the cell and to the text right after each of ``, ; | tab CR LF``:

    - a cell that starts (after spaces and double quotes) with ``= + - @``, a tab, CR, LF or NUL gets
      a leading ``'``;
    - after a separator, text that starts (after spaces and double quotes) with ``= + - @`` gets a
      ``'`` right after the separator, unless it is a plain number such as ``-3.5``.

    Numbers are not text and stay numbers; a cell with nothing to neutralise is unchanged.

    Parameters
    ----------
    value : object

    Returns
    -------
    object

    Examples
    --------
    >>> csv_cell("=1+1"), csv_cell("  @SUM(A1)"), csv_cell("Kayes"), csv_cell(-3.5)
    ("'=1+1", "'  @SUM(A1)", 'Kayes', -3.5)
    >>> print(csv_cell("Kayes;=1+1"), csv_cell("a|@SUM(1)"), csv_cell("12.6,-8.0"), csv_cell("Dakar - Bamako"))
    Kayes;'=1+1 a|'@SUM(1) 12.6,-8.0 Dakar - Bamako
    """
    if not isinstance(value, str) or not value:
        return value
    text = _INNER_FORMULA.sub(r"\1'", value)
    if text.lstrip(' "').startswith(_FORMULA_START) or text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`csv_cell`.

    Use it on every table written as CSV from data (summary, timeline,
    changes). Column names are checked too.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> csv_safe(pd.DataFrame({"corridor": ["=HYPERLINK(1)", "Dakar-Bamako"], "km": [-1.0, 2.0]}))
             corridor   km
    0  '=HYPERLINK(1) -1.0
    1    Dakar-Bamako  2.0
    """
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(csv_cell)
    out.columns = [csv_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def markdown_text(value: object) -> str:
    """Text safe in Markdown: HTML-escaped, Markdown punctuation backslash-escaped,
    line breaks and control characters turned into spaces, bidi controls shown as
    ``\\u202e``-style escapes (as :func:`html_text` does), and nothing a Markdown
    viewer would turn into a link by itself (``https://``, ``www.``, an ``@`` address).

    Parameters
    ----------
    value : object

    Returns
    -------
    str

    Examples
    --------
    >>> print(markdown_text("[click](javascript:x) <b>"))
    \\[click\\](javascript:x) &lt;b&gt;
    >>> print(markdown_text("![x](http://127.0.0.1/t.png) ~~gone~~ www.evil.example a@b.example"))
    \\!\\[x\\](http&#58;//127.0.0.1/t.png) \\~\\~gone\\~\\~ www&#46;evil.example a&#64;b.example
    """
    text = _CONTROL.sub(" ", plain_text(value)).replace("\r", " ").replace("\n", " ")
    text = _BIDI_CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    text = _MARKDOWN.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("\\<", "&lt;").replace("\\>", "&gt;")
    return _AUTOLINK.sub(lambda m: m.group(0)[:-1] + f"&#{ord(m.group(0)[-1])};", text)


def terminal_text(value: object) -> str:
    """Text safe to print on a terminal or write into a log (``build.log``): what a terminal or an
    editor would obey rather than show is written as a visible escape.

    Escaped: control characters other than line feed and tab (``\\x1b[2J`` clears the screen,
    ``\\x1b]0;...\\x07`` retitles the window, ``\\r`` overwrites the line), C1 controls, bidi
    embeddings, overrides and isolates (``\\u202e`` shows the rest of a line reversed: "Trojan
    Source"), zero-width and other invisible format characters but the zero-width (non-)joiner,
    the line separators U+2028/U+2029 and lone surrogates. Characters below U+0100 become
    ``\\xNN``, others ``\\uNNNN`` or ``\\UNNNNNNNN``; everything else (accents, Arabic, Tifinagh,
    emoji) is kept.

    Parameters
    ----------
    value : object
        Converted with ``str``.

    Returns
    -------
    str

    Examples
    --------
    >>> print(terminal_text("Kayes\\x1b[2J"))
    Kayes\\x1b[2J
    >>> print(terminal_text("file\\u202egnp.exe \\u2066x\\u2069 \\u200b \\ud800 \\U000e0041"))
    file\\u202egnp.exe \\u2066x\\u2069 \\u200b \\ud800 \\U000e0041
    >>> terminal_text("Tombouctou\\tتمبكتو\\nnext line")  # tabs, line feeds and scripts stay
    'Tombouctou\\tتمبكتو\\nnext line'
    """
    return _TERMINAL.sub(_escape_char, str(value))


def _escape_char(match: re.Match) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
