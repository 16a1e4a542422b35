"""Real messages quoted from public sources: collection messages, everyday SMS, personal chat lines.

Three raw files in ``data/raw/real`` (see ``data/raw/real/SOURCES.md``), never edited by code:

- ``collection.csv``: messages real collectors and lenders sent, quoted verbatim (templates from
  published code, news reports, first-person accounts, explainer pages), labelled by the guide;
- ``everyday_sms.csv``: real everyday SMS (bank and account notices ...), all ``not_collection``;
- ``personal_chat.csv``: real everyday chat lines (LCCC), all ``not_collection``.

The collection set is split **by source group, never by row** into ``real_train`` (may be used for
training), ``real_dev`` (threshold choice) and ``real_test`` (only ever reported). The everyday sets
are split by group into a dev and a test part the same way; none of them is trained on.
``build_real`` writes the processed files; ``load_real_part`` reads them back.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..labels import TagError, format_tags, validate_tags
from .dataset import CHANNELS, COLUMNS, CorpusError, RowProblem

COLLECTION_FILE = "collection.csv"
#: Intakes of real collection messages, in the order they were collected. Each is split by source group on its
#: own, so adding an intake never moves a group of an earlier one to another part (its test part stays as it was).
COLLECTION_FILES = (COLLECTION_FILE, "collection_2.csv")
EVERYDAY_SMS_FILE = "everyday_sms.csv"
PERSONAL_CHAT_FILE = "personal_chat.csv"

COLLECTION_COLUMNS = ["id", "text", "tags", "channel", "source_type", "source", "source_group", "licence", "note"]
EVERYDAY_SMS_COLUMNS = ["id", "text", "category", "source", "source_group", "licence", "note"]
PERSONAL_CHAT_COLUMNS = ["id", "text", "conversation", "source", "source_group", "licence", "note"]
SOURCE_TYPES = ("template", "news", "judgment", "first_person", "complaint", "explainer", "social_post")

#: Processed parts, each a CSV in ``data/processed`` with ``COLUMNS`` (+ ``source_type`` for collection).
COLLECTION_PARTS = ("train", "dev", "test")
#: Target share of collection rows per part; groups are assigned greedily in hash order (see ``assign_parts``).
COLLECTION_SHARES = {"test": 0.4, "dev": 0.2, "train": 0.4}
EVERYDAY_SHARES = {"test": 0.5, "dev": 0.5}
SALT = "cuishou-real-2026-12"

#: Template variables in published SMS templates (``{{name}}``, ``${amount}``, ``{0}``, ``#name#``,
#: PHP ``{$r['x']}``) are replaced by ``X`` on loading, the way many sources mask values ("XX平台").
_PLACEHOLDER = re.compile(r"\{\$[^{}]*\}|\{\{\s*[A-Za-z0-9_.]+\s*\}\}|\$\{[A-Za-z0-9_.]+\}|\{[A-Za-z0-9_.]*\}"
                          r"|#[A-Za-z_][A-Za-z0-9_]*#")


def fill_placeholders(text: str) -> str:
    """Replace template variables by ``X`` so templates read like sent messages."""
    return _PLACEHOLDER.sub("X", text)


def part_file(kind: str, part: str) -> str:
    """File name of a processed real part: ``real_<part>.csv`` or ``real_<kind>_<part>.csv``."""
    return f"real_{part}.csv" if kind == "collection" else f"real_{kind}_{part}.csv"


def _hash(name: str) -> str:
    return hashlib.sha256(f"{SALT}/{name}".encode()).hexdigest()


def _greedy(group_sizes: dict[str, int], shares: dict[str, float], salt: int) -> dict[str, str]:
    """Groups in salted-hash order; each goes to the part furthest below its share of rows."""
    total = sum(group_sizes.values())
    filled = dict.fromkeys(shares, 0)
    out = {}
    for g in sorted(group_sizes, key=lambda g: _hash(f"{salt}/{g}")):
        part = max(shares, key=lambda p: (shares[p] * total - filled[p], -list(shares).index(p)))
        out[g] = part
        filled[part] += group_sizes[g]
    return out


#: How many salted orderings ``assign_parts`` compares.
N_ORDERINGS = 200
#: Cost of a tag missing from a part, per row of that tag: a gap in the reported test part costs most.
GAP_WEIGHT = {"test": 2.0, "dev": 1.0, "train": 0.5}


def assign_parts(group_sizes: dict[str, int], shares: dict[str, float],
                 group_tag_counts: dict[str, dict[str, int]] | None = None) -> dict[str, str]:
    """Assign whole groups to parts, deterministically, looking only at group names, sizes and labels.

    Of ``N_ORDERINGS`` salted greedy assignments, keep the one whose parts come closest to their
    shares in rows and in rows per tag, a tag missing from a part costing extra (most in test): a
    stratified split by group, so the test part gets every tag the groups allow. A group is never
    split; the model is never consulted.
    """
    counts = group_tag_counts or {g: {} for g in group_sizes}
    tags = sorted({t for c in counts.values() for t in c})
    total = sum(group_sizes.values())
    tag_total = {t: sum(c.get(t, 0) for c in counts.values()) for t in tags}

    def cost(assign: dict[str, str]) -> float:
        err = 0.0
        for p, share in shares.items():
            members = [g for g in assign if assign[g] == p]
            err += abs(sum(group_sizes[g] for g in members) - share * total)
            for t in tags:
                n = sum(counts[g].get(t, 0) for g in members)
                err += abs(n - share * tag_total[t]) + (GAP_WEIGHT.get(p, 1.0) * tag_total[t] if n == 0 else 0.0)
        return err

    candidates = [_greedy(group_sizes, shares, salt) for salt in range(N_ORDERINGS)]
    return min(candidates, key=cost)


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=columns)
    df = pd.read_csv(path, encoding="utf-8", dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CorpusError(f"{path.name}: missing columns {missing}")
    return df[columns]


def validate_collection(df: pd.DataFrame, file: str = COLLECTION_FILE) -> list[RowProblem]:
    problems = []
    for n, r in enumerate(df.itertuples(index=False), 2):
        where = f"{file} row {n}"
        try:
            validate_tags(r.tags.split(";"))
        except TagError as e:
            problems.append(RowProblem(where, f"tags: {e}"))
        if r.channel not in CHANNELS:
            problems.append(RowProblem(where, f"channel {r.channel!r} not in {CHANNELS}"))
        if r.source_type not in SOURCE_TYPES:
            problems.append(RowProblem(where, f"source_type {r.source_type!r} not in {SOURCE_TYPES}"))
        if not r.text.strip() or not r.source.strip() or not r.source_group.strip() or not r.licence.strip():
            problems.append(RowProblem(where, "text, source, source_group and licence are required"))
    if not df["id"].is_unique:
        problems.append(RowProblem(file, "ids are not unique"))
    return problems


def load_collection(real_dir: Path = config.REAL_DIR, files: tuple[str, ...] = COLLECTION_FILES) -> pd.DataFrame:
    """The labelled real collection messages in the corpus schema (``COLUMNS`` + ``source_type`` + ``intake``)."""
    frames = []
    for file in files:
        raw = _read(real_dir / file, COLLECTION_COLUMNS)
        problems = validate_collection(raw, file)
        if problems:
            raise CorpusError("invalid real collection rows:\n" + "\n".join(map(str, problems[:30])))
        frames.append(pd.DataFrame({
            "id": "real-" + raw["id"], "text": raw["text"].map(fill_placeholders),
            "tags": [format_tags(validate_tags(t.split(";"))) for t in raw["tags"]], "channel": raw["channel"],
            "source": "real-collection:" + raw["source_group"], "group": "real/" + raw["source_group"],
            "evasion": False, "hard_negative": False, "source_type": raw["source_type"], "intake": file,
        }, columns=[*COLUMNS, "source_type", "intake"]))
    df = pd.concat(frames, ignore_index=True)
    clash = df.groupby("group")["intake"].nunique()
    if (clash > 1).any() or not df["id"].is_unique:
        raise CorpusError(f"a source group or id appears in two intakes: {sorted(clash[clash > 1].index)[:5]}")
    return df


def load_everyday(kind: str, real_dir: Path = config.REAL_DIR) -> pd.DataFrame:
    """Real everyday SMS (``kind="sms"``) or personal chat lines (``kind="chat"``), all ``not_collection``."""
    file, columns = {"sms": (EVERYDAY_SMS_FILE, EVERYDAY_SMS_COLUMNS),
                     "chat": (PERSONAL_CHAT_FILE, PERSONAL_CHAT_COLUMNS)}[kind]
    raw = _read(real_dir / file, columns)
    if not raw["id"].is_unique:
        raise CorpusError(f"{file}: ids are not unique")
    return pd.DataFrame({
        "id": f"real-{kind}-" + raw["id"], "text": raw["text"], "tags": "not_collection", "channel": kind,
        "source": f"real-{kind}:" + raw["source_group"], "group": f"real-{kind}/" + raw["source_group"],
        "evasion": False, "hard_negative": False,
    }, columns=COLUMNS)


def _split(df: pd.DataFrame, shares: dict[str, float]) -> dict[str, pd.DataFrame]:
    tag_counts = {g: pd.Series([t for cell in part["tags"] for t in cell.split(";")]).value_counts().to_dict()
                  for g, part in df.groupby("group")}
    parts = assign_parts(df.groupby("group").size().to_dict(), shares, tag_counts)
    where = df["group"].map(parts)
    return {p: df[where == p] for p in shares}


def _split_intakes(df: pd.DataFrame, shares: dict[str, float]) -> dict[str, pd.DataFrame]:
    """Each intake split on its own (see ``COLLECTION_FILES``), the parts then joined in intake order."""
    if "intake" not in df:
        return _split(df, shares)
    pieces = [_split(part, shares) for _, part in df.groupby("intake", sort=False)]
    return {p: pd.concat([pc[p] for pc in pieces]).drop(columns="intake") for p in shares}


def build_real(out_dir: Path = config.PROCESSED_DIR, real_dir: Path = config.REAL_DIR) -> dict:
    """Write the real parts to ``out_dir``; return their row counts. Deterministic."""
    from ..text.normalize import normalize

    out_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, dict[str, int]] = {}
    sets = {"collection": (load_collection(real_dir), COLLECTION_SHARES),
            "sms": (load_everyday("sms", real_dir), EVERYDAY_SHARES),
            "chat": (load_everyday("chat", real_dir), EVERYDAY_SHARES)}
    for kind, (df, shares) in sets.items():
        if not len(df):
            continue
        # exact duplicates after normalization: keep the first (the same template quoted twice)
        df = df.assign(_norm=[normalize(t) for t in df["text"]])
        df = df[df["_norm"].str.len() > 0].drop_duplicates("_norm").drop(columns="_norm")
        for part, rows in _split_intakes(df, shares).items():
            rows.to_csv(out_dir / part_file(kind, part), index=False, encoding="utf-8")
            summary.setdefault(kind, {})[part] = len(rows)
    return summary


def load_real_part(kind: str, part: str, processed_dir: Path = config.PROCESSED_DIR) -> pd.DataFrame:
    """One processed real part, e.g. ``("collection", "test")``; empty if it was never built."""
    path = processed_dir / part_file(kind, part)
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    return pd.read_csv(path, encoding="utf-8", keep_default_na=False, dtype=str)


def fingerprints(texts) -> set[str]:
    """sha256 of each normalized text: what ``train`` compares to keep the real test part out."""
    from ..text.normalize import normalize

    return {hashlib.sha256(normalize(t).encode("utf-8")).hexdigest() for t in texts}


def add_real_train(train_df: pd.DataFrame, processed_dir: Path = config.PROCESSED_DIR) -> pd.DataFrame:
    """``train_df`` plus the real train part (collection messages only)."""
    real = load_real_part("collection", "train", processed_dir)
    if not len(real):
        return train_df
    return pd.concat([train_df, real[COLUMNS]], ignore_index=True)


class RealTestLeakError(AssertionError):
    """Rows of a real held-out part reached the data a model is fitted or tuned on."""


def assert_no_real_heldout(fit_df: pd.DataFrame, processed_dir: Path = config.PROCESSED_DIR,
                           parts: tuple[str, ...] = ("test",)) -> None:
    """Refuse to train when any real held-out row (by id, group or normalized text) is in ``fit_df``."""
    held = pd.concat([load_real_part(k, p, processed_dir) for k in ("collection", "sms", "chat") for p in parts],
                     ignore_index=True)
    if not len(held):
        return
    ids = set(held["id"]) & set(fit_df["id"].astype(str))
    groups = set(held["group"]) & set(fit_df["group"].astype(str))
    texts = fingerprints(held["text"]) & fingerprints(fit_df["text"])
    if ids or groups or texts:
        raise RealTestLeakError(f"real held-out rows in the training data: {len(ids)} ids, {len(groups)} groups, "
                           f"{len(texts)} texts")


def counts(df: pd.DataFrame) -> dict:
    """Rows per tag (primary label), per source type and per group, for the data card."""
    from ..labels import primary_label

    out = {"rows": len(df), "groups": int(df["group"].nunique()),
           "primary": df["tags"].map(lambda t: primary_label(t.split(";"))).value_counts().to_dict()}
    tags = pd.Series([t for cell in df["tags"] for t in cell.split(";")])
    out["per_tag"] = tags.value_counts().to_dict()
    if "source_type" in df:
        out["per_source_type"] = df["source_type"].value_counts().to_dict()
    return out


# --- one-off importers for the public data sets (run by hand; the results are committed) ----------

_DEBT_WORDS = re.compile(r"欠|还钱|还款|借钱|借款|贷|催收|债|逾期|利息|老赖|征信|通讯录|还我|钱还")
#: LCCC lines with abuse or threat words are left out: the guide labels abuse at the reader as harassment,
#: so such lines cannot be assumed ``not_collection`` without reading each one.
_ABUSE_WORDS = re.compile(r"傻|滚|死|贱|婊|操|草泥|妈的|他妈|你妈|尼玛|屌|逼|废物|垃圾|杀|砍|打你|揍|弄你|找人")
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def join_lccc(line: str) -> str:
    """LCCC text is tokenized with spaces between characters; remove them except between ASCII words."""
    return _CJK_SPACE.sub("", line.strip())


def import_lccc(valid_txt: Path, commit: str, n: int = 400, seed: int = 20261205) -> pd.DataFrame:
    """A seeded sample of single utterances from CDial-GPT's ``data/toy_valid.txt`` (LCCC, MIT)."""
    rows = []
    for lineno, line in enumerate(valid_txt.read_text(encoding="utf-8").splitlines(), 1):
        for turn, utt in enumerate(line.split("\t"), 1):
            text = join_lccc(utt)
            if 2 <= len(text) <= 60 and not _DEBT_WORDS.search(text) and not _ABUSE_WORDS.search(text):
                rows.append({"id": f"lccc-{lineno}-{turn}", "text": text, "conversation": f"lccc-{lineno}",
                             "source": f"thu-coai/CDial-GPT@{commit}:data/toy_valid.txt line {lineno}",
                             # blocks of 100 upstream lines: neighbouring lines never straddle parts
                             "source_group": f"lccc-valid-{lineno // 100:03d}",
                             "licence": "MIT (LCCC / CDial-GPT, Copyright (c) 2020 lemon234071)", "note": ""})
    df = pd.DataFrame(rows, columns=PERSONAL_CHAT_COLUMNS)
    keep = df.sample(n=min(n, len(df)), random_state=np.random.RandomState(seed)).index
    return df.loc[sorted(keep)]


