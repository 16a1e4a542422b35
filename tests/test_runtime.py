"""The pickle-free runtime model: same scores as the scikit-learn pipeline, safe loading, no scikit-learn import."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier import config
from classifier.modeling import runtime as rt_mod
from classifier.modeling.pipeline import features, parts
from classifier.modeling.predict import Classifier, ModelError, load_model
from classifier.modeling.runtime import RuntimeModel, RuntimeModelError, export_runtime
from classifier.scoring.batch import score_texts
from classifier.text.normalize import normalize
from classifier.text.normalize_batch import normalize_many

TEST_CSV = config.PROCESSED_DIR / "test.csv"


@pytest.fixture(scope="module")
def test_texts() -> list[str]:
    return pd.read_csv(TEST_CSV, keep_default_na=False)["text"].tolist()


@pytest.fixture(scope="module")
def reference():
    """The shipped scikit-learn pipeline (the reference path)."""
    return load_model(config.SHIPPED_MODEL_DIR)[0]


@pytest.fixture(scope="module")
def runtime():
    return RuntimeModel.load(config.SHIPPED_MODEL_DIR)


@pytest.fixture
def numpy_only(monkeypatch):
    monkeypatch.setattr(rt_mod, "KERNEL_MIN_DOCS", 10**9)


def _reference_tfidf(pipeline, norms):
    p = parts(pipeline)
    X = p.tfidf.transform(p.hasher.transform(norms)).tocsr()
    X.sort_indices()
    return X


# --- scores ------------------------------------------------------------------------------------

def test_runtime_scores_equal_sklearn_on_whole_test_split(reference, runtime, test_texts):
    expected = reference.predict_proba(test_texts)
    got = runtime.proba(runtime.normalize(test_texts))  # the compiled kernels (a large batch)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    from classifier.modeling.decoding import decode

    th = dict(reference.steps)["clf"].decision_thresholds()
    np.testing.assert_array_equal(decode(got, runtime.thresholds), decode(expected, th))  # same tags: same metrics


def test_runtime_numpy_path_equal_sklearn_on_whole_test_split(reference, runtime, test_texts, numpy_only):
    expected = reference.predict_proba(test_texts)
    got = runtime.proba(runtime.normalize(test_texts))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_single_messages_equal_sklearn(reference, runtime, test_texts):
    texts = test_texts[:150]
    expected = reference.predict_proba(texts)
    got = np.vstack([runtime.proba(runtime.normalize([t])) for t in texts])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_kernel_features_equal_ngram_hasher(reference, runtime, test_texts):
    """Same non-zero TF-IDF entries (bucket and value) as NgramHasher + TfidfTransformer."""
    from classifier.modeling import kernels

    norms = [normalize(t) for t in test_texts]
    X = _reference_tfidf(reference, norms)
    doc, col, val = kernels.tfidf_entries(runtime.streams(norms), runtime)
    keep = np.flatnonzero(runtime.col_of >= 0)
    np.testing.assert_array_equal(doc, np.repeat(np.arange(X.shape[0]), np.diff(X.indptr)))
    np.testing.assert_array_equal(keep[col], X.indices)
    np.testing.assert_allclose(val, X.data, rtol=0, atol=1e-6)


_PIECES = [*"还钱你爸妈通讯录催收逾期死全家曝光 　，。！?abc123４５６😡🔪\u200b.-*~\n頭發", "huan qian", "tongxunlu",
           "ｈｕａｎ", "13812345678", "5000.00元", "www.x.cn", "爆.通.讯.录"]
text_strategy = st.lists(st.one_of(st.sampled_from(_PIECES), st.characters(exclude_categories=("Cs",))),
                         max_size=25).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(text_strategy, min_size=1, max_size=80))
def test_fast_path_equals_reference_on_generated_text(reference, runtime, texts):
    norms = normalize_many(texts)
    assert norms == [normalize(t) for t in texts]
    X = _reference_tfidf(reference, norms)
    from classifier.modeling import kernels

    _, col, val = kernels.tfidf_entries(runtime.streams(norms), runtime)
    keep = np.flatnonzero(runtime.col_of >= 0)
    np.testing.assert_array_equal(keep[col], X.indices)
    np.testing.assert_allclose(val, X.data, rtol=0, atol=1e-6)
    expected = parts(reference).clf.predict_proba(features(reference, norms))
    np.testing.assert_allclose(runtime.proba(norms), expected, rtol=0, atol=1e-6)
    small = [runtime.proba([n]) for n in norms[:5]]
    np.testing.assert_allclose(np.vstack(small), expected[:len(small)], rtol=0, atol=1e-6)


def test_batch_normalization_equals_normalize(test_texts):
    from classifier.text import normalize_batch

    normalize_batch._CACHE.clear()  # normalized on the joined string here, not read from the cache
    assert normalize_many(test_texts) == [normalize(t) for t in test_texts]
    assert normalize_many([None, "", 3.0, "a\x1eb"]) == ["", "", "", normalize("a\x1eb")]


def test_batch_normalization_cache_gives_the_same_texts_and_stays_bounded(test_texts, monkeypatch):
    from classifier.text import normalize_batch

    normalize_batch._CACHE.clear()
    texts = test_texts[:400]
    want = [normalize(t) for t in texts]
    mixed = [*texts[:50], None, {"a": 1}, ["x"], 3.0, *texts[:50], "x" * 400 + "还钱"]
    first = normalize_many(texts)
    assert first == want and len(normalize_batch._CACHE) > 300  # filled
    assert normalize_many(texts) == want  # read back
    assert normalize_many(mixed) == [normalize(t) if isinstance(t, str) else "" for t in mixed]
    assert "x" * 400 + "还钱" not in normalize_batch._CACHE  # long texts are not kept
    import pandas as pd

    series = pd.Series([*texts[:20], None], index=range(100, 121))  # read by position, not by label
    assert normalize_many(series) == [*want[:20], ""]
    monkeypatch.setattr(normalize_batch, "CACHE_ITEMS", 100)
    more = [t + "！" for t in texts]
    assert normalize_many(more) == [normalize(t) for t in more]
    assert 0 < len(normalize_batch._CACHE) <= 100
    normalize_batch._CACHE.clear()


def test_saliency_close_to_reference(reference, runtime, test_texts):
    from classifier.modeling.explain import saliency

    norms = [normalize(t) for t in test_texts[:200]]
    wanted = [(d, j) for d in range(0, 200, 3) for j in (2, 3, 4)]
    ref = saliency(reference, norms, wanted)
    streams = runtime.streams(norms)
    for sal in (runtime.saliency(norms, wanted), runtime.saliency(norms, wanted[:30]),
                runtime.saliency(norms, wanted, streams), runtime.saliency(norms, wanted[:30], streams)):
        for key, value in sal.items():
            np.testing.assert_allclose(value, ref[key], rtol=0, atol=1e-5)
    # scoring leaves the concept block in the streams; the evidence reuses it and gets the same sums
    runtime.proba(norms, streams)
    assert "concepts" in streams
    for part in (wanted, wanted[:30]):
        reused, fresh = runtime.saliency(norms, part, streams), runtime.saliency(norms, part, runtime.streams(norms))
        assert reused.keys() == fresh.keys()
        for key, value in reused.items():
            np.testing.assert_array_equal(value, fresh[key])


def test_batch_warm_up_compiles_in_a_child_only_without_a_disk_cache(runtime, monkeypatch):
    """Before forking workers, batch warms the kernels up; with no numba cache on disk (the first run after
    installing) it compiles them in a short-lived child first, so the compiler's memory leaves with it."""
    import os

    from classifier.modeling import kernels

    runtime.warm_up()
    assert kernels.on_disk()  # numba's (private) cache layout still read right: else every batch would fork
    forks: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    runtime.warm_up(compile_apart=True)
    assert forks == []
    monkeypatch.setattr(kernels, "on_disk", lambda: False)
    runtime.warm_up(compile_apart=True)
    assert forks == [1]


