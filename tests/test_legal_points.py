"""One test (or more) per numbered point of issue 13; each goes through ``statutes.attach`` (the entry
point before and after the package split), so it was run against the code before the fix."""

import datetime as dt
import json

import pytest

from classifier.labels import HARASSMENT, LAWFUL_REMINDER, THIRD_PARTY_CONTACT, THREAT
from classifier.legal import statutes as S  # noqa: N812
from classifier.modeling.predict import Prediction

NEW = dt.date(2026, 3, 1)
OLD = dt.date(2025, 6, 1)


def pred(text, tags, date=NEW):
    return Prediction(primary_label=tags[0], tags=tuple(tags), scores={}, date=date, text=text)


def legal(text, tags, date=NEW):
    return S.attach(pred(text, tags, date))


def cited(result):
    return {p["id"]: p for p in result["provisions"]}


def citations(result):
    return [p["citation"] for p in result["provisions"]]


# 1 ------------------------------------------------------------------------------------------------
def test_p01_293_1_only_with_illegal_debt_and_always_with_its_condition():
    plain = legal("再不还钱，小心你女儿放学路上出什么事", (THREAT,))
    assert "刑法:293-1" not in cited(plain)
    plain_h = legal("今天已经给你打了50个电话了，继续打", (HARASSMENT,))
    assert "刑法:293-1" not in cited(plain_h)
    illegal = legal("你那笔714的砍头息借款，再不还出门小心点", (THREAT,))
    p = cited(illegal)["刑法:293-1"]
    assert "非法债务" in p["condition"] and "情节严重" in p["condition"]
    cell = S.batch_citations(pred("你那笔714的砍头息借款，再不还出门小心点", (THREAT,)))
    assert "刑法第二百九十三条之一第（一）、（三）项（限非法债务）" in cell


# 2 ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "【XX消费金融】本期应还2356元（含本金、利息及服务费），再不还出门小心点",
    "【XX银行】逾期按日息0.05%计收罚息，不还就找人收拾你",
])
def test_p02_ordinary_fee_words_are_not_illegal_debt(text):
    got = cited(legal(text, (THREAT,)))
    assert "刑法:293-1" not in got and "民法典:680" not in got


# 3 ------------------------------------------------------------------------------------------------
def test_p03_a_threatened_visit_is_not_an_intrusion():
    threat = legal("你的714砍头息再不还，明天我们就上门", (THREAT,))
    assert not any(p["id"] == "刑法:293-1" and "（二）" in p["items"] for p in threat["provisions"])
    assert "治安管理处罚法:47" not in cited(threat) and "刑法:245" not in cited(threat)
    done = legal("你的714砍头息不还，我们的人已经在你家客厅坐着了，不还钱就不走", (THREAT,))
    assert any(p["id"] == "刑法:293-1" and "（二）" in p["items"] for p in done["provisions"])


# 4 ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["我是平台法务部的律师，明天发律师函到你单位", "本人是XX律所执业律师，你不还钱就让你坐牢"])
def test_p04_posing_as_a_lawyer_is_not_posing_as_a_state_official(text):
    new = legal(text, (THREAT,))
    assert "刑法:279" not in cited(new)
    p62 = cited(new)["治安管理处罚法:62"]
    assert p62["items"] == "第三款"
    old = legal(text, (THREAT,), OLD)
    assert "刑法:279" not in cited(old) and "治安管理处罚法@2012:51" in cited(old)


# 5 ------------------------------------------------------------------------------------------------
def test_p05_each_item_follows_from_its_reason_code():
    invented = legal("不还钱就让你坐牢，已经立案了", (THREAT,))
    assert not any("（一）" in p["items"] for p in invented["provisions"] if p["id"] == "治安管理处罚法:50")
    bomb = legal("今天已经给你打了50个电话了，不接就一直打", (HARASSMENT,))
    p50 = cited(bomb)["治安管理处罚法:50"]
    assert "（五）" in p50["items"] and "（二）" not in p50["items"]


# 6 ------------------------------------------------------------------------------------------------
def test_p06_conditions_are_per_version():
    old = legal("今天已经给你打了50个电话了，不接就一直打", (HARASSMENT,), OLD)
    p42 = cited(old)["治安管理处罚法@2012:42"]
    assert "采取滋扰" not in p42["condition"] and "第二款" not in p42["condition"] and "可责令" not in p42["condition"]
    new = legal("今天已经给你打了50个电话了，不接就一直打", (HARASSMENT,))
    assert "禁止接触" in cited(new)["治安管理处罚法:50"]["condition"]


