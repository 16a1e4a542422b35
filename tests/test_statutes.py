import datetime as dt
import json

import pytest

from classifier.labels import HARASSMENT, LAWFUL_REMINDER, NOT_COLLECTION, THIRD_PARTY_CONTACT, THREAT
from classifier.legal import statutes as S  # noqa: N812
from classifier.modeling.predict import Prediction


def ids(provs):
    return {(p["id"], p["items"]) for p in provs}


def pred_for(text, tags, date=None):
    return Prediction(primary_label=tags[0], tags=tags, scores={}, date=date, text=text)


@pytest.mark.parametrize("tag, must", [
    (THREAT, {"治安管理处罚法:50"}),
    (HARASSMENT, {"治安管理处罚法:50", "民法典:1033"}),
    (THIRD_PARTY_CONTACT, {"个人信息保护法:10", "民法典:1032"}),
])
def test_each_tag_alone_gets_a_conditioned_fallback(tag, must):
    provs = S.provisions_for((tag,))
    assert must <= {p["id"] for p in provs}
    assert all(p["condition"] and p["why"] for p in provs)
    assert "刑法:293-1" not in {p["id"] for p in provs}


def test_lawful_reminder_violates_nothing_and_not_collection_cites_nothing():
    assert S.provisions_for((LAWFUL_REMINDER,)) == []
    assert S.provisions_for((NOT_COLLECTION,)) == []


@pytest.mark.parametrize("text, tag, code, provision", [
    ("我是市公安局经侦大队的民警，你涉嫌诈骗", THREAT, "police_court_impersonation", "治安管理处罚法:62"),
    ("法院传票已经寄到你家了，盖章照片也发你了", THREAT, "fake_legal_document", "治安管理处罚法:63"),
    ("不还钱就让你坐牢", THREAT, "false_legal_consequence", "银行业协会催收指引(2026)"),
    ("出门小心点，晚上走路看着点身后", THREAT, "safety_threat", "治安管理处罚法:50"),
    ("你的遗照已经P好了，明天发朋友圈", THREAT, "photo_doctoring", "民法典:1019"),
    ("明天我们就去你单位找你", THREAT, "home_work_visit", "治安管理处罚法:50"),
    ("你个老赖不要脸", HARASSMENT, "insult", "治安管理处罚法:50"),
    ("今天已经给你打了50个电话了", HARASSMENT, "bombardment", "治安管理处罚法:50"),
    ("凌晨三点了你还睡得着吗", HARASSMENT, "night_contact", "GB/T 45251—2025"),
    ("已经通知你老婆和你领导了", THIRD_PARTY_CONTACT, "named_third_party", "民法典:1032"),
    ("你通讯录里的人都会收到", THIRD_PARTY_CONTACT, "contact_list", "治安管理处罚法:56"),
    ("你那笔714的砍头息借款，再不还就上门", THREAT, "advance_interest", "民法典:670"),
])
def test_reason_codes_refine_the_mapping(text, tag, code, provision):
    hits = S.find_reasons(text, (tag,))
    hit = {h.code: h for h in hits}.get(code)
    assert hit is not None, [h.code for h in hits]
    assert text[hit.start:hit.end] == hit.text and hit.text
    assert provision in {p["id"] for p in S.provisions_for((tag,), hits)}


def test_illegal_debt_condition_is_stated():
    hits = S.find_reasons("你那笔714的借款再不还，出门小心点", (THREAT,))
    p = {x["id"]: x for x in S.provisions_for((THREAT,), hits)}["刑法:293-1"]
    assert "非法债务" in p["condition"] and "情节严重" in p["condition"] and p["marker"] == "（限非法债务）"
    p50 = next(x for x in S.provisions_for((HARASSMENT,)) if x["id"] == "治安管理处罚法:50" and "（五）" in x["items"])
    assert "多次" in p50["condition"]


def test_date_dependent_numbering():
    old = S.provisions_for((THREAT, HARASSMENT), S.find_reasons("我是公安局的，你个骗子", (THREAT, HARASSMENT)),
                           dt.date(2025, 12, 31))
    new = S.provisions_for((THREAT, HARASSMENT), S.find_reasons("我是公安局的，你个骗子", (THREAT, HARASSMENT)),
                           dt.date(2026, 1, 1))
    assert "治安管理处罚法@2012:42" in {p["id"] for p in old} and "治安管理处罚法:50" not in {p["id"] for p in old}
    assert "治安管理处罚法@2012:51" in {p["id"] for p in old}
    assert "治安管理处罚法:50" in {p["id"] for p in new} and not any("@2012" in p["id"] for p in new)
    assert not any(p["id"] == "治安管理处罚法:56" for p in S.provisions_for((THIRD_PARTY_CONTACT,),
                   S.find_reasons("群发你通讯录", (THIRD_PARTY_CONTACT,)), dt.date(2025, 6, 1)))
    # no date: the law in force now
    assert "治安管理处罚法:50" in {p["id"] for p in S.provisions_for((THREAT,))}
    # the items of 第六十三条 are renumbered in the 2012 text
    fake = S.find_reasons("法院传票已寄到你家", (THREAT,))
    old63 = next(p for p in S.provisions_for((THREAT,), fake, dt.date(2025, 1, 1)) if p["id"] == "治安管理处罚法@2012:52")
    assert old63["items"] == "第（一）、（二）项"


