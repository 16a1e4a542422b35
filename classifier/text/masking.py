"""Personal numbers: every pattern that finds phone, ID and bank-card numbers lives here.

- :func:`mask_pii` masks them for display (phones as 138****5678, ID and card numbers likewise),
  keeping the length of what it replaces, so character spans (evidence highlights) stay valid;
- ``NORMALIZER_PATTERNS`` are what the model's normalizer (text.normalize) replaces with one
  placeholder character each. They also match numbers that are already masked (``138****5678``)
  and service numbers, and are kept exactly as the shipped model was trained with: changing them
  changes the model's features, so they differ from the display patterns on purpose.
"""

from __future__ import annotations

import re

_PHONE = re.compile(r"(?<!\d)(\+?86[ -]?)?(1[3-9]\d)([ -]?)(\d{4})([ -]?)(\d{4})(?!\d)")
_ID = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")
_CARD = re.compile(r"(?<!\d)(\d{4})(\d{8,11})(\d{4})(?!\d)|(?<!\d)(\d{4})([ -]\d{4}[ -]\d{4}[ -])(\d{4}(?:\d{1,3})?)(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[ -])(\d{3,4})(\d{4})(?!\d)")


#: Placeholder name -> pattern, for text.normalize (applied to lower-cased NFKC text, in this order).
NORMALIZER_PATTERNS: dict[str, str] = {
    "IDNO": r"(?<!\d)\d{6}(?:19|20)\d{2}[\d*]{2}[\d*]{2}[\d*]{3}[\dx*](?!\d)|(?<!\d)\d{6}\*{6,8}\d{3}[\dx](?!\d)",
    "CARD": r"(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?:\d{1,3})?(?!\d)|(?<!\d)\d{4,6}\*{4,9}\d{4}(?!\d)",
    "PHONE": (r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?[\d*]{4}[ -]?\d{4}(?!\d)"
              r"|(?<!\d)(?:400|800)[ -]?\d{3}[ -]?\d{4}(?!\d)"
              r"|(?<!\d)0\d{2,3}[ -]\d{7,8}(?!\d)"),
    "SERVICE": r"(?<!\d)9[56]\d{3}(?!\d)",
}


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

