"""Metrics on a labelled split: per-tag P/R/F1, macro-F1, primary-label accuracy and confusion, calibration."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from ..labels import PRECEDENCE, TAG_NAMES, format_tags, primary_label
from . import baseline
from .dataset import tag_matrix


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """ECE: |accuracy - confidence| averaged over equal-width probability bins, weighted by size."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            ece += m.mean() * abs(y[m].mean() - p[m].mean())
    return float(ece)


def tag_metrics(Y_true: np.ndarray, Y_pred: np.ndarray, present_only: bool = False) -> dict:
    """Per-tag precision/recall/F1 and their macro average.

    ``present_only``: average only over tags that occur in ``Y_true`` or ``Y_pred`` (for subsets such as
    one channel, where absent tags would otherwise count as F1 = 0).
    """
    p, r, f, s = precision_recall_fscore_support(Y_true, Y_pred, average=None, zero_division=0)
    per_tag = {t: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4), "f1": round(float(f[i]), 4),
                   "support": int(s[i])} for i, t in enumerate(TAG_NAMES)}
    used = (Y_true.sum(axis=0) + Y_pred.sum(axis=0)) > 0 if present_only else np.ones(len(TAG_NAMES), bool)
    return {"per_tag": per_tag, "macro_f1": round(float(np.mean(f[used])) if used.any() else 0.0, 4)}


def primary_metrics(true_tags: Sequence[str], pred_tags: Sequence[Sequence[str]]) -> dict:
    y = [primary_label(t.split(";")) for t in true_tags]
    yhat = [primary_label(t) for t in pred_tags]
    order = list(PRECEDENCE)
    cm = confusion_matrix(y, yhat, labels=order)
    return {"accuracy": round(float(np.mean(np.array(y) == np.array(yhat))), 4),
            "confusion": {"labels": order, "rows_true_cols_pred": cm.tolist()}}


def evaluate_predictions(df: pd.DataFrame, pred_tags: list[tuple[str, ...]], proba: np.ndarray | None = None) -> dict:
    Y = tag_matrix(df["tags"])
    Yhat = tag_matrix([format_tags(t) for t in pred_tags])
    out = {"rows": len(df), **tag_metrics(Y, Yhat), "primary": primary_metrics(df["tags"].tolist(), pred_tags)}
    if proba is not None:
        out["calibration_ece"] = {t: round(expected_calibration_error(Y[:, i], proba[:, i]), 4)
                                  for i, t in enumerate(TAG_NAMES)}
    return out


def unsure_report(classifier, df: pd.DataFrame, preds: list) -> dict:
    """How many messages are flagged ``unsure`` (``modeling.context``), and the primary accuracy of those and the rest."""
    from .context import is_unsure

    unsure = np.array([bool(p.tags) and is_unsure(p.scores, p.tags, classifier.thresholds) for p in preds])
    right = np.array([p.primary_label == primary_label(t.split(";")) for p, t in zip(preds, df["tags"], strict=True)])
    return {"share": round(float(unsure.mean()), 4) if len(unsure) else 0.0,
            "accuracy_unsure": round(float(right[unsure].mean()), 4) if unsure.any() else None,
            "accuracy_rest": round(float(right[~unsure].mean()), 4) if (~unsure).any() else None}


def evaluate(classifier, df: pd.DataFrame, with_baseline: bool = True, by: Sequence[str] = ("channel",)) -> dict:
    """Full report for one split with the given ``Classifier`` (transcripts scored turn by turn)."""
    preds = classifier.predict_many(df["text"].tolist(), explain_evidence=False)
    pred_tags = [p.tags for p in preds]
    proba = np.array([[p.scores[t] for t in TAG_NAMES] for p in preds])
    report = {"model": evaluate_predictions(df, pred_tags, proba)}
    report["unsure"] = unsure_report(classifier, df, preds)
    if with_baseline:
        report["keyword_baseline"] = evaluate_predictions(df, [baseline.predict_tags(t) for t in df["text"]])
    for col in by:
        report[f"by_{col}"] = {}
        for value, part in df.groupby(col):
            idx = part.index.to_numpy()
            pos = df.index.get_indexer(idx)
            report[f"by_{col}"][str(value)] = {
                "rows": len(part),
                "macro_f1": tag_metrics(tag_matrix(part["tags"]), tag_matrix([format_tags(pred_tags[i]) for i in pos]),
                                        present_only=True)["macro_f1"],
                "primary_accuracy": primary_metrics(part["tags"].tolist(), [pred_tags[i] for i in pos])["accuracy"],
            }
    return report


def format_report(report: dict, title: str = "test") -> str:
    """Human-readable tables for the terminal."""
    lines = []
    for name in ("model", "keyword_baseline"):
        if name not in report:
            continue
        r = report[name]
        lines.append(f"== {name} on {title} ({r['rows']} messages)")
        lines.append(f"{'tag':<22}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>9}" +
                     (f"{'ECE':>8}" if "calibration_ece" in r else ""))
        for t, m in r["per_tag"].items():
            ece = f"{r['calibration_ece'][t]:>8.3f}" if "calibration_ece" in r else ""
            lines.append(f"{t:<22}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>8.3f}{m['support']:>9}{ece}")
        lines.append(f"macro-F1 {r['macro_f1']:.3f}   primary-label accuracy {r['primary']['accuracy']:.3f}")
        cm = r["primary"]["confusion"]
        lines.append("primary confusion (rows = true, columns = predicted):")
        short = [lab[:9] for lab in cm["labels"]]
        lines.append(" " * 22 + "".join(f"{s:>10}" for s in short))
        for lab, row in zip(cm["labels"], cm["rows_true_cols_pred"], strict=True):
            lines.append(f"{lab:<22}" + "".join(f"{v:>10}" for v in row))
        lines.append("")
    u = report.get("unsure")
    if u and u["accuracy_rest"] is not None:
        acc = "—" if u["accuracy_unsure"] is None else f"{u['accuracy_unsure']:.3f}"
        lines.append(f"unsure: {u['share']:.3f} of messages; primary accuracy {acc} on them, {u['accuracy_rest']:.3f} on the rest")
        lines.append("")
    for key, val in report.items():
        if key.startswith("by_"):
            lines.append(f"== model {key.replace('_', ' ')} (macro-F1 over the tags present in each group)")
            for value, m in val.items():
                lines.append(f"{value:<22}{m['rows']:>6} rows  macro-F1 {m['macro_f1']:.3f}  primary acc {m['primary_accuracy']:.3f}")
            lines.append("")
    return "\n".join(lines)