@pytest.mark.parametrize("date", [None, dt.date(2026, 1, 1), dt.date(2026, 11, 28), dt.date(2030, 1, 1)])
def test_never_cites_withdrawn_or_misattributed_articles(date):
    text = "老赖，你通讯录我们都有，已经告诉你全家和同事，再不还明天公安上门，P图发朋友圈"
    tags = (THREAT, THIRD_PARTY_CONTACT, HARASSMENT)
    provs = S.provisions_for(tags, S.find_reasons(text, tags), date)
    cites = " ".join(p["citation"] for p in provs)
    assert "治安管理处罚法第四十二条" not in cites and "第四十二条" not in cites
    assert "个人信息保护法第四十四条" not in cites
    pred = pred_for(text, tags, date)
    legal = S.attach(pred)
    blob = json.dumps(legal, ensure_ascii=False)
    assert "个人信息保护法第四十四条" not in blob and "治安管理处罚法第四十二条" not in blob
    assert "银保监会" not in blob


def test_quoted_texts_equal_the_data_file():
    data = json.loads(S.STATUTES_PATH.read_text(encoding="utf-8"))
    by_id = {p["id"]: p["text"] for p in data["provisions"]}
    text = "我是法院的，你个骗子，已通知你单位领导，再不还就爆通讯录"
    tags = (THREAT, THIRD_PARTY_CONTACT, HARASSMENT)
    for date in (None, dt.date(2025, 5, 5)):
        for p in S.attach(pred_for(text, tags, date))["provisions"]:
            assert p["text"] == by_id[p["id"]]


def test_every_provision_has_source_dates_and_verification():
    for p in S.provisions().values():
        assert p["source"] and p["effective_from"] and p["verification"] in ("V1", "V2", "S")
        assert p["text"].strip()
        if p["verification"] == "S":
            assert p["kind"] == "guidance" and p.get("paraphrase") and "据" in p["text"]
        if p["kind"] == "law":
            assert p["text"].startswith(p["article"]), p["id"]
    assert S.provisions()["治安管理处罚法:50"]["effective_from"] == "2026-01-01"
    assert "一千元" in S.provisions()["治安管理处罚法:50"]["text"]
    assert "不得非法买卖、提供或者公开他人个人信息" in S.provisions()["个人信息保护法:10"]["text"]
    assert "不得非法买卖" not in S.provisions()["个人信息保护法:14"]["text"]


def test_advice_and_disclaimer():
    legal = S.attach(pred_for("明天公安上门抓你", (THREAT,)))
    assert "110" in " ".join(c["text"] for c in legal["advice"]["channels"])
    assert "不构成法律意见" in legal["disclaimer"] and "not legal advice" in legal["disclaimer"]
    steps = " ".join(S.advice_for((HARASSMENT,))["steps"])
    assert "保留证据" in steps and "个人账户" in steps
    assert any(c["id"] == "12321" for c in S.advice_for((HARASSMENT,))["channels"])
    assert any(c["id"] == "12378" for c in S.advice_for((LAWFUL_REMINDER,))["channels"])
    assert "国家金融监督管理总局" in S.CHANNELS["12378"]


def test_lookup_by_id_and_by_citation():
    assert S.lookup("治安管理处罚法:50")["article"] == "第五十条"
    assert S.lookup("治安管理处罚法第五十条")["id"] == "治安管理处罚法:50"
    assert S.lookup("治安管理处罚法@2012:42")["effective_to"] == "2025-12-31"
    assert S.lookup("不存在") is None


def test_transcript_reasons_only_from_collector_turns(small_classifier):
    text = "催收员：您好，您的借款已逾期，请尽快还款\n客户：你个骗子老赖，滚\n催收员：请您今天处理"
    pred = small_classifier.predict(text)
    legal = S.attach(pred)
    assert not any(r["code"] == "insult" for r in legal["reasons"])
