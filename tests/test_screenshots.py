"""OCR of rendered phone screenshots (RapidOCR): the messages, their order, sides, times and labels.

Screens are drawn by tests/phone_screens.py with Noto Sans CJK (SMS and chat styles, light and dark,
720 and 1080 px wide). Slow: each screenshot takes seconds of OCR.
"""

from __future__ import annotations

import csv
from pathlib import Path

import phone_screens
import pytest
from click.testing import CliRunner

from classifier.files.images import read_screenshot
from classifier.files.messages import SENT_NOTE
from classifier.files.tabular import parse_datetime
from classifier.interfaces.cli import cli

pytestmark = pytest.mark.slow
if not phone_screens.FONT.exists():
    pytest.skip("Noto CJK font missing (apt-get install fonts-noto-cjk)", allow_module_level=True)


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def char_accuracy(got: list[str], want: list[str]) -> float:
    """1 - (edit distance / length) over all messages."""
    return 1 - sum(edit_distance(g, w) for g, w in zip(got, want, strict=True)) / sum(len(w) for w in want)


@pytest.mark.parametrize("style", ["sms", "chat"])
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", [720, 1080])
def test_ocr_reads_the_thread(tmp_path, shipped, style, theme, width):
    path = tmp_path / f"{style}-{theme}-{width}.png"
    drawn = phone_screens.save(path, style=style, theme=theme, width=width)
    screen = read_screenshot(str(path))
    got, want = screen.messages, drawn.messages
    assert len(got) == len(want), [m.text for m in got]
    assert char_accuracy([m.text for m in got], [m.text for m in want]) >= 0.95
    assert [m.direction for m in got] == [m.direction for m in want]
    assert [m.time for m in got] == [parse_datetime(m.time).strftime("%Y-%m-%d %H:%M") for m in want]
    assert screen.sender == drawn.title
    # the labels of what was read are the labels of what was written
    received = [(g, w) for g, w in zip(got, want, strict=True) if w.direction == "received"]
    read = shipped.predict_many([g.text for g, _ in received])
    true = shipped.predict_many([w.text for _, w in received])
    assert [p.primary_label for p in read] == [p.primary_label for p in true]


def test_jpeg_webp_and_a_folder_through_batch(tmp_path):
    r = phone_screens.render("chat", "light", 720)
    folder = tmp_path / "shots"
    folder.mkdir()
    r.image.save(folder / "shot1.jpg", quality=85)
    phone_screens.render("sms", "dark", 720).image.save(folder / "shot2.webp", quality=90)
    (folder / "notes.md").write_text("not an image", encoding="utf-8")
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(cli, ["batch", str(folder), "-o", str(out), "--workers", "0"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["file"] for r in rows] == ["shot1.jpg"] * 5 + ["shot2.webp"] * 5  # one row per message, in order
    assert [r["bubble"] for r in rows] == ["1", "2", "3", "4", "5"] * 2
    for row in rows:
        if row["direction"] == "sent":
            assert row["error"] == SENT_NOTE and row["primary_label"] == "" and row["sender"] == "我"
        else:
            assert row["primary_label"] and row["sender"] in ("李经理", "10690000123")
    assert rows[3]["primary_label"] == "threat"  # 不还钱就等着坐牢吧，我们已经报警了


def test_report_shows_masked_crops(tmp_path, shipped):
    shot = tmp_path / "shot.png"
    phone_screens.save(shot, style="sms", theme="light", width=720)
    from classifier.interfaces.report import build_report

    out = tmp_path / "report.html"
    summary = build_report(str(shot), str(out), classifier=shipped, include_all=True)
    html = out.read_text(encoding="utf-8")
    assert summary["rows"] == 5 and summary["not_scored"] == 2
    assert html.count('class="crop"') == summary["flagged_listed"] == 3
    assert "13812345678" not in html and "138****5678" in html
    assert "shot.png" in html and "第1条" in html
    unmasked = tmp_path / "full.html"
    build_report(str(shot), str(unmasked), classifier=shipped, include_all=True, mask=False)
    assert "13812345678" in unmasked.read_text(encoding="utf-8")


def test_several_images_one_bad(tmp_path, shipped):
    good = tmp_path / "a.png"
    phone_screens.save(good, style="sms", theme="light", width=720)
    bad = tmp_path / "b.png"
    bad.write_bytes(good.read_bytes()[:5000])
    from classifier.scoring.batch import run_batch

    out = tmp_path / "o.csv"
    summary = run_batch([str(good), str(bad)], str(out), classifier=shipped)
    assert summary.rows == 6 and summary.errors == 1  # the bad one is a row naming it; the rest are read
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[-1]["file"] == "b.png" and "b.png: corrupt or truncated" in rows[-1]["error"]


def test_classify_image(tmp_path):
    shot = tmp_path / "shot.png"
    phone_screens.save(shot, style="chat", theme="dark", width=720)
    res = CliRunner().invoke(cli, ["classify", "--image", str(shot)])
    assert res.exit_code == 0, res.output
    assert "李经理" in res.output and res.output.count(SENT_NOTE) == 2 and "威胁/恐吓" in res.output
    res = CliRunner().invoke(cli, ["classify", "--image", str(Path(__file__))])
    assert res.exit_code == 1 and "not a readable image" in res.output and "Traceback" not in res.output


def test_tall_scrolling_screenshot_is_read_in_tiles(tmp_path):
    """A scrolling capture about 3.4 times as tall as wide: read in overlapping tiles, nothing lost or doubled."""
    path = tmp_path / "long.png"
    drawn = phone_screens.save(path, style="chat", theme="light", width=720, thread=phone_screens.CHAT_THREAD * 2)
    assert drawn.image.height > 3 * drawn.image.width
    screen = read_screenshot(str(path))
    assert len(screen.messages) == len(drawn.messages) == 10
    assert char_accuracy([m.text for m in screen.messages], [m.text for m in drawn.messages]) >= 0.95
    assert [m.direction for m in screen.messages] == [m.direction for m in drawn.messages]
