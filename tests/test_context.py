"""Where a message was posted, its conversation, and "unsure" (classifier/modeling/context.py)."""

from __future__ import annotations

import csv

import pytest

from classifier.labels import (
    HARASSMENT,
    LAWFUL_REMINDER,
    NOT_COLLECTION,
    TAG_NAMES,
    THIRD_PARTY_CONTACT,
    THREAT,
    add_tag,
)
from classifier.modeling import context as ctx
from classifier.modeling.results import Prediction
from classifier.schema import BATCH_COLUMNS, Result
from classifier.scoring.batch import run_batch
from classifier.scoring.core import message_json, score_texts

DEBT_REMINDER = "你的借款已逾期，请今天还款"  # the small model: lawful_reminder, clearly above its threshold
SHORT = "明天见"  # the small model: threat (what issue 14 saw on real chat lines)
THRESHOLDS = [0.5] * len(TAG_NAMES)


def pred(tags, scores, text="", norm=None) -> Prediction:
    full = dict.fromkeys(TAG_NAMES, 0.0) | scores
    return Prediction(primary_label=tags[0], tags=tuple(tags), scores=full, text=text,
                      norm=text if norm is None else norm)


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def tags_alone(small_classifier):
    """What the small model says of the test texts on their own (the tests' preconditions)."""
    rows = score_texts(small_classifier, [DEBT_REMINDER, SHORT])
    found = {r.text: r.tags for r in rows}
    assert found[DEBT_REMINDER] == (LAWFUL_REMINDER,), found
    assert THREAT in found[SHORT], found
    return found


# --- the rules on their own ------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (None, "private"), ("", "private"), ("私聊", "private"), ("SMS", "private"), ("短信", "private"),
    ("群", "group"), ("群聊", "group"), (" Group ", "group"),
    ("公开", "post"), ("朋友圈", "post"), ("评论", "post"), ("微博", "post"), ("论坛", "post"), ("帖子", "post"),
])
def test_context_spellings(value, expected):
    assert ctx.parse_context(value) == expected


def test_unknown_context_is_an_error_that_names_the_choices():
    with pytest.raises(ctx.ContextError, match="group"):
        ctx.parse_context("电话会议")


def test_adding_third_party_contact_replaces_a_lawful_reminder():
    assert add_tag((LAWFUL_REMINDER,), THIRD_PARTY_CONTACT) == (THIRD_PARTY_CONTACT,)
    assert add_tag((NOT_COLLECTION,), THIRD_PARTY_CONTACT) == (THIRD_PARTY_CONTACT,)
    assert add_tag((THREAT, HARASSMENT), THIRD_PARTY_CONTACT) == (THREAT, THIRD_PARTY_CONTACT, HARASSMENT)


def test_group_or_post_about_a_debt_adds_third_party_contact():
    p = pred([LAWFUL_REMINDER], {LAWFUL_REMINDER: 0.9}, "张三欠款三个月未还")
    for where in ("group", "post"):
        out = ctx.decide(p, THRESHOLDS, where)
        assert out.tags == (THIRD_PARTY_CONTACT,) and out.primary_label == THIRD_PARTY_CONTACT
        assert (out.decided_by, out.context) == ("context", where)
    assert p.tags == (LAWFUL_REMINDER,), "the shared prediction must not change"
    private = ctx.decide(p, THRESHOLDS, "private")
    assert private.tags == (LAWFUL_REMINDER,) and private.decided_by == "model"


def test_context_needs_a_collection_tag_and_a_debt():
    no_debt = pred([THREAT], {THREAT: 0.9}, "小心点，晚上走路看着点")
    assert ctx.decide(no_debt, THRESHOLDS, "group").tags == (THREAT,)
    not_collection = pred([NOT_COLLECTION], {NOT_COLLECTION: 0.9}, "网友说他借钱给朋友没还")
    assert ctx.decide(not_collection, THRESHOLDS, "post").tags == (NOT_COLLECTION,)
    already = pred([THIRD_PARTY_CONTACT], {THIRD_PARTY_CONTACT: 0.9}, "你朋友欠款逾期，请转告他还款")
    assert ctx.decide(already, THRESHOLDS, "group").decided_by == "model"


