"""Time and peak memory of reading hostile files (issue 17), each in a fresh process.

    PYTHONPATH=. python benchmarks/hostile_inputs.py [--timeout 120] [--bomb-mb 300]

Builds the files with tests/hostile_files.py and reads each with ``open_source`` (all rows), in a
child process per case so peak memory (ru_maxrss) is the case's own. A case either reads, is refused
with a clear error (InputError), or passes the timeout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

CHILD = """
import json, resource, sys, time
from classifier.files.tabular import InputError, open_source
t = time.perf_counter()
try:
    src = open_source(sys.argv[1]); n = sum(1 for _ in src.rows); outcome = f"read {n} rows"
except InputError as e:
    outcome = "refused: " + str(e).split(": ", 1)[1][:90]
except Exception as e:
    outcome = "crashed: " + type(e).__name__
print(json.dumps({"outcome": outcome, "seconds": round(time.perf_counter() - t, 2),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def main() -> None:
    from hostile_files import jsonl_hostile, xlsx_bomb, xlsx_far_cells

    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--bomb-mb", type=int, default=300)
    ap.add_argument("--make", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make:  # in its own process: peak memory (ru_maxrss) is inherited across exec
        d = Path(args.make)
        xlsx_bomb(d / "bomb.xlsx", args.bomb_mb)
        xlsx_far_cells(d / "far.xlsx")
        jsonl_hostile(d / "h.jsonl")
        return
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, __file__, "--make", d, "--bomb-mb", str(args.bomb_mb)], check=True)
        d = Path(d)
        cases = {f"xlsx bomb ({args.bomb_mb} MB unzipped)": d / "bomb.xlsx",
                 "xlsx cells at XFD1 and A1048576": d / "far.xlsx",
                 "jsonl 100,000-deep line + 5,000-digit number": d / "h.jsonl"}
        for name, path in cases.items():
            try:
                r = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                                   timeout=args.timeout, cwd=d)
                res = json.loads(r.stdout) if r.stdout.strip() else {"outcome": "crashed: " + r.stderr[-200:]}
            except subprocess.TimeoutExpired:
                res = {"outcome": f"still running after {args.timeout:.0f} s (stopped)"}
            print(f"{name:<48} {path.stat().st_size / 1024:>8.1f} KB  {res}")


if __name__ == "__main__":
    main()
