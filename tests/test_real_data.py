"""The real sets: schema, split by source group, exact rebuild, and the real test part never trained on."""

import hashlib

import pandas as pd
import pytest

from classifier import config
from classifier.labels import TAG_NAMES
from classifier.modeling import real
from classifier.modeling.context import SHORT_CHARS
from classifier.modeling.dataset import COLUMNS
from classifier.modeling.results import Prediction
from classifier.modeling.train import training_frames

KINDS = {"collection": real.COLLECTION_PARTS, "sms": ("dev", "test"), "chat": ("dev", "test")}


@pytest.fixture(scope="module")
def parts():
    return {(k, p): real.load_real_part(k, p) for k, ps in KINDS.items() for p in ps}


def test_raw_files_follow_the_schema():
    for file in real.COLLECTION_FILES:
        raw = pd.read_csv(config.REAL_DIR / file, dtype=str, keep_default_na=False)
        assert list(raw.columns) == real.COLLECTION_COLUMNS
        assert real.validate_collection(raw, file) == []
        assert (raw["source"].str.match(r"^(https?://|[\w.-]+/[\w.-]+@[0-9a-f]{40}:)")).all(), file
    for kind in ("sms", "chat"):
        df = real.load_everyday(kind)
        assert len(df) >= 50 and (df["tags"] == "not_collection").all()
        assert df["source"].str.len().gt(len(f"real-{kind}:")).all()


def test_real_sets_are_split_by_source_group_never_by_row(parts):
    for kind, names in KINDS.items():
        seen: dict[str, str] = {}
        for p in names:
            df = parts[(kind, p)]
            assert list(df.columns)[: len(COLUMNS)] == COLUMNS
            for g in set(df["group"]):
                assert seen.setdefault(g, p) == p, f"{kind}: group {g} in {seen[g]} and {p}"
        total = sum(len(parts[(kind, p)]) for p in names)
        raw = real.load_collection() if kind == "collection" else real.load_everyday(kind)
        assert 0 < total <= len(raw)
    test = parts[("collection", "test")]
    assert test["group"].nunique() >= 2 and len(test) >= 10


def test_a_later_intake_never_moves_an_earlier_group(tmp_path):
    """Each intake is split on its own: collection.csv's groups land where they land without the later files."""
    first = real.load_collection(files=real.COLLECTION_FILES[:1])
    alone = {g: p for p, df in real._split_intakes(first, real.COLLECTION_SHARES).items() for g in df["group"]}
    both = real.load_collection()
    assert both["intake"].nunique() == len(real.COLLECTION_FILES) > 1
    together = {g: p for p, df in real._split_intakes(both, real.COLLECTION_SHARES).items() for g in df["group"]}
    assert {g: together[g] for g in alone} == alone
    assert set(together) - set(alone) == set(both.loc[both["intake"] != real.COLLECTION_FILE, "group"])


def test_assign_parts_keeps_groups_whole_and_is_deterministic():
    sizes = {f"g{i}": (i % 7) + 1 for i in range(40)}
    a = real.assign_parts(sizes, real.COLLECTION_SHARES)
    assert a == real.assign_parts(dict(reversed(sizes.items())), real.COLLECTION_SHARES)
    assert set(a) == set(sizes) and set(a.values()) == set(real.COLLECTION_SHARES)
    share = {p: sum(sizes[g] for g in a if a[g] == p) / sum(sizes.values()) for p in real.COLLECTION_SHARES}
    for p, target in real.COLLECTION_SHARES.items():
        assert abs(share[p] - target) < 0.1, share


def test_real_parts_are_rebuilt_exactly_from_raw(tmp_path):
    summary = real.build_real(tmp_path)
    for kind, names in KINDS.items():
        for p in names:
            name = real.part_file(kind, p)
            fresh = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
            shipped = hashlib.sha256((config.PROCESSED_DIR / name).read_bytes()).hexdigest()
            assert fresh == shipped, name
            assert summary[kind][p] == len(real.load_real_part(kind, p))


def test_real_test_part_never_reaches_the_fitted_or_tuning_data(parts):
    fit, dev = training_frames()
    used = pd.concat([fit, dev], ignore_index=True)
    held = pd.concat([parts[(k, "test")] for k in KINDS], ignore_index=True)
    assert not set(held["id"]) & set(used["id"])
    assert not set(held["group"]) & set(used["group"])
    assert not real.fingerprints(held["text"]) & real.fingerprints(used["text"])
    # the real train part is used, the real dev and everyday parts are not
    assert set(parts[("collection", "train")]["id"]) <= set(fit["id"])
    for key in (("collection", "dev"), ("sms", "dev"), ("chat", "dev")):
        assert not set(parts[key]["id"]) & set(used["id"]), key
    without = training_frames(use_real=False)[0]
    assert len(fit) - len(without) == len(parts[("collection", "train")])


def test_training_refuses_a_real_test_row(parts):
    row = parts[("collection", "test")].iloc[[0]][COLUMNS].copy()
    row["id"] = "user-copy-1"
    row["group"] = "user/copy"  # a copy under another id and group is still caught by its text
    with pytest.raises(real.RealTestLeakError):
        training_frames(extra=row)


