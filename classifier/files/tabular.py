"""Reading and writing message exports: CSV/TSV (any common encoding), XLSX, JSON Lines and Parquet.

Made for real exports: phone SMS backups and Excel files are often GB18030/GBK or UTF-16, commas
inside unquoted message text break columns, and files are large. The reader

- detects the encoding (BOM, then strict UTF-8, then GB18030, then charset-normalizer's guess),
- sniffs the delimiter (csv.Sniffer), keeps quoted fields with embedded newlines,
- streams rows (memory bounded by the chunk, not the file) and never drops one: a row that cannot be
  read gets an ``error`` instead, and a row with more fields than the header is taken to have
  delimiters inside the message text and is repaired (counted in the summary),
- finds the text column by common names (content, body, 内容, 短信内容 …) or ``--text-column``.

The csv module (C) is used rather than pandas for the streaming path because it keeps every value
verbatim ("00123" stays "00123") and lets a bad row be flagged instead of aborting the read.
Parquet (data lakes) is read and written with pyarrow, one record batch at a time, keeping the
input's column types.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import json
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .cells import XLSX_MAX_CHARS, neutralize, neutralize_row, xlsx_cell
from .limits import current as current_limits
from .limits import hint as limit_hint

TEXT_COLUMN_NAMES = (
    "content", "body", "text", "message", "msg", "sms", "sms_content", "message_body", "message_content",
    "内容", "短信内容", "消息内容", "通话内容", "聊天内容", "信息内容", "正文", "文本", "短信", "消息", "通话记录", "转写文本",
)
DATE_COLUMN_NAMES = ("date", "time", "datetime", "timestamp", "sent_at", "received_at", "date_sent", "时间", "日期",
                     "发送时间", "接收时间", "收到时间", "通话时间", "时间戳")
SENDER_COLUMN_NAMES = ("address", "sender", "from", "number", "phone", "phone_number", "contact", "号码", "发送方",
                       "发件人", "发送号码", "对方号码", "来电号码", "联系人", "发信人", "电话")
ID_COLUMN_NAMES = ("id", "_id", "msg_id", "message_id", "sms_id", "编号", "序号")
FORMATS = ("csv", "tsv", "xlsx", "jsonl", "parquet")
PARQUET_BATCH_ROWS = 8192  # rows per Parquet record batch read or written


class InputError(ValueError):
    """A file that cannot be read as a message export; the message names the file and the problem."""


@dataclass
class Source:
    """An opened export: column names and a row iterator, plus what was detected."""

    path: str
    format: str
    columns: list[str]
    rows: Iterator[Row]
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=lambda: {"repaired_rows": 0, "nul_bytes": 0})
    progress: callable | None = None  # returns bytes consumed so far
    roles: dict[str, int | None] = field(default_factory=dict)  # column index of "text", "date", "id"
    text_guess: int | None = None  # headerless files: the column that looks most like message text
    arrow_schema: object = None  # Parquet: the input's pyarrow schema (kept for Parquet output)
    me: str | None = None  # the user's own name or number in the sender column (their rows are not scored)


@dataclass
class Row:
    values: list  # as read, same length as ``Source.columns``
    error: str = ""  # the row could not be scored, and why
    warning: str = ""  # the row was scored, but something about it needs a look
    raw: object = None  # JSON Lines: the original object (or line), written back as is
    skip: str = ""  # kept but not scored, and why (messages the user sent: messages.SENT_NOTE)
    ragged: bool = False  # more or fewer fields than the header: see ``fix_width``


def _norm_name(name: object) -> str:
    return re.sub(r"[\s_\-]+", "_", str(name).strip().lstrip("\ufeff").lower())


def find_column(columns: list[str], wanted: str | None, names: tuple[str, ...], what: str, path: str,
                required: bool = True) -> int | None:
    """Index of a column: by ``wanted`` (name or 1-based number), else the first of ``names``."""
    normed = [_norm_name(c) for c in columns]
    if wanted is not None:
        if wanted in columns:
            return columns.index(wanted)
        if _norm_name(wanted) in normed:
            return normed.index(_norm_name(wanted))
        if wanted.isdigit() and 1 <= int(wanted) <= len(columns):
            return int(wanted) - 1
        raise InputError(f"{path}: no {what} column {wanted!r}; {describe_columns(columns)}")
    for name in names:
        if name in normed:
            return normed.index(name)
    for name in names:  # "短信内容(原文)", "message_text"
        for i, c in enumerate(normed):
            if len(name) >= 2 and name in c:
                return i
    if required:
        raise InputError(f"{path}: cannot tell which column holds the message text; {describe_columns(columns)}. "
                         "Name it with --text-column")
    return None


_DATA_LIKE = re.compile(r"\d{5}|[\uff10-\uff19]{5}")


def describe_columns(columns: list) -> str:
    """The column names for an error message, unless the "header" looks like data (never echo a message)."""
    names = [str(c) for c in columns]
    if any(len(n) > 40 or _DATA_LIKE.search(n) or len(re.findall(r"[\u4e00-\u9fff]", n)) > 8 for n in names):
        return (f"the first row does not look like a header ({len(names)} columns; not shown, it may be a message): "
                "if the file has no header, pass --no-header and give the text column by number")
    return f"columns are: {', '.join(names)}"


def check_encoding(name: str, path: str) -> str:
    """``name`` if it is a known text encoding; InputError otherwise (zlib_codec, rot13, base64, hex … are not)."""
    try:
        info = codecs.lookup(name)
    except (LookupError, TypeError, ValueError):
        raise InputError(f"{path}: unknown encoding {name!r}") from None
    if not getattr(info, "_is_text_encoding", True) or info.name in ("idna", "punycode", "rot-13", "rot13") \
            or info.name.startswith("raw-unicode") or info.name.startswith("unicode-escape"):
        raise InputError(f"{path}: {name!r} is not a text encoding; give one such as utf-8, gb18030, big5 or utf-16")
    return name


# --- encodings -----------------------------------------------------------------------------------

def detect_encoding(sample: bytes) -> str:
    """Encoding of a file from its first bytes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    variant = _utf16_variant(sample)
    if variant:
        return variant
    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        dec.decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        gb = codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
    except UnicodeDecodeError:
        gb = None
    if gb is not None:
        big5 = _big5_variant(sample)
        if big5 and _hanzi_share(big5[1]) > _hanzi_share(gb) + 0.1:
            return big5[0]
        return "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding if best else "utf-8"


