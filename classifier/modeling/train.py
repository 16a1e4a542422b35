"""Training: choose C and thresholds on dev, refit on train+dev, evaluate on test, save with a manifest.

Thresholds (``tune_thresholds``): per tag, the grid value with the best F1 on dev, where dev
includes the real dev parts when the corpus has them. For the unlawful tags only thresholds that keep
the false-positive rate on everyday messages (dev rows labelled ``not_collection`` from SMS or chat,
private context, not written hard negatives: the real everyday SMS and personal chat dev parts, and
written bank notices, codes and chat) at or below ``MAX_EVERYDAY_FPR`` are allowed, so that scoring a whole phone does not flag ordinary messages; when no grid value
meets the bound, the one with the lowest everyday false-positive rate (then best F1) is used.

The "unsure" band (``tune_unsure_margin``, see ``pipeline.unsure``): the smallest margin (logit
units) at which the dev rows outside the band reach ``SURE_ACCURACY`` primary-label accuracy while
at most ``MAX_UNSURE_SHARE`` of dev is flagged; if no margin does both, the widest within that share.

Training rows carry their context (private message, group chat, public post: ``context``), and
the training and dev splits get context copies (``modeling.context``).

``python -m classifier train`` rebuilds ``models/shipped`` from ``data/processed`` deterministically:
the same data and library versions give a byte-identical model file.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from .. import __version__, config
from ..files.digest import sha256_file
from ..labels import TAG_NAMES, UNLAWFUL_TAGS, primary_label
from ..text.lexicon import LEXICON_PATH, PRIVATE
from ..text.transcript import parse
from .context import marked_texts, row_contexts, with_contexts
from .dataset import load_split, tag_matrix
from .evaluate import evaluate, tag_metrics
from .pipeline import build_pipeline, decode, tags_of_rows, unsure
from .predict import Classifier
from .real import add_real_train, assert_no_real_heldout
from .runtime import FORMAT as RUNTIME_FORMAT
from .runtime import export_runtime

C_GRID = (2.0, 4.0, 8.0, 16.0)
THRESHOLD_GRID = np.round(np.arange(0.10, 0.91, 0.025), 3)
_LIBS = ("scikit-learn", "numpy", "scipy", "pandas", "joblib", "rjieba", "jieba", "OpenCC", "pypinyin", "numba")


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for lib in _LIBS:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "not installed"
    return out


#: Highest share of everyday messages (see the module docstring) one unlawful tag may flag on dev.
MAX_EVERYDAY_FPR = 0.01
SURE_ACCURACY = 0.95
UNSURE_MARGIN_GRID = np.round(np.arange(0.25, 2.01, 0.25), 2)
MAX_UNSURE_SHARE = 0.15


def everyday_rows(df: pd.DataFrame, contexts) -> np.ndarray:
    """Dev rows that are everyday messages: ``not_collection``, SMS or chat, private context, and not
    a written hard negative (news, victims' posts and scams quoting collectors are left to F1)."""
    hard = df["hard_negative"].astype(str).str.lower().eq("true") if "hard_negative" in df else False
    return ((df["tags"] == "not_collection") & df["channel"].isin(["sms", "chat"]) & ~hard).to_numpy() & \
        (np.asarray(contexts) == PRIVATE)


def tune_thresholds(Y: np.ndarray, proba: np.ndarray, everyday: np.ndarray | None = None,
                    max_everyday_fpr: float = MAX_EVERYDAY_FPR) -> np.ndarray:
    """Per tag, the grid threshold with the best F1 on (dev) data; ties go to the middle of the best run.

    With ``everyday`` (a mask of everyday messages), unlawful tags only take thresholds whose
    false-positive rate on those rows is at most ``max_everyday_fpr`` (see the module docstring).
    """
    th = np.full(len(TAG_NAMES), 0.5)
    for j, tag in enumerate(TAG_NAMES):
        scores = np.array([f1_score(Y[:, j], proba[:, j] >= t, zero_division=0) for t in THRESHOLD_GRID])
        if tag in UNLAWFUL_TAGS and everyday is not None and everyday.any():
            fpr = np.array([(proba[everyday, j] >= t).mean() for t in THRESHOLD_GRID])
            allowed = fpr <= max_everyday_fpr + 1e-12
            if not allowed.any():
                allowed = fpr <= fpr.min() + 1e-12
            scores = np.where(allowed, scores, -1.0)
        best = np.flatnonzero(scores >= scores.max() - 1e-9)
        th[j] = THRESHOLD_GRID[best[len(best) // 2]]
    return th


def tune_unsure_margin(df: pd.DataFrame, proba: np.ndarray, th: np.ndarray) -> tuple[float, dict]:
    """The "unsure" band on dev (module docstring), and the dev figures for the manifest."""
    true = np.array([primary_label(t.split(";")) for t in df["tags"]])
    pred = np.array([t[0] for t in tags_of_rows(decode(proba, th))])
    right = true == pred
    chosen, stats = None, {}
    within_cap = float(UNSURE_MARGIN_GRID[0])
    for m in UNSURE_MARGIN_GRID:
        flag = unsure(proba, th, float(m))
        sure_acc = float(right[~flag].mean()) if (~flag).any() else 1.0
        stats[str(m)] = {"share_unsure": round(float(flag.mean()), 4), "accuracy_sure": round(sure_acc, 4),
                         "accuracy_unsure": round(float(right[flag].mean()), 4) if flag.any() else None}
        if flag.mean() <= MAX_UNSURE_SHARE:
            within_cap = float(m)
            if chosen is None and sure_acc >= SURE_ACCURACY:
                chosen = float(m)
    return (chosen if chosen is not None else within_cap), stats


TURN_THRESHOLD_MAX = 0.95


def tune_turn_thresholds(classifier: Classifier, dev: pd.DataFrame) -> np.ndarray:
    """Per unlawful tag, the turn-level threshold (>= the whole-text one) with the best F1 on dev dialogues.

    Capped at TURN_THRESHOLD_MAX so turn scoring is never switched off: dev dialogues are short, and
    there the whole call already shows a bad turn; in a long polite call one threatening turn is
    diluted in the whole and only the turn itself reveals it. Ties go to the lower threshold.
    """
    base = classifier.thresholds.copy()
    tth = base.copy()
    dialogues = dev[dev["text"].map(lambda t: "\n" in t and parse(t) is not None)]
    if len(dialogues) < 20:
        return tth
    Y = tag_matrix(dialogues["tags"])
    for tag in UNLAWFUL_TAGS:
        j = TAG_NAMES.index(tag)
        best = (-1.0, base[j])
        for t in sorted({float(g) for g in THRESHOLD_GRID if base[j] <= g <= TURN_THRESHOLD_MAX}
                        | {max(float(base[j]), TURN_THRESHOLD_MAX)}):
            tth[j] = t
            classifier.clf.set_params(turn_thresholds=tth.copy())
            preds = classifier.predict_many(dialogues["text"].tolist(), explain_evidence=False)
            f1 = f1_score(Y[:, j], [tag in p.tags for p in preds], zero_division=0)
            if f1 > best[0] + 1e-9:
                best = (f1, t)
        tth[j] = best[1]
    classifier.clf.set_params(turn_thresholds=tth.copy())
    return tth


#: Real dev parts (``data/processed``, when the corpus has them): used to choose C, thresholds and the
#: unsure band, never fitted on (the real test parts are only ever reported).
REAL_DEV_FILES = ("real_dev.csv", "real_sms_dev.csv", "real_chat_dev.csv")


def real_dev(processed_dir: Path) -> pd.DataFrame:
    """The real dev parts present in ``processed_dir`` (empty frame if none)."""
    parts = [pd.read_csv(processed_dir / f, encoding="utf-8", keep_default_na=False, dtype=str)
             for f in REAL_DEV_FILES if (processed_dir / f).exists()]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _fit(train: pd.DataFrame, C: float, backend: str, contexts=None):
    pipe = build_pipeline(backend=backend, C=C)
    pipe.fit(marked_texts(train, None if contexts is None else list(contexts)), tag_matrix(train["tags"]),
             clf__groups=train["group"].to_numpy())
    return pipe


def training_frames(processed_dir: Path = config.PROCESSED_DIR, extra: pd.DataFrame | None = None,
                    use_real: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows a model is fitted on (train: written + real train part + ``extra``) and tuned on (dev).

    Raises ``RealTestLeakError`` if any row of a real held-out part (by id, source group or normalized text) is
    among them, so the real test part can never be trained on or used for model selection.
    """
    train_df, dev_df = (load_split(s, processed_dir) for s in ("train", "dev"))
    if use_real:
        train_df = add_real_train(train_df, processed_dir)
    if extra is not None and len(extra):
        train_df = pd.concat([train_df, extra], ignore_index=True)
    assert_no_real_heldout(pd.concat([train_df, dev_df], ignore_index=True), processed_dir)
    return train_df, dev_df


def train(processed_dir: Path = config.PROCESSED_DIR, out_dir: Path = config.SHIPPED_MODEL_DIR,
          backend: str = "rjieba", c_grid: tuple[float, ...] = C_GRID, refit: bool = True,
          extra: pd.DataFrame | None = None, use_real: bool = True, log=print) -> dict:
    """Train, tune on dev, refit, evaluate on test, save model + manifest; return the manifest.

    ``extra`` rows (a user's own labelled messages, see ``review``) are added to training only, and so is
    the real train part (``use_real``). Training refuses to start if any real held-out row is in its data.
    """
    train_df, dev_df = training_frames(processed_dir, extra=extra, use_real=use_real)
    test_df = load_split("test", processed_dir)
    n_real = int(train_df["source"].str.startswith("real-collection:").sum())
    train_all, train_ctx = with_contexts(train_df)
    dev_all, dev_ctx = with_contexts(dev_df)
    real = real_dev(processed_dir)
    tune = pd.concat([dev_all, real], ignore_index=True) if len(real) else dev_all
    tune_ctx = np.concatenate([dev_ctx, row_contexts(real)]) if len(real) else dev_ctx
    dev_texts = marked_texts(tune, list(tune_ctx))
    everyday = everyday_rows(tune, tune_ctx)
    Y_dev = tag_matrix(tune["tags"])
    best = None
    for C in c_grid:
        pipe = _fit(train_all, C, backend, train_ctx)
        proba = pipe.predict_proba(dev_texts)
        th = tune_thresholds(Y_dev, proba, everyday)
        f1 = tag_metrics(Y_dev, decode(proba, th))["macro_f1"]
        log(f"C={C:<5} dev macro-F1 {f1:.4f}")
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, C, th, pipe, proba)
    dev_f1, C, th, pipe, dev_proba = best
    margin, unsure_stats = tune_unsure_margin(tune, dev_proba, th)
    everyday_fpr = {t: round(float((dev_proba[everyday, j] >= th[j]).mean()), 4) if everyday.any() else None
                    for j, t in enumerate(TAG_NAMES) if t in UNLAWFUL_TAGS}
    pipe.set_params(clf__thresholds=th)
    clf = Classifier(pipe, {})
    tth = tune_turn_thresholds(clf, dev_df)
    log(f"chose C={C}; thresholds {dict(zip(TAG_NAMES, th.round(3).tolist(), strict=True))}; "
        f"turn thresholds {dict(zip(TAG_NAMES, tth.round(3).tolist(), strict=True))}; unsure margin {margin}; "
        f"dev everyday false-positive rate {everyday_fpr} on {int(everyday.sum())} rows")
    if refit:
        pipe = _fit(pd.concat([train_all, dev_all], ignore_index=True), C, backend,
                    np.concatenate([train_ctx, dev_ctx]))
    pipe.set_params(clf__thresholds=th, clf__turn_thresholds=tth, clf__unsure_margin=margin)
    pipe.named_steps["clf"].compact()
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / config.MODEL_FILE
    joblib.dump(pipe, model_path, compress=3)
    sha = sha256_file(model_path)
    runtime_files = export_runtime(pipe, out_dir, f"cuishou-{__version__}-{sha[:12]}", library_versions())
    test_report = evaluate(Classifier(pipe, {}), test_df)
    manifest = {
        "model_id": f"cuishou-{__version__}-{sha[:12]}",
        "sha256": sha,
        "file": config.MODEL_FILE,
        "runtime": {"format": RUNTIME_FORMAT, "files": runtime_files},
        "tool_version": __version__,
        "versions": library_versions(),
        "tokenizer": {"backend": backend, "user_dict_words": len(pipe.named_steps["ngrams"].user_words),
                      "n_features": pipe.named_steps["ngrams"].n_features},
        "params": {"C": C, "refit_on_train_plus_dev": refit, "n_features": int(pipe.named_steps["clf"].n_features_in_)},
        "thresholds": dict(zip(TAG_NAMES, th.round(4).tolist(), strict=True)),
        "turn_thresholds": dict(zip(TAG_NAMES, tth.round(4).tolist(), strict=True)),
        "threshold_rule": {"max_everyday_fpr": MAX_EVERYDAY_FPR, "dev_everyday_rows": int(everyday.sum()),
                           "dev_everyday_fpr": everyday_fpr},
        "unsure": {"margin": margin, "sure_accuracy_target": SURE_ACCURACY, "dev": unsure_stats},
        "features": {"concepts": True, "lexicon_sha256": sha256_file(LEXICON_PATH),
                     "contexts": ["private", "group", "post"]},
        "data": {
            "processed_sha256": sha256_file([processed_dir / f"{s}.csv" for s in ("train", "dev", "test")]
                                            + ([processed_dir / "real_train.csv"] if n_real else [])),
            "rows": {"train": len(train_df), "dev": len(dev_df), "test": len(test_df)},
            "context_copies": {"train": len(train_all) - len(train_df), "dev": len(dev_all) - len(dev_df)},
            "real_dev_rows_for_tuning": len(real),
            "extra_rows": 0 if extra is None else len(extra),
            "real_train_rows": n_real,
            "extra_sources": sorted({s.split(":")[1] for s in extra["source"]}) if extra is not None and len(extra)
            else [],
        },
        "dev_macro_f1": dev_f1,
        "test_metrics": {
            "macro_f1": test_report["model"]["macro_f1"],
            "primary_accuracy": test_report["model"]["primary"]["accuracy"],
            "per_tag_f1": {t: m["f1"] for t, m in test_report["model"]["per_tag"].items()},
            "calibration_ece": test_report["model"]["calibration_ece"],
            "keyword_baseline_macro_f1": test_report["keyword_baseline"]["macro_f1"],
        },
    }
    (out_dir / config.MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                                encoding="utf-8")
    return manifest


def retrain_with_user_rows(extra_files, out_dir: Path, before: Classifier, processed_dir: Path = config.PROCESSED_DIR,
                           holdout: float = 0.25, backend: str = "rjieba", log=print) -> dict:
    """Retrain with a user's labelled rows (``review`` files) added, holding out part of them.

    Uses the C of the model being improved; returns before/after macro-F1 and primary-label accuracy
    on the project's test split and on the user's held-out rows. The user's rows stay on this machine.
    """
    from .user_labels import read_labelled, split_user_rows

    user = pd.concat([read_labelled(p) for p in extra_files], ignore_index=True)
    user_train, user_test = split_user_rows(user, holdout)
    c_grid = (float(before.manifest.get("params", {}).get("C", 8.0)),)
    manifest = train(processed_dir=processed_dir, out_dir=out_dir, backend=backend, extra=user_train, c_grid=c_grid,
                     log=log)
    after = Classifier.load(out_dir, trust=True)
    parts = {"project test split": load_split("test", processed_dir)}
    if len(user_test):
        parts["your held-out rows"] = user_test
    metrics = {}
    for name, df in parts.items():
        b, a = (evaluate(clf, df, with_baseline=False, by=())["model"] for clf in (before, after))
        metrics[name] = {k: {"macro_f1": m["macro_f1"], "primary_accuracy": m["primary"]["accuracy"]}
                         for k, m in (("before", b), ("after", a))}
    return {"model_id": manifest["model_id"], "user_rows": len(user), "user_train": len(user_train),
            "user_heldout": len(user_test), "metrics": metrics}
