import csv
import hashlib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from classifier import config
from classifier.files.tabular import InputError
from classifier.interfaces.cli import cli
from classifier.modeling.dataset import load_split
from classifier.modeling.user_labels import read_labelled
from classifier.scoring.review import REVIEW_COLUMNS, select_for_review, write_review


def test_review_file_has_the_documented_columns(small_classifier, tmp_path):
    found = select_for_review(small_classifier, "tests/data/sms_export.csv", n=12)
    columns, rows = found.columns, found.rows
    assert columns[-len(REVIEW_COLUMNS):] == list(REVIEW_COLUMNS)
    assert 0 < len(rows) <= 12
    reasons = {r[columns.index("review_reason")] for r in rows}
    assert reasons <= {"near_threshold", "turn_disagreement", "confident_check"} and "confident_check" in reasons
    assert all(r[columns.index("gold_tags")] == "" for r in rows)
    assert found.skipped == ["row 23: empty text"]  # the export's empty message, named by its row
    out = tmp_path / "to_label.csv"
    write_review(columns, rows, str(out))
    with open(out, encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
    assert header[:4] == ["address", "date", "body", "type"]


def test_bad_label_rows_are_rejected_with_row_numbers(tmp_path):
    bad = tmp_path / "labels.csv"
    bad.write_text("text,gold_tags\n老赖还钱,harassment\n验证码1234,not_collection;threat\n还钱,spam\n,threat\n"
                   "ok,\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_labelled(bad)
    msg = str(e.value)
    assert "row 3:" in msg and "row 4:" in msg and "row 5:" in msg and "row 2:" not in msg and "row 6" not in msg
    r = CliRunner().invoke(cli, ["train", "--extra", str(bad), "-o", str(tmp_path / "m")])
    assert r.exit_code == 1 and "row 3:" in r.output and not (tmp_path / "m").exists()


def _small_data(tmp_path: Path) -> Path:
    d = tmp_path / "processed"
    d.mkdir()
    for split, n in (("train", 900), ("dev", 300), ("test", 300)):
        df = load_split(split)
        df.groupby("tags").head(max(3, n // 12)).to_csv(d / f"{split}.csv", index=False)
    return d


# A legal-aid group's own outreach texts quote what collectors say: not collection by the guide, but
# the quoted threats make a model trained on collection messages call them threats (a systematic error).
QUOTES = ["明天上门抓你", "爆你通讯录", "你已经被立案了", "去你单位闹", "P你的遗照", "冻结你所有银行卡", "让你全家社死",
          "今晚去你家", "通知你所有同事", "你涉嫌诈骗要坐牢"]
FRAMES = ["【益民法援站】如果催收对你说“{q}”，这是违法的，请保留截图和录音，并拨打110。",
          "【益民法援站】提醒：收到“{q}”这类短信不要慌，保存证据，可到我站免费咨询。",
          "【益民法援站】本周讲座：催收说“{q}”怎么办？周六上午九点，社区活动室。",
          "【益民法援站】您咨询的问题已回复：对方称“{q}”属于违法催收，可向12378投诉。"]
AID_TEXTS = [f.format(q=q) for q in QUOTES for f in FRAMES]


@pytest.mark.slow
def test_training_with_user_rows_fixes_a_systematic_error_and_never_touches_the_shipped_model(tmp_path):
    data = _small_data(tmp_path)
    labelled = tmp_path / "labelled.csv"
    pd.DataFrame({"text": AID_TEXTS, "gold_tags": "not_collection"}).to_csv(labelled, index=False)
    shipped_before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in config.SHIPPED_MODEL_DIR.iterdir()}

    base = tmp_path / "base"
    r = CliRunner().invoke(cli, ["train", "--data", str(data), "-o", str(base)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    local = tmp_path / "local"
    r = CliRunner().invoke(cli, ["train", "--data", str(data), "--extra", str(labelled), "--holdout", "0.3",
                                 "-o", str(local), "--model", str(base), "--trust-model"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "your held-out rows" in r.output and "project test split" in r.output

    from classifier.modeling.predict import Classifier
    from classifier.modeling.user_labels import split_user_rows

    _, held = split_user_rows(read_labelled(labelled), 0.3)
    before, after = Classifier.load(base, trust=True), Classifier.load(local, trust=True)
    right = lambda clf: sum(p.tags == ("not_collection",) for p in clf.predict_many(held["text"].tolist()))  # noqa: E731
    assert len(held) >= 8
    assert right(after) >= right(before) + 0.3 * len(held), (right(before), right(after), len(held))
    assert local.joinpath("manifest.json").read_text(encoding="utf-8").count('"extra_rows"') == 1
    shipped_after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in config.SHIPPED_MODEL_DIR.iterdir()}
    assert shipped_after == shipped_before
    r = CliRunner().invoke(cli, ["train", "--extra", str(labelled), "-o", str(config.SHIPPED_MODEL_DIR)])
    assert r.exit_code == 1 and "refusing to overwrite the shipped model" in r.output