def import_autorule_sms(rule_dir: Path, commit: str) -> pd.DataFrame:
    """The SMS test fixtures of AutoAccountingOrg/AutoRule (real bank and fund SMS, GPL-3.0)."""
    import json

    rows = []
    for path in sorted(rule_dir.glob("com.android.phone/app/*/tests/*.txt")):
        body = json.loads(path.read_text(encoding="utf-8"))["body"]
        masked = _PHONE.sub("1**********", body)
        rel = path.relative_to(rule_dir.parent.parent).as_posix()
        rows.append({"id": f"autorule-{hashlib.sha256(rel.encode()).hexdigest()[:10]}", "text": masked,
                     "category": "bank_or_account_notice",
                     "source": f"AutoAccountingOrg/AutoRule@{commit}:{rel}",
                     "source_group": "autorule-" + path.parent.parent.name,
                     "licence": "GPL-3.0 (AutoAccountingOrg/AutoRule); short factual notices quoted for research",
                     "note": "mobile numbers masked" if masked != body else ""})
    return pd.DataFrame(rows, columns=EVERYDAY_SMS_COLUMNS)


# --- evaluation -------------------------------------------------------------------------------------

#: What ``evaluate`` reports, each on its own: (report key, set kind, part, title).
REPORTED = (
    ("collection_test", "collection", "test", "real collection messages, test part (never trained on)"),
    ("everyday_sms_test", "sms", "test", "real everyday SMS, test part"),
    ("personal_chat_test", "chat", "test", "real personal chat lines, test part"),
    ("collection_dev", "collection", "dev", "real collection messages, dev part (for threshold choice)"),
    ("everyday_sms_dev", "sms", "dev", "real everyday SMS, dev part"),
    ("personal_chat_dev", "chat", "dev", "real personal chat lines, dev part"),
)


