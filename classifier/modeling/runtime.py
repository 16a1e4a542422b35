"""The runtime model: the fitted pipeline as plain arrays and JSON, scored without scikit-learn or pickle.

``export_runtime`` writes, next to the joblib pickle, ``runtime.npz`` (arrays, loaded with
``allow_pickle=False``) and ``runtime.json`` (feature settings, TF-IDF settings, intercepts, Platt
calibration, thresholds, the sha256 of the arrays, library versions). Loading them runs no code
from the files, so a model from anywhere can be loaded; every value is checked (types, shapes,
ranges, finiteness) before use.

``RuntimeModel`` reproduces the pipeline: ``normalize`` → hashed word / character / pinyin
n-grams (``text.ngram_core``, the same helpers ``NgramHasher`` uses) → sublinear TF-IDF with L2
norm → one logistic regression per tag → Platt calibration. Only buckets the fitted hasher keeps
are stored, each with its IDF and five coefficients. Small batches (one message from ``classify``
or the web page) run on numpy, so nothing needs compiling; large batches run the numba kernels in
``modeling.kernels``. Tests pin both to the scikit-learn pipeline (scores equal to 1e-6 on the
whole test split).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np

from ..labels import TAG_NAMES
from ..text.concepts import CONCEPTS, concept_values
from ..text.ngram_core import (
    _WORD_IDS,
    BACKENDS,
    DOC_SEP,
    _ngram_hashes,
    _syllables,
    _tokenizer,
)
from ..text.normalize import normalize
from ..text.normalize_batch import normalize_many
from .explain import add_concept_saliency

FORMAT = "cuishou-runtime/1"
RUNTIME_JSON = "runtime.json"
RUNTIME_NPZ = "runtime.npz"
RUNTIME_FILES = (RUNTIME_JSON, RUNTIME_NPZ)
#: Batches at least this large use the compiled kernels (below it, numpy: no compile, no numba import).
KERNEL_MIN_DOCS = 64
_MAX_FEATURES = 1 << 24
_ARRAYS = {"keep_buckets": np.integer, "idf": np.floating, "coef": np.floating, "concept_coef": np.floating}


class RuntimeModelError(ValueError):
    """The runtime model files are missing, altered or malformed."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def has_runtime(model_dir: Path) -> bool:
    return all((Path(model_dir) / f).exists() for f in RUNTIME_FILES)


# --- export ----------------------------------------------------------------------------------------

def export_runtime(pipeline, out_dir: Path, model_id: str | None = None, versions: dict[str, str] | None = None) -> dict:
    """Write ``runtime.npz`` and ``runtime.json`` for a fitted pipeline; return ``{file: sha256}``."""
    from .pipeline import parts  # export runs after training, where scikit-learn is loaded anyway

    hasher, tfidf, concepts, clf = parts(pipeline)
    tf = tfidf.get_params()
    if tf["norm"] != "l2" or not tf["sublinear_tf"] or not tf["use_idf"]:
        raise ValueError(f"the runtime implements sublinear TF-IDF with L2 norm, not {tf}")
    if list(clf.classes_) != list(TAG_NAMES):
        raise ValueError(f"the model predicts {list(clf.classes_)}, expected {list(TAG_NAMES)}")
    out_dir = Path(out_dir)
    keep = np.flatnonzero(hasher.keep_).astype(np.int32)
    npz_path = out_dir / RUNTIME_NPZ
    with open(npz_path, "wb") as f:
        coef = np.asarray(clf.coef_)
        np.savez(f, keep_buckets=keep, idf=np.asarray(tfidf.idf_)[keep],
                 coef=np.ascontiguousarray(coef[:, keep]),
                 concept_coef=np.ascontiguousarray(coef[:, hasher.n_features:]))
    spec = {
        "format": FORMAT,
        "model_id": model_id,
        "tags": list(TAG_NAMES),
        "features": {
            "n_features": int(hasher.n_features),
            "word_ngram_max": int(hasher.word_ngram_max),
            "char_ngram_range": [int(x) for x in hasher.char_ngram_range],
            "pinyin_ngram_range": [int(x) for x in hasher.pinyin_ngram_range],
            "backend": hasher.backend,
            "user_words": list(hasher.user_words),
            "min_df": int(hasher.min_df),
        },
        "tfidf": {"sublinear_tf": True, "norm": "l2", "smooth_idf": bool(tf["smooth_idf"])},
        "concepts": {"names": list(concepts.names_) if concepts is not None else [],
                     "weight": float(concepts.weight) if concepts is not None else 0.0},
        "intercept": np.asarray(clf.intercept_, dtype=np.float64).tolist(),
        "calibration": np.asarray(clf.calibration_, dtype=np.float64).tolist(),
        "thresholds": np.asarray(clf.decision_thresholds(), dtype=np.float64).tolist(),
        "turn_thresholds": np.asarray(clf.decision_thresholds(turn=True), dtype=np.float64).tolist(),
        "files": {RUNTIME_NPZ: _sha256(npz_path)},
        "versions": dict(versions or {}),
    }
    (out_dir / RUNTIME_JSON).write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return {name: _sha256(out_dir / name) for name in RUNTIME_FILES}


