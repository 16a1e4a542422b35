"""The user's own labelled rows (a filled-in ``review`` file) as training data: read, checked, split.

``cuishou train --extra`` adds them to training (``modeling.train.retrain_with_user_rows``).
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

from ..files.tabular import TEXT_COLUMN_NAMES, InputError, find_column, fix_width, open_source
from ..labels import TAG_SEPARATOR, TagError, parse_tags


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
        row = fix_width(row, len(src.columns), t_idx, src.delimiter or ",", src.stats)
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