def evaluate_real(classifier, processed_dir: Path = config.PROCESSED_DIR, real_dir: Path = config.REAL_DIR) -> dict:
    """Per-tag precision/recall, primary accuracy and confusion on each real part, plus the share of
    rows flagged with an unlawful tag (the false-alarm rate on everyday text).

    The chat test part is also scored inside its conversations (``personal_chat_test_in_conversation``):
    the conversation rule of batch (``modeling.context``), with the conversations of ``personal_chat.csv``.
    """
    from ..labels import UNLAWFUL_TAGS
    from .evaluate import evaluate

    out = {}
    for key, kind, part, title in REPORTED:
        df = load_real_part(kind, part, processed_dir)
        if not len(df):
            continue
        by = ("channel", "source_type") if "source_type" in df else ("channel",)
        rep = evaluate(classifier, df.reset_index(drop=True), with_baseline=kind == "collection", by=by)
        preds = classifier.predict_many(df["text"].tolist(), explain_evidence=False)
        rep["title"] = title
        rep["unlawful_flag_rate"] = round(float(np.mean([any(t in UNLAWFUL_TAGS for t in p.tags) for p in preds])), 4)
        rep["groups"] = int(df["group"].nunique())
        out[key] = rep
        if key == "personal_chat_test":
            found = evaluate_in_conversation(classifier, df.reset_index(drop=True), preds, real_dir)
            if found is not None:
                out[IN_CONVERSATION_KEY] = {**found, "groups": rep["groups"]}
        if kind == "collection":
            out[key + WITH_CONTEXT_SUFFIX] = {**evaluate_with_context(classifier, df.reset_index(drop=True), preds),
                                              "groups": rep["groups"]}
    return out


