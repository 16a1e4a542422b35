import csv
import hashlib
import io
import json

import pytest
from click.testing import CliRunner

from classifier.files.tabular import InputError, detect_encoding, parse_date
from classifier.interfaces.cli import cli
from classifier.schema import BATCH_COLUMNS
from classifier.scoring.batch import run_batch, score_texts

MESSAGES = [
    "【某银行】您尾号1234的信用卡已逾期3天，请尽快还款。",
    "老赖，再不还钱就爆你通讯录，明天公安上门",
    "您的验证码是4821，5分钟内有效。",
    "你好，你朋友王某在我司欠款逾期，请转告他尽快还款。",
]


def write_csv(path, rows, encoding="utf-8", delimiter=","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(["时间", "号码", "短信内容"])
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def rows_of(path, encoding="utf-8-sig"):
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f))


def sample_rows():
    return [[f"2026-03-0{i + 1} 10:00", f"1380000000{i}", m] for i, m in enumerate(MESSAGES)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le"])
def test_every_encoding_round_trips_chinese(tmp_path, encoding, small_classifier):
    src = tmp_path / f"in-{encoding}.csv"
    write_csv(src, sample_rows(), encoding=encoding)
    out = tmp_path / "out.csv"
    summary = run_batch(str(src), str(out), classifier=small_classifier)
    got = rows_of(out)
    assert got[0] == ["时间", "号码", "短信内容", *BATCH_COLUMNS]
    assert [r[:3] for r in got[1:]] == sample_rows()
    assert summary.rows == 4 and summary.errors == 0


def test_encoding_detection():
    text = "您的借款已逾期，请尽快还款".encode
    assert detect_encoding(text("utf-8")) == "utf-8"
    assert detect_encoding(text("gb18030")) == "gb18030"
    assert detect_encoding(text("utf-16")) == "utf-16"
    assert detect_encoding("短信内容,号码\n您好".encode("utf-16-le")) == "utf-16-le"


def test_bad_rows_are_kept_and_flagged(tmp_path, small_classifier):
    src = tmp_path / "bad.csv"
    data = ("时间,号码,短信内容\r\n"
            "2026-01-01,1,正常的一条：请尽快还款\r\n"
            "2026-01-02,2,\r\n"                                  # empty text
            "2026-01-03,3,有逗号,没引号,的短信\r\n"               # ragged: commas in text
            '2026-01-04,4,"引号里有\r\n换行的短信"\r\n'           # embedded newline
            "2026-01-05\r\n"                                     # too few fields, no text
            "2026-01-06,6,\x00\x00二进制\x01垃圾\r\n"            # NUL and control bytes
            "2026-01-07,7," + "长" * 30000 + "\r\n"              # over-long
            '2026-01-08,8,"未闭合的引号\r\n')                      # malformed quoting at the end
    src.write_bytes(data.encode("utf-8") + b"2026-01-09,9,\xff\xfe\xfa bad bytes\r\n")
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "out.csv"
    summary = run_batch(str(src), str(out), classifier=small_classifier)
    got = rows_of(out)[1:]
    err = {r[1]: r[-1] for r in got if len(r) > 1}
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # input never modified
    assert summary.rows == len(got)
    assert err["1"] == ""
    assert err["2"] == "empty text"
    assert got[2][2] == "有逗号,没引号,的短信" and err["3"] == ""
    assert got[3][2] == "引号里有\r\n换行的短信"
    assert "fields" in got[4][-1]
    assert err["7"].startswith("text longer than")
    assert all(len(r) == 3 + len(BATCH_COLUMNS) for r in got)


def test_undecodable_bytes_flagged_per_row(tmp_path, small_classifier):
    src = tmp_path / "mixed.csv"
    src.write_bytes("短信内容\n好的一条\n".encode() + b"\xff\xfe\xfa\xfb\n" + "最后一条".encode())
    out = tmp_path / "o.csv"
    summary = run_batch(str(src), str(out), classifier=small_classifier, encoding="utf-8")
    got = rows_of(out)[1:]
    assert len(got) == 3 and "undecodable" in got[1][-1] and summary.errors == 1


def test_output_formats_and_stdout(tmp_path, small_classifier):
    src = tmp_path / "in.csv"
    write_csv(src, sample_rows())
    for ext in ("xlsx", "jsonl", "tsv"):
        out = tmp_path / f"o.{ext}"
        run_batch(str(src), str(out), classifier=small_classifier)
        if ext == "xlsx":
            from openpyxl import load_workbook

            ws = load_workbook(out, read_only=True).worksheets[0]
            rows = list(ws.iter_rows(values_only=True))
            assert list(rows[0]) == ["时间", "号码", "短信内容", *BATCH_COLUMNS] and len(rows) == 5
        elif ext == "jsonl":
            objs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
            assert len(objs) == 4 and objs[1]["短信内容"] == MESSAGES[1] and set(BATCH_COLUMNS) <= set(objs[1])
        else:
            assert len(rows_of(out)[1:]) == 4


def test_xlsx_and_jsonl_input(tmp_path, small_classifier):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "content", "date"])
    for i, m in enumerate(MESSAGES):
        ws.append([i, m, f"2025-12-{20 + i}"])
    wb.create_sheet("other")
    src = tmp_path / "in.xlsx"
    wb.save(src)
    out = tmp_path / "o.csv"
    summary = run_batch(str(src), str(out), classifier=small_classifier)
    assert summary.rows == 4 and rows_of(out)[2][1] == MESSAGES[1]
    jl = tmp_path / "in.jsonl"
    jl.write_text("\n".join(json.dumps({"msg_id": i, "body": m}, ensure_ascii=False) for i, m in enumerate(MESSAGES))
                  + "\n{not json}\n", encoding="utf-8")
    out2 = tmp_path / "o2.jsonl"
    summary = run_batch(str(jl), str(out2), classifier=small_classifier)
    objs = [json.loads(x) for x in out2.read_text(encoding="utf-8").splitlines()]
    assert len(objs) == 5 and "invalid JSON" in objs[-1]["error"] and objs[0]["msg_id"] == 0


