"""What the text alone cannot say: where a message was posted, its conversation, and how sure the model is.

Rules applied after the model, all here, in :func:`decide` (``scoring.core`` calls it for classify,
the web API, batch and the report; ``modeling.real`` for the evaluation in conversations):

- **context**: ``private`` (the default: a message to one person), ``group`` (a group chat) or
  ``post`` (a public post, comment or 朋友圈). A group message or a post that the model reads as
  collection (any tag but ``not_collection``) and that speaks of a debt tells others about the debt,
  so it gets ``third_party_contact`` (a ``lawful_reminder`` gives way: labels.add_tag);
- **conversation**: in an export with a conversation or sender column, a short message (at most
  :data:`SHORT_CHARS` normalized characters) or an unsure one keeps a collection tag only if its
  conversation mentions a debt somewhere, before or after; otherwise it is ``not_collection``.
  :class:`DebtConversations` remembers which conversations do, from a first pass over the file;
- **unsure**: no tag is clearly above its threshold (:func:`is_unsure`); flagged, tags unchanged.

``decided_by`` says which rule set the tags: ``model``, ``context`` or ``conversation``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..labels import NOT_COLLECTION, TAG_NAMES, THIRD_PARTY_CONTACT, add_tag

if TYPE_CHECKING:  # kept light: the command line reads the names above at import
    from .results import Prediction


def mentions_debt(norm: str) -> bool:
    from ..text.concepts import mentions_debt as found

    return found(norm)

PRIVATE, GROUP, POST = "private", "group", "post"
CONTEXTS: tuple[str, ...] = (PRIVATE, GROUP, POST)
#: Where others read the message too.
SHARED_CONTEXTS: tuple[str, ...] = (GROUP, POST)
#: Accepted spellings of each context (case-insensitive), for the CLI, the API and a batch column.
CONTEXT_ALIASES: dict[str, str] = {
    **dict.fromkeys(("private", "私聊", "私信", "短信", "sms", "chat", "dm", "message"), PRIVATE),
    **dict.fromkeys(("group", "群", "群聊", "群消息", "group chat"), GROUP),
    **dict.fromkeys(("post", "public", "公开", "帖子", "发帖", "朋友圈", "评论", "微博", "论坛", "comment"), POST),
}
#: Input columns that give each row's context.
CONTEXT_COLUMN_NAMES: tuple[str, ...] = ("context", "场景")
#: Input columns that name a row's conversation (taken before the sender column of files.tabular).
CONVERSATION_COLUMN_NAMES: tuple[str, ...] = ("conversation", "conversation_id", "thread", "thread_id", "chat_id",
                                              "会话", "会话id", "对话", "聊天对象")
CONTEXT_HELP = "private (default; 私聊/私信/短信/sms/chat), group (群/群聊) or post (公开/帖子/朋友圈/评论/微博/论坛)"

#: Decisions: what set a message's tags.
BY_MODEL, BY_CONTEXT, BY_CONVERSATION = "model", "context", "conversation"

#: A message this short (normalized characters) says too little alone: "明天见", "在吗", "你等着".
#: Real personal chat is full of such lines, and the model flags them (issue 14: a two-character
#: "see you tomorrow" scored a threat at 0.94); only the conversation tells who is talking.
SHORT_CHARS = 15

#: How far (in probability) the deciding tag must be above its threshold for the answer to be
#: clear. Thresholds were tuned on written dev data, and answers close to them are coin flips: with
#: the shipped model, 5.4% of the written test split is within 0.10, and those get the primary label
#: right 42% of the time, the rest 93% (real collection test: 0.38 against 0.72; ``cuishou evaluate``). Closer
#: than this, a human should read the message rather than trust the tag.
UNSURE_MARGIN = 0.10

#: Most conversations remembered as being about a debt (8-byte hashes of their keys, as Python ints in
#: a set: about 17 MB when full). Past it, conversations not remembered are left to the model rather
#: than guessed (the batch summary says so).
MAX_DEBT_CONVERSATIONS = 200_000


_TAG_INDEX = {t: i for i, t in enumerate(TAG_NAMES)}


class ContextError(ValueError):
    """A context value that is none of :data:`CONTEXTS` or their aliases."""


def parse_context(value: object) -> str:
    """``private`` / ``group`` / ``post`` from any accepted spelling; empty means ``private``."""
    if value is None:
        return PRIVATE
    key = str(value).strip().lower()
    if not key:
        return PRIVATE
    found = CONTEXT_ALIASES.get(key)
    if found is None:
        raise ContextError(f"unknown context {str(value)[:40]!r}: use {CONTEXT_HELP}")
    return found


def is_unsure(scores: Mapping[str, float], tags: Sequence[str], thresholds: Sequence[float]) -> bool:
    """No tag clearly above its threshold: the deciding tag (the one of ``tags`` furthest above its
    threshold) is less than :data:`UNSURE_MARGIN` above it, or below it."""
    if not tags:
        return False
    if len(thresholds) != len(TAG_NAMES):
        raise ValueError(f"{len(thresholds)} thresholds for {len(TAG_NAMES)} tags")
    # only the tags' own thresholds are read (no dict of all five per call: this runs per distinct message)
    return max(scores[t] - float(thresholds[_TAG_INDEX[t]]) for t in tags) < UNSURE_MARGIN


def _norm(pred: Prediction) -> str:
    if pred.norm or not pred.text:
        return pred.norm
    from ..text.normalize import normalize

    return normalize(pred.text)


def decide(pred: Prediction, thresholds: Sequence[float], context: str = PRIVATE,
           conversation_debt: bool | None = None) -> Prediction:
    """The prediction with the rules applied (a copy: predictions may be shared between rows).

    ``context``: one of :data:`CONTEXTS`. ``conversation_debt``: whether the message's conversation
    mentions a debt (None: no conversation known, the rule does not apply).
    """
    if pred.error or not pred.tags:
        return dataclasses.replace(pred, context=context)
    unsure = is_unsure(pred.scores, pred.tags, thresholds)
    tags, by = pred.tags, BY_MODEL
    collection = tags != (NOT_COLLECTION,)
    if collection and conversation_debt is False and (unsure or len(_norm(pred)) <= SHORT_CHARS):
        tags, by = (NOT_COLLECTION,), BY_CONVERSATION
    elif (collection and context in SHARED_CONTEXTS and THIRD_PARTY_CONTACT not in tags
          and mentions_debt(_norm(pred))):
        tags, by = add_tag(tags, THIRD_PARTY_CONTACT), BY_CONTEXT
    if by == BY_MODEL and not unsure and context == pred.context:
        return pred
    evidence = [e for e in pred.evidence if e.tag in tags]
    return dataclasses.replace(pred, tags=tags, primary_label=tags[0], evidence=evidence, context=context,
                               decided_by=by, unsure=unsure)


class DebtConversations:
    """Which conversations mention a debt: a bounded set of 8-byte hashes of their keys.

    Fill it with :meth:`add` in a first pass over an export (every row, the user's own included:
    a debt the user mentions makes the conversation about a debt too), then ask :meth:`about_debt`.
    """

    def __init__(self, max_keys: int = MAX_DEBT_CONVERSATIONS):
        self.max_keys = max_keys
        self.keys: set[int] = set()
        self.full = False  # some conversation about a debt could not be remembered

    @staticmethod
    def key_hash(key: object) -> int | None:
        """The 8-byte hash the set keeps for the conversation ``key``; None when there is no key (blank).

        A caller that asks about a key and then notes it (batch's first pass) hashes it once this way."""
        s = (key if isinstance(key, str) else "" if key is None else str(key)).strip()
        if not s:
            return None
        return int.from_bytes(hashlib.blake2b(s.encode("utf-8", "replace"), digest_size=8).digest(), "big")

    def add(self, key: object, norm: str) -> None:
        """Note one message (its normalized text) of the conversation ``key``."""
        if norm and mentions_debt(norm):
            self.add_debt(key)

    def add_debt(self, key: object) -> None:
        """Note the conversation ``key`` as one that mentions a debt (its message was checked elsewhere);
        a blank key is no conversation."""
        h = self.key_hash(key)
        if h is not None:
            self.add_hash(h)

    def add_hash(self, h: int) -> None:
        """:meth:`add_debt` of the key whose :meth:`key_hash` is ``h``."""
        if h in self.keys:
            return
        if len(self.keys) >= self.max_keys:
            self.full = True
            return
        self.keys.add(h)

    def about_debt(self, key: object) -> bool | None:
        """True or False for a known conversation; None when there is no key (or the set overflowed)."""
        h = self.key_hash(key)
        if h is None:
            return None
        if h in self.keys:
            return True
        return None if self.full else False


def debt_mentions(texts: Sequence[object]) -> list[bool]:
    """Whether each raw text mentions a debt, as :func:`mentions_debt` of its normalized text says.

    The debt words are looked for in the raw text first: normalization only removes, joins and masks
    (and turns traditional characters into simplified ones), so a debt word found there is still there
    after it, and most messages of a lender's log need no normalizing here. The rest are normalized in
    one go and checked again (this is where 還錢 or 还.钱 are found).
    """
    from ..text.concepts import mentions_debt as found  # imported once here, not per text (batch's first pass)
    from ..text.normalize_batch import normalize_many

    out = [isinstance(t, str) and found(t) for t in texts]
    rest = [i for i, hit in enumerate(out) if not hit]
    if rest:
        for i, norm in zip(rest, normalize_many([texts[i] for i in rest]), strict=True):
            out[i] = bool(norm) and found(norm)
    return out


def index_conversations(keys: Sequence[object], texts: Sequence[object],
                        into: DebtConversations | None = None) -> DebtConversations:
    """Note messages (raw texts) with their conversation keys; the first pass of batch
    (``scoring.core.debt_conversations``) and of the evaluation in conversations."""
    found = into if into is not None else DebtConversations()
    for key, hit in zip(keys, debt_mentions(list(texts)), strict=True):
        if hit:
            found.add_debt(key)
    return found
