"""Android "SMS Backup & Restore" XML: ``<smses><sms address= date= type= body= …/><mms …/></smses>``.

Parsed with defusedxml (no DTDs, no entity expansion, no external references: an XML bomb is refused,
not expanded), streaming with ``iterparse`` and clearing each element, so memory does not grow with
the file. ``type`` 1 is received; 2 (sent), 3 (draft), 4 (outbox), 5 (failed) and 6 (queued) were
written by the user. MMS text parts are read too (``msg_box`` 1 received, else sent). A file cut off
mid-way keeps every message before the cut and ends with a row that says where the file broke.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .messages import RECEIVED, SENT, SENT_NOTE, fmt_time, from_epoch

COLUMNS = ["time", "sender", "contact", "direction", "kind", "text"]
MAX_MESSAGES = 5_000_000
MAX_FILE_BYTES = 4 * 1024**3


def sniff(head: bytes) -> bool:
    text = head[:4096].lstrip(b"\xef\xbb\xbf \r\n\t")
    return text.startswith(b"<") and re.search(rb"<smses[\s>]", text) is not None


def _when(value: str | None):
    try:
        return from_epoch(int(value) / 1000) if value else None
    except ValueError:
        return None


def open_sms_xml(path: str):
    """A Source with one row per ``sms``/``mms`` element, in file order."""
    import os

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    from .tabular import InputError, Row, Source

    if os.path.getsize(path) > MAX_FILE_BYTES:
        raise InputError(f"{path}: larger than {MAX_FILE_BYTES // 1024**3} GB; split the backup")
    fh = open(path, "rb")  # noqa: SIM115 - closed when the rows are exhausted
    events = iterparse(fh, events=("start", "end"), forbid_dtd=True)
    try:  # fail now, before any output, if the start is not an SMS backup
        _, root = next(events)
    except DefusedXmlException:
        fh.close()
        raise InputError(f"{path}: refused: the XML declares a DTD or entities, which an SMS backup never has "
                         "(that is how an 'XML bomb' works); nothing was expanded") from None
    except SyntaxError as e:
        fh.close()
        raise InputError(f"{path}: not readable XML ({e})") from None
    if root.tag != "smses":
        fh.close()
        raise InputError(f"{path}: XML, but not an SMS Backup & Restore file (root <{root.tag}>, expected <smses>)")

    def rows() -> Iterator[Row]:
        n = 0
        mms_text: list[str] = []
        try:
            for event, el in events:
                if event == "start":
                    continue
                if el.tag == "part" and (el.get("ct") or "").startswith("text/plain") and el.get("text"):
                    mms_text.append(el.get("text"))
                if el.tag not in ("sms", "mms"):
                    continue
                n += 1
                if n > MAX_MESSAGES:
                    yield Row([""] * len(COLUMNS), error=f"more than {MAX_MESSAGES:,} messages: the rest was not read")
                    return
                if el.tag == "sms":
                    typ = el.get("type", "1")
                    sent = typ not in ("1", "")
                    text = el.get("body") or ""
                    kind = "sms"
                else:
                    sent = el.get("msg_box", "1") != "1"
                    text = "\n".join(mms_text)
                    kind = "mms"
                mms_text = []
                contact = el.get("contact_name") or ""
                row = Row([fmt_time(_when(el.get("date"))), el.get("address") or "",
                           "" if contact in ("(Unknown)", "null") else contact,
                           SENT if sent else RECEIVED, kind, "" if text == "null" else text])
                if sent:
                    row.skip = SENT_NOTE
                yield row
                el.clear()
                root.clear()
        except (DefusedXmlException, SyntaxError) as e:
            yield Row([""] * len(COLUMNS), error=f"the XML breaks after message {n} ({type(e).__name__}: {e}); "
                                                 "the messages after that point could not be read")
        finally:
            fh.close()

    return Source(path, "sms-backup-xml", list(COLUMNS), rows(),
                  notes=["Android SMS Backup & Restore XML; times in China time (UTC+8)"])
