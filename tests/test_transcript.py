import pytest

from classifier.text.transcript import COLLECTOR, DEBTOR, parse


@pytest.mark.parametrize("text, collector_label", [
    ("催收员：您好，您的借款逾期了\n客户：我知道\n催收员：今天能还吗\n客户：下个月", "催收员"),
    ("坐席: 您好 我是某某金融的\n用户: 嗯\n坐席: 您的账单逾期30天\n用户: 没钱", "坐席"),
    ("[00:01:12] 客服：您好\n[00:01:15] 客户：喂\n[00:01:20] 客服：提醒您还款", "客服"),
    ("我：喂\n对方：你欠的钱什么时候还\n我：过几天\n对方：别拖了", "对方"),
])
def test_role_labels(text, collector_label):
    tr = parse(text)
    assert tr is not None and tr.roles_known
    assert {t.speaker for t in tr.turns if t.role == COLLECTOR} == {collector_label}


def test_generic_labels_resolved_by_content():
    text = ("A：喂\nB：您好，我是闪借花平台的，您在我们平台的借款已经逾期15天了\nA：我现在没钱\n"
            "B：您今天能处理一下还款吗，欠款一共三千\nA：下个月吧，宽限几天")
    tr = parse(text)
    assert tr.roles_known
    assert [t.role for t in tr.turns] == [DEBTOR, COLLECTOR, DEBTOR, COLLECTOR, DEBTOR]


def test_unlabelled_lines_are_all_scored():
    tr = parse("喂\n你好 是张三吗\n是我\n你那个钱什么时候还")
    assert tr is not None and not tr.labelled and len(tr.scored_turns()) == 4


def test_turn_spans_point_into_the_text():
    text = "催收员：你好\n客户：嗯\n催收员：今天还钱"
    for t in parse(text).turns:
        assert text[t.start:t.end] == t.text


def test_short_messages_are_not_transcripts():
    assert parse("一行短信") is None
    assert parse("【某银行】尊敬的客户：\n您的账单已出") is None
