"""Masking personal numbers for display: phones as 138****5678, ID and bank-card numbers likewise.

Masks keep the length of what they replace, so character spans (evidence highlights) stay valid.
"""

from __future__ import annotations

import re

_PHONE = re.compile(r"(?<!\d)(\+?86[ -]?)?(1[3-9]\d)([ -]?)(\d{4})([ -]?)(\d{4})(?!\d)")
_ID = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")
_CARD = re.compile(r"(?<!\d)(\d{4})(\d{8,11})(\d{4})(?!\d)|(?<!\d)(\d{4})([ -]\d{4}[ -]\d{4}[ -])(\d{4}(?:\d{1,3})?)(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[ -])(\d{3,4})(\d{4})(?!\d)")


def _stars(s: str) -> str:
    return re.sub(r"\d", "*", s)


def mask_pii(text: str) -> str:
    """Mask mobile, landline, ID-card and bank-card numbers in ``text`` (same length as the input)."""
    if not text or not any(c.isdigit() for c in text):
        return text
    text = _ID.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    text = _CARD.sub(lambda m: (m.group(1) or m.group(4)) + _stars(m.group(2) or m.group(5)) + (m.group(3) or m.group(6)),
                     text)
    text = _PHONE.sub(lambda m: (m.group(1) or "") + m.group(2) + m.group(3) + "****" + m.group(5) + m.group(6), text)
    text = _LANDLINE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    return text

