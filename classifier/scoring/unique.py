"""Score each distinct message once: repeated texts (after normalization, numbers masked) share one result.

A lender's outbound log is mostly a few hundred templates with names, amounts and dates filled in;
amounts, phone and card numbers are masked by normalization, so many rows normalize to the same
text. ``predict_unique`` gives exactly what ``Classifier.predict_many(..., explain_evidence="fast")``
gives, but normalizes every text once, scores and explains each distinct normalized text once, and
remembers recent results (``ResultCache``) so that later chunks of the same file reuse them.
Texts with line breaks (call transcripts, chats) are scored turn by turn through ``predict_many``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from ..labels import TAG_NAMES
from ..modeling.decoding import decode, tags_of_rows
from ..modeling.explain import explain_normalized
from ..modeling.predict import MAX_CHARS, Evidence, Prediction

_SURROGATES = re.compile("[\ud800-\udfff]")
_TAG_INDEX = {t: i for i, t in enumerate(TAG_NAMES)}


class ResultCache:
    """Results of recently scored normalized texts (bounded; cleared when full). Lives in one process."""

    def __init__(self, max_items: int = 10_000):
        self.max_items = max_items
        self.items: dict[tuple, Prediction] = {}
        self.hits = 0

    def get(self, key: tuple) -> Prediction | None:
        return self.items.get(key)

    def put(self, key: tuple, value: Prediction) -> None:
        if len(self.items) >= self.max_items:
            self.items.clear()  # simpler than LRU and as good for template-shaped files
        self.items[key] = value


class CellCache:
    """What batch built from recently seen normalized texts (their result and output cells), in one process.

    Bounded, least recently used out first, and sized by use: after every ``cap`` additions its size
    doubles (up to ``max_items``) if more than a third of the lookups since found something, or halves
    (down to ``min_items``) otherwise; a log of repeated templates keeps many, a file of distinct
    messages few. (Keeping the recently used entries, rather than emptying the cache when full, scores
    a lender's log ~20% fewer times at the same size: its texts recur throughout the file.)"""

    def __init__(self, items: int = 6_000, min_items: int = 1_000, max_items: int = 10_000):
        self.cap, self.min_items, self.max_items = items, min_items, max_items
        self.items: OrderedDict[str, object] = OrderedDict()
        self.lookups = self.hits = self.added = 0

    def get(self, key: str) -> object | None:
        self.lookups += 1
        value = self.items.get(key)
        if value is not None:
            self.hits += 1
            self.items.move_to_end(key)
        return value

    def put(self, key: str, value: object) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        self.added += 1
        if self.added >= self.cap:
            useful = self.hits * 3 > self.lookups
            self.cap = min(self.max_items, self.cap * 2) if useful else max(self.min_items, self.cap // 2)
            self.added = self.lookups = self.hits = 0
        while len(self.items) > self.cap:
            self.items.popitem(last=False)


def predict_unique(classifier, texts: Sequence[str], dates: Sequence[dt.date | None] | None = None,
                   evidence_tags: Collection[str] = TAG_NAMES, explain: bool = True,
                   cache: ResultCache | None = None) -> list[Prediction]:
    """``classifier.predict_many(texts, dates, explain_evidence="fast" or False, evidence_tags)``, deduplicated.

    Rows with the same normalized text, date and truncation share one ``Prediction`` object, so a caller
    can reuse whatever it derives from it (``score_texts`` builds each output row once).
    """
    dates = list(dates) if dates is not None else [None] * len(texts)
    rows, cut, _ = unique_bases(classifier, texts, dates, evidence_tags, explain, cache)
    out: list[Prediction] = []
    shared: dict[tuple, Prediction] = {}
    for i, r in enumerate(rows):
        if not isinstance(r, tuple):
            out.append(r)
            continue
        b, norm = r
        key = (norm, dates[i], len(texts[i]) > MAX_CHARS)
        pred = shared.get(key)
        if pred is None:
            pred = Prediction(b.primary_label, b.tags, b.scores, b.evidence, date=dates[i], truncated=key[2],
                              text=cut[i], norm=norm)
            shared[key] = pred
        out.append(pred)
    return out


def unique_bases(classifier, texts: Sequence[str], dates: Sequence[dt.date | None],
                 evidence_tags: Collection[str] = TAG_NAMES, explain: bool = True,
                 cache: ResultCache | None = None, known: Mapping[str, object] | None = None,
                 ) -> tuple[list[Prediction | tuple[Prediction | None, str]], list, dict[str, object]]:
    """What :func:`predict_unique` builds its results from: per text either ``(base, norm)`` (a one-line
    message: ``base`` is the shared result of its normalized text ``norm``, without date, text or
    truncation) or its whole ``Prediction`` (transcripts, empty texts); the texts as scored (cut to
    ``MAX_CHARS``, lone surrogates replaced); and what ``known`` holds for the normalized texts in it.

    Normalized texts found in ``known`` (what a caller derived from their results before) are not
    scored again: their ``base`` is None and their ``known`` value is in the returned dict."""
    cut = [_SURROGATES.sub("\ufffd", t[:MAX_CHARS]) if isinstance(t, str) else t for t in texts]
    plain = [i for i, t in enumerate(cut) if isinstance(t, str) and t.strip() and "\n" not in t]
    is_plain = np.zeros(len(texts), dtype=bool)
    is_plain[plain] = True
    rest = np.flatnonzero(~is_plain).tolist()
    out: list = [None] * len(texts)
    if rest:
        mode = "fast" if explain else False
        for i, pred in zip(rest, classifier.predict_many([texts[i] for i in rest], [dates[i] for i in rest],
                                                         explain_evidence=mode, evidence_tags=evidence_tags),
                           strict=True):
            out[i] = pred
    hits: dict[str, object] = {}
    if not plain:
        return out, cut, hits
    norms = classifier.normalize([cut[i] for i in plain])
    scope = tuple(t for t in TAG_NAMES if t in evidence_tags) if explain else ()
    base: dict[str, Prediction | None] = {}
    todo: list[str] = []
    for norm in dict.fromkeys(norms):
        if known is not None:
            value = known.get(norm)
            if value is not None:
                hits[norm] = value
                base[norm] = None
                continue
        hit = cache.get((norm, scope)) if cache is not None else None
        if hit is not None:
            base[norm] = hit
            cache.hits += 1
        else:
            todo.append(norm)
    if todo:
        for norm, pred in zip(todo, _score_distinct(classifier, todo, scope), strict=True):
            base[norm] = pred
            if cache is not None:
                cache.put((norm, scope), pred)
    for i, norm in zip(plain, norms, strict=True):
        out[i] = (base[norm], norm)
    return out, cut, hits


def _score_distinct(classifier, norms: list[str], scope: tuple[str, ...]) -> list[Prediction]:
    """One ``Prediction`` (no date, no text) per distinct normalized text, with fast evidence for ``scope``."""
    runtime = classifier.runtime
    streams = runtime.streams(norms) if runtime else None  # tokenized once, for the scores and the evidence
    proba = runtime.proba(norms, streams) if runtime else classifier._proba(norms)
    tags = tags_of_rows(decode(proba, classifier.thresholds))
    wanted = [(u, _TAG_INDEX[t]) for u, ts in enumerate(tags) for t in ts if t in scope]
    found = explain_normalized(classifier.pipeline, norms, wanted, streams) if wanted else {}
    preds = []
    for u, ts in enumerate(tags):
        evidence = [Evidence(t, found.get((u, _TAG_INDEX[t]), [])) for t in ts if t in scope]
        preds.append(Prediction(primary_label=ts[0], tags=ts, scores=dict(zip(TAG_NAMES, proba[u].tolist(), strict=True)),
                                evidence=evidence, norm=norms[u]))
    return preds
