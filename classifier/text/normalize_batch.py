"""Normalize a whole batch at once: :func:`normalize.normalize` of every text, run on one joined string.

Every step of :func:`normalize.normalize` is a C-implemented string operation (``str.translate``,
``unicodedata``, OpenCC's C++ converter, ``re``); per message, most of its ~20 µs is the Python
overhead of calling them a dozen times. Here each step runs once over the batch joined with
``DOC_SEP`` (a control character: step 1 deletes it from every message, NFKC and OpenCC leave it
alone, no pattern matches across it and ``\\s`` counts it as space), then the result is split back.
The equality with :func:`normalize.normalize` is pinned by tests on the test split and on
generated strings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from .normalize import (
    _ANY_INVISIBLE,
    _BETWEEN_CJK,
    _CJK_LATIN_SPACE,
    _EMOJI,
    _EMOJI_KEEP,
    _INVISIBLE,
    _MASK_ANY,
    _NEWLINES,
    _SEP,
    _SPACED_LETTERS,
    _SPACES,
    _SURROGATES,
    _emoji_tail,
    _mask,
    _sep_join,
    _t2s,
)

DOC_SEP = "\x1e"

# The same patterns behind a lookahead on their first character, so the regex engine skips most
# positions at once (each starts by consuming exactly such a character).
_BETWEEN_CJK_FAST = re.compile("(?=" + _SEP.replace("\\s", " \t\u3000") + ")" + _BETWEEN_CJK.pattern)
_SPACED_LETTERS_FAST = re.compile("(?=[a-z])" + _SPACED_LETTERS.pattern)
_CJK_LATIN_SPACE_FAST = re.compile("(?=[ \t\u3000])(?:" + _CJK_LATIN_SPACE.pattern + ")")


@lru_cache(maxsize=1)
def _nfkc_tables() -> tuple[np.ndarray, np.ndarray]:
    """BMP code point -> its NFKC form when that is one character (else itself), and which BMP code
    points have a longer NFKC form (…, ‼, ㈱); ~40 ms to build, once per process."""
    single = np.arange(0x10000, dtype=np.uint32)
    longer = np.zeros(0x10000, dtype=bool)
    for c in range(0x10000):
        if not 0xD800 <= c < 0xE000:
            n = unicodedata.normalize("NFKC", chr(c))
            if len(n) == 1:
                single[c] = ord(n)
            elif len(n) > 1:
                longer[c] = True
    return single, longer


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, with the characters' own NFKC forms put in first: the
    one-character ones (full-width punctuation, letters, digits) by one table lookup over the whole
    batch, the few longer ones (…) by ``str.replace``.

    Replacing characters by their NFKC forms keeps the text's compatibility decomposition, so NFKC
    of the result is NFKC of the input; when the result is already normalized, it is that.
    """
    single, longer = _nfkc_tables()
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    bmp = cp < 0x10000
    idx = np.where(bmp, cp, 0)
    out = np.where(bmp, single[idx], cp).tobytes().decode("utf-32-le")
    for c in np.unique(cp[bmp & longer[idx]]).tolist():
        out = out.replace(chr(c), unicodedata.normalize("NFKC", chr(c)))
    return out if unicodedata.is_normalized("NFKC", out) else unicodedata.normalize("NFKC", out)


#: Recently normalized short texts (raw text → normalized): a lender's log repeats many texts word for
#: word (40% of the rows of a 200k-row log were seen in the last 10,000 texts), each normalized once
#: then. Bounded: at most ``CACHE_ITEMS`` texts of at most ``CACHE_CHARS`` characters (cleared when
#: full), a few MB. The result of a text does not depend on the others normalized with it (see above).
_CACHE: dict[str, str] = {}
CACHE_ITEMS = 10_000
CACHE_CHARS = 300


def normalize_many(texts: Sequence[object]) -> list[str]:
    """``[normalize(t) for t in texts]`` (non-strings become ""), several times faster on a batch.

    Texts normalized recently are not normalized again (``_CACHE``)."""
    cache = _CACHE
    if not isinstance(texts, list):  # a Series or an array: read by position below
        texts = list(texts)
    try:
        out = list(map(cache.get, texts))
    except TypeError:  # an unhashable non-string (it becomes "")
        out = [cache.get(t) if isinstance(t, str) else None for t in texts]
    missing = [i for i, norm in enumerate(out) if norm is None]
    if missing:
        todo = [texts[i] for i in missing]
        for i, t, norm in zip(missing, todo, _normalize_joined(todo), strict=True):
            out[i] = norm
            if isinstance(t, str) and len(t) <= CACHE_CHARS:
                if len(cache) >= CACHE_ITEMS:
                    cache.clear()
                cache[t] = norm
    return out


def _normalize_joined(texts: Sequence[object]) -> list[str]:
    """``normalize_many`` without the cache: every text, normalized on one joined string."""
    clean = []
    for t in texts:
        if not isinstance(t, str):
            t = ""
        elif _ANY_INVISIBLE.search(t):
            t = _SURROGATES.sub("", t.translate(_INVISIBLE))
        clean.append(t)
    if not clean:
        return []
    big = _t2s().convert(_nfkc(DOC_SEP.join(clean)).lower())
    parts = big.split(DOC_SEP)
    if len(parts) != len(clean):  # cannot happen (see the module docstring); never guess
        raise AssertionError("batch normalization lost a message boundary")
    tails = [""] * len(parts)
    if _EMOJI.search(big):
        for i, part in enumerate(parts):
            if _EMOJI.search(part):
                tails[i] = _emoji_tail([c for run in _EMOJI.findall(part) for c in _EMOJI_KEEP.sub("", run)])
                parts[i] = _EMOJI.sub(" ", part)
        big = DOC_SEP.join(parts)
    big = _MASK_ANY.sub(_mask, big)
    big = _BETWEEN_CJK_FAST.sub("", big)
    big = _SPACED_LETTERS_FAST.sub(_sep_join, big)
    if " " in big or "\t" in big:
        big = _CJK_LATIN_SPACE_FAST.sub("", big)
        big = _SPACES.sub(" ", big)
    if "\n" in big:
        big = _NEWLINES.sub("\n", big)
    parts = big.split(DOC_SEP)
    if len(parts) != len(clean):
        raise AssertionError("batch normalization lost a message boundary")
    return [p.strip() + tail for p, tail in zip(parts, tails, strict=True)]
