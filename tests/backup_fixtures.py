"""Phone-backup and chat-export fixtures written by code (messages written for the project, numbers
made up), and hostile files: an XML bomb, a truncated PNG, a huge image header, a database that is
not an SMS store, an encrypted-looking backup."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import struct
import zlib
from pathlib import Path
from xml.sax.saxutils import quoteattr

# (China time, sender, sent by the user?, text)
THREAD = [
    ("2026-03-02 09:12:00", "10690000123", False, "【闪借花】您的借款已逾期3天，应还1,050.00元，请今天内还款。"),
    ("2026-03-02 09:30:00", "10690000123", True, "这个月工资还没发，下周一定还。"),
    ("2026-03-02 14:05:00", "17100001111", False, "老赖，再不还钱明天就把你欠钱的事发给你通讯录里所有人，让你全家都知道"),
    ("2026-03-02 14:06:00", "17100001111", False, "请立即联系催收专员13812345678处理，否则后果自负"),
    ("2026-03-02 14:10:00", "17100001111", True, "老赖也是人，你们再骂我就报警，明天公安上门找你们"),
    ("2026-03-03 08:00:00", "95588", False, "您的验证码是4821，5分钟内有效。"),
]
CHINA = dt.timezone(dt.timedelta(hours=8))


def _epoch(s: str) -> float:
    return dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA).timestamp()


def sms_xml(path: Path, thread=THREAD, cut: int | None = None) -> Path:
    parts = [f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"{len(thread)}\">"]
    for when, addr, sent, text in thread:
        parts.append(f'  <sms protocol="0" address="{addr}" date="{int(_epoch(when) * 1000)}" type="{2 if sent else 1}" '
                     f'subject="null" body={quoteattr(text)} read="1" status="-1" contact_name="(Unknown)" />')
    mms_date = int(_epoch("2026-03-04 10:00:00") * 1000)
    parts.append(f'  <mms date="{mms_date}" msg_box="1" address="10690000123"><parts><part ct="application/smil" '
                 'text="x"/><part ct="text/plain" text="彩信：逾期不还将上报征信"/></parts></mms>')
    parts.append("</smses>\n")
    data = "\n".join(parts).encode("utf-8")
    path.write_bytes(data[:cut] if cut else data)
    return path


APPLE = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)


def _typedstream(text: str) -> bytes:
    raw = text.encode("utf-8")
    length = bytes([len(raw)]) if len(raw) < 0x80 else b"\x81" + len(raw).to_bytes(2, "little")
    return (b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject"
            b"\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+" + length + raw + b"\x86\x84\x02iI\x01")


def sms_db(path: Path, thread=THREAD, nanoseconds: bool = True, attributed: bool = False) -> Path:
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, country TEXT, service TEXT);
        CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT, text TEXT, handle_id INTEGER,
            service TEXT, date INTEGER, is_from_me INTEGER, attributedBody BLOB, cache_has_attachments INTEGER);
        CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, chat_identifier TEXT);
    """)
    handles: dict[str, int] = {}
    for i, (when, addr, sent, text) in enumerate(thread):
        if addr not in handles:
            handles[addr] = con.execute("INSERT INTO handle (id, country, service) VALUES (?, 'cn', 'SMS')",
                                        (addr,)).lastrowid
        secs = _epoch(when) - APPLE.timestamp()
        date = int(secs * 1e9) if nanoseconds else int(secs)
        body = _typedstream(text) if attributed else None
        con.execute("INSERT INTO message (guid, text, handle_id, service, date, is_from_me, attributedBody, "
                    "cache_has_attachments) VALUES (?, ?, ?, 'SMS', ?, ?, ?, 0)",
                    (f"G{i}", None if attributed else text, handles[addr], date, int(sent), body))
    con.commit()
    con.close()
    return path


def wechat_txt(path: Path, thread=THREAD, me: str = "我", them: str = "李经理", time_first: bool = False) -> Path:
    out = []
    for when, _, sent, text in thread:
        name = me if sent else them
        out.append(f"{when} {name}" if time_first else f"{name} {when}")
        out.append(text)
        out.append("")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def wechat_csv(path: Path, thread=THREAD) -> Path:
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status", "StrContent",
                    "StrTime", "Remark", "NickName", "Sender"])
        for i, (when, _, sent, text) in enumerate(thread):
            w.writerow([i + 1, 1, 1, 0, int(sent), int(_epoch(when)), 2, text, when, "", "李经理", ""])
        w.writerow([99, 1, 3, 0, 0, int(_epoch("2026-03-04 10:00:00")), 2, "<msg><img/></msg>", "", "", "李经理", ""])
    return path


# --- hostile -------------------------------------------------------------------------------------

def xml_bomb(path: Path) -> Path:
    ents = ['<!ENTITY a0 "lol">'] + [f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)]
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE smses [\n' + "\n".join(ents) +
                    ']>\n<smses><sms address="1" date="0" type="1" body="&a9;"/></smses>\n', encoding="utf-8")
    return path


def png_bytes(width: int, height: int, rows: bytes | None = None) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = rows if rows is not None else b"".join(b"\x00" + b"\xff" * (3 * width) for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def huge_png(path: Path) -> Path:
    """A valid PNG header claiming 100000 × 100000 pixels (the data is tiny and never decoded)."""
    path.write_bytes(png_bytes(100_000, 100_000, rows=b"\x00"))
    return path


def truncated_png(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def blank_png(path: Path) -> Path:
    path.write_bytes(png_bytes(400, 300))
    return path


def not_sms_sqlite(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO recipes (name) VALUES ('番茄炒蛋')")
    con.commit()
    con.close()
    return path


def encrypted_db(path: Path) -> Path:
    path.write_bytes(os.urandom(64 * 1024))
    return path


def encrypted_backup(folder: Path) -> Path:
    import plistlib

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "Manifest.plist", "wb") as f:
        plistlib.dump({"IsEncrypted": True, "Version": "10.0"}, f)
    (folder / "Manifest.db").write_bytes(os.urandom(4096))
    return folder
