import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from classifier import config
from classifier.labels import TAG_NAMES, validate_tags
from classifier.modeling.dataset import load_split, tag_matrix
from classifier.modeling.pipeline import MultiTagClassifier, build_pipeline, decode, parts
from classifier.modeling.predict import Classifier, ModelError, load_model


def test_decode_obeys_the_tag_rules():
    th = np.full(5, 0.5)
    rows = np.array([
        [0.9, 0.9, 0.1, 0.1, 0.1],   # both exclusive tags high -> exactly one
        [0.9, 0.1, 0.8, 0.9, 0.1],   # unlawful present -> only unlawful tags
        [0.1, 0.2, 0.1, 0.1, 0.1],   # nothing high -> still exactly one of lr/nc
    ])
    for row in decode(rows, th):
        validate_tags(TAG_NAMES[i] for i in np.flatnonzero(row))
    out = decode(rows, th)
    assert out[1].tolist() == [False, False, True, True, False]


@pytest.mark.slow
def test_estimator_conventions(small_train):
    est = MultiTagClassifier(C=2.0)
    assert clone(est).get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        est.predict_proba(np.zeros((1, 3)))
    pipe = build_pipeline(C=2.0)
    with pytest.raises(NotFittedError):
        pipe.predict(["还钱"])
    assert pipe.fit(small_train["text"].tolist(), tag_matrix(small_train["tags"])) is pipe


def test_fit_predict_shapes_and_pickle(small_pipeline):
    texts = ["老赖快还钱", "您的验证码是123456", "再不还就爆你通讯录"]
    proba = small_pipeline.predict_proba(texts)
    assert proba.shape == (3, 5) and np.all((proba >= 0) & (proba <= 1))
    again = pickle.loads(pickle.dumps(small_pipeline))
    np.testing.assert_array_equal(again.predict_proba(texts), proba)
    assert small_pipeline.named_steps["clf"].classes_.tolist() == list(TAG_NAMES)


def test_model_holds_no_training_text(small_pipeline, small_train):
    # features are hashed: no vocabulary, and no training message can be read back out of the model
    assert not hasattr(parts(small_pipeline).hasher, "vocabulary_")
    blob = pickle.dumps(small_pipeline)
    for text in small_train["text"].head(200):
        probe = text.strip()[:8]
        if len(probe) == 8 and probe not in parts(small_pipeline).hasher.user_words:
            assert probe.encode("utf-8") not in blob, probe


@pytest.mark.slow
def test_training_is_deterministic(small_train, tmp_path):
    paths = []
    for k in range(2):
        pipe = build_pipeline(C=4.0)
        pipe.fit(small_train["text"].tolist(), tag_matrix(small_train["tags"]), clf__groups=small_train["group"].to_numpy())
        p = tmp_path / f"m{k}.joblib"
        joblib.dump(pipe, p, compress=3)
        paths.append(p.read_bytes())
    assert paths[0] == paths[1]


def test_transcript_turn_earns_tag_and_debtor_never_does(small_classifier):
    polite = "催收员：您好，您的借款已逾期，请尽快还款\n客户：我知道了\n催收员：请您今天处理一下"
    rude_debtor = "催收员：您好，您的借款已逾期，请尽快还款\n客户：滚你妈的老赖是你 我弄死你\n催收员：请您今天处理一下"
    p1 = small_classifier.predict(polite)
    p2 = small_classifier.predict(rude_debtor)
    assert not set(p2.tags) & {"harassment", "threat"}, p2.tags
    assert [t.scored for t in p2.turns] == [True, False, True]
    assert p1.primary_label == p2.primary_label


def test_empty_and_whitespace_get_errors(small_classifier):
    for t in ("", "   \n ", None):
        p = small_classifier.predict_many([t])[0]
        assert p.error == "empty text" and p.tags == ()


# --- the shipped model -----------------------------------------------------------------------

def test_shipped_manifest_matches_and_records_provenance(shipped):
    m = shipped.manifest
    for key in ("sha256", "versions", "thresholds", "turn_thresholds", "data", "test_metrics", "tokenizer"):
        assert key in m
    assert m["tokenizer"]["backend"] in ("rjieba", "jieba")
    assert set(m["thresholds"]) == set(TAG_NAMES)