def test_template_placeholders_become_x():
    assert real.fill_placeholders("{0}先生/女士，您在易融花的借款已经逾期{1}天") == "X先生/女士，您在易融花的借款已经逾期X天"
    assert real.fill_placeholders("尊敬的 ${user_name} 先生") == "尊敬的 X 先生"
    assert real.fill_placeholders("{{name}}您好，{$results['names']}") == "X您好，X"
    assert real.fill_placeholders("普通文字{不是变量吗}") == "普通文字{不是变量吗}"


class AlwaysThreat:
    thresholds = [0.5] * len(TAG_NAMES)

    def predict_many(self, texts, explain_evidence=False):
        return [Prediction("threat", ("threat",), {t: float(t == "threat") for t in TAG_NAMES}, text=t, norm=t)
                for t in texts]


def test_evaluate_real_reports_each_set_on_its_own(parts):
    rep = real.evaluate_real(AlwaysThreat())
    assert {"collection_test", "everyday_sms_test", "personal_chat_test"} <= set(rep)
    for key in ("everyday_sms_test", "personal_chat_test"):
        assert rep[key]["unlawful_flag_rate"] == 1.0
        assert rep[key]["model"]["primary"]["accuracy"] == 0.0
    col = rep["collection_test"]
    n_threat = sum("threat" in t.split(";") for t in parts[("collection", "test")]["tags"])
    assert col["model"]["per_tag"]["threat"]["support"] == n_threat
    assert col["model"]["per_tag"]["threat"]["recall"] == (1.0 if n_threat else 0.0)
    assert "keyword_baseline" in col and "real collection" in real.format_real(rep)
    # inside their conversations (none mentions a debt), the short lines are no longer flagged
    chat = parts[("chat", "test")]
    conv = rep[real.IN_CONVERSATION_KEY]
    long_share = sum(len(t) > SHORT_CHARS for t in chat["text"]) / len(chat)
    assert conv["unlawful_flag_rate"] == pytest.approx(long_share, abs=1e-4)
    assert conv["decided_by_conversation"] == sum(len(t) <= SHORT_CHARS for t in chat["text"])
    assert real.IN_CONVERSATION_KEY in real.format_real(rep)


def test_chat_lines_in_a_conversation_about_a_debt_stay_flagged(tmp_path):
    raw = pd.DataFrame({"id": ["a-1", "a-2", "b-1"], "text": ["明天见", "上次你欠我的钱什么时候还", "明天见"],
                        "conversation": ["a", "a", "b"], "source": "x", "source_group": "g", "licence": "MIT",
                        "note": ""}, columns=real.PERSONAL_CHAT_COLUMNS)
    raw.to_csv(tmp_path / real.PERSONAL_CHAT_FILE, index=False)
    test = pd.DataFrame({"id": ["real-chat-a-1", "real-chat-b-1"], "text": ["明天见", "明天见"],
                         "tags": "not_collection"})
    clf = AlwaysThreat()
    out = real.evaluate_in_conversation(clf, test, clf.predict_many(test["text"].tolist()), tmp_path)
    assert out["model"]["primary"]["accuracy"] == 0.5  # b-1 is not_collection now, a-1 stays a threat
    assert out["decided_by_conversation"] == 1 and out["unlawful_flag_rate"] == 0.5


def test_assign_parts_spreads_every_tag_over_the_parts_when_groups_allow():
    sizes = {f"{t}{i}": 2 for t in "xy" for i in range(4)}
    counts = {g: {g[0]: 2} for g in sizes}
    a = real.assign_parts(sizes, real.COLLECTION_SHARES, counts)
    for part in real.COLLECTION_SHARES:
        assert {g[0] for g in a if a[g] == part} == {"x", "y"}, a


def test_reimport_replaces_imported_rows_and_keeps_hand_quoted_ones(tmp_path):
    hand = pd.DataFrame([{"id": "police-1", "text": "【车辆中心】您的ETC已冻结", "category": "scam", "source": "https://x",
                          "source_group": "police", "licence": "quote", "note": ""}])
    old = hand.assign(id="autorule-old", text="旧的", source_group="autorule-a")
    pd.concat([old, hand]).to_csv(tmp_path / real.EVERYDAY_SMS_FILE, index=False)
    new = old.assign(id="autorule-new", text="新的")
    assert real.write_imported(autorule_sms=new, real_dir=tmp_path) == {"everyday_sms": 2}
    back = real.load_everyday("sms", tmp_path)
    assert back["text"].tolist() == ["新的", "【车辆中心】您的ETC已冻结"]


def test_thresholds_are_tuned_on_real_dev_parts_and_never_on_a_test_part(parts):
    from classifier.modeling.dataset import load_split
    from classifier.modeling.train import REAL_DEV_WEIGHT, tuning_frame

    dev = load_split("dev")
    df, weights = tuning_frame(dev)
    ids = set(df["id"])
    for kind in ("collection", "sms", "chat"):
        assert set(parts[(kind, "dev")]["id"]) <= ids
        assert not set(parts[(kind, "test")]["id"]) & ids
    assert (weights[df["id"].str.startswith("real-").to_numpy()] == REAL_DEV_WEIGHT).all()
    assert (weights[:len(dev)] == 1).all()
    assert len(tuning_frame(dev, use_real=False)[0]) == len(dev)
