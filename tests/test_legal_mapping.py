"""Every reason code has a message that shows it, and every mapping of mapping.json is checked."""

import datetime as dt

import pytest

from classifier.labels import HARASSMENT, LAWFUL_REMINDER, NOT_COLLECTION, THIRD_PARTY_CONTACT, THREAT
from classifier.legal.cite import cite, mapping
from classifier.legal.provisions import in_force
from classifier.legal.reasons import BY_CODE, find_reasons, reason_codes

SAMPLES = {
    "police_court_impersonation": "我是市公安局经侦大队的民警，你涉嫌诈骗",
    "lawyer_impersonation": "我是XX律师事务所的王律师，受委托处理你的欠款",
    "fake_legal_document": "法院传票已经寄到你家了，盖章的照片也发你了",
    "false_legal_consequence": "不还钱就让你坐牢",
    "safety_threat": "出门小心点，晚上走路看着点身后",
    "extortion": "再交2000元保密费，这事就算了",
    "publish_threat": "不还钱就把你的照片发到网上",
    "home_work_visit": "明天我们就去你单位找你",
    "entry_done": "我们的人已经在你家客厅坐着了",
    "detention_done": "你弟弟现在在我们公司，钱不到账人就别想走",
    "photo_doctoring": "你的遗照已经P好了",
    "public_post": "各位群友看一下，这个人欠钱不还",
    "insult": "你个老赖不要脸",
    "defamation": "致XX公司领导：贵司员工张三是诈骗犯",
    "bombardment": "今天已经给你打了50个电话了",
    "night_contact": "凌晨三点了你还睡得着吗",
    "named_third_party": "已经通知你老婆和你领导了",
    "contact_list": "你通讯录里的人都会收到",
    "data_transfer": "你的资料已经移交给第三方催收公司了",
    "advance_interest": "借款1500元到手1050元",
    "short_term_714": "你那笔714借款今天到期",
    "usury": "月息10%，利滚利",
}
ALL_UNLAWFUL = (THREAT, HARASSMENT, THIRD_PARTY_CONTACT)


#: Codes given by where the message was posted, not found in its words (legal.reasons.shared_context_hit).
CONTEXT_CODES = {"shared_disclosure"}


def test_every_code_has_a_sample_and_a_mapping():
    assert set(SAMPLES) | CONTEXT_CODES == set(BY_CODE) == set(mapping()["reasons"])


def test_context_code_is_never_read_from_the_words_but_is_cited():
    from types import SimpleNamespace

    from classifier.legal.reasons import shared_context_hit

    text = "各位群友，张三欠款三个月不还"
    assert not CONTEXT_CODES & {h.code for h in find_reasons(text, ALL_UNLAWFUL)}
    assert not CONTEXT_CODES & set(reason_codes(text, "", ALL_UNLAWFUL))
    posted = SimpleNamespace(context="group", tags=(THIRD_PARTY_CONTACT,))
    assert shared_context_hit(posted).code == "shared_disclosure"
    assert shared_context_hit(SimpleNamespace(context="private", tags=(THIRD_PARTY_CONTACT,))) is None
    assert shared_context_hit(SimpleNamespace(context="post", tags=(THREAT,))) is None
    provisions, _ = cite((THIRD_PARTY_CONTACT,), ("shared_disclosure",))
    assert provisions[0]["id"] == in_force("个人信息保护法:10", dt.date(2026, 12, 1)).id
    assert all("未识别出具体行为" not in p["why"] for p in provisions)  # not the fallback


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_sample_shows_the_code_with_its_span(code):
    text = SAMPLES[code]
    hit = {h.code: h for h in find_reasons(text, ALL_UNLAWFUL)}.get(code)
    assert hit is not None, [h.code for h in find_reasons(text, ALL_UNLAWFUL)]
    assert hit.text and text[hit.start:hit.end] == hit.text
    assert code in reason_codes(text, "", ALL_UNLAWFUL)  # the batch fast path agrees


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_each_mapping_is_cited_with_why_and_condition(code):
    provisions, basis = cite((THREAT,), (code,))
    assert basis == []
    got = {(p["id"], p["items"]) for p in provisions}
    for e in mapping()["reasons"][code]:
        p = in_force(e["provision"], dt.date(2026, 12, 1))
        assert any(pid == p.id and all(i in items for i in e.get("items", [])) for pid, items in got), (e, got)
    for p in provisions:
        assert p["why"] and p["condition"]


@pytest.mark.parametrize("combo", range(len(mapping()["combos"])))
def test_each_combination_fires_only_together(combo):
    c = mapping()["combos"][combo]
    codes = tuple(next(code for code in group if not code.startswith("fallback:")) for group in c["all"])
    both = cite((THREAT,), codes)[0]
    for e in c["items"]:
        assert any(p["id"] == e["provision"] and e["why"] in p["why_all"] for p in both)
    without_first = cite((THREAT,), codes[1:])[0]
    for e in c["items"]:
        assert not any(p["id"] == e["provision"] and e["why"] in p["why_all"] for p in without_first), e


@pytest.mark.parametrize("tag", ALL_UNLAWFUL)
def test_tag_fallback_only_without_a_code_of_that_tag(tag):
    fallback = {e["provision"] for e in mapping()["fallback"][tag]}
    assert fallback <= {p["id"] for p in cite((tag,), ())[0]}
    assert all(any(b.startswith("fallback:") for b in p["because"]) for p in cite((tag,), ())[0])
    own = next(c for c, r in BY_CODE.items() if r.family == tag)
    assert not any(any(b == f"fallback:{tag}" for b in p["because"]) for p in cite((tag,), (own,))[0])


def test_lawful_reminder_and_not_collection():
    provisions, basis = cite((LAWFUL_REMINDER,), ("insult", "safety_threat"))
    assert provisions == [] and {p["id"] for p in basis} >= {"民法典:675", "民法典:676", "民法典:577"}
    assert cite((NOT_COLLECTION,), ("advance_interest",)) == ([], [])
    assert find_reasons("你个老赖，借款1500到手1050", (LAWFUL_REMINDER,))[0].code == "advance_interest"