# --- the classifier on the runtime -------------------------------------------------------------

def test_classifier_uses_runtime_by_default_and_matches_pickle(test_texts):
    fast = Classifier.load(config.SHIPPED_MODEL_DIR)
    ref = Classifier.load(config.SHIPPED_MODEL_DIR, engine="pickle")
    assert fast.runtime is not None and ref.runtime is None
    texts = test_texts[:300]
    a = fast.predict_many(texts)
    b = ref.predict_many(texts)
    assert [p.tags for p in a] == [p.tags for p in b]
    for p, q in zip(a, b, strict=True):
        assert p.scores == pytest.approx(q.scores, abs=1e-6)
        assert [e.tag for e in p.evidence] == [e.tag for e in q.evidence]


def test_score_texts_dedupe_matches_per_row_scoring(test_texts):
    """Deduplicated batch scoring gives, row by row, what scoring each row alone gives."""
    clf = Classifier.load(config.SHIPPED_MODEL_DIR)
    texts = test_texts[:120]
    repeated = [t for t in texts for _ in range(2)] + [texts[0].replace("1", "7") + " 12345.67元"] * 3
    rows = score_texts(clf, repeated, evidence="unlawful")
    alone = [score_texts(clf, [t], evidence="unlawful")[0] for t in repeated]
    assert len(rows) == len(repeated)
    for row, one in zip(rows, alone, strict=True):
        r, s = list(row.cells.values()), list(one.cells.values())
        assert r[:2] == s[:2] and r[7:] == s[7:]
        assert r[2:7] == pytest.approx(s[2:7], abs=1e-4)