# --- loading and checking --------------------------------------------------------------------------

def _floats(spec: dict, key: str, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(spec[key], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as e:
        raise RuntimeModelError(f"runtime.json: {key!r} is missing or not numbers") from e
    if arr.shape != shape or not np.isfinite(arr).all():
        raise RuntimeModelError(f"runtime.json: {key!r} must be {shape} finite numbers")
    return arr


def _int_pair(value, name: str) -> tuple[int, int]:
    if (not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, int) for v in value)
            or not 1 <= value[0] <= value[1] + 1 or value[1] > 8):
        raise RuntimeModelError(f"runtime.json: {name} must be [lo, hi] with 1 <= lo, hi <= 8")
    return value[0], value[1]


def _check_spec(spec: object) -> dict:
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise RuntimeModelError(f"runtime.json: not a {FORMAT} file")
    if spec.get("tags") != list(TAG_NAMES):
        raise RuntimeModelError(f"runtime.json: the model predicts {spec.get('tags')}, this version expects "
                                f"{list(TAG_NAMES)}")
    feat = spec.get("features")
    if not isinstance(feat, dict):
        raise RuntimeModelError("runtime.json: 'features' missing")
    n = feat.get("n_features")
    if not isinstance(n, int) or n < 2 or n > _MAX_FEATURES or n & (n - 1):
        raise RuntimeModelError("runtime.json: n_features must be a power of two up to 2^24")
    if feat.get("backend") not in BACKENDS:
        raise RuntimeModelError(f"runtime.json: tokenizer backend must be one of {BACKENDS}")
    words = feat.get("user_words")
    if (not isinstance(words, list) or len(words) > 100_000
            or not all(isinstance(w, str) and 0 < len(w) <= 64 and w.strip() == w and "\n" not in w for w in words)):
        raise RuntimeModelError("runtime.json: user_words must be a list of short words")
    wmax = feat.get("word_ngram_max")
    if not isinstance(wmax, int) or not 1 <= wmax <= 8:
        raise RuntimeModelError("runtime.json: word_ngram_max must be 1..8")
    _int_pair(feat.get("char_ngram_range"), "char_ngram_range")
    _int_pair(feat.get("pinyin_ngram_range"), "pinyin_ngram_range")
    if spec.get("tfidf", {}).get("norm") != "l2" or spec.get("tfidf", {}).get("sublinear_tf") is not True:
        raise RuntimeModelError("runtime.json: only sublinear TF-IDF with L2 norm is supported")
    con = spec.setdefault("concepts", {"names": [], "weight": 0.0})  # runtime models exported before the block
    if (not isinstance(con, dict) or not isinstance(con.get("names"), list)
            or not all(isinstance(n, str) and n in CONCEPTS for n in con["names"])
            or len(set(con["names"])) != len(con["names"])
            or not isinstance(con.get("weight"), int | float) or not 0 <= con["weight"] <= 100):
        raise RuntimeModelError("runtime.json: 'concepts' must name concepts of this version's lexicon, with a weight")
    files = spec.get("files")
    if not isinstance(files, dict) or not isinstance(files.get(RUNTIME_NPZ), str):
        raise RuntimeModelError(f"runtime.json: no sha256 for {RUNTIME_NPZ}")
    return spec


