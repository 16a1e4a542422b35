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
``read_labelled`` validates filled-in files; ``cuishou train --extra`` retrains with them.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd

from ..files.tabular import TEXT_COLUMN_NAMES, InputError, find_column, open_source
from ..labels import TAG_NAMES, TAG_SEPARATOR, UNLAWFUL_TAGS, TagError, parse_tags
from ..modeling.pipeline import logit

REVIEW_COLUMNS = ("review_row", "review_reason", "review_margin", "predicted_tags", "predicted_primary", "gold_tags")
_UNLAWFUL_IDX = [TAG_NAMES.index(t) for t in UNLAWFUL_TAGS]


def select_for_review(classifier, input_path: str, n: int = 200, seed: int = 0, text_column: str | None = None,
                      confident_share: float = 0.1, **read_options) -> tuple[list[str], list[list]]:
    """Columns and rows of the review list (at most ``n`` rows, most useful first)."""
    src = open_source(input_path, **read_options)
    t_idx = find_column(src.columns, text_column, TEXT_COLUMN_NAMES, "text", input_path)
    rows = [r.values for r in src.rows if not r.error and not r.skip]  # never the messages the user sent
    if not rows:
        raise InputError(f"{input_path}: no rows to review")
    texts = [str(r[t_idx]) if t_idx < len(r) else "" for r in rows]
    preds = classifier.predict_many(texts, explain_evidence=False)
    th = classifier.thresholds
    tth = classifier.turn_thresholds
    margin = np.full(len(rows), np.inf)
    disagree = np.zeros(len(rows), dtype=bool)
    for i, p in enumerate(preds):
        if p.error:
            continue
        s = np.array([p.scores[t] for t in TAG_NAMES])
        margin[i] = float(np.min(np.abs(logit(s) - logit(th))))
        scored_turns = [t for t in p.turns if t.scored]
        if len(scored_turns) > 1:
            # the call as a whole carries the tag, but no single collector turn would (or the reverse)
            disagree[i] = any((TAG_NAMES[j] in p.tags) != any(t.scores.get(TAG_NAMES[j], 0) >= tth[j]
                                                               for t in scored_turns) for j in _UNLAWFUL_IDX)
    n_conf = max(1, round(n * confident_share)) if n >= 5 else 0
    order = [i for i in np.argsort(margin, kind="stable").tolist() if np.isfinite(margin[i])]
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
    columns = list(src.columns) + list(REVIEW_COLUMNS)
    out = []
    for i, reason in chosen:
        p = preds[i]
        out.append([*list(rows[i]), i + 1, reason, round(float(margin[i]), 3), TAG_SEPARATOR.join(p.tags), p.primary_label, ""])
    return columns, out


def write_review(columns: list[str], rows: list[list], output: str) -> None:
    pd.DataFrame(rows, columns=columns).to_csv(output, index=False, encoding="utf-8-sig")


def read_labelled(path: str | Path, text_column: str | None = None) -> pd.DataFrame:
    """A filled-in review file (or any CSV with text and tags), validated against the guide's tag rules.

    Accepts a ``gold_tags`` column (from ``review``) or ``tags``; rows with an empty label are skipped.
    Raises InputError listing every bad row by its row number in the file (header = row 1).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    src = open_source(str(path))
    t_idx = find_column(src.columns, text_column, TEXT_COLUMN_NAMES, "text", str(path))
    g_idx = find_column(src.columns, None, ("gold_tags", "tags", "label", "labels", "标签"), "label", str(path))
    problems, rows = [], []
    for n, row in enumerate(src.rows, start=2):
        if row.error:
            problems.append(f"row {n}: {row.error}")
            continue
        vals = row.values
        text = str(vals[t_idx]) if t_idx < len(vals) else ""
        cell = str(vals[g_idx]).strip() if g_idx < len(vals) else ""
        if not cell:
            continue
        try:
            tags = parse_tags(cell)
        except TagError as e:
            problems.append(f"row {n}: {e}")
            continue
        if not text.strip():
            problems.append(f"row {n}: empty text")
            continue
        rows.append({"id": f"user:{path.stem}:{n}", "text": text, "tags": TAG_SEPARATOR.join(tags),
                     "channel": "user", "source": f"user:{path.name}:{n}", "group": f"user/{path.stem}/{n // 10}",
                     "evasion": False, "hard_negative": False})
    if problems:
        shown = "\n  ".join(problems[:30])
        more = f"\n  … and {len(problems) - 30} more" if len(problems) > 30 else ""
        raise InputError(f"{path}: {len(problems)} bad label row(s):\n  {shown}{more}")
    if not rows:
        raise InputError(f"{path}: no labelled rows (fill in the gold_tags column)")
    return pd.DataFrame(rows)


def split_user_rows(df: pd.DataFrame, holdout: float, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and held-out parts of the user's rows (by group, seeded)."""
    groups = sorted(df["group"].unique())
    rng = random.Random(seed)
    rng.shuffle(groups)
    k = max(1, round(len(groups) * holdout)) if holdout > 0 and len(groups) > 1 else 0
    held = set(groups[:k])
    return df[~df["group"].isin(held)].reset_index(drop=True), df[df["group"].isin(held)].reset_index(drop=True)
