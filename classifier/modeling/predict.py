"""Prediction: the ``Classifier`` facade used by every interface, and how a transcript's turns combine.

Loading and its checks live in ``persistence``; the result types in ``results``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np

from .. import config
from ..files.digest import sha256_file
from ..labels import TAG_NAMES
from ..text.transcript import Transcript, parse
from .decoding import UNLAWFUL_IDX, decode, tags_of, tags_of_rows
from .explain import explain, explain_normalized, features_with_positions
from .persistence import ModelError, load_model, load_runtime_manifest
from .results import MAX_CHARS, Evidence, Phrase, Prediction, TurnResult, failed
from .runtime import RuntimeModel, RuntimeModelError, has_runtime, load_runtime

__all__ = ["MAX_CHARS", "Classifier", "Evidence", "ModelError", "Prediction", "TurnResult", "load_model",
           "sha256_file"]

_SURROGATES = re.compile("[\ud800-\udfff]")
_TAG_INDEX = {t: i for i, t in enumerate(TAG_NAMES)}


class Classifier:
    """Score messages with a fitted pipeline. Build it with :meth:`load`; ``__init__`` does no work."""

    def __init__(self, pipeline, manifest: dict, model_dir: Path | None = None):
        self.pipeline = pipeline  # a scikit-learn Pipeline (reference path) or a RuntimeModel
        self.manifest = manifest
        self.model_dir = model_dir
        self.runtime: RuntimeModel | None = pipeline if isinstance(pipeline, RuntimeModel) else None

    @classmethod
    def load(cls, model_dir: Path | str | None = None, *, trust: bool = False, engine: str = "runtime") -> Classifier:
        """Load a model directory. ``engine="runtime"`` (default) uses the pickle-free runtime files when the
        directory has them (no scikit-learn, no ``trust`` needed); ``"pickle"`` loads the scikit-learn pipeline."""
        path = Path(model_dir) if model_dir else config.default_model_dir()
        if engine == "runtime" and has_runtime(path):
            manifest = load_runtime_manifest(path)
            try:
                model = load_runtime(path, manifest)
            except RuntimeModelError as e:
                raise ModelError(str(e)) from e
            return cls(model, manifest, path)
        if engine not in ("runtime", "pickle"):
            raise ValueError(f"engine must be 'runtime' or 'pickle', not {engine!r}")
        pipeline, manifest = load_model(path, trust=trust)
        return cls(pipeline, manifest, path)

    @functools.cached_property
    def steps(self) -> dict:
        return dict(self.pipeline.steps)

    @property
    def clf(self):
        return self.steps["clf"]

    @property
    def thresholds(self) -> np.ndarray:
        return self.runtime.thresholds if self.runtime else self.clf.decision_thresholds()

    @property
    def turn_thresholds(self) -> np.ndarray:
        return self.runtime.turn_thresholds if self.runtime else self.clf.decision_thresholds(turn=True)

    @property
    def model_info(self) -> dict:
        return {"id": self.manifest.get("model_id"), "sha256": self.manifest.get("sha256")}

    # --- scoring ---------------------------------------------------------------------------------

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Whole-text probabilities (rows x tags), no transcript handling: the raw model."""
        return self._proba(self.normalize([t[:MAX_CHARS] for t in texts]))

    def normalize(self, texts: Sequence[str]) -> list[str]:
        if self.runtime:
            return self.runtime.normalize(texts)
        return self.steps["normalize"].transform(texts)

    def _proba(self, norms: list[str]) -> np.ndarray:
        if self.runtime:
            return self.runtime.proba(norms)
        from .pipeline import features  # the scikit-learn reference path

        return self.clf.predict_proba(features(self.pipeline, norms))

    def predict(self, text: str, date: dt.date | None = None, explain_evidence: bool | str = True) -> Prediction:
        return self.predict_many([text], [date], explain_evidence=explain_evidence)[0]

    def predict_many(self, texts: Sequence[str], dates: Sequence[dt.date | None] | None = None,
                     explain_evidence: bool | str = True, evidence_tags: Collection[str] = TAG_NAMES,
                     ) -> list[Prediction]:
        """Score messages; transcripts are scored as a whole and turn by turn (see ``transcript``).

        ``explain_evidence``: True or "full" gives evidence phrases as spans of the original text;
        "fast" computes them for all messages at once and reports them in normalized form (batch);
        False skips evidence. ``evidence_tags`` limits which tags get evidence.
        """
        dates = list(dates) if dates is not None else [None] * len(texts)
        units: list[str] = []
        plans: list[tuple[int, Transcript | None, int, int] | None] = []
        for text in texts:
            if not isinstance(text, str) or not text.strip():
                plans.append(None)
                continue
            text = _SURROGATES.sub("\ufffd", text[:MAX_CHARS])  # lone surrogates cannot be printed or saved
            tr = parse(text) if "\n" in text else None
            whole_at = len(units)
            if tr is not None and tr.roles_known:
                units.append("\n".join(t.text for t in tr.scored_turns()))
            else:
                units.append(text)
            turns = tr.scored_turns() if tr is not None else ()
            units.extend(t.text for t in turns)
            plans.append((whole_at, tr, whole_at + 1, whole_at + 1 + len(turns)))
        norms = self.normalize(units)
        features = None
        if not units:
            proba = np.zeros((0, len(TAG_NAMES)))
        elif explain_evidence == "fast" and not self.runtime:  # the runtime explains only the rows that need it
            features = features_with_positions(self.pipeline, norms)
            proba = self.clf.predict_proba(features[0])
        else:
            proba = self._proba(norms)
        decided = decode(proba, self.thresholds) if units else np.zeros((0, len(TAG_NAMES)), bool)
        unit_tags = tags_of_rows(decided)
        out: list[Prediction] = []
        wanted: list[tuple[int, int]] = []  # (unit, tag) pairs to explain in one pass ("fast")
        for text, date, plan in zip(texts, dates, plans, strict=True):
            if plan is None:
                out.append(failed("empty text"))
                continue
            whole_at, tr, t0, t1 = plan
            if tr is None:  # the common case, kept cheap for batch scoring
                tags = unit_tags[whole_at]
                pred = Prediction(primary_label=tags[0], tags=tags,
                                  scores=dict(zip(TAG_NAMES, proba[whole_at].tolist(), strict=True)))
                sources = {_TAG_INDEX[t]: (whole_at, None, None) for t in tags}
            else:
                pred, sources = self._combine(proba[whole_at], decided[whole_at], tr, proba[t0:t1], t0)
            pred.truncated = len(text) > MAX_CHARS
            pred.date = date
            pred.text = _SURROGATES.sub("\ufffd", text[:MAX_CHARS])
            pred.norm = norms[whole_at]
            if len(evidence_tags) < len(TAG_NAMES):
                sources = {j: v for j, v in sources.items() if TAG_NAMES[j] in evidence_tags}
            if explain_evidence in (True, "full"):
                pred.evidence = self._evidence(pred, tr, sources)
            elif explain_evidence == "fast":
                pred.evidence = [Evidence(TAG_NAMES[j], [], turn, speaker) for j, (_, turn, speaker) in sources.items()]
                wanted.extend((unit, j) for j, (unit, _, _) in sources.items())
            out.append(pred)
        if wanted:
            found = explain_normalized(self.pipeline, norms, wanted, features)
            k = 0
            for pred in out:
                for ev in pred.evidence:
                    ev.phrases = found.get(wanted[k], [])
                    k += 1
        return out

    def _combine(self, whole: np.ndarray, row: np.ndarray, tr: Transcript | None, turn_proba: np.ndarray,
                 first_turn_unit: int) -> tuple[Prediction, dict[int, tuple[int, int | None, str | None]]]:
        """Tags of one message, and for each tag the unit (whole or turn) that earned it."""
        th, tth = self.thresholds, self.turn_thresholds
        scores = whole.copy()
        turn_hits: dict[int, list[int]] = {}
        if tr is not None and len(turn_proba):
            hit = turn_proba[:, UNLAWFUL_IDX] >= tth[UNLAWFUL_IDX]
            for col, j in enumerate(UNLAWFUL_IDX.tolist()):
                if hit[:, col].any():
                    turn_hits[j] = np.flatnonzero(hit[:, col]).tolist()
                    scores[j] = max(scores[j], float(turn_proba[:, j].max()))
            if turn_hits:
                row = row.copy()
                row[:] = False
                row[UNLAWFUL_IDX] = whole[UNLAWFUL_IDX] >= th[UNLAWFUL_IDX]
                for j in turn_hits:
                    row[j] = True
        tags = tags_of(row)
        pred = Prediction(primary_label=tags[0], tags=tags, scores=dict(zip(TAG_NAMES, scores.tolist(), strict=True)))
        sources: dict[int, tuple[int, int | None, str | None]] = {}
        whole_unit = first_turn_unit - 1
        scored = tr.scored_turns() if tr is not None else ()
        for tag in tags:
            j = TAG_NAMES.index(tag)
            if j in UNLAWFUL_IDX and len(turn_proba):
                # name the collector turn that most supports the tag, whether the turn itself or the
                # whole call crossed the threshold
                hits = turn_hits.get(j) or range(len(turn_proba))
                best = max(hits, key=lambda k: turn_proba[k, j])
                sources[j] = (first_turn_unit + best, scored[best].index, scored[best].speaker or None)
            else:
                sources[j] = (whole_unit, None, None)
        if tr is not None:
            pos = {t.index: k for k, t in enumerate(scored)}
            turn_rows = decode(turn_proba, th) if len(turn_proba) else turn_proba
            for t in tr.turns:
                k = pos.get(t.index)
                pred.turns.append(TurnResult(
                    t.index, t.speaker, t.role, t.start, t.end, k is not None,
                    tags_of(turn_rows[k]) if k is not None else (),
                    dict(zip(TAG_NAMES, turn_proba[k].tolist(), strict=True)) if k is not None else {}))
        return pred, sources

    def _evidence(self, pred: Prediction, tr: Transcript | None,
                  sources: dict[int, tuple[int, int | None, str | None]]) -> list[Evidence]:
        """Evidence as spans of the original text (single messages: classify, web, report)."""
        text = pred.text
        out: list[Evidence] = []
        whole_tags = []
        for j, (_, turn_index, speaker) in sources.items():
            if turn_index is not None and tr is not None:
                turn = tr.turns[turn_index]
                found = explain(self.pipeline, text[turn.start:turn.end], [j], offset=turn.start)[0]
                out.append(Evidence(TAG_NAMES[j], found, turn_index, speaker))
            else:
                whole_tags.append(j)
        if whole_tags:
            if tr is not None and tr.roles_known:
                # explain turn by turn so that only collector words are highlighted
                per_tag: dict[int, list[Phrase]] = {j: [] for j in whole_tags}
                for turn in tr.scored_turns():
                    found = explain(self.pipeline, text[turn.start:turn.end], whole_tags, offset=turn.start)
                    for j, phrases in zip(whole_tags, found, strict=True):
                        per_tag[j].extend(phrases)
                for j in whole_tags:
                    best = sorted(per_tag[j], key=lambda p: p.weight, reverse=True)[:3]
                    out.append(Evidence(TAG_NAMES[j], sorted(best, key=lambda p: p.start)))
            else:
                for j, found in zip(whole_tags, explain(self.pipeline, text, whole_tags), strict=True):
                    out.append(Evidence(TAG_NAMES[j], found))
        order = {t: i for i, t in enumerate(pred.tags)}
        return sorted(out, key=lambda e: order.get(e.tag, 99))