def _load_arrays(path: Path, n_features: int, n_concepts: int) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as z:
            expected = set(_ARRAYS) if n_concepts or "concept_coef" in z.files else set(_ARRAYS) - {"concept_coef"}
            if set(z.files) != expected:
                raise RuntimeModelError(f"{path.name}: expected arrays {sorted(expected)}, found {sorted(z.files)}")
            arrays = {k: z[k] for k in expected}
            arrays.setdefault("concept_coef", np.zeros((len(TAG_NAMES), 0)))
    except (OSError, ValueError) as e:  # ValueError: a pickled (object) array, or not an npz at all
        raise RuntimeModelError(f"{path.name}: not a plain-array .npz file ({e})") from e
    for k, kind in _ARRAYS.items():
        if not np.issubdtype(arrays[k].dtype, kind):
            raise RuntimeModelError(f"{path.name}: {k} has dtype {arrays[k].dtype}")
    keep, idf, coef = arrays["keep_buckets"], arrays["idf"], arrays["coef"]
    n_keep = len(keep)
    if (keep.ndim != 1 or idf.shape != (n_keep,) or coef.shape != (len(TAG_NAMES), n_keep)
            or arrays["concept_coef"].shape != (len(TAG_NAMES), n_concepts)):
        raise RuntimeModelError(f"{path.name}: array shapes do not fit together")
    if n_keep and (keep[0] < 0 or keep[-1] >= n_features or (np.diff(keep) <= 0).any()):
        raise RuntimeModelError(f"{path.name}: kept buckets must be increasing and below n_features")
    if not (np.isfinite(idf).all() and np.isfinite(coef).all() and np.isfinite(arrays["concept_coef"]).all()):
        raise RuntimeModelError(f"{path.name}: non-finite values")
    return arrays


