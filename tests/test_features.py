import pickle

from sklearn.base import clone

from classifier.features import TextAnalyzer, load_user_words, pinyin_syllables
from classifier.normalize import normalize


def analyzer():
    return TextAnalyzer(user_words=load_user_words())


def test_user_dictionary_keeps_domain_words_whole():
    words = analyzer().words(normalize("再不还钱就爆通讯录，通知你的紧急联系人"))
    assert "爆通讯录" in words and "紧急联系人" in words


def test_homophones_and_typed_pinyin_share_pinyin_features():
    a = analyzer()
    real = set(a(normalize("爆你通讯录")))
    for variant in ("爆你通迅录", "爆你tongxunlu", "爆你 tong xun lu"):
        assert "tong xun lu" in set(a(normalize(variant))) & real, variant
    assert pinyin_syllables(normalize("环钱")) == pinyin_syllables(normalize("还钱")) == ["huan", "qian"]
    assert "si" in pinyin_syllables(normalize("去4吧"))


def test_spans_cover_exactly_the_grams():
    a = analyzer()
    text = normalize("老赖 再不还钱，明天去你单位！还qian🔪")
    assert sorted(a(text)) == sorted(g for g, _, _ in a.spans(text))
    for gram, s, e in a.spans(text):
        assert 0 <= s < e <= len(text), gram


def test_analyzer_pickles_and_clones():
    a = analyzer()
    text = normalize("还钱")
    b = pickle.loads(pickle.dumps(a))
    assert b == a and b(text) == a(text)
    from sklearn.feature_extraction.text import TfidfVectorizer

    v = TfidfVectorizer(analyzer=a)
    assert clone(v).get_params()["analyzer"] == a
