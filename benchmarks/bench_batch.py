"""Benchmark batch scoring: messages/s and peak memory, next to pandas reading and jieba tokenizing.

    python benchmarks/bench_batch.py --rows 1000000 --shape distinct   # every message distinct
    python benchmarks/bench_batch.py --rows 1000000 --shape lender     # a lender's log: templates filled in
    python benchmarks/bench_batch.py --rows 200000 --quick             # a faster look
    python benchmarks/bench_batch.py --cold-start                      # `classify` start-up, 5 whole processes

It writes a CSV of SMS-length messages to benchmarks/out/, then times:
  1. pandas.read_csv alone on that file;
  2. jieba (pure Python, HMM on) alone tokenizing the messages (on a sample, extrapolated);
  3. rjieba alone tokenizing all messages;
  4. `python -m classifier batch` end to end with the shipped model (all cores), with the peak
     resident memory of the whole process tree (sampled from /proc every 50 ms).
Shapes: ``corpus`` (the 2026-11-28 file: corpus SMS and chat with a name, amount or date added; many
repeat after normalization), ``distinct`` (corpus text with a name before and a date after, drawn
without repetition: every normalized message differs), ``lender`` (300 SMS templates from the corpus
with names, amounts, card digits, days and dates filled in, as in a lender's outbound log). The
number of distinct normalized messages is reported with each run.
Results are printed and written to benchmarks/out/bench_batch_<shape>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
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


def _corpus_pool(channels: tuple[str, ...] = ("sms", "chat")) -> pd.DataFrame:
    frames = [pd.read_csv(ROOT / "data/processed" / f"{s}.csv", keep_default_na=False) for s in ("train", "dev", "test")]
    df = pd.concat(frames)
    return df[df["channel"].isin(channels) & (df["text"].str.len() <= 200) & ~df["text"].str.contains("\n")]


def _names() -> list[str]:
    return [s + g for s in SURNAMES for g in GIVEN]


def distinct_messages(n: int, seed: int = 7) -> list[str]:
    """Corpus text with a name before it and a date after it; no (name, text, date) repeats, so every
    normalized message differs (names and one- or two-digit dates are not masked)."""
    pool = _corpus_pool()["text"].tolist()
    rng = random.Random(seed)
    names = _names()
    dates = [f"（{m}月{d}日）" for m in range(1, 13) for d in range(1, 29)]
    if n > len(pool) * len(names) * len(dates):
        raise SystemExit("too many rows for distinct messages")
    seen: set[tuple[int, int, int]] = set()
    out = []
    while len(out) < n:
        key = (rng.randrange(len(names)), rng.randrange(len(pool)), rng.randrange(len(dates)))
        if key not in seen:
            seen.add(key)
            out.append(f"{names[key[0]]}，{pool[key[1]]}{dates[key[2]]}")
    return out


_DIGITS = re.compile(r"\d+")
_TITLE = re.compile(r"[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐某][先女](?:生|士)")


def lender_messages(n: int, seed: int = 7, templates: int = 300) -> list[str]:
    """A lender's outbound log: ``templates`` SMS from the corpus (mostly reminders, as such logs are),
    each sent many times with the customer's name, amounts, card digits, days and dates filled in."""
    df = _corpus_pool(("sms",))
    rng = random.Random(seed)
    lawful = df[df["tags"] == "lawful_reminder"]["text"].tolist()
    other = df[df["tags"] != "lawful_reminder"]["text"].tolist()
    rng.shuffle(lawful)
    rng.shuffle(other)
    chosen = lawful[: int(templates * 0.8)] + other[: templates - int(templates * 0.8)]
    names = _names()

    def fill(m):
        return "".join(str(rng.randint(0, 9)) for _ in m.group(0))

    out = []
    for _ in range(n):
        t = rng.choice(chosen)
        t = _TITLE.sub(lambda m: rng.choice(names) + m.group(0)[1:], t)
        out.append(_DIGITS.sub(fill, t))
    return out


SHAPES = {"corpus": realistic_messages, "distinct": distinct_messages, "lender": lender_messages}