WITH_CONTEXT_SUFFIX = "_with_context"


def evaluate_with_context(classifier, df: pd.DataFrame, preds: list) -> dict:
    """The real collection messages scored as a user who says where each was posted would score them:
    ``context=post`` for the rows whose source shows a public post, banner or flyer (``channel`` post),
    ``private`` for the rest (``context.decide``, as ``classify --context`` and the batch column do)."""
    from ..labels import UNLAWFUL_TAGS
    from .context import POST, PRIVATE, decide
    from .evaluate import evaluate_predictions

    decided = [decide(p, classifier.thresholds, POST if ch == "post" else PRIVATE)
               for p, ch in zip(preds, df["channel"], strict=True)]
    return {"model": evaluate_predictions(df, [p.tags for p in decided]),
            "title": "the same messages with their context given (public posts as post, the rest private)",
            "unlawful_flag_rate": round(float(np.mean([any(t in UNLAWFUL_TAGS for t in p.tags) for p in decided])), 4),
            "decided_by_context": sum(p.decided_by == "context" for p in decided)}


IN_CONVERSATION_KEY = "personal_chat_test_in_conversation"


def evaluate_in_conversation(classifier, df: pd.DataFrame, preds: list, real_dir: Path = config.REAL_DIR) -> dict | None:
    """The chat lines ``df`` (with their predictions alone, ``preds``) judged inside their conversations,
    as batch judges an export with a conversation column: a first pass notes which conversations of
    ``personal_chat.csv`` mention a debt, then ``context.decide`` applies the conversation rule."""
    from ..labels import UNLAWFUL_TAGS
    from .context import PRIVATE, decide, index_conversations
    from .evaluate import evaluate_predictions

    path = real_dir / PERSONAL_CHAT_FILE
    if not path.exists():
        return None
    raw = _read(path, PERSONAL_CHAT_COLUMNS)
    conversation_of = dict(zip("real-chat-" + raw["id"], raw["conversation"], strict=True))
    found = index_conversations(raw["conversation"].tolist(), raw["text"].tolist())
    decided = [decide(p, classifier.thresholds, PRIVATE, found.about_debt(conversation_of.get(i)))
               for p, i in zip(preds, df["id"], strict=True)]
    return {"model": evaluate_predictions(df, [p.tags for p in decided]),
            "title": "real personal chat lines, test part, judged inside their conversations",
            "unlawful_flag_rate": round(float(np.mean([any(t in UNLAWFUL_TAGS for t in p.tags) for p in decided])), 4),
            "decided_by_conversation": sum(p.decided_by == "conversation" for p in decided),
            "unsure": sum(p.unsure for p in decided)}


