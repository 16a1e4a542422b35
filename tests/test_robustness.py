"""Bad input never crashes anything: property tests and a corpus of malformed files."""

import csv
import io
import json
import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.files.cells import neutralize, neutralize_row
from classifier.files.tabular import InputError
from classifier.interfaces.cli import cli
from classifier.modeling.predict import MAX_CHARS
from classifier.scoring.batch import run_batch

MALFORMED = Path(__file__).parent / "malformed"
any_text = st.text(alphabet=st.characters(blacklist_categories=()), max_size=300)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(any_text)
def test_classify_never_crashes(small_classifier, text):
    pred = small_classifier.predict(text)
    if pred.error:
        assert pred.error == "empty text" and not text.strip()
    else:
        assert pred.tags and pred.primary_label == pred.tags[0]
    json.dumps(pred.to_dict(), ensure_ascii=False).encode("utf-8")  # printable as UTF-8


@pytest.mark.parametrize("text", [
    "", " ", "\n\t  \u3000", "\x00\x00\x00", "\x00老赖\x00", "\ud800还钱\udfff", "1234567890", "0" * 5000,
    "Привет 你好 مرحبا 🙂 こんにちは 안녕", "🔪" * 300, "\u202e还钱\u202c", "a\r\nb\rc\n" * 50,
    "催收员：" * 2000, "还钱" * 500_000,  # 1 MB
])
def test_edge_cases(small_classifier, text):
    pred = small_classifier.predict(text)
    assert pred.error in (None, "empty text")
    if len(text) > MAX_CHARS:
        assert pred.truncated
    json.dumps(pred.to_dict(), ensure_ascii=False).encode("utf-8")


csv_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Co")) | st.sampled_from("\n\t,\""),
                   max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(csv_cell, csv_cell), min_size=0, max_size=25))
def test_batch_keeps_every_row_and_every_value(small_classifier, tmp_path_factory, rows):
    d = tmp_path_factory.mktemp("h")
    src, out = d / "in.csv", d / "out.csv"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "content"])
    w.writerows(rows)
    src.write_text(buf.getvalue(), encoding="utf-8")
    summary = run_batch(str(src), str(out), classifier=small_classifier)
    with open(out, encoding="utf-8-sig", newline="") as f:
        got = list(csv.reader(f))[1:]
    assert summary.rows == len(rows) == len(got)
    # every value kept; cells a spreadsheet would run as formulas get a leading apostrophe (files/cells.py)
    assert [tuple(g[:2]) for g in got] == [tuple(neutralize(v) for v in r) for r in rows]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["=1+1", "-5", "+x", "@a", "\tb", "\rc", "'=", "a=b", "", "-1,234.50"]),
                          st.text(max_size=5), st.floats(allow_nan=False), st.integers(), st.none()), max_size=20))
def test_neutralize_row_is_neutralize_of_each_cell(values):
    # a row with nothing to change is passed through as is; any trigger anywhere gets the per-cell answer
    assert neutralize_row(list(values)) == [neutralize(v) for v in values]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_batch_on_arbitrary_bytes_errors_cleanly_or_scores(small_classifier, tmp_path_factory, data):
    d = tmp_path_factory.mktemp("b")
    src = d / "in.csv"
    src.write_bytes(b"content\n" + data)
    try:
        summary = run_batch(str(src), str(d / "out.csv"), classifier=small_classifier)
    except InputError as e:
        assert str(e).startswith(str(src))
        return
    with open(d / "out.csv", encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.reader(f))) - 1 == summary.rows


def _expected():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", MALFORMED / "make_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.EXPECTED


@pytest.mark.parametrize("name, expect", sorted(_expected().items()))
def test_malformed_files(name, expect, tmp_path):
    path = MALFORMED / name
    out = tmp_path / ("out.jsonl" if name.endswith(".jsonl") else "out.csv")
    r = CliRunner().invoke(cli, ["batch", str(path), "-o", str(out), "--workers", "0"])
    assert "Traceback" not in r.output
    if "error" in expect:
        assert r.exit_code == 1, r.output
        lines = [line for line in r.output.strip().splitlines() if line.strip()]
        assert len(lines) == 1 and name in lines[0] and expect["error"] in lines[0], r.output
        assert not out.exists()
        return
    assert r.exit_code == 0, r.output
    if name.endswith(".jsonl"):
        got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        errors = sum(1 for g in got if g.get("error"))
    else:
        with open(out, encoding="utf-8-sig", newline="") as f:
            got = list(csv.DictReader(f))
        errors = sum(1 for g in got if g["error"])
    assert len(got) == expect["rows"], r.output
    if "errors" in expect:
        assert errors == expect["errors"], [g["error"] for g in got]


def test_wrong_encoding_given_explicitly_flags_rows(tmp_path):
    # the header is GBK too, so it cannot be read by name: the user names the column by number
    out = tmp_path / "o.csv"
    r = CliRunner().invoke(cli, ["batch", str(MALFORMED / "gbk_no_bom.csv"), "-o", str(out), "--workers", "0",
                                 "--encoding", "utf-8", "--text-column", "3"])
    assert r.exit_code == 0, r.output
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 and all(row["error"].startswith("undecodable bytes") for row in rows)
    assert all(row["primary_label"] == "" for row in rows)


def test_logs_never_contain_message_text_or_numbers(small_classifier, tmp_path, caplog):
    secret = "老赖王某某13812345678再不还钱就爆你通讯录"
    src = tmp_path / "in.csv"
    src.write_text(f"content\n{secret}\n", encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    run_batch(str(src), str(tmp_path / "o.csv"), classifier=small_classifier)
    from fastapi.testclient import TestClient

    from classifier.interfaces.web.app import create_app

    with TestClient(create_app(classifier=small_classifier), base_url="http://127.0.0.1") as client:
        client.post("/api/classify", json={"text": secret})
        client.post("/api/batch", files={"file": ("x.csv", src.read_bytes(), "text/csv")})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "13812345678" not in logged and "爆你通讯录" not in logged and "老赖王某某" not in logged


def test_numbers_are_masked_outside_the_scored_file(small_classifier):
    from classifier.interfaces.render import render_legal, render_prediction
    from classifier.legal import legal_result as attach

    text = "王先生请回电13812345678，身份证110101199003071234，你通讯录我们都有"
    pred = small_classifier.predict(text)
    shown = render_prediction(pred, {"legal": render_legal(attach(pred))}) + json.dumps(pred.to_dict(),
                                                                                      ensure_ascii=False)
    assert "13812345678" not in shown and "110101199003071234" not in shown
    assert not re.search(r"1[3-9]\d{9}", shown)
