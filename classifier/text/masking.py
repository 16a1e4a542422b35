"""Masking personal numbers for display: phones as 138****5678, ID and bank-card numbers likewise.

Masks keep the length of what they replace, so character spans (evidence highlights) stay valid.
Numbers are found however they are written: full-width digits (１３８…), separated by spaces, dots or
hyphens (138 1234 5678, 138.1234.5678), with a country code (+86 …) or an area code in brackets
((0755)12345678, （0755）12345678). Matching runs on a copy where full-width forms are mapped to
ASCII one character for one, and the masks are applied to the original at the same positions.
"""

from __future__ import annotations

import re

_FULLWIDTH = {**{0xFF10 + i: ord("0") + i for i in range(10)}, 0xFF08: ord("("), 0xFF09: ord(")"),
              0xFF0B: ord("+"), 0xFF0D: ord("-"), 0xFF0E: ord("."), 0x3000: ord(" "), 0x2010: ord("-"),
              0x2011: ord("-"), 0x2012: ord("-"), 0x2013: ord("-"), 0x2014: ord("-"), 0xFF38: ord("X"),
              0xFF58: ord("x")}
_S = r"[ .-]?"
_ID = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")
_CARD = re.compile(r"(?<!\d)(\d{4})(\d{8,11})(\d{4})(?!\d)|(?<!\d)(\d{4})([ -]\d{4}[ -]\d{4}[ -])(\d{4}(?:\d{1,3})?)(?!\d)")
_PHONE = re.compile(rf"(?<!\d)(\(?\+?86\)?{_S})?(1[3-9]\d)({_S})(\d{{4}})({_S})(\d{{4}})(?!\d)")
_LANDLINE = re.compile(rf"(?<!\d)(\(0\d{{2,3}}\){_S}|0\d{{2,3}}[ .-]|0\d{{2,3}})(\d{{3,4}})({_S})(\d{{4}})(?!\d)")
# (pattern, the groups whose digits are starred)
_RULES = ((_ID, (2,)), (_CARD, (2, 5)), (_PHONE, (4,)), (_LANDLINE, (2,)))


def mask_pii(text: str) -> str:
    """Mask mobile, landline, ID-card and bank-card numbers in ``text`` (same length as the input)."""
    if not text or not any(c.isdigit() for c in text):
        return text
    out = list(text)
    probe = text.translate(_FULLWIDTH)
    for rx, groups in _RULES:
        starred = list(probe)
        for m in rx.finditer(probe):
            for g in groups:
                if m.group(g) is None:
                    continue
                for i in range(m.start(g), m.end(g)):
                    if probe[i].isdigit():
                        out[i] = starred[i] = "*"
        probe = "".join(starred)
    return "".join(out)
