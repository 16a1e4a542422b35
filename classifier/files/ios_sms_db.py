"""The iPhone's ``sms.db`` (SQLite) from an unencrypted backup: ``message`` joined to ``handle``.

Opened read-only (``file:…?mode=ro`` URI) with ``trusted_schema`` off and a time limit, so a crafted
database cannot write, run schema-defined functions or hang the reader. It must have the ``message``
and ``handle`` tables with the columns an SMS store has, or it is refused. Dates count from
2001-01-01 UTC in seconds (iOS ≤ 10) or nanoseconds (iOS 11+) and are shown in China time.
``is_from_me`` = 1 marks the user's own messages. Newer iOS versions leave ``text`` empty and keep
the words in ``attributedBody`` (an NSAttributedString archive); the string is read from there.

Given the folder of a whole backup, the file is found by its fixed name (the SHA-1 of
``HomeDomain-Library/SMS/sms.db``); an encrypted backup is refused with what to do instead.
"""

from __future__ import annotations

import datetime as dt
import math
import plistlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from .messages import CHINA, RECEIVED, SENT, SENT_NOTE, fmt_time

COLUMNS = ["time", "sender", "service", "direction", "text"]
SMS_DB_HASH = "3d0d7e5fb2ce288813306e4d4636395e047a3d28"
APPLE_EPOCH = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
TIME_LIMIT_S = 600
_REQUIRED = {"message": {"text", "date", "is_from_me", "handle_id"}, "handle": {"id"}}


def find_in_backup(folder: Path) -> Path | None:
    """sms.db inside an iPhone backup folder (None if the folder is not a backup)."""
    from .tabular import InputError

    manifest = folder / "Manifest.plist"
    if not manifest.is_file():
        return None
    try:
        with open(manifest, "rb") as f:
            info = plistlib.load(f)
    except Exception:  # plistlib raises several types on a damaged file
        info = {}
    if info.get("IsEncrypted"):
        raise InputError(f"{folder}: an encrypted iPhone backup; its messages cannot be read. Make an unencrypted "
                         "backup (Finder/iTunes: untick 'Encrypt local backup') or export the messages to CSV")
    db = folder / SMS_DB_HASH[:2] / SMS_DB_HASH
    if not db.is_file():
        db = folder / SMS_DB_HASH
    if not db.is_file():
        raise InputError(f"{folder}: an iPhone backup without its SMS database ({SMS_DB_HASH[:2]}/{SMS_DB_HASH})")
    return db


def looks_encrypted(path: Path, head: bytes) -> bool:
    """A database-named file (.db, .sqlite, or a backup's 40-hex name) of random-looking bytes."""
    name = path.name.lower()
    if not (name.endswith((".db", ".sqlite", ".sqlitedb")) or (len(name) == 40 and all(c in "0123456789abcdef" for c in name))):
        return False
    sample = head[:4096]
    if len(sample) < 256:
        return False
    counts = [0] * 256
    for b in sample:
        counts[b] += 1
    entropy = -sum(c / len(sample) * math.log2(c / len(sample)) for c in counts if c)
    return entropy > 7.5


def apple_time(value) -> dt.datetime | None:
    """Apple-epoch seconds or nanoseconds as naive China time."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    if abs(v) > 1e11:  # nanoseconds since iOS 11
        v /= 1e9
    try:
        return (APPLE_EPOCH + dt.timedelta(seconds=v)).astimezone(CHINA).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return None


def attributed_text(blob: bytes | None) -> str:
    """The plain string inside an ``attributedBody`` typedstream (NSString, then '+', then a length)."""
    if not blob:
        return ""
    i = blob.find(b"NSString")
    if i < 0:
        return ""
    j = blob.find(b"+", i + 8, i + 16)
    if j < 0 or j + 1 >= len(blob):
        return ""
    n, k = blob[j + 1], j + 2
    if n == 0x81:
        n, k = int.from_bytes(blob[k:k + 2], "little"), k + 2
    elif n == 0x82:
        n, k = int.from_bytes(blob[k:k + 4], "little"), k + 4
    return blob[k:k + n].decode("utf-8", errors="replace")


def open_sms_db(path: str, shown_as: str | None = None):
    """A Source with one row per message, oldest first."""
    from .tabular import InputError, Row, Source

    shown = shown_as or path
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
        con.execute("PRAGMA trusted_schema = OFF")
        con.execute("PRAGMA query_only = ON")
        deadline = time.monotonic() + TIME_LIMIT_S
        con.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 100_000)
        tables = {r[0]: r[1] for r in con.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table','view')")}
        cols = {t: {r[1] for r in con.execute(f"PRAGMA table_info({t})")} for t in _REQUIRED if tables.get(t) == "table"}
    except sqlite3.DatabaseError as e:
        raise InputError(f"{shown}: not a readable SQLite database ({e})") from None
    missing = [t for t, need in _REQUIRED.items() if not need <= cols.get(t, set())]
    if missing:
        con.close()
        raise InputError(f"{shown}: an SQLite database, but not an iPhone SMS store (sms.db): it has no "
                         f"{' / '.join(missing)} table with the expected columns")
    has = cols["message"]
    sql = ("SELECT m.date, h.id, {service}, m.is_from_me, m.text, {body} FROM message m "
           "LEFT JOIN handle h ON h.ROWID = m.handle_id ORDER BY m.date, m.ROWID").format(
        service="m.service" if "service" in has else "''",
        body="m.attributedBody" if "attributedbody" in {c.lower() for c in has} else "NULL")

    def rows() -> Iterator[Row]:
        try:
            for date, handle, service, from_me, text, body in con.execute(sql):
                if not text and isinstance(body, bytes):
                    text = attributed_text(body)
                text = "" if text is None else str(text).replace("\ufffc", "").strip()
                sent = str(from_me) == "1"
                row = Row([fmt_time(apple_time(date)), handle or "", service or "", SENT if sent else RECEIVED, text])
                if sent:
                    row.skip = SENT_NOTE
                elif not text:
                    row.error = "no text (an attachment or a reaction)"
                yield row
        except sqlite3.DatabaseError as e:
            yield Row([""] * len(COLUMNS), error=f"the database broke off while reading ({e}); later messages are missing")
        finally:
            con.close()

    return Source(shown, "ios-sms-db", list(COLUMNS), rows(),
                  notes=["iPhone sms.db (opened read-only); times in China time (UTC+8)"])