def _fresh_python(code: str, cwd) -> subprocess.CompletedProcess:
    """Run ``code`` in a new interpreter (nothing imported yet) with this checkout first on the path."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd,
                          env={**__import__("os").environ, "PYTHONPATH": str(config.PROJ_ROOT)})


def test_scoring_path_never_imports_sklearn(tmp_path):
    code = (
        "import sys\n"
        "from classifier import Classifier\n"
        "from classifier.scoring.batch import score_texts\n"
        "clf = Classifier.load()\n"
        "clf.predict('再不还钱就爆你通讯录')\n"
        "score_texts(clf, ['再不还钱就爆你通讯录 %d' % i for i in range(200)])\n"
        "bad = [m for m in ('sklearn', 'joblib', 'scipy.sparse') if m in sys.modules]  # numba imports bare scipy\n"
        "print(bad)\n"
    )
    out = _fresh_python(code, tmp_path)
    assert out.stdout.strip() == "[]"


def test_classify_from_the_command_line_imports_no_pydantic_or_openpyxl(tmp_path):
    """Cold start: the CLI's classify path loads neither the web API's models nor the XLSX writer (~0.2 s)."""
    code = (
        "import sys\n"
        "from classifier.interfaces.cli import main\n"
        "sys.argv = ['cuishou', 'classify', '再不还钱就爆你通讯录']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('pydantic', 'openpyxl', 'sklearn') if m in sys.modules], file=sys.stderr)\n"
    )
    out = _fresh_python(code, tmp_path)
    assert out.stderr.strip().splitlines()[-1] == "[]"


# --- safe loading ------------------------------------------------------------------------------

@pytest.fixture
def runtime_copy(tmp_path):
    """The shipped runtime files alone, in a folder outside the project (no pickle, no manifest)."""
    for name in rt_mod.RUNTIME_FILES:
        shutil.copy(config.SHIPPED_MODEL_DIR / name, tmp_path / name)
    return tmp_path


def test_runtime_model_from_anywhere_loads_without_trust(runtime_copy):
    clf = Classifier.load(runtime_copy)
    assert clf.runtime is not None
    assert clf.predict("再不还钱就把你欠钱的事发给你通讯录里所有人").primary_label == "threat"


def test_pickle_outside_project_still_needs_trust(tmp_path):
    for name in (config.MODEL_FILE, config.MANIFEST_FILE):
        shutil.copy(config.SHIPPED_MODEL_DIR / name, tmp_path / name)
    with pytest.raises(ModelError, match="trust-model"):
        Classifier.load(tmp_path)


def test_tampered_arrays_refused(runtime_copy):
    npz = runtime_copy / rt_mod.RUNTIME_NPZ
    data = bytearray(npz.read_bytes())
    data[-100] ^= 1
    npz.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match"):
        Classifier.load(runtime_copy)


def test_pickled_arrays_refused(runtime_copy):
    npz = runtime_copy / rt_mod.RUNTIME_NPZ
    with open(npz, "wb") as f:
        np.savez(f, keep_buckets=np.array([1, 2]), idf=np.ones(2), coef=np.array([object()] * 10, dtype=object))
    spec = json.loads((runtime_copy / rt_mod.RUNTIME_JSON).read_text())
    spec["files"][rt_mod.RUNTIME_NPZ] = rt_mod._sha256(npz)  # an attacker can fix the checksum too
    (runtime_copy / rt_mod.RUNTIME_JSON).write_text(json.dumps(spec))
    with pytest.raises(ModelError, match="plain-array"):
        Classifier.load(runtime_copy)


@pytest.mark.parametrize("change", [
    {"format": "other"},
    {"tags": ["a", "b"]},
    {"features": {"n_features": 3}},
    {"intercept": [0, 0]},
    {"thresholds": ["x"] * 5},
])
def test_malformed_runtime_json_refused(runtime_copy, change):
    spec = json.loads((runtime_copy / rt_mod.RUNTIME_JSON).read_text())
    for k, v in change.items():
        spec[k] = {**spec[k], **v} if isinstance(v, dict) else v
    (runtime_copy / rt_mod.RUNTIME_JSON).write_text(json.dumps(spec))
    with pytest.raises(ModelError):
        Classifier.load(runtime_copy)
    (runtime_copy / rt_mod.RUNTIME_JSON).write_text("{not json")
    with pytest.raises(ModelError):
        Classifier.load(runtime_copy)


def test_export_round_trip_small_model(small_pipeline, tmp_path, small_train):
    files = export_runtime(small_pipeline, tmp_path, "test-small")
    assert set(files) == set(rt_mod.RUNTIME_FILES)
    model = rt_mod.load_runtime(tmp_path, {"runtime": {"files": files}})
    texts = small_train["text"].tolist()[:100]
    np.testing.assert_allclose(model.proba(model.normalize(texts)), small_pipeline.predict_proba(texts), atol=1e-6)
    with pytest.raises(RuntimeModelError, match="manifest"):
        rt_mod.load_runtime(tmp_path, {"runtime": {"files": {rt_mod.RUNTIME_JSON: "0" * 64}}})