def test_unsure_is_the_deciding_tag_close_to_its_threshold():
    margin = ctx.UNSURE_MARGIN
    assert ctx.is_unsure({**dict.fromkeys(TAG_NAMES, 0.0), THREAT: 0.5 + margin / 2}, (THREAT,), THRESHOLDS)
    assert not ctx.is_unsure({**dict.fromkeys(TAG_NAMES, 0.0), THREAT: 0.5 + 2 * margin}, (THREAT,), THRESHOLDS)
    # the deciding tag is the one furthest above its threshold: one clear tag is enough
    assert not ctx.is_unsure({**dict.fromkeys(TAG_NAMES, 0.0), THREAT: 0.51, HARASSMENT: 0.95},
                             (THREAT, HARASSMENT), THRESHOLDS)
    # chosen below its threshold (no tag reached one): unsure
    assert ctx.is_unsure({**dict.fromkeys(TAG_NAMES, 0.0), NOT_COLLECTION: 0.3}, (NOT_COLLECTION,), THRESHOLDS)
    p = pred([THREAT], {THREAT: 0.52}, "你等着瞧吧，我们会有办法的")
    out = ctx.decide(p, THRESHOLDS)
    assert out.unsure and out.tags == (THREAT,) and out.decided_by == "model"


def test_unsure_reads_each_tag_its_own_threshold():
    """``is_unsure`` as it was (a dict of every threshold by tag), on random scores, tags and thresholds."""
    import random

    import numpy as np

    def reference(scores, tags, thresholds):
        th = dict(zip(TAG_NAMES, (float(x) for x in thresholds), strict=True))
        return bool(tags) and max(scores[t] - th[t] for t in tags) < ctx.UNSURE_MARGIN

    rng = random.Random(3)
    answers = set()
    for _ in range(3000):
        scores = {t: rng.random() for t in TAG_NAMES}
        tags = tuple(rng.sample(TAG_NAMES, rng.randint(0, 3)))
        th = [rng.uniform(0.2, 0.8) for _ in TAG_NAMES]
        for thresholds in (th, np.array(th), tuple(np.float32(x) for x in th)):
            answers.add(ctx.is_unsure(scores, tags, thresholds))
            assert ctx.is_unsure(scores, tags, thresholds) == reference(scores, tags, thresholds)
    assert answers == {True, False}
    with pytest.raises(ValueError):
        ctx.is_unsure(scores, (THREAT,), th[:-1])


def test_debt_mentions_on_raw_text_equal_the_check_on_normalized_text():
    """The first pass looks for debt words in the raw text before normalizing: same answers as normalizing all."""
    import pandas as pd

    from classifier import config
    from classifier.text.normalize import normalize

    texts = pd.read_csv(config.PROCESSED_DIR / "dev.csv")["text"].tolist()[:1500]
    texts += ["還錢", "还.钱", "欠 款", "ＱＩＡＮ", "明天见", "", None, "逾🔪期", "借\u200b款"]
    want = [isinstance(t, str) and ctx.mentions_debt(normalize(t)) for t in texts]
    assert ctx.debt_mentions(texts) == want
    assert sum(want) > 300 and want[-9:] == [True, True, True, False, False, False, False, True, True]


def test_evaluation_reports_unsure_share_and_accuracy_on_each_side():
    import pandas as pd

    from classifier.modeling.evaluate import unsure_report

    preds = [pred([THREAT], {THREAT: 0.55}), pred([THREAT], {THREAT: 0.99}), pred([LAWFUL_REMINDER], {LAWFUL_REMINDER: 0.9}),
             pred([HARASSMENT], {HARASSMENT: 0.52})]
    truth = pd.DataFrame({"tags": ["not_collection", "threat", "threat", "harassment"]})
    out = unsure_report(type("C", (), {"thresholds": THRESHOLDS})(), truth, preds)
    assert out == {"share": 0.5, "accuracy_unsure": 0.5, "accuracy_rest": 0.5}


