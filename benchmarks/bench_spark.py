"""Spark local[2] against the single-machine scorer on the same file.

    python benchmarks/bench_spark.py --rows 1000000

Uses the CSV that bench_batch.py generates (benchmarks/out/bench_<rows>.csv; made if missing), runs
`cuishou batch` (all cores) and `cuishou batch --engine spark --master local[2]` (Parquet output), and
reports wall time and rows/s for each (Spark's time includes starting the JVM and its Python workers).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from bench_batch import OUT, ROOT, make_file


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--master", default="local[2]")
    args = ap.parse_args()
    path = make_file(args.rows)
    res: dict[str, object] = {"rows": args.rows, "master": args.master}
    out_local = OUT / f"scored_local_{args.rows}.csv"
    t = timed([sys.executable, "-m", "classifier", "batch", str(path), "-o", str(out_local), "--quiet"])
    res["single_machine_seconds"] = round(t, 1)
    res["single_machine_rows_per_s"] = round(args.rows / t)
    out_spark = OUT / f"scored_spark_{args.rows}"
    shutil.rmtree(out_spark, ignore_errors=True)
    t = timed([sys.executable, "-m", "classifier", "batch", str(path), "-o", str(out_spark), "--engine", "spark",
               "--master", args.master, "--quiet"])
    res["spark_seconds"] = round(t, 1)
    res["spark_rows_per_s"] = round(args.rows / t)
    print(json.dumps(res, indent=2))
    (OUT / "bench_spark.json").write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "benchmarks"))
    main()
