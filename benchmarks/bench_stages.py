"""CPU time per message of each stage of batch scoring, in one process (where the time goes).

    python benchmarks/bench_stages.py benchmarks/out/bench_distinct_1000000.csv --rows 20000

Reads the ``content`` column of a file made by ``bench_batch.py``, then times (``time.process_time``,
so other jobs on the machine inflate the figures less than wall time; each stage is run ``--repeat``
times and the least is kept) on 300-message chunks: batch normalization, token streams (rjieba, token
ids, pinyin; rjieba alone is shown too), the scores (the compiled kernel plus the concept block; the
concept block alone is shown too), evidence for the unlawful tags of unlawful rows, the reason codes
of the statutes cell, everything ``predict_unique`` does, and ``score_texts`` (adds the statutes cell
and the output row).
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd

from classifier.labels import TAG_NAMES, UNLAWFUL_TAGS
from classifier.legal.reasons import reason_codes
from classifier.modeling.decoding import decode, tags_of_rows
from classifier.modeling.explain import explain_normalized
from classifier.modeling.predict import Classifier
from classifier.scoring.core import _RESULT_CACHES, score_texts
from classifier.scoring.unique import predict_unique
from classifier.text import normalize_batch
from classifier.text.ngram_core import DOC_SEP, _tokenizer

CHUNK = 300


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    msgs = pd.read_csv(args.csv, dtype=str, keep_default_na=False, nrows=args.rows)["content"].tolist()
    clf = Classifier.load()
    rt = clf.runtime
    rt.warm_up()
    score_texts(clf, msgs[:CHUNK])
    chunks = [msgs[i:i + CHUNK] for i in range(0, len(msgs), CHUNK)]
    res: dict[str, float] = {}

    def timed(name: str, fn) -> None:
        best = float("inf")
        for _ in range(args.repeat):
            normalize_batch._CACHE.clear()  # each run normalizes its texts (not read back from the run before)
            t = time.process_time()
            fn()
            best = min(best, time.process_time() - t)
        res[name] = round(best / len(msgs) * 1e6, 1)

    norms = [rt.normalize(c) for c in chunks]
    timed("normalize_us", lambda: [rt.normalize(c) for c in chunks])
    timed("tokens_ids_pinyin_us", lambda: [rt.streams(n) for n in norms])
    tok = _tokenizer(rt.backend, rt.user_words)
    timed("of_which_rjieba_us", lambda: [tok.cut(DOC_SEP.join(n)) for n in norms])
    streams = [rt.streams(n) for n in norms]
    timed("scores_us", lambda: [rt.proba(n, {**s}) for n, s in zip(norms, streams, strict=True)])
    timed("of_which_concept_block_us", lambda: [rt.concept_values(n) for n in norms])
    for n, s in zip(norms, streams, strict=True):
        rt.proba(n, s)  # leaves the concept block in the streams, as batch scoring does
    unlawful = [TAG_NAMES.index(t) for t in UNLAWFUL_TAGS]
    wanted = []
    for n, s in zip(norms, streams, strict=True):
        on = decode(rt.proba(n, s), rt.thresholds)
        wanted.append([(i, j) for i in range(len(n)) for j in unlawful if on[i, j]])
    timed("evidence_us", lambda: [explain_normalized(rt, n, w, s) for n, w, s in zip(norms, wanted, streams, strict=True)])
    tags = [tags_of_rows(decode(rt.proba(n, s), rt.thresholds)) for n, s in zip(norms, streams, strict=True)]
    timed("reason_codes_us", lambda: [reason_codes(t, n, g) for c, ns, ts in zip(chunks, norms, tags, strict=True)
                                      for t, n, g in zip(c, ns, ts, strict=True)])
    _RESULT_CACHES.clear()
    timed("predict_unique_us", lambda: [predict_unique(clf, c, evidence_tags=UNLAWFUL_TAGS) for c in chunks])
    _RESULT_CACHES.clear()
    timed("score_texts_us", lambda: [score_texts(clf, c) for c in chunks])
    print(json.dumps({"rows": len(msgs), "cpu_us_per_message": res}, indent=2))


if __name__ == "__main__":
    main()