def _big5_variant(sample: bytes) -> tuple[str, str] | None:
    """``(encoding, text)`` if the bytes are valid Big5 (or its Hong Kong / Windows supersets)."""
    for enc in ("big5", "cp950", "big5hkscs"):
        try:
            return enc, codecs.getincrementaldecoder(enc)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
    return None


def _hanzi_share(text: str) -> float:
    """Share of the non-ASCII characters that are Chinese characters or CJK punctuation.

    Big5 bytes usually also decode as GB18030, but into kana, box drawing and Cyrillic from GBK's
    symbol rows (``ぃ临窥碞тゴ``); real Chinese text in the right encoding is nearly all hanzi.
    """
    wide = [c for c in text if not c.isascii()]
    if not wide:
        return 1.0
    good = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return good / len(wide)


def _plausible(text: str) -> float:
    ok = sum(1 for c in text if c.isprintable() or c in "\r\n\t")
    cjk_or_ascii = sum(1 for c in text if c.isascii() or "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef")
    return min(ok, cjk_or_ascii) / max(len(text), 1)


def _utf16_variant(sample: bytes) -> str | None:
    """BOM-less UTF-16: NUL bytes (never in GB18030/UTF-8 text) and a clean decode."""
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    best = None
    for enc in ("utf-16-le", "utf-16-be"):
        text = sample[: len(sample) // 2 * 2].decode(enc, errors="replace")
        score = _plausible(text) - text.count("\ufffd") / max(len(text), 1)
        if score >= 0.9 and (best is None or score > best[0]):
            best = (score, enc)
    return best[1] if best else None


def _looks_binary(sample: bytes, encoding: str, given: bool = False) -> bool:
    """Most of a text export is printable; a photo or archive renamed .csv is not.

    With an encoding ``given`` by the user, undecodable bytes are not taken as binary: the rows
    that hold them are flagged instead (the encoding is probably wrong, and the user should see where)."""
    if not encoding.startswith("utf-16") and sample.count(0) > max(2, len(sample) // 100):
        return True
    text = sample[: len(sample) // 4 * 4].decode(encoding, errors="replace")
    if not text:
        return False
    odd = sum(1 for c in text if (c < " " and c not in "\t\r\n") or (c == "\ufffd" and not given)
              or "\ue000" <= c <= "\uf8ff")
    return odd > max(16, len(text) // 20)


# --- dates ---------------------------------------------------------------------------------------

_DATE_RX = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?(?:[\sT]*(?:上午|下午|晚上)?\s*(\d{1,2})[:：时](\d{1,2}))?")
_CHINA = dt.timezone(dt.timedelta(hours=8))
_ISO_MINUTE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d", re.ASCII)


def parse_datetime(value: object) -> dt.datetime | None:
    """A date-time from the usual export formats: ISO, 2025/3/1 14:05, 2025年3月1日 下午2:05, 20250301,
    epoch seconds or milliseconds (read as China time). Dates without a time get 00:00; None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    s = str(value).strip()
    if len(s) == 16 and _ISO_MINUTE.fullmatch(s):  # the commonest export format, read without the search below
        try:
            return dt.datetime(int(s[:4]), int(s[5:7]), int(s[8:10]), int(s[11:13]), int(s[14:]))
        except ValueError:
            return None
    m = _DATE_RX.search(s)
    try:
        if m:
            hour, minute = int(m.group(4) or 0), int(m.group(5) or 0)
            if m.group(4) and ("下午" in s or "晚上" in s) and hour < 12:
                hour += 12
            return dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), hour, minute)
        if re.fullmatch(r"\d{8}", s):
            return dt.datetime(int(s[:4]), int(s[4:6]), int(s[6:]))
        if re.fullmatch(r"\d{10}(\d{3})?(\.\d+)?", s):
            secs = float(s) / (1000 if len(s.split(".")[0]) == 13 else 1)
            return dt.datetime.fromtimestamp(secs, tz=_CHINA).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None
    return None


#: Batch's dates by day (``YYYY-MM-DD`` → date or None): a log's rows fall on a few hundred days. Bounded.
_DAYS: dict[str, dt.date | None] = {}
_DAYS_MAX = 4096


def parse_date(value: object) -> dt.date | None:
    """The date part of :func:`parse_datetime`."""
    if type(value) is str and len(value) == 16 and _ISO_MINUTE.fullmatch(value):  # batch: one per row
        if int(value[11:13]) > 23 or int(value[14:]) > 59:
            return None  # no such time: parse_datetime gives None
        day = value[:10]
        if day in _DAYS:
            return _DAYS[day]
        try:
            d = dt.date(int(day[:4]), int(day[5:7]), int(day[8:]))
        except ValueError:
            d = None
        if len(_DAYS) >= _DAYS_MAX:
            _DAYS.clear()
        _DAYS[day] = d
        return d
    d = parse_datetime(value)
    return d.date() if d else None


# --- readers -------------------------------------------------------------------------------------

def detect_format(path: str, head: bytes) -> str:
    ext = Path(path).suffix.lower()
    if ext in (".xlsx", ".xlsm"):
        return "xlsx"
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext in (".parquet", ".pq") or head.startswith(b"PAR1"):
        return "parquet"
    if ext == ".tsv":
        return "tsv"
    if head.startswith(b"PK\x03\x04") and ext not in (".csv", ".txt"):
        return "xlsx"
    return "csv"


def open_source(path: str, *, encoding: str | None = None, delimiter: str | None = None,
                no_header: bool = False, sheet: str | None = None, fmt: str | None = None) -> Source:
    """Open an export for streaming. ``path`` may be "-" for stdin (CSV/TSV/JSON Lines).

    Screenshots, phone backups and chat exports (a file, a folder or a list of images) are
    recognized by content and read by their own modules (see ``messages.open_special``)."""
    if fmt is None and path != "-":
        from .messages import open_special

        special = open_special(path)
        if special is not None:
            return special
    if path == "-":
        raw = sys.stdin.buffer
        size = None
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(f"{path}: no such file")
        if p.is_dir():
            raise InputError(f"{path}: is a folder, not a file")
        raw = open(p, "rb")  # noqa: SIM115 - closed when the rows are exhausted
        size = p.stat().st_size
    head = raw.peek(65536)[:65536] if hasattr(raw, "peek") else b""
    fmt = fmt or detect_format(path, head)
    if fmt == "xlsx":
        return _open_xlsx(path, raw, sheet)
    if fmt == "parquet":
        return _open_parquet(path, raw)
    enc = check_encoding(encoding or detect_encoding(head), path)
    if head and _looks_binary(head, enc, given=encoding is not None):
        if head.startswith(b"PK\x03\x04"):
            raise InputError(f"{path}: this is a zip/xlsx file, not CSV text; save it as CSV or name it .xlsx")
        raise InputError(f"{path}: looks like a binary file, not a text export (CSV, TSV, JSON Lines)")
    if encoding is None and enc in ("utf-8", "utf-8-sig", "gb18030"):
        text = MixedLines(raw, first=enc)  # per line: UTF-8, else GB18030 (exports mix them)
    else:
        text = io.TextIOWrapper(raw, encoding=enc, errors="replace", newline="")
    progress = (lambda: raw.tell()) if size else None
    if fmt == "jsonl" or (fmt == "csv" and head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{")):
        src = _open_jsonl(path, text)
    else:
        src = _open_delimited(path, text, head, enc, delimiter, no_header, fmt)
    src.encoding = enc if not isinstance(text, MixedLines) else f"{enc} (per line, with UTF-8/GB18030 fallback)"
    src.progress = progress
    if isinstance(text, MixedLines):
        src.stats["fallback_lines"] = text.stats
    return src


BLOCK_BYTES = 1 << 20  # bytes read at a time by MixedLines (whole lines are decoded together)
_LONE_CR = re.compile(r"(?<=\r)(?!\n)(?=.)", re.S)


class MixedLines:
    """Lines of a byte stream, each decoded as UTF-8, or GB18030 when it is not valid UTF-8.

    Phone and Excel exports sometimes mix the two (rows appended by different tools). A newline byte
    is never part of a multi-byte character in either encoding, so deciding per line is safe. Bytes
    valid in neither become U+FFFD, and the row is flagged as undecodable.
    """

    def __init__(self, raw, first: str = "utf-8"):
        self.raw = raw
        # UTF-8 first whatever was detected: GBK text is almost never valid UTF-8, while UTF-8 text
        # often decodes (wrongly) as GB18030
        self.stats = {"utf-8": 0, "gb18030": 0, "undecodable": 0}
        self._first = True

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self.blocks())

    def blocks(self) -> Iterator[list[str]]:
        """The lines, in one list per block read (what ``__iter__`` yields one by one)."""
        # blocks of whole lines: a block that is valid UTF-8 is decoded at once (its lines are exactly the
        # lines that would each decode as UTF-8); any other block line by line, as the docstring says
        pending = b""
        while True:
            block = self.raw.read(BLOCK_BYTES)
            data = pending + block if pending else block
            if not block:
                if data:
                    yield self._block(data)
                return
            cut = data.rfind(b"\n") + 1
            pending = data[cut:]
            if cut:
                yield self._block(data[:cut])

    def _block(self, data: bytes) -> list[str]:
        if self._first:
            self._first = False
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
                if not data:  # the file is just a BOM: one empty line, as line by line
                    self.stats["utf-8"] += 1
                    return [""]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            lines = text.split("\n")
            last = lines.pop()  # "" after the final newline, or a last line without one
            lines = [line + "\n" for line in lines]
            if last:
                lines.append(last)
            self.stats["utf-8"] += len(lines)
        else:
            raw = data.split(b"\n")
            tail = raw.pop()
            lines = [self._decode(line + b"\n") for line in raw]
            if tail:
                lines.append(self._decode(tail))
        if text is not None and "\r" not in text:
            return lines
        out: list[str] = []
        for line in lines:
            if "\r" in line.rstrip("\r\n"):  # old Mac line ends: split after a lone CR
                out.extend(_LONE_CR.split(line))
            else:
                out.append(line)
        return out

    def _decode(self, line: bytes) -> str:
        try:
            text = line.decode("utf-8")
            self.stats["utf-8"] += 1
            return text
        except UnicodeDecodeError as e:
            if e.reason == "unexpected end of data" and e.start >= len(line.rstrip(b"\r\n")) - 3:
                self.stats["undecodable"] += 1  # a UTF-8 file cut off mid-character: flag, don't reinterpret
                return line.decode("utf-8", errors="replace")
        try:
            text = line.decode("gb18030")
            big5 = _big5_variant(line) if _hanzi_share(text) < 0.8 else None
            if big5 and _hanzi_share(big5[1]) > _hanzi_share(text) + 0.1:  # Big5 read as GB18030 is garbage
                self.stats["big5"] = self.stats.get("big5", 0) + 1
                return big5[1]
            self.stats["gb18030"] += 1
            return text
        except UnicodeDecodeError:
            self.stats["undecodable"] += 1
            return line.decode("utf-8", errors="replace")

    def close(self) -> None:
        self.raw.close()


def _counted_lines(text, stats: dict[str, int]) -> Iterator[str]:
    """The lines of ``text`` for the CSV reader, NUL characters removed; NULs and quote characters counted
    in ``stats``. From :class:`MixedLines` a block of lines at a time (no Python work per line)."""
    if isinstance(text, MixedLines):
        return itertools.chain.from_iterable(_counted_blocks(text, stats))
    return _counted_each(text, stats)


def _counted_each(text, stats: dict[str, int]) -> Iterator[str]:
    for line in text:
        if "\x00" in line:
            stats["nul_bytes"] += line.count("\x00")
            line = line.replace("\x00", "")
        stats["quotes"] += line.count('"')
        yield line


def _counted_blocks(text: MixedLines, stats: dict[str, int]) -> Iterator[list[str]]:
    for block in text.blocks():
        joined = "".join(block)
        stats["quotes"] += joined.count('"')
        if "\x00" in joined:
            stats["nul_bytes"] += joined.count("\x00")
            block = [line.replace("\x00", "") for line in block]
        yield block


def _open_delimited(path: str, text: io.TextIOWrapper, head: bytes, enc: str, delimiter: str | None,
                    no_header: bool, fmt: str) -> Source:
    sample = head.decode(enc, errors="replace")[:16384]
    notes = []
    if delimiter is None:
        if fmt == "tsv":
            delimiter = "\t"
        else:
            try:
                delimiter = csv.Sniffer().sniff(sample.split("\n", 20)[0] if sample else ",", delimiters=",\t;|").delimiter
            except csv.Error:
                delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    stats = {"repaired_rows": 0, "nul_bytes": 0, "quotes": 0}
    csv.field_size_limit(current_limits().cell_chars)

    reader = csv.reader(_counted_lines(text, stats), delimiter=delimiter, strict=False)
    try:
        first = next(reader)
    except StopIteration:
        raise InputError(f"{path}: the file is empty") from None
    except csv.Error as e:
        raise InputError(f"{path}: not readable as CSV ({e})") from None
    first = [c.lstrip("\ufeff") if i == 0 else c for i, c in enumerate(first)]
    guess = None
    if no_header:
        columns = [f"column_{i + 1}" for i in range(len(first))]
        pending = [first]
        guess = _most_chinese(first)
    else:
        columns, pending = first, []
        has_name = find_column(columns, None, TEXT_COLUMN_NAMES, "text", path, required=False) is not None
        if not has_name and any(len(re.findall(r"[\u4e00-\u9fff]", c)) >= 8 for c in first):
            columns = [f"column_{i + 1}" for i in range(len(first))]
            pending = [first]
            guess = _most_chinese(first)
            notes.append("the first row looks like a message, not a header: reading the file as having no header")
    width = len(columns)

    def read() -> Iterator[Row]:
        yield from (Row(list(r)) for r in pending)
        n = 1 + len(pending)
        while True:
            try:
                r = next(reader)
            except StopIteration:
                text.close()
                return
            except csv.Error as e:
                more = f" {limit_hint('cell_chars')}" if "field limit" in str(e) else ""
                yield Row([""] * width, error=f"row {n}: unreadable CSV ({e}){more}")
                n += 1
                continue
            n += 1
            if not r:
                yield Row([""] * width, error="empty row")
                continue
            yield Row(r, ragged=len(r) != width)

    def rows() -> Iterator[Row]:
        # one row of look-ahead: an odd number of quote characters in the whole file means the last
        # row opened a quote that never closed and swallowed the rest of the file
        held = None
        for row in read():
            if held is not None:
                yield held
            held = row
        if held is not None:
            if stats["quotes"] % 2:
                held.warning = ("a quote opened in this row is never closed, so the rest of the file was read as part "
                                "of this row; fix the quoting and run again")
            yield held

    src = Source(path, "tsv" if delimiter == "\t" else "csv", columns, rows(), delimiter=delimiter, notes=notes,
                 stats=stats)
    src.text_guess = guess
    return src


def _most_chinese(cells: list[str]) -> int:
    counts = [len(re.findall(r"[\u4e00-\u9fff]", c)) for c in cells]
    return counts.index(max(counts)) if counts else 0


def fix_width(row: Row, width: int, text_idx: int, delimiter: str, stats: dict) -> Row:
    """Repair a ragged row: extra fields are delimiters inside the text; missing fields are empty."""
    if not row.ragged or row.error:
        return row
    row.ragged = False
    n = len(row.values)
    if n > width:
        extra = n - width
        merged = delimiter.join(row.values[text_idx:text_idx + extra + 1])
        row.values = [*row.values[:text_idx], merged, *row.values[text_idx + extra + 1:]]
        row.error = ""
        stats["repaired_rows"] += 1
    else:
        row.values = row.values + [""] * (width - n)
        row.error = f"row has {n} fields, the header has {width}" if text_idx >= n else ""
        if not row.error:
            stats["repaired_rows"] += 1
    return row


def _open_jsonl(path: str, text: io.TextIOWrapper) -> Source:
    buffered: list[tuple[int, str]] = []
    columns: list[str] = []
    it = iter(text)
    for n, line in enumerate(it, 1):  # look ahead for the column names
        buffered.append((n, line))
        if line.strip():
            try:
                obj = load_json_line(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                columns = [str(k) for k in obj]
                break
        if n > 1000:
            break
    if not columns:
        raise InputError(f"{path}: no JSON object found in the first lines (JSON Lines needs one object per line)")
    start = len(buffered)
    max_chars = current_limits().cell_chars

    def rows() -> Iterator[Row]:
        def gen():
            yield from buffered
            yield from enumerate(it, start + 1)
        for n, line in gen():
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            try:
                obj = load_json_line(line)
            except json.JSONDecodeError as e:
                yield Row([""] * len(columns), error=f"line {n}: invalid JSON ({e.msg})", raw={"_raw": _cut(line)})
                continue
            except ValueError as e:  # over a limit
                yield Row([""] * len(columns), error=f"line {n}: {e}", raw={"_raw": _cut(line)})
                continue
            if not isinstance(obj, dict):
                yield Row([""] * len(columns), error=f"line {n}: not a JSON object", raw={"_raw": _cut(line)})
                continue
            values = [_cell(obj.get(c, "")) for c in columns]
            if any(isinstance(v, str) and len(v) > max_chars for v in values):
                yield Row([""] * len(columns), error=f"line {n}: a value holds more than {max_chars:,} characters "
                                                     f"{limit_hint('cell_chars')}", raw={"_raw": _cut(line)})
                continue
            yield Row(values, raw=obj)
        text.close()

    return Source(path, "jsonl", columns, rows())


def _cut(line: str) -> str:
    """A bad line as written back: whole, unless it is over the cell limit (then its start, marked)."""
    limit = current_limits().cell_chars
    return line if len(line) <= limit else line[:limit] + "…[cut]"


def load_json_line(line: str) -> object:
    """``json.loads`` within the limits: nesting depth and digits per number checked, never a RecursionError.

    The depth is measured on the text before parsing (brackets outside strings), so a line of 100,000
    brackets costs one pass over the line, not a recursion.
    """
    lim = current_limits()
    depth = deepest = 0
    in_string = escaped = False
    for ch in line if line.count("[") + line.count("{") > lim.json_depth else "":
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > lim.json_depth:
                    raise ValueError(f"JSON nested deeper than {lim.json_depth} levels {limit_hint('json_depth')}")
        elif ch in "]}":
            depth -= 1

    def number(kind):
        def parse(text: str):
            if sum(c.isdigit() for c in text) > lim.json_digits:
                raise ValueError(f"a JSON number has more than {lim.json_digits} digits {limit_hint('json_digits')}")
            return kind(text)
        return parse

    try:
        return json.loads(line, parse_int=number(int), parse_float=number(float))
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise ValueError(f"JSON nested too deeply {limit_hint('json_depth')}") from None


def _cell(v: object) -> object:
    return "" if v is None else (v if isinstance(v, str | int | float) else json.dumps(v, ensure_ascii=False))


def _open_xlsx(path: str, raw, sheet: str | None) -> Source:
    from openpyxl import load_workbook

    from .xlsx_guard import XlsxLimitError, check_workbook

    try:
        extent = check_workbook(raw, path, sheet)  # sizes and real extent, before openpyxl parses anything
        raw.seek(0)
        wb = load_workbook(raw, read_only=True, data_only=True)
    except XlsxLimitError as e:
        raise InputError(str(e)) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise InputError(f"{path}: not a readable .xlsx workbook ({type(e).__name__}: {e})") from None
    except Exception as e:  # openpyxl raises many types for corrupt files
        raise InputError(f"{path}: not a readable .xlsx workbook ({type(e).__name__})") from None
    if sheet is not None and sheet not in wb.sheetnames:
        raise InputError(f"{path}: no sheet {sheet!r}; sheets are: {', '.join(wb.sheetnames)}")
    ws = wb[sheet] if sheet else wb.worksheets[0]
    if extent.rows == 0:
        wb.close()
        raise InputError(f"{path}: the sheet {ws.title!r} is empty")
    # the real extent (cells holding a value), not the declared dimension: nothing beyond it is dropped,
    # and stray formatting far away costs nothing
    ws.reset_dimensions()
    it = ws.iter_rows(min_row=1, max_row=extent.rows, max_col=extent.columns, values_only=True)
    try:
        header = next(it)
    except StopIteration:
        raise InputError(f"{path}: the sheet {ws.title!r} is empty") from None
    named = max((i + 1 for i, c in enumerate(header) if c is not None), default=0)
    columns = [("" if c is None else str(c)) for c in header[:named]]
    columns += [f"column_{i + 1}" for i in range(named, extent.columns)]  # data beyond the header's width
    width = len(columns)
    notes = [f"sheet {ws.title!r}" + (f" (of {len(wb.sheetnames)}: {', '.join(wb.sheetnames)})" if len(wb.sheetnames) > 1 else "")]

    def rows() -> Iterator[Row]:
        for r in it:
            vals = ["" if v is None else v for v in r][:width]
            vals += [""] * (width - len(vals))
            if all(v == "" for v in vals):
                yield Row(vals, error="empty row")  # kept, like a blank CSV line: rows stay in place
                continue
            yield Row(vals)
        wb.close()

    return Source(path, "xlsx", columns, rows(), notes=notes)


def _open_parquet(path: str, raw) -> Source:
    """Parquet, streamed one record batch at a time (pyarrow's ``iter_batches``): memory is bounded
    by the batch, not the file. Values keep their types; nulls stay None."""
    if path == "-":
        raise InputError("Parquet cannot be read from stdin; give the file's path")
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(raw)
    except (pa.ArrowException, OSError, ValueError) as e:
        raise InputError(f"{path}: not a readable Parquet file ({type(e).__name__}: {e})") from None
    schema = pf.schema_arrow
    size = Path(path).stat().st_size
    done = {"rows": 0}

    def rows() -> Iterator[Row]:
        try:
            for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                cols = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                for vals in zip(*cols, strict=True):
                    yield Row(list(vals))
                done["rows"] += batch.num_rows
        except (pa.ArrowException, OSError) as e:
            raise InputError(f"{path}: Parquet data unreadable after {done['rows']} rows ({type(e).__name__}: {e})") from None
        finally:
            raw.close()

    total = pf.metadata.num_rows or 1
    src = Source(path, "parquet", list(schema.names), rows(), arrow_schema=schema)
    src.progress = lambda: int(size * done["rows"] / total)
    return src


def arrow_schema(columns: list[str], source_schema=None, float_columns: tuple[str, ...] = ()):
    """The pyarrow schema of a Parquet output: the input's own types where known (Parquet input),
    float64 for ``float_columns``, string for everything else."""
    import pyarrow as pa

    known = {f.name: f for f in source_schema} if source_schema is not None else {}
    return pa.schema([known.get(c) or pa.field(c, pa.float64() if c in float_columns else pa.string())
                      for c in columns])


# --- writers -------------------------------------------------------------------------------------

def unique_names(columns: list[str]) -> list[str]:
    """Column names made unique (``content``, ``content_2`` …) for formats keyed by name (JSON Lines)."""
    seen: set[str] = set()
    out = []
    for c in map(str, columns):
        name, k = c, 1
        while name in seen:
            k += 1
            name = f"{c}_{k}"
        seen.add(name)
        out.append(name)
    return out


class Writer:
    """Atomic writer: rows go to a temporary file beside the output, renamed into place on success.

    Cells are written safely (see ``cells``): XLSX strings as text, CSV cells a spreadsheet would run
    as formulas prefixed with an apostrophe; an XLSX cell over 32,767 characters is cut with a note
    in the last column (the ``error`` column of scored output).
    """

    def __init__(self, output: str, fmt: str, columns: list[str], delimiter: str = ",", schema=None):
        """``schema``: Parquet only, the pyarrow schema (see :func:`arrow_schema`; default: all strings)."""
        self.output, self.fmt, self.columns = output, fmt, columns
        self._keys = unique_names(columns)
        self._tmp = None
        self.rows_written = 0
        if output == "-" and fmt in ("xlsx", "parquet"):
            raise InputError(f"{fmt} cannot be written to stdout; give a file name with -o")
        if output == "-":
            self._fh = sys.stdout
        else:
            out = Path(output)
            out.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
            os.close(fd)
            self._tmp = tmp
            if fmt == "parquet":
                import pyarrow.parquet as pq

                self._schema = schema if schema is not None else arrow_schema(columns)
                self._pending: list[list] = []
                self._pq = pq.ParquetWriter(tmp, self._schema)
                return
            if fmt == "xlsx":
                from openpyxl import Workbook

                self._wb = Workbook(write_only=True)
                self._ws = self._wb.create_sheet("scored")
                self._ws.append([xlsx_cell(self._ws, c)[0] for c in columns])
                return
            self._fh = open(tmp, "w", encoding="utf-8", newline="",  # noqa: SIM115
                            errors="replace")  # lone surrogates (possible from JSON escapes) cannot be UTF-8
            if fmt in ("csv", "tsv"):
                self._fh.write("\ufeff")  # the BOM spreadsheets look for (as utf-8-sig, without its per-write encoder)
        if fmt in ("csv", "tsv"):
            self._csv = csv.writer(self._fh, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\r\n" if fmt == "csv" and output != "-" else "\n")
            self._csv.writerow([neutralize(c) for c in columns])

    def write(self, values: list, raw: object = None, extra: dict | None = None) -> None:
        self.rows_written += 1
        if self.fmt == "xlsx":
            if self.rows_written >= 1_048_576:
                raise InputError(f"{self.output}: more rows than an .xlsx sheet holds (1,048,575); write .csv instead")
            cells = [xlsx_cell(self._ws, v) for v in values]
            cut = [self.columns[i] if i < len(self.columns) else str(i + 1) for i, (_, c) in enumerate(cells) if c]
            if cut:
                note = f"cut at {XLSX_MAX_CHARS:,} characters (the most an XLSX cell holds): {', '.join(cut)}"
                last = values[-1] if values else ""
                cells[-1] = xlsx_cell(self._ws, "; ".join(x for x in (str(last), note) if x))
            self._ws.append([c for c, _ in cells])
        elif self.fmt == "parquet":
            self._pending.append(values)
            if len(self._pending) >= PARQUET_BATCH_ROWS:
                self._flush_parquet()
        elif self.fmt == "jsonl":
            obj = dict(raw) if isinstance(raw, dict) else dict(zip(self._keys[:len(values)], values, strict=False))
            obj.update(extra or {})
            self._fh.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
        else:
            self._csv.writerow(neutralize_row(values))

    def _flush_parquet(self) -> None:
        import pyarrow as pa

        if not self._pending:
            return
        arrays = []
        for i, f in enumerate(self._schema):
            col = [r[i] if i < len(r) else None for r in self._pending]
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
                col = [None if v is None else v if isinstance(v, str) else str(v) for v in col]
            elif pa.types.is_floating(f.type):
                col = [None if v is None or v == "" else float(v) for v in col]
            arrays.append(pa.array(col, type=f.type))
        self._pq.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self._schema))
        self._pending = []

    def close(self) -> None:
        if self.fmt == "parquet":
            self._flush_parquet()
            self._pq.close()
        elif self.fmt == "xlsx":
            self._wb.save(self._tmp)
        elif self._fh is not sys.stdout:
            self._fh.close()
        else:
            self._fh.flush()
        if self._tmp:
            os.replace(self._tmp, self.output)
            self._tmp = None

    def abort(self) -> None:
        if self._tmp:
            try:
                if self.fmt == "xlsx":
                    _discard_write_only(self._ws)
                elif self.fmt == "parquet":
                    self._pq.close()
                else:
                    self._fh.close()
            finally:
                if os.path.exists(self._tmp):
                    os.unlink(self._tmp)
                self._tmp = None


def _discard_write_only(ws) -> None:
    """Close and delete openpyxl's temporary file of a write-only sheet (it holds the rows written so far)."""
    writer = getattr(ws, "_writer", None)
    if writer is None:
        return
    try:
        if ws._rows is not None:
            with contextlib.suppress(Exception):
                ws._rows.close()
        writer.close()
    finally:
        if isinstance(writer.out, str) and os.path.exists(writer.out):
            writer.cleanup()


def output_format(output: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    if output == "-":
        return "csv"
    ext = Path(output).suffix.lower().lstrip(".")
    if ext in FORMATS:
        return ext
    if ext in ("ndjson",):
        return "jsonl"
    if ext in ("txt", ""):
        return "csv"
    if ext == "pq":
        return "parquet"
    raise InputError(f"{output}: unknown output format .{ext}; use .csv, .tsv, .xlsx, .jsonl or .parquet")
