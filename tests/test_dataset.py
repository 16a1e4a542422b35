import hashlib

import pandas as pd
import pytest

from classifier import config
from classifier.labels import validate_tags
from classifier.modeling.dataset import COLUMNS, build, counts, load_split, tag_matrix
from classifier.text.normalize import normalize


@pytest.fixture(scope="module")
def splits():
    return {s: load_split(s) for s in ("train", "dev", "test")}


def test_schema_and_tag_rules(splits):
    for name, df in splits.items():
        assert list(df.columns) == COLUMNS, name
        assert df["id"].is_unique
        for tags in df["tags"]:
            assert tags == ";".join(validate_tags(tags.split(";")))
        assert set(df["channel"]) <= {"sms", "chat", "call", "post"}
        assert df["source"].str.match(r"^(written:w\d\d-[a-z0-9-]+|cold:(train|dev):\d+|swsr:SexComment:\d+)$").all()
        assert (df["text"].str.strip() != "").all()


def test_no_text_or_group_in_two_splits(splits):
    seen: dict[str, str] = {}
    groups: dict[str, str] = {}
    for name, df in splits.items():
        for text, group in zip(df["text"], df["group"], strict=True):
            key = normalize(text)
            assert seen.setdefault(key, name) == name, f"{text!r} in {seen[key]} and {name}"
            assert groups.setdefault(group, name) == name, f"group {group} in {groups[group]} and {name}"


def test_no_near_duplicates_between_test_and_train(splits):
    from sklearn.feature_extraction.text import TfidfVectorizer

    train = [normalize(t) for t in splits["train"]["text"]]
    test = [normalize(t) for t in splits["test"]["text"]]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 4)).fit(train + test)
    sims = (vec.transform(test) @ vec.transform(train).T).max(axis=1).toarray().ravel()
    assert (sims >= 0.85).sum() == 0, sorted(sims)[-5:]


def test_corpus_meets_the_issue_quotas(splits):
    df = pd.concat(splits.values(), ignore_index=True)
    c = counts(df)
    assert c["rows"] >= 6000
    for tag in ("harassment", "threat", "third_party_contact"):
        assert c["per_tag"][tag] >= 900, tag
    assert c["two_or_more_unlawful"] >= 300
    assert c["per_tag"]["lawful_reminder"] >= 1200
    assert c["per_tag"]["not_collection"] >= 2000 and c["hard_negatives"] >= 600
    assert c["per_channel"].get("chat", 0) + c["per_channel"].get("call", 0) >= 400
    assert c["unlawful_with_evasion"] >= 0.15 * c["unlawful"]
    written = df["source"].str.startswith("written:")
    assert tag_matrix(df[~written]["tags"])[:, 0].all()  # real text is only ever a negative


def test_hard_negatives_are_not_collection(splits):
    """A hard negative is a look-alike that must stay not_collection; any other tag on it is a labelling slip."""
    df = pd.concat(splits.values(), ignore_index=True)
    hard = df["hard_negative"].astype(str).str.lower().eq("true")
    assert hard.sum() > 0
    assert (df.loc[hard, "tags"] == "not_collection").all(), df.loc[hard & (df["tags"] != "not_collection"), "id"].tolist()


def test_processed_data_is_rebuilt_exactly_from_raw(tmp_path):
    summary = build(tmp_path)
    for split in ("train", "dev", "test"):
        fresh = hashlib.sha256((tmp_path / f"{split}.csv").read_bytes()).hexdigest()
        shipped = hashlib.sha256((config.PROCESSED_DIR / f"{split}.csv").read_bytes()).hexdigest()
        assert fresh == shipped, split
    assert summary["split_rows"]["test"] > 1000
