"""Generators of hostile input files for tests/test_hostile.py (built by code, never committed as blobs)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path


def _workbook_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same XLSX with some parts replaced (or added), all deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        for name in names:
            zout.writestr(name, replace.get(name, zin.read(name)))
        for name, body in replace.items():
            if name not in names:
                zout.writestr(name, body)
    return out.getvalue()


def xlsx_bomb(path: Path, megabytes: int = 40) -> Path:
    """Case 1: a small XLSX whose sheet part unzips to ``megabytes`` MB (one huge inline string)."""
    base = _workbook_bytes([["content"], ["还钱"]])
    big = b"A" * (megabytes * 1024 * 1024)
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>content</t></is></c>'
             b'</row><row r="2"><c r="A2" t="inlineStr"><is><t>' + big + b"</t></is></c></row></sheetData></worksheet>")
    path.write_bytes(_rezip(base, {"xl/worksheets/sheet1.xml": sheet}))
    return path


def xlsx_far_cells(path: Path) -> Path:
    """Case 2: a tiny XLSX with one cell at column XFD and one at row 1,048,576 (dimension declared as
    openpyxl writes it, A1:XFD1048576; the reader must not trust it either way)."""
    base = _workbook_bytes([["content"], ["还钱"]])
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>'
             b'<row r="1"><c r="A1" t="inlineStr"><is><t>content</t></is></c>'
             b'<c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>'
             b'<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c></row>'
             b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>y</t></is></c></row>'
             b"</sheetData></worksheet>")
    path.write_bytes(_rezip(base, {"xl/worksheets/sheet1.xml": sheet}))
    return path


def xlsx_rows(path: Path, rows: list[list[object]]) -> Path:
    path.write_bytes(_workbook_bytes(rows))
    return path


def big5_export(path: Path, threats: list[str], n_ascii_rows: int = 40) -> Path:
    """Case 5: a Big5 CSV, mostly ASCII columns, a few Traditional Chinese threats."""
    lines = ["id,date,phone,content"]
    for i in range(n_ascii_rows):
        lines.append(f"{i},2025-01-{i % 28 + 1:02d},1380000{i:04d},ok code {i}")
    for j, t in enumerate(threats):
        lines.append(f"{100 + j},2025-02-0{j % 9 + 1},13900000000,{t}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("big5"))
    return path


def jsonl_hostile(path: Path) -> Path:
    """Case 11: JSON Lines with one 100,000-deep line and one 5,000-digit integer among good lines."""
    good = '{"content": "还钱", "id": 1}\n'
    deep = '{"content": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    bigint = '{"content": "x", "id": ' + "9" * 5000 + "}\n"
    path.write_text(good + deep + bigint + good, encoding="utf-8")
    return path