def test_conversation_rule_short_or_unsure_without_debt():
    short = pred([THREAT], {THREAT: 0.99}, "明天见")
    assert ctx.decide(short, THRESHOLDS, conversation_debt=False).tags == (NOT_COLLECTION,)
    assert ctx.decide(short, THRESHOLDS, conversation_debt=False).decided_by == "conversation"
    assert ctx.decide(short, THRESHOLDS, conversation_debt=True).tags == (THREAT,)
    assert ctx.decide(short, THRESHOLDS, conversation_debt=None).tags == (THREAT,)
    long_clear = pred([THREAT], {THREAT: 0.99}, "你要是再这样下去，我就找几个兄弟到你公司门口等你下班")
    assert len(long_clear.norm) > ctx.SHORT_CHARS
    assert ctx.decide(long_clear, THRESHOLDS, conversation_debt=False).tags == (THREAT,)
    long_unsure = pred([THREAT], {THREAT: 0.55}, "你要是再这样下去，我就找几个兄弟到你公司门口等你下班")
    assert ctx.decide(long_unsure, THRESHOLDS, conversation_debt=False).tags == (NOT_COLLECTION,)


def test_debt_conversations_are_hashed_and_bounded():
    found = ctx.DebtConversations(max_keys=2)
    found.add("13800000001", "你的借款已逾期")
    found.add("13800000002", "明天见")
    assert found.about_debt("13800000001") is True and found.about_debt("13800000002") is False
    assert found.about_debt("") is None
    assert all(isinstance(k, int) for k in found.keys), "keys are kept as hashes, not as numbers or names"
    found.add("a", "还钱")
    found.add("b", "还钱")  # over the bound: not kept, and unknown conversations are no longer judged
    assert len(found.keys) == 2 and found.full
    assert found.about_debt("13800000002") is None


# --- end to end --------------------------------------------------------------------------------------

def test_score_texts_context_and_the_legal_part(small_classifier, tags_alone):
    row = score_texts(small_classifier, [DEBT_REMINDER], context="群聊", explain=True, evidence="all")[0]
    assert row.tags == (THIRD_PARTY_CONTACT,) and row.cells["decided_by"] == "context"
    out = message_json(row.prediction, small_classifier.model_info)
    Result.model_validate(out)
    assert (out["context"], out["decided_by"]) == ("group", "context")
    assert "shared_disclosure" in [r["code"] for r in out["reasons"]]
    assert out["provisions"][0]["citation"].startswith("个人信息保护法第十条")
    assert "群聊或公开帖子" in out["provisions"][0]["why"]  # not the "no specific act found" fallback
    assert "个人信息保护法第十条" in row.cells["statutes"]
    alone = score_texts(small_classifier, [DEBT_REMINDER])[0]
    assert alone.tags == (LAWFUL_REMINDER,) and alone.cells["decided_by"] == "model"
    assert message_json(alone.prediction, small_classifier.model_info)["context"] == "private"


def test_unsure_reaches_json_and_batch_cells(small_classifier, monkeypatch, tmp_path):
    monkeypatch.setattr(ctx, "UNSURE_MARGIN", 2.0)  # nothing is clear enough
    row = score_texts(small_classifier, [DEBT_REMINDER])[0]
    assert row.cells["unsure"] == "yes" and row.tags == (LAWFUL_REMINDER,)
    assert message_json(row.prediction, small_classifier.model_info)["unsure"] is True
    monkeypatch.setattr(ctx, "UNSURE_MARGIN", -2.0)  # everything is
    assert score_texts(small_classifier, [DEBT_REMINDER])[0].cells["unsure"] == "no"
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ["content"], [[DEBT_REMINDER]])
    monkeypatch.setattr(ctx, "UNSURE_MARGIN", 2.0)
    run_batch(str(src), str(out), classifier=small_classifier)
    assert read_csv(out)[0]["unsure"] == "yes"


def test_render_says_uncertain(small_classifier, monkeypatch):
    from classifier.interfaces.render import render_prediction

    monkeypatch.setattr(ctx, "UNSURE_MARGIN", 2.0)
    assert "read it yourself" in render_prediction(score_texts(small_classifier, [DEBT_REMINDER])[0].prediction)
    monkeypatch.setattr(ctx, "UNSURE_MARGIN", -2.0)
    assert "read it yourself" not in render_prediction(score_texts(small_classifier, [DEBT_REMINDER])[0].prediction)


