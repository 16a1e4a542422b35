"""Text normalization: see through the tricks collectors use to slip past keyword filters.

Steps, in order (each is a plain string operation, so the fast path costs a few microseconds):

1. drop invisible characters (zero-width, soft hyphen, BOM, control characters, lone surrogates);
2. Unicode NFKC (full-width letters and digits to half width, compatibility forms) and lower case;
3. traditional to simplified Chinese with OpenCC (the maintained converter, ``t2s`` profile);
4. emoji are moved out of the text and appended on a last line, so "还🔪钱" reads "还钱" while the
   🔪 stays visible to the features;
5. URLs, ID, bank-card and phone numbers and long digit runs become placeholder characters, so the
   model neither learns nor stores them (short digit runs stay: "4" can stand for 死);
6. separators between Chinese characters are removed ("还 钱", "爆.通.讯.录", "逾-期"), spaced
   single letters are joined ("c u i" -> "cui"), and spaces between Chinese and Latin are dropped;
7. runs of spaces collapse to one; line breaks are kept (they separate the turns of a transcript).

:func:`normalize_aligned` returns the same string plus, for every output character, the index of
the input character it came from; it is slower and only used to highlight evidence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import opencc

from .masking import NORMALIZER_PATTERNS

#: Placeholders for masked spans (Unicode private-use characters: never in real text after step 1).
PLACEHOLDERS: dict[str, str] = {
    "URL": "\ue001",
    "IDNO": "\ue002",
    "CARD": "\ue003",
    "PHONE": "\ue004",
    "SERVICE": "\ue005",
    "NUM": "\ue006",
}
PLACEHOLDER_NAMES: dict[str, str] = {v: k for k, v in PLACEHOLDERS.items()}

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

_INVISIBLE = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0), 0xAD,
     *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0xFEFF],
)
_INVISIBLE[0x0D] = "\n"  # \r -> \n (then \n\n collapses)
_SURROGATES = re.compile("[\ud800-\udfff]")

_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u3297\u3299\ufe0e\ufe0f\u200d"
    "\U000e0020-\U000e007f]+"
)
_EMOJI_KEEP = re.compile("[\ufe0e\ufe0f\u200d\U000e0020-\U000e007f]")

# Order matters: the first alternative that matches wins.
_MASKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef" + CJK + r"]+"
                # a placeholder after the domain counts as a word character: masking is then idempotent
                r"|\b[a-z0-9-]+\.(?:com|cn|net|top|xyz|cc|vip|me|app|ly|co)(?![\w\ue001-\ue006])(?:/[\w/?=&.%-]*)?"),
     PLACEHOLDERS["URL"]),
    *((re.compile(NORMALIZER_PATTERNS[name]), PLACEHOLDERS[name]) for name in ("IDNO", "CARD", "PHONE", "SERVICE")),
    (re.compile(r"(?<![\d.])(?:\d{3,}|\d+(?:[.,]\d+)+)(?:[.,]\d+)*|\*{3,}\d*"), PLACEHOLDERS["NUM"]),
]
# The leading lookahead lets the engine reject most positions at once (5x faster on typical SMS).
_MASK_ANY = re.compile(r"(?=[\d*+hw]|[a-z0-9-]+\.)(?:"
                       + "|".join(f"(?P<m{i}>{p.pattern})" for i, (p, _) in enumerate(_MASKS)) + ")")
_MASK_REPL = {f"m{i}": r for i, (_, r) in enumerate(_MASKS)}

_SEP = r"[\s.*\-_~|/\\+^#@=`'\"&%$<>\[\]{}·•・丶～]"
_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}]) ?{_SEP}{{1,3}}(?=[{CJK}])".replace("\\s", " \t\u3000"))
_SPACED_LETTERS = re.compile(r"(?<![a-z])[a-z](?:[ .*\-_]{1,2}[a-z](?![a-z]))+")
_CJK_LATIN_SPACE = re.compile(rf"(?<=[{CJK}])[ \t\u3000]+(?=[a-z0-9])|(?<=[a-z0-9])[ \t\u3000]+(?=[{CJK}])")
_SPACES = re.compile(r"[ \t\u3000]+")
_NEWLINES = re.compile(r" ?\n[\n ]*")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _sep_join(m: re.Match[str]) -> str:
    return re.sub(r"[ .*\-_]", "", m.group(0))


def _mask(m: re.Match[str]) -> str:
    return _MASK_REPL[m.lastgroup or ""]


def _emoji_tail(emojis: list[str]) -> str:
    return ("\n" + " ".join(emojis)) if emojis else ""


_ANY_INVISIBLE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_INVISIBLE)) + "\ud800-\udfff]")


def normalize(text: str) -> str:
    """Normalize one message for the features (fast path).

    Each step is skipped when a cheap check shows it would change nothing (this runs once per
    message in batch scoring); :func:`normalize_aligned` runs every step and must agree.
    """
    if _ANY_INVISIBLE.search(text):
        text = _SURROGATES.sub("", text.translate(_INVISIBLE))
    text = _t2s().convert(unicodedata.normalize("NFKC", text).lower())
    emojis: list[str] = []
    if _EMOJI.search(text):
        emojis = [c for run in _EMOJI.findall(text) for c in _EMOJI_KEEP.sub("", run)]
        text = _EMOJI.sub(" ", text)
    text = _MASK_ANY.sub(_mask, text)
    text = _BETWEEN_CJK.sub("", text)
    text = _SPACED_LETTERS.sub(_sep_join, text)
    if " " in text or "\t" in text:
        text = _CJK_LATIN_SPACE.sub("", text)
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _NEWLINES.sub("\n", text)
    return text.strip() + _emoji_tail(emojis)


# --- aligned path -------------------------------------------------------------------------------

Aligned = tuple[str, list[int]]


def _charwise(text: str, offsets: list[int], fn: Callable[[str], str]) -> Aligned:
    whole = fn(text)
    if len(whole) == len(text):
        return whole, offsets
    pieces = [fn(c) for c in text]
    if "".join(pieces) == whole:
        out: list[int] = []
        for piece, off in zip(pieces, offsets, strict=True):
            out.extend([off] * len(piece))
        return whole, out
    return whole, _proportional(offsets, len(whole))


def _proportional(offsets: list[int], n: int) -> list[int]:
    if not offsets:
        return [0] * n
    return [offsets[min(len(offsets) - 1, i * len(offsets) // max(n, 1))] for i in range(n)]


def _sub(pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str] | str, text: str,
         offsets: list[int]) -> Aligned:
    out: list[str] = []
    out_off: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        a, b = m.span()
        out.append(text[last:a])
        out_off.extend(offsets[last:a])
        r = repl(m) if callable(repl) else repl
        out.append(r)
        if len(r) == b - a:
            out_off.extend(offsets[a:b])
        else:
            start = offsets[a] if a < len(offsets) else (offsets[-1] if offsets else 0)
            out_off.extend([start] * len(r))
        last = b
    out.append(text[last:])
    out_off.extend(offsets[last:])
    return "".join(out), out_off


def normalize_aligned(text: str) -> Aligned:
    """Normalize and return ``(normalized, origin)`` with ``origin[i]`` the input index of output char ``i``."""
    offsets = list(range(len(text)))
    text, offsets = _charwise(text, offsets, lambda s: _SURROGATES.sub("", s.translate(_INVISIBLE)))
    text, offsets = _charwise(text, offsets, lambda s: unicodedata.normalize("NFKC", s).lower())
    text, offsets = _charwise(text, offsets, _t2s().convert)
    emojis = [(c, offsets[m.start() + i]) for m in _EMOJI.finditer(text)
              for i, c in enumerate(m.group(0)) if not _EMOJI_KEEP.fullmatch(c)]
    text, offsets = _sub(_EMOJI, " ", text, offsets)
    text, offsets = _sub(_MASK_ANY, _mask, text, offsets)
    text, offsets = _sub(_BETWEEN_CJK, "", text, offsets)
    text, offsets = _sub(_SPACED_LETTERS, _sep_join, text, offsets)
    text, offsets = _sub(_CJK_LATIN_SPACE, "", text, offsets)
    text, offsets = _sub(_SPACES, " ", text, offsets)
    text, offsets = _sub(_NEWLINES, "\n", text, offsets)
    lead = len(text) - len(text.lstrip())
    text, offsets = text.strip(), offsets[lead:lead + len(text.strip())]
    if emojis:
        tail_off: list[int] = [emojis[0][1]]  # the "\n"
        for i, (_, o) in enumerate(emojis):
            if i:
                tail_off.append(o)  # the space
            tail_off.append(o)
        text, offsets = text + _emoji_tail([e for e, _ in emojis]), offsets + tail_off
    return text, offsets


_DISPLAY = {ord(ch): f"<{name}>" for ch, name in PLACEHOLDER_NAMES.items()}
_ANY_PLACEHOLDER = re.compile("[" + "".join(PLACEHOLDER_NAMES) + "]")


def display(normalized: str) -> str:
    """Make a normalized string readable: placeholders become ``<PHONE>`` etc."""
    # str.translate with a dict pays a failed lookup for every other character: only call it when needed
    return normalized.translate(_DISPLAY) if _ANY_PLACEHOLDER.search(normalized) else normalized


def __getattr__(name: str):
    # The scikit-learn pipeline step lives apart so that scoring never imports scikit-learn;
    # pickles that name ``normalize.TextNormalizer`` still find it here.
    if name == "TextNormalizer":
        from .normalizer_step import TextNormalizer

        return TextNormalizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
