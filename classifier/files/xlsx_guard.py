"""Checks on an XLSX before openpyxl parses it: zip-bomb sizes, the sheet's real extent, cell lengths.

openpyxl trusts a workbook: it unzips parts whole (shared strings into memory) and, in read-only mode,
pads every row out to the widest column, so a 1.7 KB file with a cell at XFD1 and one at A1048576 costs
minutes, and a 1 MB file whose shared strings unzip to 1 GB costs gigabytes. Here the zip directory is
read first (zipfile never inflates a member past the size the directory declares, so the declared
sizes bound the work), then the chosen sheet's XML is streamed once with expat (C; bounded memory) to
find the cells that really hold a value, and the long strings. Only then does openpyxl get the file.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from .limits import current, hint

MB = 1024 * 1024
_REF = re.compile(r"([A-Z]{1,3})(\d+)")


class XlsxLimitError(ValueError):
    """The workbook is over a limit; the message names the file and the limit."""


@dataclass
class Extent:
    """The cells of a sheet that hold a value: last row and last column (1-based), 0 when empty."""

    rows: int = 0
    columns: int = 0


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def check_workbook(fileobj, name: str, sheet: str | None = None) -> Extent:
    """Check sizes and the sheet's real extent; return the extent. Raises XlsxLimitError or zipfile errors."""
    lim = current()
    with zipfile.ZipFile(fileobj) as z:
        infos = z.infolist()
        total = sum(i.file_size for i in infos)
        if total > lim.xlsx_mb * MB:
            raise XlsxLimitError(f"{name}: the workbook unzips to {total / MB:,.0f} MB, over the limit of "
                                 f"{lim.xlsx_mb} MB {hint('xlsx_mb')}")
        for i in infos:
            if i.file_size > MB and i.file_size > lim.xlsx_ratio * max(i.compress_size, 1):
                raise XlsxLimitError(f"{name}: part {i.filename} is compressed {i.file_size // max(i.compress_size, 1):,}"
                                     f" to 1, more than the limit of {lim.xlsx_ratio} to 1 (a zip bomb?) "
                                     f"{hint('xlsx_ratio')}")
        part = _sheet_part(z, sheet)
        if part is None:
            return Extent()
        extent = _scan(z, part, name, lim.cell_chars)
        if "xl/sharedStrings.xml" in z.namelist():
            _scan(z, "xl/sharedStrings.xml", name, lim.cell_chars)
    cells = extent.rows * extent.columns
    if cells > lim.xlsx_cells:
        raise XlsxLimitError(f"{name}: the sheet's cells reach row {extent.rows:,} and column {extent.columns:,} "
                             f"({extent.rows:,} rows × {extent.columns:,} columns = {cells:,} cells), over the limit "
                             f"of {lim.xlsx_cells:,} cells; delete stray cells far from the data "
                             f"{hint('xlsx_cells')}")
    return extent


def _sheet_part(z: zipfile.ZipFile, sheet: str | None) -> str | None:
    """The zip member of the sheet openpyxl will open: the named one, else the first."""
    try:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return None  # openpyxl will give its own error
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for el in wb.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        if sheet is not None and el.get("name") != sheet:
            continue
        rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        target = targets.get(rid, "")
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if part.startswith("xl/worksheets/"):
            return part
    return None


def _scan(z: zipfile.ZipFile, part: str, name: str, max_chars: int) -> Extent:
    """Stream one XML part: the extent of cells with a value, and refuse strings over ``max_chars``."""
    ext = Extent()
    state = {"row": 0, "col": 0, "cell": None, "text": 0, "in_text": False, "has_value": False}

    def start(tag: str, attrs: dict) -> None:
        tag = tag.rsplit(":", 1)[-1]
        if tag == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = 0
        elif tag == "c":
            m = _REF.fullmatch(attrs.get("r", ""))
            if m:
                state["col"], state["row"] = _col_number(m.group(1)), int(m.group(2))
            else:
                state["col"] += 1
            state["has_value"] = False
        elif tag in ("v", "t", "f", "is"):
            state["has_value"] = True
            if tag in ("v", "t"):
                state["in_text"], state["text"] = True, 0

    def end(tag: str) -> None:
        tag = tag.rsplit(":", 1)[-1]
        if tag in ("v", "t"):
            state["in_text"] = False
        elif tag == "c" and state["has_value"]:
            ext.rows = max(ext.rows, state["row"])
            ext.columns = max(ext.columns, state["col"])

    def chars(data: str) -> None:
        if state["in_text"]:
            state["text"] += len(data)
            if state["text"] > max_chars:
                where = f"row {state['row']:,}" if part != "xl/sharedStrings.xml" else "the shared strings"
                raise XlsxLimitError(f"{name}: a cell in {where} holds more than {max_chars:,} characters "
                                     f"{hint('cell_chars')}")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.buffer_text = True
    with z.open(part) as f, contextlib.suppress(expat.ExpatError):  # malformed XML: openpyxl reports it
        parser.ParseFile(f)
    return ext
