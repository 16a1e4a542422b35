"""The domain lexicon: collection concepts (visits, legal process, invented penalties, relatives …) and
the message context (private message, group chat, public post), as tokens for the model.

The concepts and their words live in ``resources/lexicon.json`` (regular expressions matched on
normalized text). :func:`concept_spans` is a pure function of one normalized message; the model's
``NgramHasher(concepts=True)`` hashes the tokens it returns like any other n-gram, so the concepts
add no pipeline block and no state. The same lexicon is meant for the legal reason codes
(``concept_matches`` gives the matched words with their spans), so that label and reasons can rest
on one word list.

Tokens (the strings hashed; stable, documented for other implementations of the features):

- ``c:<concept>`` for every match of a concept, spanning the matched characters;
- ``c:<a>+<b>`` once for every pair of distinct concepts present (``a < b``), no span;
- ``c:no_debt`` once when no debt word is present, no span;
- ``x:<context>`` and ``x:<context>+<concept>`` (for every concept present) when the message
  carries a context marker (see :func:`mark`), no span.

A context other than private is passed as one reserved character (Unicode private use, never in
normalized text otherwise) in front of the normalized message; ``NgramHasher`` reads it here and
blanks it to a space before the word, character and pinyin n-grams, so those see the same text in
every context.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from ..config import RESOURCES_DIR

LEXICON_PATH = RESOURCES_DIR / "lexicon.json"

PRIVATE, GROUP, POST = "private", "group", "post"
#: The message contexts, default first.
CONTEXTS: tuple[str, ...] = (PRIVATE, GROUP, POST)
#: Names accepted for each context in user input (CLI, API, batch column).
CONTEXT_ALIASES: dict[str, str] = {
    "private": PRIVATE, "dm": PRIVATE, "sms": PRIVATE, "私聊": PRIVATE, "私信": PRIVATE, "短信": PRIVATE,
    "group": GROUP, "group_chat": GROUP, "群聊": GROUP, "群": GROUP,
    "post": POST, "public": POST, "public_post": POST, "公开": POST, "帖子": POST, "朋友圈": POST,
    "评论": POST, "公告": POST,
}
#: Reserved marker character per non-default context.
MARKERS: dict[str, str] = {GROUP: "\ue011", POST: "\ue012"}
_CONTEXT_OF_MARKER = {v: k for k, v in MARKERS.items()}
_MARKER_CHARS = "".join(MARKERS.values())


class ContextError(ValueError):
    """An unknown context name."""


def parse_context(value: object) -> str:
    """A context name from user input (``""``/None -> private); raises ContextError for unknown names."""
    if value is None:
        return PRIVATE
    key = str(value).strip().lower()
    if not key or key == "nan":
        return PRIVATE
    if key in CONTEXT_ALIASES:
        return CONTEXT_ALIASES[key]
    raise ContextError(f"unknown context {value!r}; use one of {', '.join(CONTEXTS)}")


def mark(norm: str, context: str = PRIVATE) -> str:
    """The normalized message with its context marker in front (private: unchanged)."""
    norm = norm.lstrip(_MARKER_CHARS)  # a stray marker in the input must not set the context
    marker = MARKERS.get(context, "")
    return marker + norm if marker and norm else norm


def unmark(norm: str) -> str:
    """The normalized message without its context marker."""
    return norm.lstrip(_MARKER_CHARS)


def context_of(norm: str) -> str:
    """The context a (marked) normalized message carries."""
    return _CONTEXT_OF_MARKER.get(norm[:1], PRIVATE) if norm else PRIVATE


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, dict]:
    """``{concept: {"zh": …, "patterns": [...]}}`` from ``resources/lexicon.json``."""
    return json.loads(LEXICON_PATH.read_text(encoding="utf-8"))["concepts"]


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for name, spec in sorted(load_lexicon().items()):
        # longest alternatives first, so that 紧急联系人 wins over 联系人 at the same place
        pats = sorted(spec["patterns"], key=len, reverse=True)
        out.append((name, re.compile("|".join(f"(?:{p})" for p in pats))))
    return tuple(out)


def concepts() -> tuple[str, ...]:
    """The concept names, sorted."""
    return tuple(name for name, _ in _compiled())


def concept_matches(norm: str) -> list[tuple[str, int, int]]:
    """Every concept match ``(concept, start, end)`` in a normalized message, by concept then position."""
    return [(name, m.start(), m.end()) for name, pat in _compiled() for m in pat.finditer(norm) if m.end() > m.start()]


def concept_spans(norm: str) -> list[tuple[str, int, int]]:
    """The model's concept and context tokens of one normalized (possibly marked) message, with spans.

    Spanless tokens have ``start == end`` (they never show as evidence phrases).
    """
    if not norm:
        return []
    context = _CONTEXT_OF_MARKER.get(norm[0], PRIVATE)
    out = [(f"c:{name}", a, b) for name, a, b in concept_matches(norm)]
    present = sorted({t[2:] for t, _, _ in out})
    for i, a in enumerate(present):
        for b in present[i + 1:]:
            out.append((f"c:{a}+{b}", 0, 0))
    if "debt" not in present:
        out.append(("c:no_debt", 0, 0))
    if context != PRIVATE:
        out.append((f"x:{context}", 0, 0))
        out.extend((f"x:{context}+{c}", 0, 0) for c in present)
    return out


def concept_tokens(norm: str) -> list[str]:
    """The tokens of :func:`concept_spans`, without spans."""
    return [t for t, _, _ in concept_spans(norm)]
