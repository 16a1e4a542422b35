"""Spreadsheet safety of written cells: text stays text, nothing turns into a live formula.

A message that starts with ``=`` (``=HYPERLINK("http://…","点击查看")``) becomes a working link or a
computed value when a spreadsheet opens the output. Following the OWASP guidance on CSV injection:

- XLSX output: every string is written as a string cell (openpyxl would otherwise store a string
  starting with ``=`` as a formula); nothing is changed in the text.
- CSV/TSV output: a string cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets
  a leading apostrophe (``'=1+1``), which spreadsheets show as text. Cells that are plain numbers
  (``-5``, ``+86``, ``-1,234.50``) are left alone, so negative amounts in an input's numeric
  columns keep their value. ``--limits raw_cells=1`` writes every cell unchanged.

This applies to every string cell, from the input and from the scorer (evidence phrases are quotes
from the messages).
"""

from __future__ import annotations

import re

from .limits import current

XLSX_MAX_CHARS = 32_767  # Excel's limit for one cell
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*)?(?:\.\d+)?(?:[eE][+-]?\d+)?%?")


def neutralize(value: object) -> object:
    """The value, with a leading apostrophe if a spreadsheet would run it (CSV/TSV output)."""
    if not isinstance(value, str) or not value.startswith(_TRIGGERS) or current().raw_cells:
        return value
    if _PLAIN_NUMBER.fullmatch(value) and any(c.isdigit() for c in value):
        return value
    return "'" + value


def neutralize_row(values: list) -> list:
    """:func:`neutralize` of every value of a row: ``values`` itself when no cell starts with a trigger (most
    rows; only looking is cheaper than building a new list), else a new list. This runs per row."""
    if current().raw_cells:
        return values
    for v in values:
        if isinstance(v, str) and v.startswith(_TRIGGERS):
            return [neutralize(v) if isinstance(v, str) and v.startswith(_TRIGGERS) else v for v in values]
    return values


def xlsx_cell(ws, value: object):
    """A write-only cell for ``value``: strings as string cells (control characters removed), others as is.

    Returns ``(cell, cut)`` where ``cut`` is True when the text was longer than an XLSX cell holds.
    """
    from openpyxl.cell import WriteOnlyCell  # only XLSX output pays for importing openpyxl (~0.1 s)
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return WriteOnlyCell(ws, value=value), False
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    cut = len(text) > XLSX_MAX_CHARS
    cell = WriteOnlyCell(ws, value=None)
    cell._value = text[:XLSX_MAX_CHARS]
    cell.data_type = "s"
    return cell, cut