# 7 ------------------------------------------------------------------------------------------------
def test_p07_single_paragraph_articles_have_no_first_paragraph():
    old = legal("出门小心点，我们找人收拾你", (THREAT,), OLD)
    assert "治安管理处罚法（2012修正）第四十二条第（一）项" in citations(old)
    new = legal("法院传票已发到你手机，附件是盖章的传票照片", (THREAT,))
    c63 = next(c for c in citations(new) if "第六十三条" in c)
    assert c63.startswith("治安管理处罚法第六十三条第（") and "第一款" not in c63
    assert not any("第四十二条第一款" in c for c in citations(old))


# 8 ------------------------------------------------------------------------------------------------
def test_p08_lawful_reminder_has_a_legal_basis_and_violates_nothing():
    r = legal("【XX银行】您尾号1234的信用卡已逾期3天，请尽快还款。", (LAWFUL_REMINDER,))
    assert r["provisions"] == []
    assert {"民法典:675", "民法典:676", "民法典:577"} <= {p["id"] for p in r["legal_basis"]}


# 9 ------------------------------------------------------------------------------------------------
def test_p09_675_and_676_conditions_state_their_scope():
    basis = {p["id"]: p for p in legal("您的借款已逾期，请尽快还款", (LAWFUL_REMINDER,))["legal_basis"]}
    assert "没有约定还款期限" in basis["民法典:675"]["condition"]
    c676 = basis["民法典:676"]["condition"]
    assert "民间借贷" in c676 and "持牌" in c676 and "批复" in c676


# 10 -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pid, wording, article", [
    ("刑法:253-1", "2015-11-01", "2009-02-28"), ("刑法:246", "2015-11-01", "1997-10-01"),
    ("刑法:280", "2015-11-01", "1997-10-01"), ("刑法:274", "2011-05-01", "1997-10-01"),
    ("刑法:293", "2011-05-01", "1997-10-01"), ("刑法:293-1", "2021-03-01", "2021-03-01"),
])
def test_p10_dates_of_the_wording_and_of_the_article(pid, wording, article):
    p = S.provisions()[pid]
    assert (p["effective_from"], p.get("article_effective_from")) == (wording, article)


# 11 -----------------------------------------------------------------------------------------------
def test_p11_transition_rule_has_its_basis():
    old = legal("出门小心点，我们找人收拾你", (THREAT,), OLD)
    cond = cited(old)["治安管理处罚法@2012:42"]["condition"]
    assert "行政处罚法第三十七条" in cond and "未经核实" not in cond and "六个月" in cond
    p37 = S.provisions()["行政处罚法:37"]
    assert "适用违法行为发生时的法律" in p37["text"]
    assert "六个月" in S.provisions()["治安管理处罚法@2012:22"]["text"]


# 12 -----------------------------------------------------------------------------------------------
def test_p12_missing_provisions_where_they_fit():
    assert "民法典:670" in cited(legal("借款1500元到手1050元，砍头息扣了，不还出门小心点", (THREAT,)))
    leak = cited(legal("你在XX贷的资料（身份证、通讯录）已经全部移交给我们第三方催收公司了", (THIRD_PARTY_CONTACT,)))
    assert {"民法典:1038", "个人信息保护法:23", "个人信息保护法:66", "个人信息保护法:69"} <= set(leak)
    extort = cited(legal("除了欠款，再转5000元处理费，不然照片就发到网上", (THREAT,)))
    assert {"刑法:274", "治安管理处罚法:58"} <= set(extort)
    assert "治安管理处罚法@2012:49" in cited(legal("另外交3000块保密费，不然把你的事发到网上", (THREAT,), OLD))
    before = legal("你通讯录里的人都已经收到你欠钱的短信了", (THIRD_PARTY_CONTACT,), OLD)
    assert "网络安全法@2016:44" in cited(before) and "治安管理处罚法:56" not in cited(before)
    after = legal("你通讯录里的人都已经收到你欠钱的短信了", (THIRD_PARTY_CONTACT,))
    assert "网络安全法第四十六条" in citations(after) and "网络安全法@2016:44" not in cited(after)


# 13 -----------------------------------------------------------------------------------------------
def test_p13_lawful_reminder_advice_states_the_standard_rightly():
    steps = " ".join(legal("您的借款已逾期，请尽快还款", (LAWFUL_REMINDER,))["advice"]["steps"])
    assert "不得联系你的亲友同事" not in steps
    assert "联系不上你" in steps and "不得向其透露" in steps