def test_batch_context_column_per_row_and_bad_values_kept(tmp_path, small_classifier, tags_alone):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ["content", "场景"], [[DEBT_REMINDER, "群聊"], [DEBT_REMINDER, ""], [DEBT_REMINDER, "电话会议"],
                                        [DEBT_REMINDER, "朋友圈"]])
    summary = run_batch(str(src), str(out), classifier=small_classifier)
    rows = read_csv(out)
    assert [r["tags"] for r in rows] == [THIRD_PARTY_CONTACT, LAWFUL_REMINDER, LAWFUL_REMINDER, THIRD_PARTY_CONTACT]
    assert [r["decided_by"] for r in rows] == ["context", "model", "model", "context"]
    assert rows[2]["error"].startswith("data row 3, column '场景': unknown context '电话会议'")
    assert [r["error"] for r in (rows[0], rows[1], rows[3])] == ["", "", ""]
    assert summary.rows == 4 and summary.errors == 0
    assert any("1 rows had an unknown context" in n for n in summary.notes)
    assert set(BATCH_COLUMNS) <= set(rows[0])


def test_batch_conversation_rule(tmp_path, small_classifier, tags_alone):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ["address", "content"], [
        ["10086001", SHORT],  # the debt comes later in this conversation
        ["10086002", SHORT],  # never a debt here
        ["10086001", DEBT_REMINDER],
        ["10086002", "好的"],
        ["", SHORT],  # no conversation: judged alone
    ])
    summary = run_batch(str(src), str(out), classifier=small_classifier)
    rows = read_csv(out)
    assert THREAT in rows[0]["tags"] and rows[0]["decided_by"] == "model"
    assert (rows[1]["tags"], rows[1]["decided_by"]) == (NOT_COLLECTION, "conversation")
    assert rows[2]["tags"] == LAWFUL_REMINDER
    assert THREAT in rows[4]["tags"]
    assert "conversations by column 'address'" in summary.notes[0]


def test_batch_conversation_column_wins_over_sender(tmp_path, small_classifier, tags_alone):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ["sender", "会话", "content"], [["张三", "c1", SHORT], ["李四", "c1", DEBT_REMINDER]])
    run_batch(str(src), str(out), classifier=small_classifier)
    assert THREAT in read_csv(out)[0]["tags"]  # same 会话, other sender: the conversation is about a debt


def test_conversation_rule_in_worker_processes(tmp_path, small_classifier, tags_alone, monkeypatch):
    """The pool path passes contexts and conversations to the workers (forked with the small model)."""
    from classifier.scoring import core

    monkeypatch.setattr(core, "_WORKER_CLF", small_classifier)
    src = tmp_path / "in.csv"
    write_csv(src, ["address", "context", "content"], [["1", "", SHORT], ["2", "group", DEBT_REMINDER]])
    opened = core.open_input(str(src))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        rows = list(core.score_rows(opened, core.Scorer(None, pool, 1)))
    assert (rows[0].primary_label, rows[0].cells["decided_by"]) == (NOT_COLLECTION, "conversation")
    assert (rows[1].primary_label, rows[1].cells["decided_by"]) == (THIRD_PARTY_CONTACT, "context")


def test_stdin_cannot_be_read_twice_and_says_so(small_classifier, tags_alone, monkeypatch, tmp_path):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(f"address,content\n1,{SHORT}\n".encode())))
    summary = run_batch("-", str(tmp_path / "out.csv"), classifier=small_classifier)
    assert any("cannot be read twice" in n for n in summary.notes)
    assert THREAT in read_csv(tmp_path / "out.csv")[0]["tags"]  # judged alone


def test_web_api_context_field(small_classifier, tags_alone):
    from fastapi.testclient import TestClient

    from classifier.interfaces.web.app import create_app

    with TestClient(create_app(classifier=small_classifier, max_upload_mb=1), base_url="http://127.0.0.1") as client:
        check_web(client)