def test_tampered_or_untrusted_model_is_refused(tmp_path):
    import shutil

    from classifier import config

    target = tmp_path / "copy"
    shutil.copytree(config.SHIPPED_MODEL_DIR, target)
    with pytest.raises(ModelError, match="outside"):
        load_model(target)
    load_model(target, trust=True)
    with open(target / config.MODEL_FILE, "ab") as f:
        f.write(b"x")
    with pytest.raises(ModelError, match="does not match"):
        load_model(target, trust=True)


GOLDEN = "tests/data/golden.csv"


def test_golden_messages(shipped):
    import pandas as pd

    df = pd.read_csv(GOLDEN, keep_default_na=False)
    wrong = []
    for text, tags in zip(df["text"], df["tags"], strict=True):
        pred = shipped.predict(text, explain_evidence=False)
        if pred.primary_label != validate_tags(tags.split(";"))[0]:
            wrong.append((text, tags, pred.tags))
    # golden messages are unambiguous; allow at most one miss so a retrain can move a borderline score
    assert len(wrong) <= 1, wrong


def test_quality_floor_on_the_untouched_test_split(shipped):
    from classifier.modeling.evaluate import evaluate

    report = evaluate(shipped, load_split("test"))
    assert report["model"]["macro_f1"] >= 0.80
    assert report["model"]["primary"]["accuracy"] >= 0.82
    assert report["model"]["macro_f1"] > report["keyword_baseline"]["macro_f1"] + 0.15
    for tag, m in report["model"]["per_tag"].items():
        assert m["f1"] >= 0.70, tag


def test_one_threatening_turn_in_a_long_polite_call_is_caught(shipped):
    collector = ["您好，这里是闪借花客服，请问是张先生吗", "您的借款本期应还一千二百元，目前逾期五天", "请问您这边什么时候方便处理一下呢",
                 "好的，我们这边可以为您申请延期三天", "如果有困难也可以在App里申请分期", "好的，那我给您备注一下",
                 "还款后记得截图保存一下凭证", "请问还有其他问题吗", "好的，感谢您的配合"]
    debtor = ["是我", "最近手头有点紧", "下周五发工资", "延期要手续费吗", "好的我看看", "行", "知道了", "没有了", "再见"]
    turns = [f"{who}：{line}" for _ in range(3) for a, b in zip(collector, debtor, strict=True)
             for who, line in (("坐席", a), ("客户", b))]
    polite = shipped.predict("\n".join(turns))
    assert polite.tags == ("lawful_reminder",)
    turns.insert(27, "坐席：你要是下周五还不还，我们就派人去你公司，当着你领导同事的面把事情说清楚")
    pred = shipped.predict("\n".join(turns))
    assert "threat" in pred.tags and "third_party_contact" in pred.tags
    assert {e.turn for e in pred.evidence if e.tag == "threat"} == {27}
    # the debtor's threat in an otherwise identical call earns nothing
    turns[27] = "客户：你们再打电话我就去你公司闹，弄死你们"
    assert shipped.predict("\n".join(turns)).tags == ("lawful_reminder",)


def test_thresholds_are_parameters_not_learned_state(small_pipeline, shipped):
    import copy

    clf = small_pipeline.named_steps["clf"]
    assert {"thresholds", "turn_thresholds"} <= set(clf.get_params())
    assert not hasattr(clf, "thresholds_") and not hasattr(clf, "turn_thresholds_")
    texts = ["老赖快还钱", "您的验证码是123456", "再不还就爆你通讯录"]
    pipe = copy.deepcopy(small_pipeline)
    assert not small_pipeline.predict(texts)[1, 2:].any()  # a verification code is not unlawful
    pipe.set_params(clf__thresholds=np.zeros(5))  # no refit needed
    assert pipe.predict(texts)[:, 2:].all()  # every unlawful tag reaches a threshold of 0
    assert clone(pipe.named_steps["clf"]).get_params()["thresholds"].tolist() == [0.0] * 5
    th = Classifier.load(config.SHIPPED_MODEL_DIR, engine="pickle").clf.get_params()
    assert [round(x, 4) for x in th["thresholds"]] == [shipped.manifest["thresholds"][t] for t in TAG_NAMES]
    assert [round(x, 4) for x in th["turn_thresholds"]] == [shipped.manifest["turn_thresholds"][t] for t in TAG_NAMES]
