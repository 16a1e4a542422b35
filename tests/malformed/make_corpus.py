"""Writes the malformed-file corpus next to this script (run once; the files are committed).

    python tests/malformed/make_corpus.py

EXPECTED (in this file) says what `cuishou batch` must do with each: "error" (a one-line message
naming the file and the problem, exit code 1) or the number of rows of a scored output.
"""

import csv
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
ROWS = [["2026-03-01", "13800000001", "【某银行】您的信用卡已逾期3天，请尽快还款。"],
        ["2026-03-02", "13900000002", "老赖，再不还钱就爆你通讯录"],
        ["2026-03-03", "10690000003", "您的验证码是1234。"]]
HEADER = ["时间", "号码", "短信内容"]


def as_csv(rows, header=HEADER, delimiter=","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    if header:
        w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


EXPECTED = {
    "gbk_no_bom.csv": {"rows": 3},
    "utf16_bom.csv": {"rows": 3},
    "utf16le_no_bom.csv": {"rows": 3},
    "mixed_utf8_gbk.csv": {"rows": 3, "errors": 0},
    "truncated_utf8.csv": {"rows": 3, "errors": 1},
    "unbalanced_quotes.csv": {"rows": 2, "errors": 1},
    "ragged_rows.csv": {"rows": 4, "errors": 1},
    "header_only.csv": {"rows": 0},
    "no_header.csv": {"rows": 3},
    "duplicate_columns.csv": {"rows": 3},
    "semicolon.csv": {"rows": 3},
    "tab.tsv": {"rows": 3},
    "old_mac_cr.csv": {"rows": 3},
    "nul_bytes.csv": {"rows": 3},
    "binary_renamed.csv": {"error": "binary"},
    "zip_not_xlsx.xlsx": {"error": "xlsx"},
    "empty.csv": {"error": "empty"},
    "no_text_column.csv": {"error": "columns are"},
    "jsonl_with_bad_lines.jsonl": {"rows": 4, "errors": 2},
}


def main() -> None:
    (HERE / "gbk_no_bom.csv").write_bytes(as_csv(ROWS).encode("gbk"))
    (HERE / "utf16_bom.csv").write_bytes(as_csv(ROWS).encode("utf-16"))
    (HERE / "utf16le_no_bom.csv").write_bytes(as_csv(ROWS).encode("utf-16-le"))
    (HERE / "mixed_utf8_gbk.csv").write_bytes(as_csv(ROWS[:2]).encode("utf-8") + as_csv(ROWS[2:], None).encode("gbk"))
    (HERE / "truncated_utf8.csv").write_bytes(as_csv(ROWS).encode("utf-8")[:-4])
    (HERE / "unbalanced_quotes.csv").write_text(
        as_csv(ROWS[:1]) + '2026-03-02,139,"老赖还钱\r\n2026-03-03,10690000003,您的验证码是1234。\r\n', encoding="utf-8")
    (HERE / "ragged_rows.csv").write_text(
        "时间,号码,短信内容\r\n2026-03-01,138,有逗号,没引号,的短信\r\n2026-03-02\r\n2026-03-03,139,正常\r\n"
        "2026-03-04,139,正常,\r\n", encoding="utf-8")
    (HERE / "header_only.csv").write_text("时间,号码,短信内容\r\n", encoding="utf-8")
    (HERE / "no_header.csv").write_text(as_csv(ROWS, header=None), encoding="utf-8")
    (HERE / "duplicate_columns.csv").write_text(as_csv(ROWS, header=["短信内容", "短信内容", "短信内容"]), encoding="utf-8")
    (HERE / "semicolon.csv").write_text(as_csv(ROWS, delimiter=";"), encoding="utf-8")
    (HERE / "tab.tsv").write_text(as_csv(ROWS, delimiter="\t"), encoding="utf-8")
    (HERE / "old_mac_cr.csv").write_bytes(as_csv(ROWS).replace("\r\n", "\r").encode("utf-8"))
    (HERE / "nul_bytes.csv").write_bytes(as_csv(ROWS).encode("utf-8").replace("老赖".encode(), "老\x00赖".encode()))
    (HERE / "binary_renamed.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "not a workbook")
    (HERE / "zip_not_xlsx.xlsx").write_bytes(buf.getvalue())
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "no_text_column.csv").write_text("a,b,c\r\n1,2,3\r\n", encoding="utf-8")
    (HERE / "jsonl_with_bad_lines.jsonl").write_text(
        '{"id": 1, "content": "老赖还钱"}\n{not json}\n[1, 2]\n{"id": 4, "content": "您的验证码是1234"}\n', encoding="utf-8")


if __name__ == "__main__":
    main()
