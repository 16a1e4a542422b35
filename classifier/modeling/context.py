"""Message context for training: which corpus rows are group chats or public posts, and context copies.

The model reads the context (private message, group chat, public post) as a token (see
``text.lexicon``). Training rows get theirs from, in order:

1. a ``context`` column, where a data source provides one;
2. ``channel == "post"`` -> public post (the imported COLD/SWSR posts);
3. for written ``chat`` rows, the family name or the text's own frame: families and frames that
   are group chats (``…group…``, "[群聊…]", "（业主群）", "【…群】" …) -> group chat; public
   notices, forum, Weibo, Moments, comment and live-stream posts -> public post;
4. everything else is a private message.

``context_copies`` adds, to the training split only, copies of private rows placed in a group
chat or a public post. The labelling guide defines ``third_party_contact`` as anyone other than the
debtor being told about the debt; a message to the debtor about the debt, posted where others
read it, tells them. So a copy of a debt message (lawful reminder, harassment or threat that
mentions a debt, by the lexicon's debt words) in a group or post carries ``third_party_contact``
(and loses ``lawful_reminder``, which stands alone); a court's or arbitration body's notice stays
as it is (public service of process is lawful), and a copy of a ``not_collection`` row stays
``not_collection``. The copies keep their row's group, so they never cross folds or splits.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd

from ..labels import HARASSMENT, LAWFUL_REMINDER, NOT_COLLECTION, THIRD_PARTY_CONTACT, THREAT, format_tags, parse_tags
from ..text.lexicon import GROUP, POST, PRIVATE, ContextError, concept_matches, mark, parse_context
from ..text.normalize import normalize

_GROUP_FAMILY = re.compile(r"group|qun")
_POST_FAMILY = re.compile(r"gonggao|weibo|moments-post|comment|livestream|xianyu|wall-list|xunren|xunwu|lost-pet"
                          r"|tieba|xhs|heimao|victim-post|forum|popsci|celebrity|memes|volunteer|shop-notice"
                          r"|village-notice|school-notice|property-general|antifraud-post|court-exposure")
_GROUP_FRAME = re.compile(r"^\s*(?:\[群聊|（群聊|\(群聊|群聊[:：]|【[^】\n]{0,24}群】|[（(][^）)\n]{0,16}群[^）)\n]{0,8}[）)]"
                          r"|\[[^]\n]{0,16}群\]|群主[:：])")
_POST_FRAME = re.compile(r"^\s*(?:【朋友圈】|（朋友圈|#[^#\n]{1,20}#|（[^）\n]{0,8}(?:评论区|弹幕|留言)|小红书|【[^】\n]{0,6}吧】|网友|楼主"
                         r"|回复楼主|求助帖|(?:催收|温馨)?(?:公告|告示|告知)\s*\n|寻人启事|通\s*缉\s*令)")
_COURT = re.compile(r"人民法院|仲裁委员会|本院|本会")

#: Shares of eligible private training rows copied into each context (decided by a hash of the row id).
COPY_SHARES = {POST: 0.2, GROUP: 0.1}
NEGATIVE_COPY_SHARES = dict(COPY_SHARES)  # as many as debt copies: the context alone must not mean disclosure


def row_context(row: dict | pd.Series) -> str:
    """The context of one corpus row (see the module docstring)."""
    given = row.get("context")
    if isinstance(given, str) and given.strip():
        try:
            return parse_context(given)
        except ContextError:
            pass
    channel = row.get("channel", "")
    if channel == "post":
        return POST
    if channel != "chat":
        return PRIVATE
    family = str(row.get("group", "")).split("/", 1)[-1]
    text = str(row.get("text", ""))
    if _GROUP_FAMILY.search(family) or _GROUP_FRAME.match(text):
        return GROUP
    if _POST_FAMILY.search(family) or _POST_FRAME.match(text):
        return POST
    return PRIVATE


def row_contexts(df: pd.DataFrame) -> list[str]:
    return [row_context(r) for r in df.to_dict("records")]


def marked_texts(df: pd.DataFrame, contexts: list[str] | None = None) -> list[str]:
    """The rows' texts with their context marker in front (the model's training input)."""
    contexts = row_contexts(df) if contexts is None else contexts
    # leading blanks go first: normalization would strip them, but not once a marker stands before them
    return [mark(t.lstrip(), c) for t, c in zip(df["text"].tolist(), contexts, strict=True)]


def _share(row_id: str, context: str) -> float:
    return int(hashlib.sha256(f"{row_id}|{context}".encode()).hexdigest()[:8], 16) / 16**8


def _mentions_debt(text: str) -> bool:
    return any(name == "debt" for name, _, _ in concept_matches(normalize(text)))


def context_copies(df: pd.DataFrame, every: bool = False) -> pd.DataFrame:
    """Group-chat and public-post copies of some private rows, labelled by the guide (module docstring).

    Returns the copies only, with a ``context`` column; their ``id`` ends in ``+group``/``+post``.
    ``every``: copy every eligible row into both contexts (for measuring, not training).
    """
    rows = []
    for r, ctx in zip(df.to_dict("records"), row_contexts(df), strict=True):
        if ctx != PRIVATE or r.get("channel") not in ("sms", "chat"):
            continue
        tags = set(parse_tags(r["tags"]))
        if tags == {NOT_COLLECTION}:
            new, shares = tags, NEGATIVE_COPY_SHARES
        elif tags & {LAWFUL_REMINDER, HARASSMENT, THREAT} and not _COURT.search(r["text"]) and _mentions_debt(r["text"]):
            new, shares = (tags - {LAWFUL_REMINDER}) | {THIRD_PARTY_CONTACT}, COPY_SHARES
        else:
            continue
        for context, share in shares.items():
            if every or _share(str(r["id"]), context) < share:
                rows.append({**r, "id": f"{r['id']}+{context}", "tags": format_tags(sorted(new)),
                             "context": context})
    out = pd.DataFrame(rows)
    return out if len(out) else pd.DataFrame(columns=[*df.columns, "context"])


def with_contexts(df: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """``df`` plus its context copies, and every row's context."""
    both = pd.concat([df, context_copies(df)], ignore_index=True)
    return both, np.array(row_contexts(both))
