"""Learn from the user's own messages: pick rows worth a human look, and read back their labels.

``select_for_review`` re-scores an export (or a scored file) and picks, in this order:

1. ``near_threshold``: rows whose score for some tag is closest to that tag's decision threshold
   (smallest |logit(p) - logit(threshold)|): the model is least sure of them;
2. ``turn_disagreement``: call transcripts where a collector turn alone earns an unlawful tag the
   whole call does not (or the reverse): the two views of the same call disagree;
3. ``confident_check``: a seeded random sample of confident rows, so that confident mistakes can be
   found too (about 10% of the list).

The output keeps the original columns and adds the review columns (REVIEW_COLUMNS), with
``gold_tags`` empty for a person to fill in (tags separated by ";", as in the guide).
``modeling.user_labels.read_labelled`` validates filled-in files; ``cuishou train --extra`` retrains with them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..files.tabular import InputError
from ..labels import TAG_NAMES, TAG_SEPARATOR
from ..modeling.decoding import UNLAWFUL_IDX, logit
from .core import open_input, score_rows

REVIEW_COLUMNS = ("review_row", "review_reason", "review_margin", "predicted_tags", "predicted_primary", "gold_tags")


@dataclass
class ReviewList:
    """The review file: the input's columns plus REVIEW_COLUMNS, its rows, and the rows left out."""

    columns: list[str]
    rows: list[list]
    skipped: list[str] = field(default_factory=list)  # "row N: why" for rows that could not be scored
    text_index: int = 0


def select_for_review(classifier, input_path: str, n: int = 200, seed: int = 0, text_column: str | None = None,
                      confident_share: float = 0.1, **read_options) -> ReviewList:
    """The review list (at most ``n`` rows, most useful first). ``review_row`` is the data row number."""
    src = open_input(input_path, text_column=text_column, **read_options)
    th = classifier.thresholds
    tth = classifier.turn_thresholds
    kept: list[tuple[int, list, tuple[str, ...], str]] = []
    margins: list[float] = []
    disagree: list[bool] = []
    skipped: list[str] = []
    for row in score_rows(src, classifier, evidence="none", explain=False):
        p = row.prediction
        if p is None or p.error:
            skipped.append(f"row {row.row_number}: {row.error}")
            continue
        kept.append((row.row_number, row.values, p.tags, p.primary_label))
        s = np.array([p.scores[t] for t in TAG_NAMES])
        margins.append(float(np.min(np.abs(logit(s) - logit(th)))))
        scored_turns = [t for t in p.turns if t.scored]
        # the call as a whole carries the tag, but no single collector turn would (or the reverse)
        disagree.append(len(scored_turns) > 1 and any(
            (TAG_NAMES[j] in p.tags) != any(t.scores.get(TAG_NAMES[j], 0) >= tth[j] for t in scored_turns)
            for j in UNLAWFUL_IDX.tolist()))
    if not kept:
        raise InputError(f"{input_path}: no rows to review" + (f" ({'; '.join(skipped[:5])})" if skipped else ""))
    margin = np.array(margins)
    n_conf = max(1, round(n * confident_share)) if n >= 5 else 0
    order = np.argsort(margin, kind="stable").tolist()
    chosen: list[tuple[int, str]] = []
    taken: set[int] = set()
    for i in order:
        if len(chosen) >= n - n_conf:
            break
        if margin[i] < 1.0:  # within a factor of e of the threshold's odds
            chosen.append((i, "near_threshold"))
            taken.add(i)
    for i in np.flatnonzero(disagree).tolist():
        if len(chosen) >= n - n_conf:
            break
        if i not in taken:
            chosen.append((i, "turn_disagreement"))
            taken.add(i)
    confident = [i for i in order if i not in taken and margin[i] >= 2.0]
    rng = random.Random(seed)
    for i in rng.sample(confident, k=min(len(confident), n - len(chosen))):
        chosen.append((i, "confident_check"))
    out = []
    for i, reason in chosen:
        number, values, tags, primary = kept[i]
        out.append([*values, number, reason, round(float(margin[i]), 3), TAG_SEPARATOR.join(tags), primary, ""])
    return ReviewList(list(src.columns) + list(REVIEW_COLUMNS), out, skipped, src.roles["text"])


def write_review(columns: list[str], rows: list[list], output: str) -> None:
    pd.DataFrame(rows, columns=columns).to_csv(output, index=False, encoding="utf-8-sig")
