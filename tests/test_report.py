import csv
import re
from pathlib import Path

import pytest

from classifier.interfaces.report import build_report, highlight
from classifier.schema import BATCH_COLUMNS
from classifier.scoring.batch import run_batch

EXPORT = "tests/data/sms_export.csv"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, shipped):
    out = tmp_path_factory.mktemp("r") / "report.html"
    summary = build_report(EXPORT, str(out), classifier=shipped)
    return out.read_text(encoding="utf-8"), summary


def test_sections_and_charts(rendered):
    html, _ = rendered
    for anchor in ('id="summary"', 'id="charts"', 'id="messages"', 'id="counts"'):
        assert anchor in html
    charts = re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]{200,}"', html)
    assert len(charts) == 3  # per day, per hour, top senders
    assert "http://" not in html.replace("http://politics.people.com.cn", "")  # self-contained
    assert "<script" not in html
    assert re.search(r'id="tag-threat"', html) and "治安管理处罚法第五十条" in html
    assert "不构成法律意见" in html and "not legal advice" in html
    assert re.search(r"model sha256 [0-9a-f]{64}", html)


def test_counts_equal_the_batch_scorer(rendered, shipped, tmp_path):
    html, summary = rendered
    out = tmp_path / "scored.csv"
    batch = run_batch(EXPORT, str(out), classifier=shipped)
    assert summary["rows"] == batch.rows == 24
    assert summary["primary_label"] == batch.to_dict()["primary_label"]
    assert summary["tags"] == batch.to_dict()["tags"]
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    unlawful = sum(1 for r in rows if set(r["tags"].split(";")) & {"threat", "harassment", "third_party_contact"})
    assert summary["flagged_listed"] == unlawful
    assert html.count('class="msg ') == unlawful
    assert set(BATCH_COLUMNS) <= set(rows[0])


def test_personal_numbers_are_masked_by_default(rendered, shipped, tmp_path):
    html, _ = rendered
    assert "13812345678" not in html and "138****5678" in html
    assert "13912340001" not in html and "139****0001" in html
    unmasked = tmp_path / "full.html"
    build_report(EXPORT, str(unmasked), classifier=shipped, mask=False)
    assert "13812345678" in unmasked.read_text(encoding="utf-8")


def test_input_untouched_and_all_option(shipped, tmp_path):
    before = Path(EXPORT).read_bytes()
    out = tmp_path / "all.html"
    summary = build_report(EXPORT, str(out), classifier=shipped, include_all=True)
    assert Path(EXPORT).read_bytes() == before
    assert summary["flagged_listed"] == 23  # every scorable row; the empty one is counted as an error


def test_highlight_escapes_text():
    html = highlight("<script>alert(1)</script>还钱", [(25, 27, "threat")])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<mark class="t-threat">还钱</mark>' in html


def test_provisions_ranked_with_why_and_the_rest_folded(rendered):
    html, _ = rendered
    assert "为什么：" in html and "strongest first" in html
    assert "<details" in html and "other provisions" in html  # the rest of a section's list is folded


def test_lawful_reminder_shows_its_basis_under_its_own_heading(shipped, tmp_path):
    src = tmp_path / "one.csv"
    src.write_text("text\n【某银行】您尾号1234的信用卡已逾期3天，请尽快还款。\n", encoding="utf-8")
    out = tmp_path / "r.html"
    build_report(str(src), str(out), classifier=shipped, include_all=True)
    html = out.read_text(encoding="utf-8")
    assert "合法依据" in html and "民法典第六百七十五条" in html
    assert "可能违反 may violate" not in html
