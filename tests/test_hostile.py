"""Hostile files and hostile pages (issue 17): each numbered case is built here by code and checked."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
import test_browser
from fastapi.testclient import TestClient
from hostile_files import big5_export, jsonl_hostile, xlsx_bomb, xlsx_far_cells, xlsx_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.files import limits
from classifier.files.tabular import InputError, Writer, find_column, open_source
from classifier.interfaces.web.app import create_app
from classifier.scoring.batch import run_batch
from classifier.text.masking import mask_pii

ROOT = Path(__file__).resolve().parents[1]
server, browser = test_browser.server, test_browser.browser  # fixtures of the browser test below
LOCAL = "http://127.0.0.1"


def _consume(path, **kw):
    src = open_source(str(path), **kw)
    return src, list(src.rows)


@pytest.fixture(scope="module")
def client(small_classifier):
    with TestClient(create_app(classifier=small_classifier, max_upload_mb=1), base_url=LOCAL) as c:
        yield c


# --- case 1: zip bombs ---------------------------------------------------------------------------

def test_1_xlsx_bomb_is_refused_before_parsing(tmp_path):
    bomb = xlsx_bomb(tmp_path / "bomb.xlsx", megabytes=40)
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(InputError) as e:
        _consume(bomb)
    assert "bomb.xlsx" in str(e.value) and "--limits" in str(e.value)
    with limits.using(xlsx_mb=30, xlsx_ratio=10_000), pytest.raises(InputError, match="30 MB"):
        _consume(bomb)
    with limits.using(xlsx_mb=100, xlsx_ratio=10_000, cell_chars=50_000_000):  # raised: it reads
        _, rows = _consume(bomb)
        assert len(rows) == 1


# --- case 2: a far-away cell, and the web job pool ------------------------------------------------

def test_2_far_cells_are_refused_quickly(tmp_path):
    far = xlsx_far_cells(tmp_path / "far.xlsx")
    code = ("import sys; from classifier.files.tabular import open_source, InputError\n"
            "try:\n    s = open_source(sys.argv[1]); list(s.rows); print('READ')\n"
            "except InputError as e:\n    print('REFUSED', e)\n")
    r = subprocess.run([sys.executable, "-c", code, str(far)], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert r.stdout.startswith("REFUSED") and "1,048,576 rows" in r.stdout and "16,384 columns" in r.stdout


def _slow_batch(*args, **kwargs):
    time.sleep(30)


def test_2_heavy_jobs_are_bounded_and_timed_out(small_classifier, tmp_path, monkeypatch):
    import tempfile

    import classifier.scoring.batch as batch_mod

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(batch_mod, "run_batch", _slow_batch)
    with limits.using(jobs=1, job_seconds=3), TestClient(create_app(classifier=small_classifier),
                                                         base_url=LOCAL) as c:
        first: dict = {}
        t = threading.Thread(target=lambda: first.update(r=c.post(
            "/api/batch", files={"file": ("a.csv", b"content\nx\n", "text/csv")})))
        t.start()
        time.sleep(1)
        busy = c.post("/api/batch", files={"file": ("b.csv", b"content\nx\n", "text/csv")})
        assert busy.status_code == 429 and int(busy.headers["Retry-After"]) > 0
        assert c.get("/").status_code == 200
        assert c.post("/api/classify", json={"text": "还钱"}).status_code == 200
        t.join(20)
        assert first["r"].status_code == 503 and "time limit" in first["r"].json()["detail"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_2_sigterm_stops_a_busy_server_and_removes_uploads(tmp_path):
    import socket
    import urllib.request

    far = xlsx_far_cells(tmp_path / "far.xlsx").read_bytes()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "classifier", "serve", "--port", str(port),
                             "--limits", "xlsx_cells=100000000000,job_seconds=600"], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        body = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"far.xlsx\"\r\n\r\n" + far +
                b"\r\n--b--\r\n")
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/batch", data=body, method="POST",
                                     headers={"Content-Type": "multipart/form-data; boundary=b"})
        threading.Thread(target=lambda: _quiet(lambda: urllib.request.urlopen(req, timeout=60)), daemon=True).start()
        time.sleep(3)
        assert any(tmp.iterdir())  # the upload is being worked on
        proc.terminate()
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert [p.name for p in tmp.iterdir()] == []


def _quiet(fn):
    with contextlib.suppress(Exception):
        fn()


# --- case 3 and the web security items -----------------------------------------------------------

def test_3_report_file_name_is_escaped(client):
    data = "时间,短信内容\n2026-01-01,老赖再不还钱就爆你通讯录\n".encode()
    name = "<img src=x onerror=alert(1)>.csv"
    r = client.post("/api/report", files={"file": (name, data, "text/csv")})
    assert r.status_code == 200
    assert "<img src=x" not in r.text and "&lt;img src=x onerror=alert(1)&gt;.csv" in r.text
    assert "script-src" not in r.headers["content-security-policy"] or "'unsafe-inline'" not in r.headers[
        "content-security-policy"].split("script-src")[1].split(";")[0]


def test_3_cross_site_form_posts_are_refused(client):
    files = {"file": ("a.csv", b"content\n x\n", "text/csv")}
    r = client.post("/api/batch", files=files, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/api/batch", files=files, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    assert client.post("/api/batch", files=files, headers={"Origin": LOCAL}).status_code == 200


@pytest.mark.parametrize("host, ok", [("127.0.0.1:8000", True), ("localhost", True), ("[::1]:8000", True),
                                      ("evil.example", False), ("127.0.0.1.evil.example", False)])
def test_host_header_is_checked(client, host, ok):
    r = client.get("/", headers={"Host": host})
    assert (r.status_code == 200) == ok and (ok or r.status_code == 400)


def test_bound_host_is_allowed(small_classifier):
    app = create_app(classifier=small_classifier, host="192.168.1.5")
    with TestClient(app, base_url="http://192.168.1.5:8000") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_security_headers_and_no_inline_script(client):
    for path in ("/", "/review", "/docs", "/static/app.js"):
        r = client.get(path)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        script = csp.split("script-src")[1].split(";")[0]
        assert "'unsafe-inline'" not in script and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
        if path != "/static/app.js":
            import re

            inline = [s for s in re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.S)
                      if s[1].strip() and "application/json" not in s[0]]
            assert inline == [], path


# --- case 4: formulas ------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x.example","点击查看")', "=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1"]


def _formula_export(tmp_path):
    """A CSV export whose messages start like spreadsheet formulas, beside a negative-number column."""
    src = tmp_path / "in.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["amount", "content"])
        for t in FORMULAS:
            w.writerow(["-5", t])
    return src


def test_4_xlsx_output_writes_text_as_text(small_classifier, tmp_path):
    from openpyxl import load_workbook

    src = _formula_export(tmp_path)
    run_batch(str(src), str(tmp_path / "o.xlsx"), classifier=small_classifier)
    ws = load_workbook(tmp_path / "o.xlsx").active
    cells = [row[1] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == FORMULAS and all(c.data_type == "s" for c in cells)


def test_4_csv_output_neutralizes_formulas(small_classifier, tmp_path):
    src = _formula_export(tmp_path)
    run_batch(str(src), str(tmp_path / "o.csv"), classifier=small_classifier)
    with open(tmp_path / "o.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["content"] for r in rows] == ["'" + t for t in FORMULAS]
    assert all(r["amount"] == "-5" for r in rows)  # plain numbers are left alone
    with limits.using(raw_cells=True):
        run_batch(str(src), str(tmp_path / "raw.csv"), classifier=small_classifier)
    with open(tmp_path / "raw.csv", encoding="utf-8-sig") as f:
        assert [r["content"] for r in csv.DictReader(f)] == FORMULAS


# --- case 5: Big5 ---------------------------------------------------------------------------------

THREATS = ["再不還錢就找人上門打斷你的腿", "明天把你欠錢的事發給你通訊錄裡所有人", "老賴你全家等著坐牢吧"]


def test_5_big5_is_detected(small_classifier, tmp_path):
    path = big5_export(tmp_path / "big5.csv", THREATS)
    src, rows = _consume(path)
    assert src.encoding.startswith("big5")
    assert [r.values[3] for r in rows[-3:]] == THREATS


def test_5_big5_rows_after_an_ascii_head_are_read_as_big5(tmp_path):
    path = big5_export(tmp_path / "late.csv", THREATS, n_ascii_rows=3000)  # the first 64 KB are ASCII
    _, rows = _consume(path)
    assert [r.values[3] for r in rows[-3:]] == THREATS


# --- case 6: lone surrogates --------------------------------------------------------------------

def test_6_lone_surrogate_is_a_clean_422_and_nothing_logged(client, caplog):
    caplog.set_level(logging.DEBUG)
    body = b'{"text": "\\ud800\xe8\xbf\x98\xe9\x92\xb1 13812345678"}'
    r = client.post("/api/classify", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and "13812345678" not in r.text
    r = client.post("/api/classify", content=b'{"texts": ["ok", "\\udfff 13812345678"]}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422 and "13812345678" not in r.text
    assert "13812345678" not in "\n".join(rec.getMessage() + str(rec.exc_info) for rec in caplog.records)


# --- case 7: report labels and dates ----------------------------------------------------------

def _report(small_classifier, tmp_path, rows, **kw):
    from classifier.interfaces.report import build_report

    src = tmp_path / "in.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["date", "sender", "content"])
        w.writerows(rows)
    out = tmp_path / "r.html"
    build_report(str(src), str(out), classifier=small_classifier, **kw)
    return out.read_text(encoding="utf-8")


def test_7_mathtext_sender_does_not_crash_the_report(small_classifier, tmp_path):
    html = _report(small_classifier, tmp_path, [["2025-01-01 10:00", r"$\frac{1}{$", "老赖再不还钱就爆你通讯录，打断你的腿"]] * 3)
    assert 'id="summary"' in html


def test_7_report_date_span_is_limited(small_classifier, tmp_path):
    rows = [["0001-01-01", "a", "老赖再不还钱就爆你通讯录"], ["9999-12-31", "b", "再不还钱打断你的腿"]]
    with pytest.raises(InputError, match=r"--limits report_days"):
        _report(small_classifier, tmp_path, rows)


def test_7_long_sender_is_cut_in_the_report(small_classifier, tmp_path):
    long_sender = "催" * 500_000  # under the cell limit (1,000,000): read, then cut for display
    html = _report(small_classifier, tmp_path, [["2025-01-01", long_sender, "老赖再不还钱就爆你通讯录，打断你的腿"]] * 2,
                   include_all=True)
    assert long_sender[:1000] not in html and "催" * 100 + "…" in html


# --- case 8: model trust --------------------------------------------------------------------------

class _Payload:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_8_model_in_the_current_directory_is_not_trusted(tmp_path, monkeypatch):
    import hashlib

    import sklearn

    from classifier import config
    from classifier.modeling.predict import ModelError, load_model

    shipped = tmp_path / "models" / "shipped"
    shipped.mkdir(parents=True)
    marker = tmp_path / "PWNED"
    (shipped / "model.joblib").write_bytes(pickle.dumps(_Payload(str(marker))))
    digest = hashlib.sha256((shipped / "model.joblib").read_bytes()).hexdigest()
    (shipped / "manifest.json").write_text(json.dumps({"sha256": digest,
                                                       "versions": {"scikit-learn": sklearn.__version__}}))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(config.MODEL_ENV, raising=False)
    monkeypatch.setattr(config, "MODELS_DIR", tmp_path / "not-a-checkout" / "models")  # as when installed
    monkeypatch.setattr(config, "SHIPPED_MODEL_DIR", tmp_path / "not-a-checkout" / "models" / "shipped")
    assert tmp_path not in config.default_model_dir().resolve().parents
    with pytest.raises(ModelError):
        load_model()
    with pytest.raises(ModelError, match="--trust-model"):
        load_model(Path("models/shipped"))
    assert not marker.exists()


# --- case 9: temp files ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "csv", "jsonl"])
def test_9_failed_writer_leaves_nothing(tmp_path, monkeypatch, fmt):
    import tempfile

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    w = Writer(str(out / f"o.{fmt}"), fmt, ["content"])
    for _ in range(5):
        w.write(["老赖13812345678"])
    w.abort()
    assert list(tmp.iterdir()) == [] and list(out.iterdir()) == []


def test_9_failed_batch_leaves_nothing(small_classifier, tmp_path, monkeypatch):
    import tempfile

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    src = tmp_path / "in.csv"
    src.write_text("content\n" + "老赖13812345678还钱\n" * 700, encoding="utf-8")

    from classifier.files.tabular import Writer

    write = Writer.write

    def boom(self, values, **kw):
        if self.rows_written == 400:
            raise RuntimeError("disk full")
        return write(self, values, **kw)

    monkeypatch.setattr(Writer, "write", boom)
    with pytest.raises(RuntimeError):
        run_batch(str(src), str(tmp_path / "o.xlsx"), classifier=small_classifier)
    assert list(tmp.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "tmp"]


# --- case 10: silent loss -------------------------------------------------------------------------

def test_10_xlsx_input_keeps_wide_cells_and_blank_rows(tmp_path):
    path = xlsx_rows(tmp_path / "w.xlsx", [["id", "content"], [1, "还钱", "extra!"], [None, None], [3, "老赖"]])
    src, rows = _consume(path)
    assert src.columns == ["id", "content", "column_3"]
    assert [r.values for r in rows] == [[1, "还钱", "extra!"], ["", "", ""], [3, "老赖", ""]]
    assert rows[1].error == "empty row"


def test_10_outputs_do_not_lose_data(small_classifier, tmp_path):
    from openpyxl import load_workbook

    src = tmp_path / "in.csv"
    src.write_text("content,content,error,error_cuishou\n还钱," + "长" * 40_000 + ",e,f\n", encoding="utf-8")
    run_batch(str(src), str(tmp_path / "o.jsonl"), classifier=small_classifier, text_column="1")
    obj = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
    assert obj["content"] == "还钱" and obj["content_2"] == "长" * 40_000
    names = list(obj)
    assert len(names) == len(set(names))
    run_batch(str(src), str(tmp_path / "o.xlsx"), classifier=small_classifier, text_column="1")
    ws = load_workbook(tmp_path / "o.xlsx").active
    header = [c.value for c in ws[1]]
    assert header[:4] == ["content", "content", "error", "error_cuishou"] and header.count("error_cuishou") == 1
    row = {h: c.value for h, c in zip(header, ws[2], strict=True)}
    assert "32,767" in row[header[-1]]


# --- case 11: JSON Lines ------------------------------------------------------------------------

def test_11_bad_json_lines_are_per_line_errors(small_classifier, tmp_path):
    path = jsonl_hostile(tmp_path / "h.jsonl")
    summary = run_batch(str(path), str(tmp_path / "o.jsonl"), classifier=small_classifier)
    assert summary.rows == 4 and summary.errors == 2
    out = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "nested deeper" in out[1]["error"] and "digits" in out[2]["error"]


# --- case 12: summary header ----------------------------------------------------------------------

def test_12_summary_header_is_bounded(client):
    body = ('{"content": "还钱"}\n' + "".join(f"not json {i}\n" for i in range(60_000))).encode()
    r = client.post("/api/batch", files={"file": ("x.jsonl", body[: 1024 * 1024 - 2048], "application/x-ndjson")})
    assert r.status_code == 200
    assert len(r.headers["X-Cuishou-Summary"]) < 8192
    assert json.loads(r.headers["X-Cuishou-Summary"])["errors"] > 40_000


# --- case 13: masking -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, secret", [
    ("请回电１３８１２３４５６７８", "５６７８"[:0] + "１２３４"),
    ("座机(0755)12345678", "1234"), ("座机（０７５５）１２３４５６７８", "１２３４"),
    ("手机138.1234.5678", "1234"), ("手机138 1234 5678", "1234"), ("+86 138 1234 5678", "1234"),
    ("+86-138-1234-5678", "1234"), ("0755-12345678", "1234"),
])
def test_13_masking_sees_formatted_numbers(text, secret):
    masked = mask_pii(text)
    assert len(masked) == len(text) and secret not in masked and "*" in masked


# --- case 14: no message text in errors or on stderr --------------------------------------------

def test_14_errors_do_not_echo_data_rows(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("13812345678,老赖还钱\n13900000000,还钱\n", encoding="utf-8")
    s = open_source(str(src))
    with pytest.raises(InputError) as e:
        find_column(s.columns, None, ("content",), "text", str(src))
    assert "13812345678" not in str(e.value) and "老赖还钱" not in str(e.value) and "--text-column" in str(e.value)
    with pytest.raises(InputError) as e:
        find_column(s.columns, "body", ("content",), "text", str(src))
    assert "13812345678" not in str(e.value)


def test_14_font_warnings_do_not_spell_senders(small_classifier, tmp_path, monkeypatch, capfd):
    import classifier.interfaces.report as report

    monkeypatch.setattr(report, "_cjk_font", lambda: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _report(small_classifier, tmp_path, [["2025-01-01", "王八蛋催收", "老赖再不还钱就爆你通讯录"]] * 2)
    err = capfd.readouterr().err
    said = err + "\n".join(str(w.message) for w in caught)
    assert "CJK UNIFIED" not in said and "王" not in said


# --- case 15: encodings, headers, chunked bodies, request size ----------------------------------

@pytest.mark.parametrize("enc", ["zlib_codec", "rot13", "base64", "hex", "idna", "bz2"])
def test_15_only_text_encodings(tmp_path, client, enc):
    src = tmp_path / "x.csv"
    src.write_text("content\n还钱\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a text encoding"):
        _consume(src, encoding=enc)
    r = client.post(f"/api/batch?encoding={enc}", files={"file": ("x.csv", b"content\nx\n", "text/csv")})
    assert r.status_code == 422 and "not a text encoding" in r.json()["detail"]


def test_15_control_character_in_header_xlsx_output(small_classifier, tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("id\x01,content\n1,还钱\n", encoding="utf-8")
    run_batch(str(src), str(tmp_path / "o.xlsx"), classifier=small_classifier)
    assert (tmp_path / "o.xlsx").stat().st_size > 0


def test_15_chunked_body_over_the_limit_is_413(client):
    def body():
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n\r\ncontent\n"
        for _ in range(40):
            yield ("还钱" * 20_000 + "\n").encode()
        yield b"\r\n--b--\r\n"

    r = client.post("/api/batch", content=body(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413


def test_15_total_characters_per_request_are_limited(client):
    r = client.post("/api/classify", json={"texts": ["催收员：还钱。" * 80] * 1000})  # 1.7 MB
    assert r.status_code == 422 and "--limits api_chars" in r.text
    assert client.post("/api/classify", json={"texts": ["还钱"] * 1000}).status_code == 200


# --- fuzzing the readers --------------------------------------------------------------------------

cell = st.one_of(st.none(), st.integers(-10**6, 10**6), st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                                                  max_size=30))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, max_size=5), min_size=1, max_size=8),
       flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=4))
def test_fuzz_xlsx_reader(tmp_path_factory, rows, flips):
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append([c if not isinstance(c, str) else c.translate({i: None for i in range(32)}) for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    data = bytearray(buf.getvalue())
    for pos, byte in flips:
        data[pos % len(data)] = byte
    path = tmp_path_factory.mktemp("x") / "f.xlsx"
    path.write_bytes(bytes(data))
    try:
        src, got = _consume(path)
    except InputError as e:
        assert "f.xlsx" in str(e)
        return
    assert all(len(r.values) == len(src.columns) for r in got)


json_line = st.one_of(
    st.dictionaries(st.text(max_size=5), st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                                                      lambda c: st.lists(c, max_size=3) | st.dictionaries(
                                                          st.text(max_size=3), c, max_size=3), max_leaves=8),
                    max_size=4).map(lambda d: json.dumps(d, ensure_ascii=False)),
    st.text(alphabet="[]{}\"0123456789,:-.e ", max_size=60),
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 6000).map(lambda n: '{"a": ' + "9" * n + "}"),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(json_line, min_size=1, max_size=10))
def test_fuzz_jsonl_reader(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("j") / "f.jsonl"
    path.write_text('{"content": "x"}\n' + "\n".join(x.replace("\n", " ").replace("\r", " ") for x in lines) + "\n",
                    encoding="utf-8", errors="surrogatepass")
    src, got = _consume(path)
    assert len(got) == 1 + sum(1 for x in lines if x.strip())
    assert all(len(r.values) == len(src.columns) for r in got)


def test_9_model_error_leaves_no_part_file(tmp_path):
    from classifier.modeling.predict import ModelError

    src = tmp_path / "in.csv"
    src.write_text("content\n还钱\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ModelError):
        run_batch(str(src), str(out / "o.csv"), model_dir=str(tmp_path / "no-model"))
    assert list(out.iterdir()) == []


# --- in a real browser: the Content-Security-Policy breaks nothing on the pages -------------------

@pytest.mark.slow
@pytest.mark.browser
def test_pages_run_under_the_csp_in_a_browser(request):
    url = request.getfixturevalue("server")
    page = request.getfixturevalue("browser").new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and "Content Security Policy" in m.text and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    for path in ("/", "/review", "/docs"):
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
    page.goto(url + "/")
    page.fill("textarea", "再不还钱就把你欠钱的事发给你通讯录里所有人")
    page.keyboard.press("Control+Enter")
    page.wait_for_timeout(1500)
    page.close()
    assert problems == []
