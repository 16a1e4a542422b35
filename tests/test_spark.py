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


def _write_csv(path, header, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def test_spark_matches_single_machine(tmp_path):
    _require()
    from classifier.interfaces.spark import ROW_ID, run_spark
    from classifier.scoring.batch import run_batch

    src = tmp_path / "in.csv"
    with open("data/processed/test.csv", encoding="utf-8") as f:
        texts = [r["text"] for r in csv.DictReader(f)]
    rows = [(f"2026-0{1 + i % 9}-1{i % 9}", texts[i % len(texts)]) for i in range(3000)]
    _write_csv(src, ["date", "content"], rows)
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


def test_spark_from_a_non_activated_venv_on_labelled_input_equals_single_machine(tmp_path):
    """`.venv/bin/cuishou batch --engine spark` without activating the venv, on a file with a `tags` column."""
    _require()
    import os
    import subprocess
    import sys
    from pathlib import Path

    import pandas as pd

    from classifier.interfaces.spark import ROW_ID
    from classifier.scoring.batch import run_batch

    src = tmp_path / "labelled.csv"
    with open("data/processed/test.csv", encoding="utf-8") as f:
        rows = [(r["text"], r["tags"]) for r in csv.DictReader(f)][:200]
    _write_csv(src, ["content", "tags"], rows)
    local = tmp_path / "local.csv"
    run_batch(str(src), str(local), workers=0)
    expected = pd.read_csv(local, dtype=str, keep_default_na=False, encoding="utf-8-sig")

    venv_bin = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k not in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin)
    out = tmp_path / "spark_out"
    r = subprocess.run([sys.executable, "-m", "classifier", "batch", str(src), "-o", str(out), "--engine", "spark",
                        "--master", "local[2]", "-q"], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    got = pd.read_parquet(out).sort_values(ROW_ID).reset_index(drop=True)
    assert list(got.columns[:2]) == ["content", "tags"] and "tags_cuishou" in got.columns
    assert got["tags"].tolist() == [t for _, t in rows]
    for col in ("primary_label", "tags_cuishou", "statutes", "error"):
        assert got[col].fillna("").tolist() == expected[col].tolist(), col
    assert (got["score_threat"] - expected["score_threat"].astype(float)).abs().max() < 1e-4


def test_spark_reads_a_context_column_like_batch(tmp_path):
    _require()
    from classifier.interfaces.spark import ROW_ID, run_spark
    from classifier.scoring.batch import run_batch

    text = "您好，您在我平台的借款已逾期，如有困难可申请分期，请登录APP处理。"  # the guide's lawful reminder
    src = tmp_path / "in.csv"
    _write_csv(src, ["场景", "content"], [["群聊", text], ["", text], ["电话会议", text]])
    local = tmp_path / "local.csv"
    run_batch(str(src), str(local), workers=0)
    with open(local, encoding="utf-8-sig") as f:
        expected = list(csv.DictReader(f))
    out = tmp_path / "spark_out"
    run_spark(str(src), str(out), master="local[1]", log=None)
    import pandas as pd

    got = pd.read_parquet(out).sort_values(ROW_ID).reset_index(drop=True)
    assert got["tags"].tolist() == [r["tags"] for r in expected] == ["third_party_contact", "lawful_reminder",
                                                                     "lawful_reminder"]
    assert got["decided_by"].tolist() == ["context", "model", "model"]
    assert "unknown context '电话会议'" in got["error"][2] and not got["error"][0]