def test_refuses_to_overwrite_input_and_names_columns_when_text_missing(tmp_path, small_classifier):
    src = tmp_path / "in.csv"
    write_csv(src, sample_rows())
    with pytest.raises(InputError, match="refusing to overwrite"):
        run_batch(str(src), str(src), classifier=small_classifier)
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="columns are: a, b, c"):
        run_batch(str(odd), str(tmp_path / "x.csv"), classifier=small_classifier)
    assert not (tmp_path / "x.csv").exists()  # nothing half-written


def test_score_texts_gives_typed_rows_with_the_schema_cells(small_classifier):
    rows = score_texts(small_classifier, [*MESSAGES, "", None])
    assert [r.row_number for r in rows] == list(range(1, len(MESSAGES) + 3))
    assert all(tuple(r.cells) == BATCH_COLUMNS for r in rows)
    assert rows[-1].error == "empty text" and rows[-2].error == "empty text" and rows[-1].primary_label == ""
    assert "threat" in rows[1].tags and rows[1].prediction.tags == rows[1].tags


def test_cli_batch_with_worker_processes(tmp_path):
    src = tmp_path / "in.csv"
    write_csv(src, sample_rows() * 50)
    out = tmp_path / "o.csv"
    r = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--workers", "2"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    got = rows_of(out)[1:]
    assert len(got) == 200 and [g[2] for g in got] == [m for m in MESSAGES] * 50
    assert "200 rows" in r.output
    r = CliRunner().invoke(cli, ["batch", str(src), "-o", "-", "--quiet", "--workers", "0"])
    assert r.exit_code == 0 and r.output.count("\n") >= 201


def test_cli_batch_errors_are_one_line(tmp_path):
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 20)
    r = CliRunner().invoke(cli, ["batch", str(binary), "-o", str(tmp_path / "o.csv")])
    assert r.exit_code == 1 and "binary" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("value, expected", [
    ("2026-03-01 10:00:00", "2026-03-01"), ("2025/12/31", "2025-12-31"), ("2025年3月1日 下午", "2025-03-01"),
    ("20250301", "2025-03-01"), ("1767196800000", "2026-01-01"), ("", None), ("garbage", None),
])
def test_parse_date(value, expected):
    d = parse_date(value)
    assert (d.isoformat() if d else None) == expected