def format_real(reports: dict) -> str:
    from .evaluate import format_report

    lines = []
    for key, rep in reports.items():
        lines.append(format_report({k: v for k, v in rep.items() if k in ("model", "keyword_baseline")},
                                   f"{key}: {rep['title']}, {rep['groups']} source groups"))
        lines.append(f"share flagged with an unlawful tag: {rep['unlawful_flag_rate']:.3f}\n")
    return "\n".join(lines)


def write_imported(chat: pd.DataFrame | None = None, autorule_sms: pd.DataFrame | None = None,
                   real_dir: Path = config.REAL_DIR) -> dict[str, int]:
    """Write imported rows into the raw files: ``personal_chat.csv`` is replaced; in ``everyday_sms.csv``
    only the ``autorule-`` rows are replaced and the hand-quoted rows are kept, in order."""
    out = {}
    if chat is not None:
        chat.to_csv(real_dir / PERSONAL_CHAT_FILE, index=False, encoding="utf-8")
        out["personal_chat"] = len(chat)
    if autorule_sms is not None:
        kept = _read(real_dir / EVERYDAY_SMS_FILE, EVERYDAY_SMS_COLUMNS)
        kept = kept[~kept["id"].str.startswith("autorule-")]
        sms = pd.concat([autorule_sms[EVERYDAY_SMS_COLUMNS], kept], ignore_index=True)
        sms.to_csv(real_dir / EVERYDAY_SMS_FILE, index=False, encoding="utf-8")
        out["everyday_sms"] = len(sms)
    return out
