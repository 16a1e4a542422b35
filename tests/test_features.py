import hashlib
import pickle

import numpy as np
from sklearn.base import clone

from classifier.text.features import NgramHasher, _tokenizer, load_user_words, pinyin_syllables
from classifier.text.normalize import normalize


def hasher(**kw):
    docs = [normalize(t) for t in ("爆你通讯录", "还钱", "今天天气很好", "老赖快还钱", "爆你通讯录 还钱")]
    return NgramHasher(user_words=load_user_words(), min_df=1, **kw).fit(docs)


def buckets(h, text):
    return set(h.transform([normalize(text)]).indices.tolist())


def test_user_dictionary_keeps_domain_words_whole():
    words = _tokenizer("rjieba", load_user_words()).cut(normalize("再不还钱就爆通讯录，通知你的紧急联系人"))
    assert "爆通讯录" in words and "紧急联系人" in words


def test_homophones_and_typed_pinyin_share_features():
    h = hasher()
    real = buckets(h, "爆你通讯录")
    unrelated = buckets(h, "今天天气很好")
    for variant in ("爆你通迅录", "爆你tongxunlu", "爆你 tong xun lu", "爆你童讯录"):
        shared = (buckets(h, variant) & real) - unrelated
        assert len(shared) >= 2, variant
    assert pinyin_syllables(normalize("环钱")) == pinyin_syllables(normalize("还钱")) == ["huan", "qian"]
    assert "si" in pinyin_syllables(normalize("去4吧"))


def test_occurrences_match_counts_and_spans_are_inside_the_text():
    h = hasher()
    docs = [normalize(t) for t in ("老赖 再不还钱，明天去你单位！还qian🔪", "催收员：你好\n客户：嗯", "")]
    counts, occ = h.occurrences(docs)
    rebuilt = np.zeros(counts.shape)
    np.add.at(rebuilt, (occ["doc"], occ["bucket"]), 1)
    np.testing.assert_array_equal(rebuilt, counts.toarray())
    for d, s, e in zip(occ["doc"], occ["start"], occ["end"], strict=True):
        assert 0 <= s < e <= len(docs[d])


def test_batch_and_single_transforms_agree():
    h = hasher()
    docs = [normalize(t) for t in ("老赖还钱", "您的账单已逾期", "", "A:喂\nB:你好")]
    together = h.transform(docs).toarray()
    for i, d in enumerate(docs):
        np.testing.assert_array_equal(h.transform([d]).toarray()[0], together[i])


def test_hashes_are_stable_across_runs_and_machines():
    # if this changes, every saved model silently breaks: the hash is part of the model format
    h = NgramHasher(user_words=load_user_words(), min_df=1).fit(["x"])
    got = sorted(h._counts([normalize("再不还钱就爆你通讯录😡 huan qian")]).indices.tolist())
    digest = hashlib.sha256(np.array(got, dtype=np.int64).tobytes()).hexdigest()[:16]
    assert len(got) > 40
    assert digest == STABLE_DIGEST, digest


STABLE_DIGEST = "f19f4866015e8eae"


def test_min_df_drops_one_off_ngrams():
    h = NgramHasher(min_df=2).fit([normalize(t) for t in ("张三丰欠款", "李四欠款", "王五欠款")])
    kept = buckets(h, "张三丰")
    assert not kept  # seen once in training: no weight
    assert buckets(h, "欠款")


def test_pickles_and_clones():
    h = hasher()
    again = pickle.loads(pickle.dumps(h))
    np.testing.assert_array_equal(again.transform(["还钱"]).toarray(), h.transform(["还钱"]).toarray())
    assert clone(h).get_params() == h.get_params()


def test_shipped_pinyin_table_equals_a_fresh_build_from_pypinyin():
    from classifier.text.features import SYLLABLE_TABLE_PATH, build_syllable_table

    np.testing.assert_array_equal(np.load(SYLLABLE_TABLE_PATH), build_syllable_table())


def test_literal_led_concept_alternatives_match_their_readable_forms():
    """``concepts`` writes number-led alternatives as ``个(?<=[0-9]个)…`` so that re can scan for a first
    character; on every string each pattern must find the same spans as with the readable lookbehind-first form."""
    import random
    import re

    from classifier.text.concepts import TOPIC_PATTERNS

    d1, d2, d3, d4 = "[0-9零一二三四五六七八九十两百千万]", "[0-9一二三四五六七八九十两几]", "[0-9一二三四五六七八九十]", "[0-9十百几]"
    fast_to_readable = {
        "amount": [(f"[元块万](?<={d1}[元块万])", f"(?<={d1})[元块万]")],
        "deadline": [(f"个(?<={d2}个)(?:小时|天|日)内|(?:小时(?<={d2}小时)|天(?<={d2}天)|日(?<={d2}日))内",
                      f"(?<={d2})个?(?:小时|天|日)内"),
                     (f"点(?<={d3}点)前", f"(?<={d3})点前")],
        "bombardment": [(f"个(?<={d4}个)电话|通(?<={d4}通)电话", f"(?<={d4})个电话|(?<={d4})通电话")],
    }
    alphabet = list("19一两几十百零万个小时天日内点前元块千通电话今之下班再不否则x\ue006")
    rng = random.Random(7)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10))) for _ in range(20_000)]
    for name, pairs in fast_to_readable.items():
        readable = TOPIC_PATTERNS[name]
        for fast, slow in pairs:
            assert fast in readable, (name, fast)
            readable = readable.replace(fast, slow)
        ours, theirs = re.compile(TOPIC_PATTERNS[name]), re.compile(readable)
        for t in texts:
            assert [m.span() for m in ours.finditer(t)] == [m.span() for m in theirs.finditer(t)], (name, t)
