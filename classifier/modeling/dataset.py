"""The labelled corpus: raw sources in ``data/raw`` -> validated, de-duplicated, split ``data/processed``.

Raw data is never edited. ``build()`` reads it, checks every row against the labelling guide,
drops exact duplicates (after normalization), groups near-duplicates, and splits by group into
train / dev / test, so that no template family (or anything near-identical to it) straddles splits.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..labels import TAG_NAMES, TagError, format_tags, parse_tags, validate_tags
from ..text.normalize import normalize

COLUMNS = ["id", "text", "tags", "channel", "source", "group", "evasion", "hard_negative"]
CHANNELS = ("sms", "chat", "call", "post")
SPLITS = ("train", "dev", "test")
#: Share of groups per split; assignment is by a hash of the group name, so it is stable.
SPLIT_SHARES = {"test": 0.15, "dev": 0.15}
NEAR_DUPLICATE_COSINE = 0.85

# --- real public text -----------------------------------------------------------------------------

#: Rows of COLD / SWSR whose words suggest a debt, or that address the reader while being offensive,
#: are not imported: the guide says such rows must be labelled by hand, not assumed not_collection.
_DEBT_WORDS = re.compile(r"欠|还钱|还款|借钱|借款|贷|催收|债|逾期|利息|高利|老赖|征信|通讯录")
_SECOND_PERSON = re.compile(r"你|您|尔|汝|妳")
REAL_SAMPLE = {"cold": 1200, "swsr": 400}
REAL_SEED = 20261128


def import_real(shared_dir: Path, out_dir: Path = config.REAL_DIR) -> dict[str, int]:
    """Copy a fixed, seeded sample of COLD and SWSR rows (text only) into ``data/raw/real``.

    Run once, by hand, from a checkout that has ``../shared``; the project never reads ``../shared``
    at run time. Returns the number of rows written per corpus.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = []
    for split in ("train", "dev"):
        df = pd.read_csv(shared_dir / "data/cold" / f"{split}.csv", encoding="utf-8-sig")
        frames.append(pd.DataFrame({"upstream_file": f"cold/{split}.csv", "upstream_row": df.index + 2,
                                    "upstream_label": df["label"], "topic": df["topic"], "text": df["TEXT"]}))
    cold = pd.concat(frames, ignore_index=True)
    sw = pd.read_csv(shared_dir / "data/swsr/SexComment.csv", encoding="utf-8-sig")
    swsr = pd.DataFrame({"upstream_file": "swsr/SexComment.csv", "upstream_row": sw.index + 2,
                         "upstream_label": sw["label"], "topic": sw["target"].fillna("").map({"I": "individual", "G": "generic"}).fillna(""),
                         "text": sw["comment_text"]})
    counts = {}
    for name, df in (("cold", cold), ("swsr", swsr)):
        df = df[df["text"].map(lambda t: isinstance(t, str) and 4 <= len(t.strip()) <= 500)]
        keep = ~df["text"].str.contains(_DEBT_WORDS)
        keep &= ~((df["upstream_label"] == 1) & df["text"].str.contains(_SECOND_PERSON))
        if name == "swsr":  # SWSR replies often address another commenter: leave all of those out
            keep &= (df["topic"] != "individual") & ~df["text"].str.contains(_SECOND_PERSON)
        df = df[keep].sample(n=REAL_SAMPLE[name], random_state=REAL_SEED).sort_values(["upstream_file", "upstream_row"])
        df.to_csv(out_dir / f"{name}.csv", index=False, encoding="utf-8", quoting=csv.QUOTE_MINIMAL)
        counts[name] = len(df)
    for name in ("cold", "swsr"):
        for f in ("LICENSE", "README.upstream.md", "UPSTREAM_COMMIT"):
            src = shared_dir / "data" / name / f
            (out_dir / f"{name}.{f}").write_bytes(src.read_bytes())
    return counts


# --- loading -------------------------------------------------------------------------------------

class CorpusError(ValueError):
    """A raw corpus row that breaks the schema or the labelling guide."""


@dataclass(frozen=True)
class RowProblem:
    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


