"""What the screenshot, phone-backup and chat-export readers share: direction of a message, the
"not scored: sent by you" marker, times, and the dispatch from a path to the right reader.

Each reader yields the same ``Source``/``Row`` as the tabular readers, with the columns ``time``,
``sender``, ``direction`` ("received", "sent" or "" when unknown) and ``text`` (plus its own), so batch,
report and review score them like any export. Rows the user sent carry ``Row.skip = SENT_NOTE``: they
are kept in the output, in order, with an empty primary label and this note in ``error``, and never
earn a tag.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

RECEIVED, SENT = "received", "sent"
SENT_NOTE = "not scored: sent by you"
NOT_SCORED = "not scored"  # the prefix of every such note (counted apart from errors)
CHINA = dt.timezone(dt.timedelta(hours=8))

DIRECTION_COLUMN_NAMES = ("direction", "方向", "收发", "收发类型", "is_from_me", "isfromme", "issender", "is_sender")
_SENT_WORDS = {"sent", "send", "outgoing", "out", "outbox", "发送", "已发送", "发出", "我发出的", "发件", "me", "我"}
_FLAG_COLUMNS = {"is_from_me", "isfromme", "issender", "is_sender"}


def is_sent(column: str, value: object) -> bool:
    """True when a direction cell says the user sent the message ("sent", "发送", or 1 in is_from_me)."""
    v = str(value).strip().lower()
    name = str(column).strip().lower().replace(" ", "_")
    if name in _FLAG_COLUMNS:
        return v in ("1", "true", "yes", "是")
    return v in _SENT_WORDS


def fmt_time(d: dt.datetime | None) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S") if d else ""


def from_epoch(seconds: float) -> dt.datetime | None:
    """Epoch seconds as China time (UTC+8), naive; None when out of range."""
    try:
        return dt.datetime.fromtimestamp(seconds, tz=CHINA).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp")


def open_special(path, head: bytes | None = None):
    """The reader for screenshots, phone backups and chat exports, or None for a tabular file.

    ``path`` is a file, a folder (of screenshots, or an iPhone backup) or a list of files. Recognized
    by content (magic bytes, XML root, tables, header lines), not by extension alone.
    """
    from . import images, ios_sms_db, sms_backup_xml, wechat
    from .tabular import InputError

    if isinstance(path, list | tuple):
        if len(path) == 1:
            return open_special(path[0])
        return images.open_images([str(p) for p in path])
    if path == "-":
        return None
    p = Path(path)
    if p.is_dir():
        backup = ios_sms_db.find_in_backup(p)
        if backup is not None:
            return ios_sms_db.open_sms_db(str(backup), shown_as=str(path))
        return images.open_images([str(path)])
    if not p.exists():
        return None
    if head is None:
        with open(p, "rb") as f:
            head = f.read(65536)
    if images.sniff(head):
        return images.open_images([str(path)])
    if head.startswith(b"SQLite format 3\x00"):
        return ios_sms_db.open_sms_db(str(path))
    if sms_backup_xml.sniff(head):
        return sms_backup_xml.open_sms_xml(str(path))
    if ios_sms_db.looks_encrypted(p, head):
        raise InputError(f"{path}: looks encrypted (random bytes, no file header). An encrypted iPhone backup "
                         "cannot be read: make an unencrypted backup in Finder/iTunes (untick 'Encrypt local "
                         "backup'), or export the messages to CSV")
    if head.startswith(b"PK\x03\x04") and len(head) > 8 and head[6] & 1:
        raise InputError(f"{path}: a password-protected (encrypted) zip backup; unzip it with its password first")
    if wechat.sniff(head):
        return wechat.open_wechat(str(path))
    ext = p.suffix.lower()
    if ext in IMAGE_EXTS:
        raise InputError(f"{path}: not a readable PNG, JPEG or WebP image (the file header is wrong, or the file is "
                         "cut short)" + (" — HEIC photos: export them as JPEG first" if b"ftyphei" in head[:32] else ""))
    if ext in (".db", ".sqlite", ".sqlitedb"):
        raise InputError(f"{path}: not an SQLite database (no 'SQLite format 3' header); an iPhone sms.db is one")
    if ext == ".xml" and head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        return sms_backup_xml.open_sms_xml(str(path))  # refuses with the root element it found
    return None