def make_file(rows: int, shape: str = "corpus") -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / (f"bench_{rows}.csv" if shape == "corpus" else f"bench_{shape}_{rows}.csv")
    if path.exists():
        return path
    msgs = SHAPES[shape](rows)
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


def run_batch(path: Path, out: Path, extra: list[str]) -> tuple[float, int, int, float]:
    """Wall seconds, peak RSS sum and peak PSS of the process tree, and CPU seconds (user + system of
    the whole tree: on a shared machine wall time grows with the load, CPU time much less)."""
    cmd = [sys.executable, "-m", "classifier", "batch", str(path), "-o", str(out), "--quiet", *extra]
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    peak_rss = peak_pss = 0
    while proc.poll() is None:
        rss, pss = tree_memory(proc.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.05)
    if proc.returncode:
        raise SystemExit(f"batch failed with exit code {proc.returncode}")
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return time.perf_counter() - start, peak_rss, peak_pss, cpu


COLD_MESSAGE = "再不还钱，明天就把你欠钱的事发给你通讯录里所有人"


def cold_start(runs: int = 5) -> dict[str, object]:
    """``python -m classifier classify "…"`` as whole processes: one warm-up, then ``runs`` timed runs.

    Wall seconds from start to exit, and CPU seconds (user + system of the child, from the OS), each
    as min / median / max. On a busy machine wall time grows with the load; CPU time much less.
    """
    cmd = [sys.executable, "-m", "classifier", "classify", COLD_MESSAGE]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    walls, cpus = [], []
    for _ in range(runs):
        before = os.times()
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - t)
        after = os.times()
        cpus.append((after.children_user - before.children_user) + (after.children_system - before.children_system))

    def stats(xs: list[float]) -> dict[str, float]:
        return {"min": round(min(xs), 3), "median": round(statistics.median(xs), 3), "max": round(max(xs), 3)}

    return {"runs": runs, "wall_s": stats(walls), "cpu_s": stats(cpus), "load_avg_1min": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--shape", default="corpus", choices=sorted(SHAPES))
    ap.add_argument("--quick", action="store_true", help="skip the pure-jieba timing")
    ap.add_argument("--evidence", default="unlawful", choices=["unlawful", "all", "none"], help="batch --evidence")
    ap.add_argument("--cold-start", action="store_true", help="only time `classify` start-up (5 processes)")
    args = ap.parse_args()
    if args.cold_start:
        res = cold_start()
        print(json.dumps(res, indent=2))
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "cold_start.json").write_text(json.dumps(res, indent=2) + "\n")
        return
    path = make_file(args.rows, args.shape)
    res: dict[str, object] = {"rows": args.rows, "shape": args.shape, "file_mb": round(path.stat().st_size / 1e6, 1),
                              "cpus": os.cpu_count(), "load_avg_1min_at_start": os.getloadavg()[0]}

    t = time.perf_counter()
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    res["pandas_read_msgs_per_s"] = round(args.rows / (time.perf_counter() - t))
    texts = df["content"].tolist()
    del df
    from classifier.text.normalize_batch import normalize_many

    res["distinct_normalized"] = len({n for i in range(0, len(texts), 5000) for n in normalize_many(texts[i:i + 5000])})

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
    seconds, peak_rss, peak_pss, cpu = run_batch(path, out, extra)
    res["batch_seconds"] = round(seconds, 1)
    res["batch_msgs_per_s"] = round(args.rows / seconds)
    res["batch_cpu_seconds_process_tree"] = round(cpu, 1)
    res["batch_cpu_us_per_msg"] = round(cpu / args.rows * 1e6, 1)
    res["batch_peak_pss_mb_process_tree"] = round(peak_pss / 1e6)
    res["batch_peak_rss_sum_mb_process_tree"] = round(peak_rss / 1e6)
    res["batch_evidence"] = args.evidence
    res["output_rows"] = int(pd.read_csv(out, usecols=["id"], dtype=str).shape[0])
    res["load_avg_1min_at_end"] = os.getloadavg()[0]
    print(json.dumps(res, indent=2))
    (OUT / f"bench_batch_{args.shape}.json").write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
