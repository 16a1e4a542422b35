"""The domain lexicon, context tokens, context copies for training, thresholds and the unsure band."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from classifier.labels import TAG_NAMES
from classifier.modeling.context import context_copies, marked_texts, row_context
from classifier.modeling.pipeline import decode, unsure
from classifier.modeling.train import tune_thresholds
from classifier.text import lexicon
from classifier.text.features import NgramHasher
from classifier.text.lexicon import GROUP, POST, PRIVATE, ContextError, mark, parse_context
from classifier.text.normalize import normalize

TEXTS = ["外访人员本周五到你老家村委会核实情况", "明天见", "你好，你朋友王某在我司欠款逾期，请转告他尽快还款。",
         "  您的借款已逾期3天，请尽快还款。", "再不还钱，72小时内立案，纳入失信黑名单", "老赖，借钱不还还好意思睡觉？"]


def concepts_of(text: str) -> set[str]:
    return {t for t in lexicon.concept_tokens(normalize(text)) if t.startswith("c:") and "+" not in t}


def test_concepts_found_in_the_patterns_the_issue_names():
    assert {"c:visit", "c:community"} <= concepts_of(TEXTS[0])
    assert {"c:penalty", "c:legal_process", "c:deadline", "c:debt"} <= concepts_of(TEXTS[4])
    assert {"c:contacts", "c:third_person_debtor", "c:debt"} <= concepts_of(TEXTS[2])
    assert "c:insult" in concepts_of(TEXTS[5])
    assert "c:no_debt" in concepts_of(TEXTS[1]) and "c:debt" not in concepts_of(TEXTS[1])


def test_concept_spans_point_at_the_matched_words():
    norm = normalize(TEXTS[0])
    spans = {(t, norm[a:b]) for t, a, b in lexicon.concept_spans(norm) if b > a}
    assert ("c:visit", "外访") in spans and ("c:community", "村委会") in spans


def test_context_tokens_only_with_a_marker():
    norm = normalize(TEXTS[3])
    assert not [t for t in lexicon.concept_tokens(norm) if t.startswith("x:")]
    post = lexicon.concept_tokens(mark(norm, POST))
    assert "x:post" in post and "x:post+debt" in post
    assert "x:group" in lexicon.concept_tokens(mark(norm, GROUP))
    assert lexicon.context_of(mark(norm, POST)) == POST and lexicon.context_of(norm) == PRIVATE


def test_a_stray_marker_in_the_input_does_not_set_the_context():
    stray = lexicon.MARKERS[POST] + "您的借款已逾期"
    assert lexicon.context_of(mark(stray, PRIVATE)) == PRIVATE


@pytest.mark.parametrize("text", TEXTS)
def test_marking_commutes_with_normalization(text):
    # training marks raw text and lets the pipeline normalize; scoring marks normalized text
    df = pd.DataFrame({"text": [text], "context": [POST], "channel": ["chat"]})
    assert normalize(marked_texts(df)[0]) == mark(normalize(text), POST)


def test_parse_context_names_and_errors():
    assert parse_context(None) == parse_context("") == PRIVATE
    assert parse_context("群聊") == GROUP and parse_context("Public") == POST and parse_context("朋友圈") == POST
    with pytest.raises(ContextError, match="unknown context"):
        parse_context("carrier pigeon")


def _hasher(concepts: bool) -> NgramHasher:
    norms = [normalize(t) for t in TEXTS]
    return NgramHasher(n_features=2**18, concepts=concepts, min_df=1).fit(norms + [mark(n, POST) for n in norms])


def test_context_adds_only_context_tokens():
    h = _hasher(True)
    norms = [normalize(t) for t in TEXTS]
    private = h.transform(norms).toarray()
    post = h.transform([mark(n, POST) for n in norms]).toarray()
    # the word, character, pinyin and concept buckets stay; the context tokens come on top
    assert ((post - private) >= 0).all()
    assert (post.sum(axis=1) > private.sum(axis=1)).all()


def test_without_concepts_the_features_are_the_plain_ngrams():
    norms = [normalize(t) for t in TEXTS]
    plain = _hasher(False).transform(norms)
    with_concepts = _hasher(True).transform(norms)
    assert plain.sum() < with_concepts.sum()
    assert (with_concepts.toarray() >= plain.toarray()).all()  # concepts only add counts


def test_concept_occurrences_have_spans_inside_their_doc():
    h = _hasher(True)
    norms = [mark(normalize(t), POST) for t in TEXTS]
    _, occ = h.occurrences(norms)
    lens = np.array([len(n) for n in norms])
    assert (occ["start"] >= 0).all() and (occ["end"] <= lens[occ["doc"]]).all()


def _rows(rows):
    return pd.DataFrame([{"id": f"r{i}", "channel": ch, "group": f"w99/{fam}", "text": text, "tags": tags,
                          "source": "written:w99"} for i, (text, tags, ch, fam) in enumerate(rows)])


def test_row_context_from_column_channel_family_and_frame():
    assert row_context({"context": "group", "channel": "sms", "text": "x"}) == GROUP
    assert row_context({"channel": "post", "text": "x"}) == POST
    assert row_context({"channel": "chat", "group": "w13/pub-owners-group", "text": "x"}) == GROUP
    assert row_context({"channel": "chat", "group": "w13/x", "text": "[群聊：家族群] 各位好"}) == GROUP
    assert row_context({"channel": "chat", "group": "w13/pub-weibo-post-debtor", "text": "x"}) == POST
    assert row_context({"channel": "sms", "group": "w13/pub-weibo-post-debtor", "text": "x"}) == PRIVATE
    assert row_context({"channel": "call", "group": "w09/x", "text": "A：喂"}) == PRIVATE


def test_context_copies_follow_the_guide():
    many = [(f"您的借款已逾期{i}天，请尽快还款。", "lawful_reminder", "sms", "f") for i in range(60)]
    many += [(f"今天{i}点一起吃饭吗", "not_collection", "chat", "g") for i in range(60)]
    many += [(f"【某某区人民法院】被执行人周某{i}：你的借款纠纷已立案执行。", "lawful_reminder", "sms", "h") for i in range(30)]
    many += [(f"长得像🐸{i}", "harassment", "chat", "k") for i in range(30)]
    copies = context_copies(_rows(many))
    assert len(copies) > 0 and set(copies["context"]) <= {POST, GROUP}
    debt = copies[copies["text"].str.contains("逾期")]
    assert len(debt) and (debt["tags"] == "third_party_contact").all()
    assert (copies[copies["text"].str.contains("吃饭")]["tags"] == "not_collection").all()
    assert not copies["text"].str.contains("法院").any()  # public service of process stays lawful
    assert not copies["text"].str.contains("🐸").any()  # no debt mentioned: no disclosure
    assert copies["id"].str.endswith(("+post", "+group")).all()
    marked = marked_texts(copies)
    assert all(lexicon.context_of(m) == c for m, c in zip(marked, copies["context"], strict=True))


def test_unsure_band():
    th = np.array([0.5, 0.5, 0.6, 0.7, 0.6])
    clear_threat = np.array([[0.01, 0.02, 0.05, 0.99, 0.02]])
    near_threat = np.array([[0.01, 0.02, 0.05, 0.65, 0.02]])  # just below its threshold: a near miss
    clear_nc = np.array([[0.97, 0.03, 0.01, 0.02, 0.01]])
    close_nc_lr = np.array([[0.55, 0.50, 0.01, 0.02, 0.01]])
    assert not unsure(clear_threat, th)[0] and not unsure(clear_nc, th)[0]
    assert unsure(near_threat, th)[0] and unsure(close_nc_lr, th)[0]
    assert not unsure(near_threat, th, margin=0.1)[0]
    # the labels stay as decode gives them
    assert decode(near_threat, th)[0, TAG_NAMES.index("not_collection")] or decode(near_threat, th)[0, 1]


def test_thresholds_keep_everyday_false_positives_low():
    rng = np.random.default_rng(0)
    n = 400
    Y = np.zeros((n, len(TAG_NAMES)), dtype=int)
    j = TAG_NAMES.index("threat")
    Y[:100, j] = 1
    Y[100:, 0] = 1
    proba = np.full((n, len(TAG_NAMES)), 0.05)
    proba[:100, j] = rng.uniform(0.3, 1.0, 100)
    proba[100:, j] = rng.uniform(0.0, 0.6, 300)  # everyday messages score up to 0.6
    proba[100:, 0] = 0.9
    everyday = np.zeros(n, bool)
    everyday[100:] = True
    free = tune_thresholds(Y, proba)
    bound = tune_thresholds(Y, proba, everyday, max_everyday_fpr=0.01)
    assert (proba[everyday, j] >= bound[j]).mean() <= 0.01
    assert bound[j] >= free[j]


# --- the context and unsure outputs, end to end with the small test model ---------------------------

def test_batch_reads_a_context_column_and_writes_unsure(tmp_path, small_classifier):
    import csv

    from classifier.schema import BATCH_COLUMNS
    from classifier.scoring.batch import run_batch

    src = tmp_path / "in.csv"
    rows = [["此人欠我司借款两万元至今未还", "post"], ["您的借款已逾期3天，请尽快还款。", "私聊"],
            ["您的借款已逾期3天，请尽快还款。", "carrier pigeon"], ["明天见", ""]]
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["短信内容", "场景"])
        w.writerows(rows)
    out = tmp_path / "out.csv"
    summary = run_batch(str(src), str(out), classifier=small_classifier)
    with open(out, encoding="utf-8-sig", newline="") as f:
        got = list(csv.reader(f))
    assert got[0] == ["短信内容", "场景", *BATCH_COLUMNS]
    res = [dict(zip(got[0], r, strict=True)) for r in got[1:]]
    assert [r["短信内容"] for r in res] == [r[0] for r in rows]  # every row kept, in order
    assert all(r["unsure"] in ("true", "false") for r in (res[0], res[1], res[3]))
    assert res[2]["primary_label"] == "" and "unknown context 'carrier pigeon'" in res[2]["error"]
    assert summary.errors == 1 and "context column '场景'" in summary.notes[0]


def test_predict_reports_context_and_unsure(small_classifier):
    text = "您的借款已逾期3天，请尽快还款。"
    private = small_classifier.predict(text)
    post = small_classifier.predict(text, context="post")
    d = post.to_dict()
    assert d["context"] == "post" and isinstance(d["unsure"], bool)
    assert private.to_dict()["context"] == "private"
    assert post.norm == private.norm  # reasons and evidence read the text without the marker


def test_cli_context_option(small_pipeline, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from classifier.interfaces import cli as cli_mod
    from classifier.modeling.predict import Classifier

    monkeypatch.setattr(cli_mod, "_load_classifier",
                        lambda *a, **k: Classifier(small_pipeline, {"model_id": "t", "sha256": "0" * 64}))
    runner = CliRunner()
    res = runner.invoke(cli_mod.cli, ["classify", "--json", "--context", "群聊", "您的借款已逾期3天"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output.splitlines()[0])["context"] == "group"
    bad = runner.invoke(cli_mod.cli, ["classify", "--context", "pigeon", "x"])
    assert bad.exit_code != 0 and "unknown context" in bad.output


def test_fast_evidence_spans_are_in_the_unmarked_text(small_classifier):
    text = "老赖，再不还钱就爆你通讯录，明天公安上门"
    for ctx in ("private", "post"):
        pred = small_classifier.predict_many([text], explain_evidence="fast", contexts=[ctx])[0]
        assert any(ev.phrases for ev in pred.evidence)
        for ev in pred.evidence:
            for p in ev.phrases:
                assert pred.norm[p.start:p.end].strip() == p.text


def test_web_api_and_scoring_core_take_the_context(small_classifier):
    """The API's ``context`` field and ``score_texts(contexts=)`` reach the model; the same text in two
    contexts is not merged by the repeated-text cache; ``unsure``/``context`` are in the JSON result."""
    from fastapi.testclient import TestClient

    from classifier.interfaces.web.app import create_app
    from classifier.scoring.core import score_texts

    text = "此人欠我司借款两万元至今未还，大家认清此人"
    with TestClient(create_app(classifier=small_classifier), base_url="http://127.0.0.1") as client:
        post = client.post("/api/classify", json={"text": text, "context": "post"}).json()["results"][0]
        private = client.post("/api/classify", json={"text": text}).json()["results"][0]
        bad = client.post("/api/classify", json={"text": text, "context": "mars"})
    assert post["context"] == "post" and private["context"] == "private" and isinstance(post["unsure"], bool)
    assert post["scores"] != private["scores"]
    assert bad.status_code == 422
    rows = score_texts(small_classifier, [text, text], contexts=["post", "private"])
    assert [r.prediction.context for r in rows] == ["post", "private"]
    assert rows[0].cells["score_third_party_contact"] == round(post["scores"]["third_party_contact"], 4)
    assert rows[1].cells["score_third_party_contact"] == round(private["scores"]["third_party_contact"], 4)
    assert rows[0].cells["unsure"] in ("true", "false")
