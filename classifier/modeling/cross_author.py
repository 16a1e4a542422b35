"""Leave-one-author-batch-out evaluation: how well the model does on a writer it has never seen.

The corpus is written in batches by different writers with different briefs (voices). The regular
test split holds out template families; this holds out whole writers, which is closer to what the
tool meets in use: messages written by other people in other styles. For each written batch, train
on every other batch (plus the real public text) and score the held-out batch.

    python -m classifier evaluate --cross-author
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..labels import TAG_NAMES
from .dataset import load_split, tag_matrix
from .evaluate import evaluate_predictions
from .pipeline import build_pipeline, decode


def cross_author(C: float, thresholds: np.ndarray, log=print) -> dict:
    df = pd.concat([load_split(s) for s in ("train", "dev", "test")], ignore_index=True)
    df["batch"] = df["source"].str.extract(r"^written:(.+)$")[0]
    out = {}
    for batch in sorted(df["batch"].dropna().unique()):
        held = df[df["batch"] == batch].reset_index(drop=True)
        rest = df[df["batch"] != batch]
        pipe = build_pipeline(C=C)
        pipe.fit(rest["text"].tolist(), tag_matrix(rest["tags"]), clf__groups=rest["group"].to_numpy())
        proba = pipe.predict_proba(held["text"].tolist())
        rows = decode(proba, thresholds)
        pred = [tuple(t for t, on in zip(TAG_NAMES, r, strict=True) if on) for r in rows]
        rep = evaluate_predictions(held, pred)
        out[batch] = {"rows": len(held), "macro_f1": rep["macro_f1"], "primary_accuracy": rep["primary"]["accuracy"],
                      "per_tag_f1": {t: m["f1"] for t, m in rep["per_tag"].items()}}
        log(f"{batch:<20} {len(held):>5} rows  macro-F1 {rep['macro_f1']:.3f}  primary acc {rep['primary']['accuracy']:.3f}")
    f1s = [v["macro_f1"] for v in out.values()]
    out["_mean"] = {"macro_f1": round(float(np.mean(f1s)), 4), "min_macro_f1": round(float(np.min(f1s)), 4)}
    log(f"mean macro-F1 over held-out writers {out['_mean']['macro_f1']:.3f} (worst {out['_mean']['min_macro_f1']:.3f})")
    return out