def load_written(written_dir: Path = config.WRITTEN_DIR) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Every ``*.jsonl`` batch under ``data/raw/written``; the batch name is the file stem."""
    rows, problems = [], []
    for path in sorted(written_dir.glob("*.jsonl")):
        batch = path.stem
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.name} line {n}"
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                tags = validate_tags(r["tags"])
                text = r["text"]
                channel = r["channel"]
                family = r["family"]
            except (json.JSONDecodeError, KeyError, TypeError, TagError) as e:
                problems.append(RowProblem(where, f"{type(e).__name__}: {e}"))
                continue
            if not isinstance(text, str) or not text.strip():
                problems.append(RowProblem(where, "empty text"))
                continue
            if channel not in CHANNELS:
                problems.append(RowProblem(where, f"channel {channel!r} not in {CHANNELS}"))
                continue
            rows.append({
                "id": f"{batch}-{n:04d}", "text": text, "tags": format_tags(tags), "channel": channel,
                "source": f"written:{batch}", "group": f"{batch}/{family}",
                "evasion": bool(r.get("evasion", False)), "hard_negative": bool(r.get("hard_negative", False)),
            })
    return pd.DataFrame(rows, columns=COLUMNS), problems


def load_real(real_dir: Path = config.REAL_DIR) -> pd.DataFrame:
    """The imported COLD / SWSR rows, as ``not_collection`` posts."""
    frames = []
    for name in ("cold", "swsr"):
        path = real_dir / f"{name}.csv"
        if not path.exists():
            continue
        df = pd.read_csv(path, encoding="utf-8", dtype={"topic": str}, keep_default_na=False)
        upstream = df["upstream_file"].str.replace(".csv", "", regex=False).str.replace("/", ":")
        block = (df["upstream_row"] // 50).astype(str)
        frames.append(pd.DataFrame({
            "id": name + "-" + df["upstream_file"].str.extract(r"/(\w+)\.csv")[0] + "-" + df["upstream_row"].astype(str),
            "text": df["text"], "tags": "not_collection", "channel": "post",
            "source": upstream + ":" + df["upstream_row"].astype(str),
            # a block of 50 neighbouring upstream rows is one group (neighbours can share a thread)
            "group": name + "/" + df["topic"] + "/" + block,
            "evasion": False, "hard_negative": df["upstream_label"] == 1,
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def load_raw() -> tuple[pd.DataFrame, list[RowProblem]]:
    written, problems = load_written()
    df = pd.concat([written, load_real()], ignore_index=True)
    return df[COLUMNS], problems


# --- splitting -----------------------------------------------------------------------------------

def _bucket(name: str) -> float:
    return int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:12], 16) / 16**12


def _split_of(group_key: str) -> str:
    b = _bucket(group_key)
    if b < SPLIT_SHARES["test"]:
        return "test"
    if b < SPLIT_SHARES["test"] + SPLIT_SHARES["dev"]:
        return "dev"
    return "train"


def _near_duplicate_components(norm_texts: list[str], groups: list[str]) -> dict[str, str]:
    """Union groups that share a near-duplicate pair (char 2-4-gram TF-IDF cosine >= threshold)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    parent = {g: g for g in set(groups)}

    def find(g: str) -> str:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    X = TfidfVectorizer(analyzer="char", ngram_range=(2, 4), min_df=1, dtype=np.float32).fit_transform(norm_texts)
    garr = np.array(groups)
    for start in range(0, X.shape[0], 1000):
        sims = (X[start:start + 1000] @ X.T).toarray()
        rows, cols = np.nonzero(sims >= NEAR_DUPLICATE_COSINE)
        for r, c in zip(rows + start, cols, strict=True):
            if garr[r] != garr[c]:
                a, b = find(garr[r]), find(garr[c])
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return {g: find(g) for g in parent}


def build(out_dir: Path = config.PROCESSED_DIR) -> dict:
    """Validate, de-duplicate and split the raw corpus into ``train/dev/test.csv``; return a summary."""
    df, problems = load_raw()
    if problems:
        raise CorpusError("invalid raw rows:\n" + "\n".join(map(str, problems[:30])))
    df = df.copy()
    df["norm"] = [normalize(t) for t in df["text"]]
    # Exact duplicates after normalization: keep the first; drop all copies if their tags disagree.
    conflicts = df.groupby("norm")["tags"].nunique()
    conflicting = set(conflicts[conflicts > 1].index)
    n_before = len(df)
    df = df[~df["norm"].isin(conflicting) & (df["norm"].str.len() > 0)]
    df = df.drop_duplicates("norm", keep="first")
    component = _near_duplicate_components(df["norm"].tolist(), df["group"].tolist())
    df["split"] = [_split_of(component[g]) for g in df["group"]]
    out_dir.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        part = df[df["split"] == split][COLUMNS]
        part.to_csv(out_dir / f"{split}.csv", index=False, encoding="utf-8")
    summary = {
        "rows_raw": n_before, "rows": len(df), "dropped_duplicates": n_before - len(df),
        "conflicting_duplicate_texts": len(conflicting),
        "merged_group_components": sum(1 for g, c in component.items() if g != c),
        "split_rows": {s: int((df["split"] == s).sum()) for s in SPLITS},
    }
    from .real import build_real  # the real sets are split by source group, in their own files

    summary["real"] = build_real(out_dir)
    (out_dir / "build_summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return summary


def load_split(split: str, processed_dir: Path = config.PROCESSED_DIR) -> pd.DataFrame:
    path = processed_dir / f"{split}.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `python -m classifier data build` first")
    return pd.read_csv(path, encoding="utf-8", keep_default_na=False,
                       dtype={"id": str, "text": str, "tags": str, "channel": str, "source": str, "group": str})


def tag_matrix(tag_cells: Iterable[str]) -> np.ndarray:
    """Binary indicator matrix (rows x tags, in ``TAG_NAMES`` order) from tag cells."""
    cells = list(tag_cells)
    Y = np.zeros((len(cells), len(TAG_NAMES)), dtype=int)
    for i, cell in enumerate(cells):
        for t in parse_tags(cell):
            Y[i, TAG_NAMES.index(t)] = 1
    return Y


def file_sha256(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def counts(df: pd.DataFrame) -> dict:
    """Counts for the data card: per tag, channel, source kind, multi-tag, evasion, hard negatives."""
    Y = tag_matrix(df["tags"])
    unlawful = Y[:, 2:].sum(axis=1)
    return {
        "rows": len(df),
        "per_tag": {t: int(Y[:, i].sum()) for i, t in enumerate(TAG_NAMES)},
        "two_or_more_unlawful": int((unlawful >= 2).sum()),
        "per_channel": df["channel"].value_counts().to_dict(),
        "per_source_kind": df["source"].str.split(":").str[0].value_counts().to_dict(),
        "hard_negatives": int(df["hard_negative"].astype(str).str.lower().eq("true").sum()),
        "unlawful_with_evasion": int((df["evasion"].astype(str).str.lower().eq("true") & (unlawful > 0)).sum()),
        "unlawful": int((unlawful > 0).sum()),
    }