# 14 -----------------------------------------------------------------------------------------------
def test_p14_channels_12363_and_12377():
    lawful = legal("您的借款已逾期，将影响征信，请尽快还款", (LAWFUL_REMINDER,))
    assert "12363" in {c["id"] for c in lawful["advice"]["channels"]}
    public = legal("你的P图海报已经发到你朋友圈和小区业主群了", (HARASSMENT, THIRD_PARTY_CONTACT))
    assert "12377" in {c["id"] for c in public["advice"]["channels"]}


# 15 -----------------------------------------------------------------------------------------------
def test_p15_signed_officer_is_impersonation_and_a_word_is_not_a_document():
    signed = cited(legal("你的借款逾期案件已移交我单位处理，请三日内到案说明。——XX县公安局刑侦大队 李警官", (THREAT,)))
    assert {"治安管理处罚法:62", "刑法:279"} <= set(signed)
    word = cited(legal("再不还款，法院就要对你拘传了", (THREAT,)))
    assert "治安管理处罚法:63" not in word and "刑法:280" not in word


# 16 -----------------------------------------------------------------------------------------------
def test_p16_calm_reminder_with_advance_interest_cites_the_loan_terms():
    r = legal("您在本平台借款1500元，到手1050元，7天到期今日需还款1500元", (LAWFUL_REMINDER,))
    assert {"民法典:670", "民法典:680"} <= set(cited(r))
    assert "刑法:293-1" not in cited(r)


# 17 -----------------------------------------------------------------------------------------------
def test_p17_portrait_and_actual_intrusion():
    assert "民法典:1019" in cited(legal("你的遗照我们已经P好了，今晚发到你家族群", (THREAT, HARASSMENT)))
    new = legal("我们的人已经在你家客厅坐着了，你不回来还钱我们就不走", (THREAT,))
    assert "治安管理处罚法第四十七条第（三）项" in citations(new)
    old = legal("我们的人已经在你家客厅坐着了，你不回来还钱我们就不走", (THREAT,), OLD)
    assert "治安管理处罚法（2012修正）第四十条第（三）项" in citations(old)


# 18 -----------------------------------------------------------------------------------------------
def test_p18_truthful_debt_to_others_is_privacy_not_defamation():
    r = cited(legal("您好，您的同事李四在我司借款逾期未还，请转告他尽快还款。", (THIRD_PARTY_CONTACT,)))
    assert "民法典:1024" not in r and {"民法典:1032", "个人信息保护法:10"} <= set(r)
    insult = cited(legal("你是王五的妈妈吧？你儿子是个骗子老赖，欠钱不还", (THIRD_PARTY_CONTACT, HARASSMENT)))
    assert "民法典:1024" in insult


# 19 -----------------------------------------------------------------------------------------------
def test_p19_extortion_only_beyond_the_debt():
    real = cited(legal("你欠的钱再不还，出门小心点，我们找人收拾你", (THREAT,)))
    assert "刑法:274" not in real and "治安管理处罚法:58" not in real
    beyond = cited(legal("除了欠款，再转5000元处理费，不然照片就发到网上", (THREAT,)))
    assert "并非所欠" in beyond["刑法:274"]["condition"]


# what to build: ranked, grouped, short -------------------------------------------------------------
def test_ranked_and_grouped_with_why():
    r = legal("老赖，你通讯录我们都有，已经告诉你全家和同事，再不还明天上门，P图发朋友圈", (THREAT, THIRD_PARTY_CONTACT, HARASSMENT))
    ranks = [p["rank"] for p in r["provisions"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert all(p["why"] and p["condition"] and p["group"] for p in r["provisions"])
    groups = [g["group"] for g in r["provision_groups"]]
    assert set(groups) <= {"刑事", "治安管理处罚（行政）", "个人信息保护（行政）", "民事", "行业规范", "行政"}
    assert sum(len(g["ids"]) for g in r["provision_groups"]) == len(r["provisions"])
    assert len({(p["id"], p["items"]) for p in r["provisions"]}) == len(r["provisions"])


def test_not_collection_gets_nothing():
    r = legal("周末一起去爬山吗", ("not_collection",))
    assert r["provisions"] == [] and r["legal_basis"] == [] and r["reasons"] == []
    assert json.dumps(r, ensure_ascii=False)
