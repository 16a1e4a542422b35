"""Spark in local mode gives every row the same labels and scores as the single-machine scorer."""

import csv
import shutil

import pytest

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _require():
    pytest.importorskip("pyspark", reason="pip install -e '.[spark]'")
    pytest.importorskip("pyarrow")
    if not shutil.which("java"):
        pytest.skip("Spark needs Java")


def test_spark_matches_single_machine(tmp_path):
    _require()
    from classifier.interfaces.spark import ROW_ID, run_spark
    from classifier.scoring.batch import run_batch

    src = tmp_path / "in.csv"
    with open("data/processed/test.csv", encoding="utf-8") as f:
        texts = [r["text"] for r in csv.DictReader(f)]
    rows = [(f"2026-0{1 + i % 9}-1{i % 9}", texts[i % len(texts)]) for i in range(3000)]
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "content"])
        w.writerows(rows)
    local = tmp_path / "local.csv"
    run_batch(str(src), str(local), workers=0)
    with open(local, encoding="utf-8-sig") as f:
        expected = list(csv.DictReader(f))

    out = tmp_path / "spark_out"
    result = run_spark(str(src), str(out), master="local[2]", log=None)
    assert result["input_rows"] == result["output_rows"] == 3000
    import pandas as pd

    got = pd.read_parquet(out).sort_values(ROW_ID).reset_index(drop=True)
    assert got[ROW_ID].tolist() == list(range(3000))
    assert got["content"].tolist() == [r[1] for r in rows]  # multi-line transcripts survive too
    for i, exp in enumerate(expected):
        g = got.iloc[i]
        assert g["primary_label"] == exp["primary_label"] and g["tags"] == exp["tags"], i
        for c in ("score_threat", "score_harassment", "score_third_party_contact", "score_lawful_reminder",
                  "score_not_collection"):
            assert abs(float(g[c]) - float(exp[c])) < 1e-4, (i, c)
        assert g["statutes"] == exp["statutes"] and g["error"] == exp["error"]


def test_missing_pyspark_message(monkeypatch):
    import builtins

    from classifier.files.tabular import InputError
    from classifier.interfaces import spark as S  # noqa: N812

    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "pyspark":
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(InputError, match=r"pip install -e '\.\[spark\]'"):
        S._require_spark()
