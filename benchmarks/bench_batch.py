"""Benchmark batch scoring: messages/s and peak memory, next to pandas reading and jieba tokenizing.

    python benchmarks/bench_batch.py --rows 1000000          # the issue's target size
    python benchmarks/bench_batch.py --rows 200000 --quick    # a faster look

It writes a CSV of realistic SMS-length messages to benchmarks/out/ (built from the corpus, with
names, amounts, dates and phone numbers varied so rows are not copies), then times:
  1. pandas.read_csv alone on that file;
  2. jieba (pure Python, HMM on) alone tokenizing the messages (on a sample, extrapolated);
  3. rjieba alone tokenizing all messages;
  4. `python -m classifier batch` end to end with the shipped model (all cores), with the peak
     resident memory of the whole process tree (sampled from /proc every 50 ms).
Results are printed and written to benchmarks/out/bench_batch.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def realistic_messages(n: int, seed: int = 7) -> list[str]:
    """SMS-length messages from the corpus's SMS and chat rows, with details varied."""
    frames = [pd.read_csv(ROOT / "data/processed" / f"{s}.csv", keep_default_na=False) for s in ("train", "dev", "test")]
    df = pd.concat(frames)
    pool = [t for t, c in zip(df["text"], df["channel"], strict=True) if c in ("sms", "chat") and len(t) <= 200]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        t = rng.choice(pool)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        t = t.replace("某某", name).replace("XX", name)
        amount = f"{rng.randint(200, 50000)}.{rng.randint(0, 99):02d}"
        # vary every message a little (name, amount or date), as personalised templates do
        r = rng.random()
        if r < 0.4:
            t = f"{t} {amount}元"
        elif r < 0.7:
            t = f"{name}，{t}"
        else:
            t = f"{t}（{rng.randint(1, 12)}月{rng.randint(1, 28)}日）"
        out.append(t)
    return out


def make_file(rows: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"bench_{rows}.csv"
    if path.exists():
        return path
    msgs = realistic_messages(rows)
    rng = random.Random(3)
    pd.DataFrame({
        "id": range(1, rows + 1),
        "date": [f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
                 for _ in range(rows)],
        "sender": [f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}" for _ in range(rows)],
        "content": msgs,
    }).to_csv(path, index=False, encoding="utf-8")
    return path


def tree_memory(pid: int) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) in bytes over a process and its descendants.

    PSS counts pages shared between processes (the forked workers share the model) once in total,
    so it is the honest "memory this job uses"; RSS summed over processes overcounts them.
    """
    rss = pss = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
            with open(f"/proc/{p}/task/{p}/children") as f:
                stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return rss, pss


def run_batch(path: Path, out: Path, extra: list[str]) -> tuple[float, int, int]:
    cmd = [sys.executable, "-m", "classifier", "batch", str(path), "-o", str(out), "--quiet", *extra]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    peak_rss = peak_pss = 0
    while proc.poll() is None:
        rss, pss = tree_memory(proc.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.05)
    if proc.returncode:
        raise SystemExit(f"batch failed with exit code {proc.returncode}")
    return time.perf_counter() - start, peak_rss, peak_pss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="skip the pure-jieba timing")
    ap.add_argument("--evidence", default="unlawful", choices=["unlawful", "all", "none"], help="batch --evidence")
    args = ap.parse_args()
    path = make_file(args.rows)
    res: dict[str, object] = {"rows": args.rows, "file_mb": round(path.stat().st_size / 1e6, 1), "cpus": os.cpu_count()}

    t = time.perf_counter()
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    res["pandas_read_msgs_per_s"] = round(args.rows / (time.perf_counter() - t))
    texts = df["content"].tolist()
    del df

    import rjieba

    t = time.perf_counter()
    for x in texts:
        rjieba.cut(x)
    res["rjieba_msgs_per_s"] = round(len(texts) / (time.perf_counter() - t))
    if not args.quick:
        import logging

        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)
        jieba.initialize()
        sample = texts[:20000]
        t = time.perf_counter()
        for x in sample:
            jieba.lcut(x)
        res["jieba_msgs_per_s"] = round(len(sample) / (time.perf_counter() - t))
    del texts

    out = OUT / f"scored_{args.rows}.csv"
    extra = ["--evidence", args.evidence]
    seconds, peak_rss, peak_pss = run_batch(path, out, extra)
    res["batch_seconds"] = round(seconds, 1)
    res["batch_msgs_per_s"] = round(args.rows / seconds)
    res["batch_peak_pss_mb_process_tree"] = round(peak_pss / 1e6)
    res["batch_peak_rss_sum_mb_process_tree"] = round(peak_rss / 1e6)
    res["batch_evidence"] = args.evidence
    res["output_rows"] = int(pd.read_csv(out, usecols=["id"], dtype=str).shape[0])
    print(json.dumps(res, indent=2))
    (OUT / "bench_batch.json").write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
