import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from classifier.interfaces.web.app import create_app
from classifier.schema import SCHEMA_VERSION


@pytest.fixture(scope="module")
def client(small_classifier):
    app = create_app(classifier=small_classifier, max_upload_mb=1)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def test_page_is_served_with_local_assets_only(client):
    r = client.get("/")
    assert r.status_code == 200 and "催收短信识别" in r.text
    assert "http://" not in r.text.replace("http://127.0.0.1", "") and "https://" not in r.text
    for asset in ("/static/common.js", "/static/app.js", "/static/review.js", "/static/style.css"):
        assert client.get(asset).status_code == 200
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/swagger-ui/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text.lower()
    assert client.get("/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert "/api/classify" in client.get("/openapi.json").json()["paths"]


def test_classify_one_and_many(client):
    r = client.post("/api/classify", json={"text": "再不还钱，明天就把你欠钱的事发给你通讯录里所有人"})
    assert r.status_code == 200
    res = r.json()["results"][0]
    assert res["schema_version"] == SCHEMA_VERSION and set(res["scores"]) == {
        "not_collection", "lawful_reminder", "harassment", "threat", "third_party_contact"}
    assert res["provisions"] and "not legal advice" in res["disclaimer"]
    assert [p["rank"] for p in res["provisions"]] == list(range(1, len(res["provisions"]) + 1))
    assert res["provision_groups"] and all(p["why"] for p in res["provisions"]) and res["legal_basis"] == []
    lawful = client.post("/api/classify", json={"text": "【某银行】您尾号1234的信用卡已逾期3天，请尽快还款。"}).json()["results"][0]
    assert lawful["provisions"] == [] and {p["id"] for p in lawful["legal_basis"]} >= {"民法典:675"}
    r = client.post("/api/classify", json={"texts": ["您的验证码是1234", "老赖还钱"], "date": "2025-06-01"})
    assert r.status_code == 200 and len(r.json()["results"]) == 2


@pytest.mark.parametrize("body, status", [
    ({"text": ""}, 200),                      # empty text: a result with an error, not a crash
    ({}, 422), ({"text": "a", "texts": ["b"]}, 422), ({"texts": ["x"] * 1001}, 422),
    ({"text": "长" * 20001}, 422), ({"text": 5}, 422),
])
def test_classify_bad_input(client, body, status):
    r = client.post("/api/classify", json=body)
    assert r.status_code == status
    if status == 200:
        assert r.json()["results"][0]["error"] == "empty text"


def test_oversized_body_is_413(client):
    r = client.post("/api/classify", content=b'{"text": "' + b"a" * (3 * 1024 * 1024) + b'"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 413 and "too large" in r.json()["detail"]
    big = io.BytesIO(b"content\n" + ("还钱" * 400_000).encode())
    r = client.post("/api/batch", files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413


def test_batch_upload_round_trip(client):
    data = "时间,短信内容\n2026-01-01,老赖再不还钱就爆你通讯录\n2026-01-02,您的验证码是1234\n2026-01-03,\n"
    r = client.post("/api/batch", files={"file": ("sms.csv", data.encode("gb18030"), "text/csv")})
    assert r.status_code == 200
    summary = json.loads(r.headers["X-Cuishou-Summary"])
    assert summary["rows"] == 3 and summary["errors"] == 1
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["时间", "短信内容"] and len(rows) == 4
    assert "sms.scored.csv" in r.headers["content-disposition"]


@pytest.mark.parametrize("name, content, status, words", [
    ("photo.gif", b"GIF89a", 415, "unsupported file type"),
    ("photo.png", b"\x89PNG\r\n", 422, "photo.png: not a readable PNG"),
    ("data.csv", bytes(range(256)) * 50, 422, "binary"),
    ("data.xlsx", b"PK\x03\x04 not really a workbook", 422, "xlsx"),
    ("data.csv", b"a,b\n1,2\n", 422, "columns are: a, b"),
])
def test_batch_bad_files_are_clear_4xx(client, name, content, status, words):
    r = client.post("/api/batch", files={"file": (name, content, "application/octet-stream")})
    assert r.status_code == status and words in r.json()["detail"]
    assert "/tmp" not in r.json()["detail"]  # the temporary path is not shown


def test_uploads_leave_no_files_behind(client, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    client.post("/api/batch", files={"file": ("sms.csv", "content\n还钱\n".encode(), "text/csv")})
    client.post("/api/batch", files={"file": ("bad.csv", b"a,b\n1,2\n", "text/csv")})
    assert list(tmp_path.iterdir()) == []


def test_report_from_the_web(client):
    data = Path("tests/data/sms_export.csv").read_bytes()
    r = client.post("/api/report", files={"file": ("我的短信.csv", data, "text/csv")})
    assert r.status_code == 200 and 'id="summary"' in r.text and "我的短信.csv" in r.text
    assert "13812345678" not in r.text


def test_review_list_from_the_web(client):
    assert client.get("/review").status_code == 200
    data = Path("tests/data/sms_export.csv").read_bytes()
    r = client.post("/api/review?n=5", files={"file": ("sms.csv", data, "text/csv")})
    assert r.status_code == 200
    rows = r.json()["rows"]
    assert 0 < len(rows) <= 5 and {"row", "text", "reason", "predicted_tags"} <= set(rows[0])
