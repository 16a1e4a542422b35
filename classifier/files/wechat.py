"""WeChat chat exports as the common export tools write them.

- Text: a header line per message, "name time" (``李经理 2026-03-05 21:40:12``) or "time name",
  then the message's lines until the next header.
- CSV (MemoTrace/留痕 style): ``StrContent`` text, ``IsSender`` 1 for the user's own messages,
  ``CreateTime`` epoch seconds or ``StrTime``, ``NickName``/``Sender``, ``Type`` (1 = text).

Which name is the user: names such as 我/Me/自己; otherwise, when the file is named after one of the
two people in the chat (exports are usually named after the contact), the other one. When it cannot
be told, the direction is left empty, every message is scored, and the summary says so.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from .messages import RECEIVED, SENT, SENT_NOTE, fmt_time, from_epoch

COLUMNS = ["time", "sender", "direction", "text"]
ME = {"我", "me", "自己", "我自己", "本人", "myself"}
_T = r"(\d{4}[-/]\d{1,2}[-/]\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?)"
_NAME_TIME = re.compile(rf"^(?P<name>\S.{{0,40}}?)\s+{_T}\s*$")
_TIME_NAME = re.compile(rf"^{_T}\s+(?P<name>\S.{{0,40}}?)\s*$")
_MAX_HEAD = 65536
_WECHAT_TYPES = {"1": "text", "3": "image", "34": "voice", "43": "video", "47": "sticker", "48": "location",
                 "49": "link or file", "50": "call", "10000": "system notice"}


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _header(line: str) -> tuple[str, str] | None:
    m = _NAME_TIME.match(line) or _TIME_NAME.match(line)
    if not m:
        return None
    name = m.group("name").strip()
    if "," in name or "\t" in name:
        return None
    return name, m.group(1 if m.re is _TIME_NAME else 2)


def _is_csv(text: str) -> bool:
    first = text.split("\n", 1)[0].lower()
    return "strcontent" in first and ("issender" in first or "createtime" in first)


def sniff(head: bytes) -> bool:
    text = _decode(head[:_MAX_HEAD])
    if _is_csv(text):
        return True
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:200]
    headers = sum(1 for ln in lines if _header(ln))
    return headers >= 2 and headers >= 0.2 * len(lines)


def _me(names: list[str], path: str) -> set[str]:
    found = {n for n in names if n.lower() in ME}
    if found:
        return found
    distinct = list(dict.fromkeys(names))
    stem = Path(path).stem
    others = [n for n in distinct if n not in stem]
    if len(distinct) == 2 and len(others) == 1:
        return set(others)
    return set()


def open_wechat(path: str):
    """A Source with one row per message."""
    from .tabular import InputError, Row, Source, parse_datetime

    size = Path(path).stat().st_size
    if size > 2 * 1024**3:
        raise InputError(f"{path}: larger than 2 GB; split the export")
    text = _decode(Path(path).read_bytes())
    if _is_csv(text):
        return _open_csv(path, text)
    messages: list[tuple[str, str, list[str]]] = []
    for line in text.splitlines():
        h = _header(line.strip())
        if h:
            messages.append((h[0], h[1], []))
        elif messages:
            messages[-1][2].append(line)
    if not messages:
        raise InputError(f"{path}: no 'name time' header lines found; not a WeChat text export")
    me = _me([m[0] for m in messages], path)
    notes = ["WeChat text export"]
    if me:
        notes.append(f"taking {', '.join(sorted(me))} as you: those messages are kept but not scored")
    else:
        names = list(dict.fromkeys(m[0] for m in messages))
        notes.append(f"cannot tell which of {', '.join(names[:6])} is you: every message is scored "
                     "(pass --me YOUR_NAME, or name the file after the contact, to skip your own)")

    def rows() -> Iterator[Row]:
        for name, when, body in messages:
            d = parse_datetime(when)
            direction = (SENT if name in me else RECEIVED) if me else ""
            row = Row([fmt_time(d) if d else when, name, direction, "\n".join(body).strip()])
            if direction == SENT:
                row.skip = SENT_NOTE
            yield row

    return Source(path, "wechat-text", list(COLUMNS), rows(), notes=notes)


def _open_csv(path: str, text: str):
    from .tabular import Row, Source

    reader = csv.DictReader(io.StringIO(text))
    key = {k.lower(): k for k in reader.fieldnames or []}

    def get(r: dict, *names: str) -> str:
        for n in names:
            if n in key and r.get(key[n]) not in (None, ""):
                return str(r[key[n]])
        return ""

    def rows() -> Iterator[Row]:
        for r in reader:
            sent = get(r, "issender") == "1"
            stamp = get(r, "createtime")
            when = fmt_time(from_epoch(int(stamp))) if stamp.isdigit() else get(r, "strtime")
            typ = get(r, "type") or "1"
            name = "我" if sent else get(r, "remark", "nickname", "sender", "talkerid")
            body = get(r, "strcontent") if typ == "1" else ""
            row = Row([when, name, SENT if sent else RECEIVED, body])
            if sent:
                row.skip = SENT_NOTE
            elif typ != "1":
                row.error = f"not a text message ({_WECHAT_TYPES.get(typ, 'type ' + typ)})"
            yield row

    return Source(path, "wechat-csv", list(COLUMNS), rows(), notes=["WeChat CSV export (StrContent, IsSender)"])
