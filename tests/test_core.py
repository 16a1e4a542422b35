"""The scoring core, the one JSON builder, Parquet, the lazy import, and the defects of issue 12."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient

from classifier.files.tabular import InputError
from classifier.interfaces.cli import cli
from classifier.interfaces.report import build_report
from classifier.interfaces.web.app import create_app
from classifier.interfaces.web.deps import get_classifier
from classifier.legal.statutes import DISCLAIMER
from classifier.schema import BATCH_COLUMNS, Result, result_columns
from classifier.scoring.batch import run_batch
from classifier.scoring.core import message_json, open_input, score_rows, score_texts
from classifier.scoring.review import select_for_review

ROOT = Path(__file__).resolve().parents[1]
EXPORT = "tests/data/sms_export.csv"
MESSAGES = ["【某银行】您尾号1234的信用卡已逾期3天，请尽快还款。", "老赖，再不还钱就爆你通讯录，明天公安上门",
            "您的验证码是4821，5分钟内有效。", "你好，你朋友王某在我司欠款逾期，请转告他尽快还款。"]


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


# --- the core ---------------------------------------------------------------------------------------

def test_score_rows_yields_typed_rows_in_order_with_roles(small_classifier, tmp_path):
    src = _csv(tmp_path / "in.csv", ["id", "sender", "date", "content"],
               [[f"m{i}", f"1380000000{i}", f"2026-03-0{i + 1} 10:00", t] for i, t in enumerate(MESSAGES)] +
               [["m9", "", "", ""]])
    rows = list(score_rows(open_input(str(src)), small_classifier))
    assert [r.row_number for r in rows] == [1, 2, 3, 4, 5]
    assert [r.id for r in rows] == ["m0", "m1", "m2", "m3", "m9"]
    assert rows[1].sender == "13800000001" and rows[1].date.isoformat() == "2026-03-02"
    assert rows[1].values == ["m1", "13800000001", "2026-03-02 10:00", MESSAGES[1]]
    assert "threat" in rows[1].tags and rows[1].prediction.tags == rows[1].tags
    assert rows[4].error == "empty text" and rows[4].tags == () and tuple(rows[4].cells) == BATCH_COLUMNS


def test_single_pass_and_worker_pool_give_the_same_cells(tmp_path):
    from classifier import config

    src = _csv(tmp_path / "in.csv", ["content"], [[t] for t in MESSAGES * 30])
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    run_batch(str(src), str(a), workers=0, model_dir=config.SHIPPED_MODEL_DIR, chunk_rows=7)
    run_batch(str(src), str(b), workers=2, model_dir=config.SHIPPED_MODEL_DIR, chunk_rows=7)
    assert a.read_bytes() == b.read_bytes()


def test_message_json_is_the_documented_schema(small_classifier):
    rows = score_texts(small_classifier, [MESSAGES[1], ""], evidence="all", explain=True)
    out = [message_json(r.prediction, small_classifier.model_info) for r in rows]
    for o in out:
        assert Result.model_validate(o).model_dump(exclude_unset=False).keys() >= set(Result.model_fields)
    assert out[0]["provisions"] and out[0]["evidence"] and out[0]["error"] is None
    assert out[1]["error"] == "empty text" and out[1]["provisions"] == [] and out[1]["disclaimer"] == DISCLAIMER


def test_cli_json_and_web_api_give_the_same_result(small_classifier, monkeypatch):
    app = create_app(classifier=small_classifier)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        api = client.post("/api/classify", json={"text": MESSAGES[1]}).json()["results"][0]
    monkeypatch.setattr("classifier.interfaces.cli._load_classifier", lambda *a: small_classifier)
    r = CliRunner().invoke(cli, ["classify", "--json", MESSAGES[1]])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == api


def test_legal_keys_beyond_the_declared_ones_reach_the_api(small_classifier, monkeypatch):
    # the legal part is one dict from legal/; a key it adds must not be dropped by the response model
    import classifier.legal as legal

    real = legal.legal_result
    monkeypatch.setattr(legal, "legal_result", lambda pred, *a: {**real(pred, *a), "new_legal_key": ["x"]})
    with TestClient(create_app(classifier=small_classifier), base_url="http://127.0.0.1") as client:
        got = client.post("/api/classify", json={"text": MESSAGES[0]}).json()["results"][0]
    assert got["new_legal_key"] == ["x"] and "legal_basis" in got


def test_import_classifier_is_light():
    code = "import sys, classifier; print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'opencc')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
    from classifier import Classifier, ModelError, Prediction  # still importable by name

    assert Classifier.__name__ == "Classifier" and issubclass(ModelError, RuntimeError) and Prediction


# --- defects of issue 12 ------------------------------------------------------------------------------

def test_spark_scorer_renames_clashing_columns_like_the_single_machine(small_classifier, tmp_path):
    from classifier.interfaces import spark

    src = _csv(tmp_path / "labelled.csv", ["content", "tags"], [[t, "threat"] for t in MESSAGES])
    local = tmp_path / "local.csv"
    run_batch(str(src), str(local), classifier=small_classifier)
    expected = pd.read_csv(local, dtype=str, keep_default_na=False, encoding="utf-8-sig")

    spark._EXECUTOR_CLF["m"] = small_classifier  # as loaded on an executor
    names = result_columns(["content", "tags"])
    pdf = pd.read_csv(src, dtype=str, keep_default_na=False)
    got = next(spark.make_scorer("m", "content", None, "unlawful", names)(iter([pdf])))
    assert list(got.columns) == list(expected.columns) and "tags_cuishou" in got.columns
    assert got["tags"].tolist() == ["threat"] * 4  # the input's own column is untouched
    assert got["tags_cuishou"].tolist() == expected["tags_cuishou"].tolist()
    assert got["statutes"].tolist() == expected["statutes"].tolist()


def test_report_counts_each_sender_once(shipped, tmp_path):
    # two mobile numbers send both flagged (listed, masked) and lawful (only counted) messages
    rows = [["13912340001", "2026-03-01 10:00", "老赖，再不还钱就爆你通讯录，明天公安上门抓你"],
            ["13912340001", "2026-03-02 10:00", MESSAGES[0]],
            ["13812345678", "2026-03-03 23:00", "你这种老赖不配活着，再不还钱明天去你单位闹"],
            ["13812345678", "2026-03-04 10:00", MESSAGES[2]],
            ["95588", "2026-03-05 10:00", MESSAGES[0]],
            ["10690000123", "2026-03-06 10:00", MESSAGES[0]]]
    src = _csv(tmp_path / "four.csv", ["address", "date", "body"], rows)
    out = tmp_path / "r.html"
    summary = build_report(str(src), str(out), classifier=shipped)
    assert 0 < summary["flagged_listed"] < 6
    shown = re.search(r"distinct senders<b>(\d+)</b>", out.read_text(encoding="utf-8"))
    assert shown and int(shown.group(1)) == 4


def test_report_shows_the_id_column(shipped, tmp_path):
    src = _csv(tmp_path / "in.csv", ["编号", "content"], [[f"MSG-{i:03d}", t] for i, t in enumerate(MESSAGES)])
    out = tmp_path / "r.html"
    r = CliRunner().invoke(cli, ["report", str(src), "-o", str(out), "--id-column", "编号", "--all"])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert all(f"id MSG-{i:03d}" in html for i in range(4))
    r = CliRunner().invoke(cli, ["report", str(src), "-o", str(out), "--id-column", "nope"])
    assert r.exit_code == 1 and "no id column 'nope'" in r.output


def test_review_reports_ragged_rows_by_number(small_classifier, tmp_path):
    src = tmp_path / "ragged.csv"
    src.write_text("date,sender,content\n"
                   f"2026-03-01,13800000001,{MESSAGES[0]}\n"
                   "2026-03-02,13800000002\n"  # too few fields: no text
                   "2026-03-03,13800000003,老赖,再不还钱就爆你通讯录\n"  # a comma in the text: repaired
                   f"2026-03-04,13800000004,{MESSAGES[2]}\n", encoding="utf-8")
    found = select_for_review(small_classifier, str(src), n=10)
    assert found.skipped == ["row 2: row has 2 fields, the header has 3"]
    numbers = sorted(r[found.columns.index("review_row")] for r in found.rows)
    assert numbers == [1, 3, 4]
    texts = {r[found.columns.index("review_row")]: r[found.text_index] for r in found.rows}
    assert texts[3] == "老赖,再不还钱就爆你通讯录"
    r = CliRunner().invoke(cli, ["review", str(src), "-o", str(tmp_path / "out.csv")], catch_exceptions=False)
    assert "row 2: row has 2 fields" in r.output and "__width__" not in r.output


def test_labelled_file_ragged_rows_name_the_row_without_markers(tmp_path):
    from classifier.modeling.user_labels import read_labelled

    bad = tmp_path / "l.csv"
    bad.write_text("gold_tags,text\nthreat\nharassment,老赖,还钱\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_labelled(bad)
    assert "row 2: row has 1 fields, the header has 2" in str(e.value) and "__width__" not in str(e.value)
    assert "row 3" not in str(e.value)  # the comma in the text was repaired


def test_web_page_has_the_disclaimer_once(small_classifier):
    with TestClient(create_app(classifier=small_classifier), base_url="http://127.0.0.1") as client:
        page = client.get("/").text
    assert page.count(DISCLAIMER) == 1
    app_js = (ROOT / "classifier/interfaces/web/static/app.js").read_text(encoding="utf-8")
    assert "disclaimer" not in app_js  # the result does not print a second copy


def test_create_app_returns_the_fastapi_app_and_honours_dependency_overrides(small_classifier):
    app = create_app(model_dir="/nonexistent/model")  # never loaded: the override replaces it
    assert isinstance(app, FastAPI)
    app.dependency_overrides[get_classifier] = lambda: small_classifier
    with TestClient(app, base_url="http://127.0.0.1") as client:
        r = client.post("/api/classify", json={"text": MESSAGES[1]})
        big = client.post("/api/classify", content=b"x" * (3 * 1024 * 1024), headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["results"][0]["primary_label"]
    assert big.status_code == 413  # the size limit still wraps the app


# --- Parquet --------------------------------------------------------------------------------------------

def test_parquet_in_and_out_keeps_rows_order_and_types(small_classifier, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 50
    table = pa.table({"id": pa.array(range(n), pa.int64()), "content": [MESSAGES[i % 4] for i in range(n)],
                      "tags": ["x"] * n, "amount": pa.array([1.5 * i for i in range(n)])})
    src = tmp_path / "in.parquet"
    pq.write_table(table, src, row_group_size=7)
    out = tmp_path / "out.parquet"
    r = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--workers", "0", "-q"])
    assert r.exit_code == 0, r.output
    got = pq.read_table(out)
    assert got.column_names == ["id", "content", "tags", "amount", *result_columns(["tags"])]
    assert got.schema.field("id").type == pa.int64() and got.schema.field("score_threat").type == pa.float64()
    assert got.column("id").to_pylist() == list(range(n)) and got.column("tags").to_pylist() == ["x"] * n
    csv_out = tmp_path / "out.csv"
    run_batch(str(src), str(csv_out), classifier=small_classifier)
    expected = pd.read_csv(csv_out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert got.column("tags_cuishou").to_pylist() == expected["tags_cuishou"].tolist()


def test_parquet_is_read_in_batches_and_feeds_report_and_review(small_classifier, tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from classifier.files import tabular

    monkeypatch.setattr(tabular, "PARQUET_BATCH_ROWS", 3)
    pq.write_table(pa.table({"content": MESSAGES * 3, "address": ["13912340001", "95588", None] * 4}),
                   tmp_path / "in.parquet")
    seen = []
    real = pq.ParquetFile.iter_batches

    def spy(self, *a, **k):
        for b in real(self, *a, **k):
            seen.append(b.num_rows)
            yield b

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    src = open_input(str(tmp_path / "in.parquet"))
    first = next(src.rows)
    assert first.values[0] == MESSAGES[0] and seen == [3]  # one batch read so far, not the file
    summary = build_report(str(tmp_path / "in.parquet"), str(tmp_path / "r.html"), classifier=small_classifier)
    assert summary["rows"] == 12
    assert select_for_review(small_classifier, str(tmp_path / "in.parquet"), n=5).rows


def test_csv_to_parquet_and_unreadable_parquet(small_classifier, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "o.parquet"
    run_batch(EXPORT, str(out), classifier=small_classifier)
    got = pq.read_table(out)
    assert got.num_rows == 24 and got.schema.field("address").type == "string"
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match=r"bad\.parquet: not a readable Parquet file"):
        run_batch(str(bad), str(tmp_path / "x.csv"), classifier=small_classifier)
    with pytest.raises(InputError, match="cannot be written to stdout"):
        run_batch(EXPORT, "-", out_format="parquet", classifier=small_classifier)


def test_citation_order_does_not_depend_on_the_process(tmp_path):
    # Spark executors and spawned workers are other processes, with other string-hash seeds; the batch
    # `statutes` cell must not change with them (it did: reason codes were walked in set order)
    code = ("from classifier.legal.cite import cite; from classifier.legal.reasons import BY_CODE\n"
            "for tags in (('threat',), ('third_party_contact',), ('harassment',), ('threat', 'third_party_contact')):\n"
            "    codes = tuple(c for c in BY_CODE if BY_CODE[c].family in tags)[:6]\n"
            "    print(';'.join(p['citation'] for p in cite(tags, codes, None)[0]))\n")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")}
    assert len(runs) == 1 and next(iter(runs)).count("\n") == 4


def test_in_process_scorer_freezes_what_was_loaded_and_unfreezes_after(small_classifier, monkeypatch):
    """``--workers 0``: the loaded model is moved out of the collector's way for the run, and back after it
    (also when the run fails), so a caller's process is left as it was."""
    import gc

    from classifier.modeling.predict import Classifier
    from classifier.scoring import core

    monkeypatch.setattr(Classifier, "load", classmethod(lambda cls, *a, **k: small_classifier))
    gc.unfreeze()
    with core.scorer(workers=0) as run:
        assert run.classifier is small_classifier and run.pool is None
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), core.scorer(workers=0):
        raise RuntimeError("a failed run")
    assert gc.get_freeze_count() == 0