def check_web(client):
    r = client.post("/api/classify", json={"text": DEBT_REMINDER, "context": "post"})
    assert r.status_code == 200, r.text
    res = r.json()["results"][0]
    assert (res["tags"], res["decided_by"], res["context"]) == ([THIRD_PARTY_CONTACT], "context", "post")
    assert client.post("/api/classify", json={"text": DEBT_REMINDER}).json()["results"][0]["decided_by"] == "model"
    bad = client.post("/api/classify", json={"text": DEBT_REMINDER, "context": "电话会议"})
    assert bad.status_code == 422 and "unknown context" in bad.text
    page = client.get("/").text
    assert '<select id="context">' in page and 'value="group"' in page and 'id="unsure"' in page


def test_report_uses_context_and_conversation(tmp_path, small_classifier, tags_alone):
    from classifier.interfaces.report import build_report

    src, out = tmp_path / "in.csv", tmp_path / "report.html"
    write_csv(src, ["address", "场景", "content"], [["1", "群聊", DEBT_REMINDER], ["2", "", SHORT]])
    summary = build_report(str(src), str(out), classifier=small_classifier)
    html = out.read_text(encoding="utf-8")
    assert summary["primary_label"] == {THIRD_PARTY_CONTACT: 1, NOT_COLLECTION: 1}
    assert "Decided by the context" in html and SHORT not in html


def test_cli_classify_context(shipped):
    import json

    from click.testing import CliRunner

    from classifier.interfaces.cli import cli

    text = "您好，您在我平台的借款已逾期，如有困难可申请分期，请登录APP处理。"  # the guide's lawful reminder
    alone = CliRunner().invoke(cli, ["classify", "--json", text])
    assert json.loads(alone.output)["tags"] == [LAWFUL_REMINDER]
    posted = json.loads(CliRunner().invoke(cli, ["classify", "--json", "--context", "朋友圈", text]).output)
    assert (posted["tags"], posted["decided_by"], posted["context"]) == ([THIRD_PARTY_CONTACT], "context", "post")
    shown = CliRunner().invoke(cli, ["classify", "--context", "group", text]).output
    assert "shared_disclosure" in shown and "context: group" in shown
    bad = CliRunner().invoke(cli, ["classify", "--context", "电话会议", text])
    assert bad.exit_code == 2 and "unknown context" in bad.output


def test_evaluation_in_conversation_agrees_with_batch(tmp_path, small_classifier, tags_alone):
    """modeling.real judges chat lines in their conversations exactly as batch judges an export."""
    import pandas as pd

    from classifier.modeling import real

    lines = [("a-1", SHORT, "a"), ("a-2", "上次你欠我的钱什么时候还", "a"), ("b-1", SHORT, "b"), ("b-2", "好的", "b"),
             ("c-1", "晚上一起吃饭吧", "c"), ("d-1", DEBT_REMINDER, "d")]
    raw = pd.DataFrame([{"id": i, "text": t, "conversation": c, "source": "x", "source_group": "g", "licence": "MIT",
                         "note": ""} for i, t, c in lines], columns=real.PERSONAL_CHAT_COLUMNS)
    raw.to_csv(tmp_path / real.PERSONAL_CHAT_FILE, index=False)
    test = pd.DataFrame({"id": "real-chat-" + raw["id"], "text": raw["text"], "tags": "not_collection"})
    preds = small_classifier.predict_many(test["text"].tolist(), explain_evidence=False)
    found = real.evaluate_in_conversation(small_classifier, test, preds, tmp_path)
    write_csv(tmp_path / "export.csv", ["conversation", "content"], [[c, t] for _, t, c in lines])
    run_batch(str(tmp_path / "export.csv"), str(tmp_path / "out.csv"), classifier=small_classifier)
    rows = read_csv(tmp_path / "out.csv")
    flagged = sum(any(t in ("harassment", "threat", "third_party_contact") for t in r["tags"].split(";")) for r in rows)
    assert found["unlawful_flag_rate"] == pytest.approx(flagged / len(rows), abs=1e-4)
    assert found["decided_by_conversation"] == sum(r["decided_by"] == "conversation" for r in rows) >= 1
    assert rows[2]["tags"] == NOT_COLLECTION and THREAT in rows[0]["tags"]


def test_legal_knows_the_same_shared_contexts():
    from classifier.legal.reasons import SHARED_CONTEXTS

    assert SHARED_CONTEXTS == ctx.SHARED_CONTEXTS  # legal/ does not import modeling/: the names are repeated
