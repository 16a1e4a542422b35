import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.text.normalize import TextNormalizer, display, normalize, normalize_aligned


@pytest.mark.parametrize("raw, expected", [
    ("還錢，通訊錄", "还钱,通讯录"),                 # traditional -> simplified, full-width comma folded
    ("ＬＡＯＬＡＩ", "laolai"),                       # full-width letters, lower case
    ("老\u200b赖\u200d", "老赖"),                     # zero-width characters
    ("还 钱", "还钱"), ("爆.通.讯.录", "爆通讯录"), ("逾-期", "逾期"), ("还*钱", "还钱"),  # separators
    ("c u i 收", "cui收"),                            # spaced letters joined, CJK/Latin space dropped
    ("还 qian", "还qian"),
])
def test_evasion_tricks_are_undone(raw, expected):
    assert normalize(raw) == expected


def test_emoji_move_to_last_line():
    assert normalize("还🔪钱") == "还钱\n🔪"


def test_masks_numbers_and_keeps_short_digits():
    n = display(normalize("请还款3,250.00元，电话13812345678或138****5678，卡6222021234567890123，去4吧"))
    assert "<NUM>元" in n and n.count("<PHONE>") == 2 and "<CARD>" in n and "去4吧" in n
    assert "3250" not in n and "1381234" not in n
    assert display(normalize("身份证110101199003071234")) == "身份证<IDNO>"
    assert display(normalize("详询95588")) == "详询<SERVICE>"
    assert display(normalize("点击 http://t.cn/AbCd 查看")) == "点击 <URL> 查看"


def test_transformer_is_stateless_and_handles_nan():
    t = TextNormalizer()
    assert t.fit(["x"]) is t
    assert t.transform(["還錢", None, float("nan")]) == ["还钱", "", ""]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_aligned_path_equals_fast_path(text):
    norm, origin = normalize_aligned(text)
    assert norm == normalize(text)
    assert len(origin) == len(norm)
    assert all(0 <= o < max(len(text), 1) for o in origin)


# Emoji are left out on purpose: they are moved aside after separators are joined, so "a_ 🔪a" gives
# "a_ a\n🔪" and a second pass joins "a_ a" further. The model normalizes once, so this is harmless,
# but it means normalize() is idempotent only on emoji-free text (found by hypothesis, 2026-12-05).
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("还钱通讯录老赖 .*-_1234567890abcQIAN，。\n還錢")), max_size=80))
def test_normalize_is_idempotent_on_collection_like_text(text):
    once = normalize(text)
    assert normalize(once) == once