class RuntimeModel:
    """A loaded runtime model: ``normalize``, ``proba``, ``saliency``, ``thresholds``."""

    def __init__(self, spec: dict, arrays: dict[str, np.ndarray]):
        self.spec = spec
        feat = spec["features"]
        self.n_features = feat["n_features"]
        self.char_range = tuple(feat["char_ngram_range"])
        self.pinyin_range = tuple(feat["pinyin_ngram_range"])
        self.word_max = feat["word_ngram_max"]
        self.backend = feat["backend"]
        self.user_words = tuple(feat["user_words"])
        n_tags = len(TAG_NAMES)
        self.intercept = _floats(spec, "intercept", (n_tags,))
        self.calibration = _floats(spec, "calibration", (n_tags, 2))
        self.thresholds = _floats(spec, "thresholds", (n_tags,))
        self.turn_thresholds = _floats(spec, "turn_thresholds", (n_tags,))
        keep = arrays["keep_buckets"].astype(np.int64)
        self.col_of = np.full(self.n_features, -1, dtype=np.int32)
        self.col_of[keep] = np.arange(len(keep), dtype=np.int32)
        bits = np.zeros(max(self.n_features // 64, 1), dtype=np.uint64)
        np.bitwise_or.at(bits, keep >> 6, np.left_shift(np.uint64(1), (keep & 63).astype(np.uint64)))
        self.keep_bits = bits  # the same set as a bitmap, with the kept count before each word (for the kernels)
        per_word = np.unpackbits(bits.view(np.uint8)).reshape(len(bits), 64).sum(axis=1)  # numpy < 2 has no bitwise_count
        self.keep_rank = np.concatenate([[0], np.cumsum(per_word)[:-1]]).astype(np.int64)
        # float32 on purpose: the scikit-learn pipeline computes TF-IDF in float32 (from float32 counts)
        self.idf = arrays["idf"].astype(np.float32)
        self.coef = arrays["coef"]
        self.coef_t = np.ascontiguousarray(self.coef.T.astype(np.float32))  # (kept buckets, tags) for the kernels
        self.concept_names = tuple(spec["concepts"]["names"])
        self.concept_weight = float(spec["concepts"]["weight"])
        self.concept_coef_t = np.ascontiguousarray(arrays["concept_coef"].T.astype(np.float32))  # (concepts, tags)

    @classmethod
    def load(cls, model_dir: Path | str, expected_sha256: dict[str, str] | None = None) -> RuntimeModel:
        """Load and check ``runtime.json`` + ``runtime.npz``; ``expected_sha256`` from the model manifest."""
        model_dir = Path(model_dir)
        json_path, npz_path = model_dir / RUNTIME_JSON, model_dir / RUNTIME_NPZ
        if not json_path.exists() or not npz_path.exists():
            raise RuntimeModelError(f"no runtime model in {model_dir} (need {RUNTIME_JSON} and {RUNTIME_NPZ})")
        for name, sha in (expected_sha256 or {}).items():
            if name in RUNTIME_FILES and _sha256(model_dir / name) != sha:
                raise RuntimeModelError(f"{model_dir / name} does not match the manifest's sha256; refusing to load it")
        try:
            spec = json.loads(json_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise RuntimeModelError(f"unreadable {json_path}: {e}") from e
        spec = _check_spec(spec)
        actual = _sha256(npz_path)
        if actual != spec["files"][RUNTIME_NPZ]:
            raise RuntimeModelError(f"{npz_path} does not match runtime.json (sha256 {actual[:12]}…); refusing to load it")
        return cls(spec, _load_arrays(npz_path, spec["features"]["n_features"], len(spec["concepts"]["names"])))

    def warm_up(self, compile_apart: bool = False) -> None:
        """Load the compiled kernels now (numba import and cache, ~0.5 s): before forking batch workers, so
        they share them instead of each loading its own copy.

        ``compile_apart``: first run them once in a short-lived forked child. On the first run after
        installation numba compiles them there and caches them on disk, and this process only loads the
        cache: the compiler's memory (~50 MB, kept for the life of a process that compiled) never stays in
        a batch (peak PSS of a first 50k-row batch 407 -> 345 MB). Skipped when numba's cache is on disk."""
        from . import kernels

        if compile_apart and hasattr(os, "fork") and not kernels.on_disk():
            pid = os.fork()
            if pid == 0:  # the child: compile or load, then leave without running any cleanup of the parent's
                code = 0
                try:
                    self.warm_up()
                except BaseException:
                    code = 1
                os._exit(code)
            os.waitpid(pid, 0)  # whatever the child managed, this process warms up below as before
        docs = [f"预热 warm-up 还钱 {i}" for i in range(KERNEL_MIN_DOCS)]
        streams = self.streams(docs)
        self.proba(docs, streams)
        self.saliency(docs, [(i, 3) for i in range(KERNEL_MIN_DOCS)], streams)

    # --- scoring -----------------------------------------------------------------------------------

    def normalize(self, texts: Sequence[object]) -> list[str]:
        if len(texts) == 1:
            return [normalize(texts[0]) if isinstance(texts[0], str) else ""]
        return normalize_many(texts)

    def decision(self, norms: Sequence[str], streams: dict | None = None) -> np.ndarray:
        """Per-tag logistic-regression scores (before calibration), rows x tags. ``streams``: ``self.streams(norms)``."""
        if not norms:
            return np.zeros((0, len(TAG_NAMES)))
        streams = self.streams(norms) if streams is None else streams
        if len(norms) >= KERNEL_MIN_DOCS:
            from . import kernels

            f = kernels.decision(streams, self)
        else:
            f = self._decision_numpy(streams, len(norms))
        if self.concept_names:
            f = f + self._concepts(norms, streams)[0] @ self.concept_coef_t
        return f.astype(np.float64) + self.intercept

    def _concepts(self, norms: Sequence[str], streams: dict) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """:meth:`concept_values` of ``norms``, kept in their ``streams`` so that the evidence reuses them."""
        found = streams.get("concepts")
        if found is None:
            found = streams["concepts"] = self.concept_values(norms)
        return found

    def concept_values(self, norms: Sequence[str]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """The concept block of ``norms`` (float32, as the pipeline's) and the concepts' first matches."""
        return concept_values(norms, self.concept_names, self.concept_weight)

    def proba(self, norms: Sequence[str], streams: dict | None = None) -> np.ndarray:
        """Calibrated probability of each tag (rows x tags)."""
        z = self.decision(norms, streams) * self.calibration[:, 0] + self.calibration[:, 1]
        return 1.0 / (1.0 + np.exp(-z))

    def saliency(self, norms: Sequence[str], wanted: Collection[tuple[int, int]],
                 streams: dict | None = None) -> dict[tuple[int, int], np.ndarray]:
        """Per-character contribution to each ``(doc, tag)`` logit in ``wanted`` (see ``explain.saliency``).

        ``streams``: ``self.streams(norms)`` if already computed (then only the wanted documents are walked).
        """
        if not wanted:
            return {}
        docs = sorted({d for d, _ in wanted})
        tags = sorted({j for _, j in wanted})
        given = streams
        if streams is None or len(docs) < KERNEL_MIN_DOCS:  # the wanted documents' own streams
            streams, walk = self.streams([norms[d] for d in docs]), np.arange(len(docs))
        else:  # the given streams, walked for the wanted documents only
            walk = np.array(docs, dtype=np.int64)
        local = {d: i for i, d in enumerate(docs)}
        slot = {j: i for i, j in enumerate(tags)}
        if len(docs) >= KERNEL_MIN_DOCS:
            from . import kernels

            want = np.zeros((len(docs), len(tags)), dtype=np.bool_)  # only the pairs asked for are spread
            for d, j in wanted:
                want[local[d], slot[j]] = True
            sal = kernels.saliency(streams, self, np.array(tags, dtype=np.int64), walk, want)
        else:
            sal = self._saliency_numpy(streams, tags)
        offs = np.concatenate([[0], np.cumsum([len(norms[d]) for d in docs])])
        if self.concept_names:
            values, occ = self._wanted_concepts(norms, docs, given)
            for i, j in enumerate(tags):
                add_concept_saliency(sal[i], values, occ, self.concept_coef_t[:, j], offs[:-1])
        return {(d, j): sal[slot[j], offs[local[d]]:offs[local[d] + 1]] for d, j in wanted}

    def _wanted_concepts(self, norms: Sequence[str], docs: list[int], streams: dict | None
                         ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """The concept block and first matches of documents ``docs`` (renumbered 0..), taken from the
        ``streams`` of all ``norms`` when :meth:`decision` left them there, else computed."""
        found = streams.get("concepts") if streams is not None else None
        if found is None:
            return self.concept_values([norms[d] for d in docs])
        values, (doc, col, start, end) = found
        local = np.full(len(values), -1, dtype=np.int64)
        local[docs] = np.arange(len(docs))
        keep = local[doc] >= 0
        return values[docs], (local[doc[keep]], col[keep], start[keep], end[keep])

    # --- the n-gram streams (shared by the numpy path and the kernels) --------------------------

    def streams(self, docs: Sequence[str]) -> dict[str, np.ndarray]:
        """Code points, syllables and word ids of the batch joined by ``DOC_SEP``, with positions."""
        docs = [d if isinstance(d, str) else "" for d in docs]
        big = DOC_SEP.join(docs)
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        doc_start = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
        cp = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        if self.pinyin_range[1] >= self.pinyin_range[0]:
            syl, syl_pos = _syllables(docs, big)
        else:
            syl, syl_pos = np.zeros(0, np.int64), np.zeros(0, np.int64)
        toks = _tokenizer(self.backend, self.user_words)
        toks = toks.cut(big) if self.backend == "rjieba" else toks.lcut(big)
        tok_len = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
        tok_start = np.concatenate([[0], np.cumsum(tok_len)[:-1]]) if len(toks) else np.zeros(0, np.int64)
        tok_id = np.fromiter(map(_WORD_IDS.__getitem__, toks), dtype=np.int64, count=len(toks))
        kept = tok_id != 0
        return {"cp": cp, "doc_start": doc_start, "doc_len": lengths,
                "syl": np.ascontiguousarray(syl, dtype=np.int64), "syl_pos": np.ascontiguousarray(syl_pos, dtype=np.int64),
                "wid": tok_id[kept], "wstart": tok_start[kept], "wend": (tok_start + tok_len)[kept]}

    def _occurrences(self, s: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
        """Every kept n-gram occurrence: ``(doc, column, start, end)`` (start/end in the joined string)."""
        mask = self.n_features - 1
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        cp = s["cp"]
        brk = (cp == 0x20) | (cp == 0x0A) | (cp == 0x1E)
        b, st, sz = _ngram_hashes(cp, brk, *self.char_range, "char", mask)
        parts.extend((bb, ss, ss + kk) for bb, ss, kk in zip(b, st, sz, strict=True))
        if self.pinyin_range[1] >= self.pinyin_range[0]:
            syl, pos = s["syl"], s["syl_pos"]
            b, st, sz = _ngram_hashes(syl, syl < 0, *self.pinyin_range, "pinyin", mask)
            parts.extend((bb, pos[ss], pos[ss + kk - 1] + 1) for bb, ss, kk in zip(b, st, sz, strict=True))
        wid, ws, we = s["wid"], s["wstart"], s["wend"]
        b, st, sz = _ngram_hashes(wid, wid < 0, 1, self.word_max, "word", mask)
        parts.extend((bb, ws[ss], we[ss + kk - 1]) for bb, ss, kk in zip(b, st, sz, strict=True))
        bucket = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        start = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        end = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.int64)
        col = self.col_of[bucket]
        ok = col >= 0
        start, end, col = start[ok], end[ok], col[ok]
        doc = np.searchsorted(s["doc_start"], start, side="right") - 1
        return doc, col.astype(np.int64), start, end

    def _tfidf(self, doc: np.ndarray, col: np.ndarray, n_docs: int):
        """Distinct ``(doc, col)`` pairs, their count and their L2-normalized TF-IDF value (float32, as sklearn)."""
        n_col = max(len(self.idf), 1)
        key, inverse, count = np.unique(doc * n_col + col, return_inverse=True, return_counts=True)
        d, c = key // n_col, key % n_col
        v = (np.log(count.astype(np.float32)) + np.float32(1)) * self.idf[c]
        # the L2 norm as scikit-learn computes it: float32 squares summed in float64, division in float64
        sq = np.zeros(n_docs)
        np.add.at(sq, d, (v * v).astype(np.float64))
        norm = np.sqrt(sq)
        norm[norm == 0] = 1
        return d, c, count, (v.astype(np.float64) / norm[d]).astype(np.float32), inverse

    def _decision_numpy(self, s: dict[str, np.ndarray], n_docs: int) -> np.ndarray:
        doc, col, _, _ = self._occurrences(s)
        d, c, _, v, _ = self._tfidf(doc, col, n_docs)
        # float32 sums in column order (np.add.at is sequential): what scipy does with the float32 matrices
        f = np.zeros((n_docs, len(TAG_NAMES)), np.float32)
        for j in range(len(TAG_NAMES)):
            np.add.at(f[:, j], d, v * self.coef_t[c, j])
        return f

    def _saliency_numpy(self, s: dict[str, np.ndarray], tags: list[int]) -> np.ndarray:
        doc, col, start, end = self._occurrences(s)
        n_docs = len(s["doc_len"])
        _, _, count, v, inverse = self._tfidf(doc, col, n_docs)
        value = (v / count)[inverse]
        doc_off = np.concatenate([[0], np.cumsum(s["doc_len"])[:-1]])
        a = start - s["doc_start"][doc]
        length = end - start
        ok = length > 0
        doc, col, a, length, value = doc[ok], col[ok], a[ok], length[ok], value[ok]
        rep = np.repeat(np.arange(len(doc)), length)
        offs = np.arange(len(rep)) - np.repeat(np.cumsum(length) - length, length)
        char_at = doc_off[doc[rep]] + np.minimum(a[rep] + offs, s["doc_len"][doc[rep]] - 1)
        total = int(s["doc_len"].sum())
        out = np.zeros((len(tags), total))
        for i, j in enumerate(tags):
            contrib = value.astype(np.float64) * self.coef_t[col, j] / length
            out[i] = np.bincount(char_at, weights=contrib[rep], minlength=total)
        return out


def load_runtime(model_dir: Path, manifest: dict | None = None) -> RuntimeModel:
    """Load the runtime model of a model directory, checked against its manifest when there is one."""
    expected = (manifest or {}).get("runtime", {}).get("files") if manifest else None
    return RuntimeModel.load(model_dir, expected)


__all__ = ["RUNTIME_FILES", "RuntimeModel", "RuntimeModelError", "export_runtime", "has_runtime", "load_runtime"]
