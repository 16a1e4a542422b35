"""Screenshot OCR: seconds per screenshot and character accuracy on rendered phone screens.

    python benchmarks/bench_ocr.py                 # 8 screens: sms/chat x light/dark x 720/1080 px
    python benchmarks/bench_ocr.py --repeat 3      # time each screen three times (median)

The screens are drawn by tests/phone_screens.py with Noto Sans CJK (needs fonts-noto-cjk). For each:
seconds to read it (OCR + layout, the engine already loaded), messages found vs drawn, directions and
times right, and character accuracy 1 - edit distance / length over the message texts. Written to
benchmarks/out/bench_ocr.json. These are clean synthetic screens: real photos of screens, unusual
apps and fonts will read worse.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import phone_screens  # noqa: E402
from test_screenshots import char_accuracy  # noqa: E402

from classifier.files.images import ocr_engine, read_screenshot  # noqa: E402
from classifier.files.tabular import parse_datetime  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    ocr_engine()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for style in ("sms", "chat"):
            for theme in ("light", "dark"):
                for width in (720, 1080):
                    path = Path(tmp) / f"{style}-{theme}-{width}.png"
                    drawn = phone_screens.save(path, style=style, theme=theme, width=width)
                    times = []
                    for _ in range(args.repeat):
                        t = time.perf_counter()
                        screen = read_screenshot(str(path))
                        times.append(time.perf_counter() - t)
                    got, want = screen.messages, drawn.messages
                    same = len(got) == len(want)
                    row = {"screen": path.stem, "pixels": f"{drawn.image.width}x{drawn.image.height}",
                           "seconds": round(statistics.median(times), 2), "messages": f"{len(got)}/{len(want)}",
                           "char_accuracy": round(char_accuracy([m.text for m in got], [m.text for m in want]), 4)
                           if same else None,
                           "directions_right": same and [m.direction for m in got] == [m.direction for m in want],
                           "times_right": same and [m.time for m in got] == [
                               parse_datetime(m.time).strftime("%Y-%m-%d %H:%M") for m in want],
                           "sender_right": screen.sender == drawn.title}
                    rows.append(row)
                    print(json.dumps(row, ensure_ascii=False))
    texts_ok = [r for r in rows if r["char_accuracy"] is not None]
    summary = {"screens": len(rows), "mean_seconds": round(statistics.mean(r["seconds"] for r in rows), 2),
               "min_char_accuracy": min(r["char_accuracy"] for r in texts_ok) if texts_ok else None,
               "all_directions_right": all(r["directions_right"] for r in rows),
               "all_times_right": all(r["times_right"] for r in rows)}
    print(json.dumps(summary))
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_ocr.json").write_text(json.dumps({"rows": rows, "summary": summary}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
