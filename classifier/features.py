"""Features: jieba word n-grams, character n-grams and pinyin n-grams of normalized text.

Word segmentation uses jieba's dictionary and algorithm. The default backend is rjieba, the Rust
port of jieba (same dictionary and HMM), because pure-Python jieba tokenizes about 7,800 messages/s
here and was most of the cost of scoring; the backend is a model parameter recorded in the model
manifest, so training and scoring always use the same one. Pure-Python jieba stays available
(``backend="jieba"``) for comparison.

Pinyin features come from pypinyin's character dictionary (toneless, first reading, with a few
domain overrides such as 还 -> huan), so homophone tricks (环钱, 通迅录) and typed pinyin
("huan qian", "tongxunlu") land on the same features as the characters they stand for.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from .config import RESOURCES_DIR
from .normalize import CJK, PLACEHOLDER_NAMES

USER_DICT_PATH = RESOURCES_DIR / "user_dict.txt"
BACKENDS = ("rjieba", "jieba")

_KEEP_TOKEN = re.compile(rf"[0-9a-z{CJK}\ue000-\uf8ff\U0001f000-\U0001faff\u2600-\u27bf]")


def load_user_words(path=USER_DICT_PATH) -> tuple[str, ...]:
    """Domain words for jieba (催收, 通讯录, 紧急联系人 …), one per line; ``#`` starts a comment."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().split(" ")[0]
        if word:
            words.append(word)
    return tuple(words)


_TOKENIZERS: dict[tuple[str, bool, tuple[str, ...]], object] = {}
_TOKENIZERS_LOCK = threading.Lock()


def _tokenizer(backend: str, user_words: tuple[str, ...]):
    key = (backend, True, user_words)
    tok = _TOKENIZERS.get(key)
    if tok is None:
        with _TOKENIZERS_LOCK:
            tok = _TOKENIZERS.get(key)
            if tok is None:
                tok = _build_tokenizer(backend, user_words)
                _TOKENIZERS[key] = tok
    return tok


def _build_tokenizer(backend: str, user_words: tuple[str, ...]):
    if backend == "rjieba":
        import rjieba

        tok = rjieba.Jieba()
        for w in user_words:
            tok.add_word(w, None, None)
        return tok
    if backend == "jieba":
        import logging

        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)  # jieba logs its cache loading at INFO
        tok = jieba.Tokenizer()
        for w in user_words:
            tok.add_word(w)
        return tok
    raise ValueError(f"unknown tokenizer backend {backend!r}; choose one of {BACKENDS}")


# --- pinyin ----------------------------------------------------------------------------------------

_OVERRIDES = {"还": "huan", "行": "hang", "长": "zhang", "重": "zhong", "了": "le", "的": "de",
              "得": "de", "地": "de", "着": "zhe", "都": "dou", "给": "gei", "说": "shuo", "传": "chuan"}
_DIGITS = {"0": "ling", "1": "yi", "2": "er", "3": "san", "4": "si", "5": "wu", "6": "liu",
           "7": "qi", "8": "ba", "9": "jiu"}


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, str]:
    from pypinyin import Style
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style import convert

    table: dict[int, str] = {}
    for cp, readings in pinyin_dict.items():
        first = readings.split(",")[0]
        table[cp] = " " + convert(first, Style.NORMAL, strict=False).replace("ü", "v") + " "
    for ch, py in _OVERRIDES.items():
        table[ord(ch)] = f" {py} "
    for d, py in _DIGITS.items():
        table[ord(d)] = f" {py} "
    for ch in PLACEHOLDER_NAMES:
        table[ord(ch)] = f" {ch} "
    return table


_SYLLABLES = ["zhuang", "shuang", "chuang", "zhang", "zheng", "zhong", "zhuai", "zhuan", "chang", "cheng", "chong", "chuai", "chuan", "shang", "sheng", "shuai", "shuan", "guang", "huang", "kuang", "liang", "niang", "qiang", "xiang", "jiang", "zhao", "zhen", "zhou", "zhua", "zhui", "zhun", "zhuo", "chao", "chen", "chou", "chua", "chui", "chun", "chuo", "shao", "shei", "shen", "shou", "shua", "shui", "shun", "shuo", "bang", "beng", "bian", "biao", "bing", "cang", "ceng", "cong", "cuan", "dang", "deng", "dian", "diao", "ding", "dong", "duan", "fang", "feng", "gang", "geng", "gong", "guai", "guan", "hang", "heng", "hong", "huai", "huan", "jian", "jiao", "jing", "jiong", "juan", "kang", "keng", "kong", "kuai", "kuan", "lang", "leng", "lian", "liao", "ling", "long", "luan", "mang", "meng", "mian", "miao", "ming", "nang", "neng", "nian", "niao", "ning", "nong", "nuan", "pang", "peng", "pian", "piao", "ping", "qian", "qiao", "qing", "qiong", "quan", "rang", "reng", "rong", "ruan", "sang", "seng", "song", "suan", "tang", "teng", "tian", "tiao", "ting", "tong", "tuan", "wang", "weng", "xian", "xiao", "xing", "xiong", "xuan", "yang", "ying", "yong", "yuan", "zang", "zeng", "zong", "zuan", "zhai", "zhan", "zhei", "zhe", "zhi", "zhu", "chai", "chan", "che", "chi", "chu", "shai", "shan", "she", "shi", "shu", "ai", "an", "ang", "ao", "ba", "bai", "ban", "bao", "bei", "ben", "bi", "bie", "bin", "bo", "bu", "ca", "cai", "can", "cao", "ce", "cen", "ci", "cou", "cu", "cui", "cun", "cuo", "da", "dai", "dan", "dao", "de", "dei", "den", "di", "die", "diu", "dou", "du", "dui", "dun", "duo", "e", "ei", "en", "er", "fa", "fan", "fei", "fen", "fo", "fou", "fu", "ga", "gai", "gan", "gao", "ge", "gei", "gen", "gou", "gu", "gua", "gui", "gun", "guo", "ha", "hai", "han", "hao", "he", "hei", "hen", "hou", "hu", "hua", "hui", "hun", "huo", "ji", "jia", "jie", "jin", "jiu", "ju", "jue", "jun", "ka", "kai", "kan", "kao", "ke", "ken", "kou", "ku", "kua", "kui", "kun", "kuo", "la", "lai", "lan", "lao", "le", "lei", "li", "lia", "lie", "lin", "liu", "lo", "lou", "lu", "lv", "lve", "lun", "luo", "ma", "mai", "man", "mao", "me", "mei", "men", "mi", "mie", "min", "miu", "mo", "mou", "mu", "na", "nai", "nan", "nao", "ne", "nei", "nen", "ni", "nie", "nin", "niu", "nou", "nu", "nv", "nve", "nuo", "o", "ou", "pa", "pai", "pan", "pao", "pei", "pen", "pi", "pie", "pin", "po", "pou", "pu", "qi", "qia", "qie", "qin", "qiu", "qu", "que", "qun", "ran", "rao", "re", "ren", "ri", "rou", "ru", "rui", "run", "ruo", "sa", "sai", "san", "sao", "se", "sen", "si", "sou", "su", "sui", "sun", "suo", "ta", "tai", "tan", "tao", "te", "tei", "ti", "tie", "tou", "tu", "tui", "tun", "tuo", "wa", "wai", "wan", "wei", "wen", "wo", "wu", "xi", "xia", "xie", "xin", "xiu", "xu", "xue", "xun", "ya", "yan", "yao", "ye", "yi", "yin", "yo", "you", "yu", "yue", "yun", "za", "zai", "zan", "zao", "ze", "zei", "zen", "zi", "zou", "zu", "zui", "zun", "zuo", "a"]
_SYLLABLE_RUN = re.compile("(?:" + "|".join(sorted(set(_SYLLABLES), key=len, reverse=True)) + ")+")
_SYLLABLE = re.compile("|".join(sorted(set(_SYLLABLES), key=len, reverse=True)))
_SYLLABLE_SET = frozenset(_SYLLABLES)
BOUNDARY = "|"


def _split_latin(word: str) -> list[str]:
    """Split typed pinyin ("tongxunlu") into syllables when the whole word parses; else keep it."""
    if len(word) > 3 and _SYLLABLE_RUN.fullmatch(word):
        parts = _SYLLABLE.findall(word)
        if "".join(parts) == word:
            return parts
    return [word]


def pinyin_syllables(text: str) -> list[str]:
    """Toneless pinyin of normalized text; ``BOUNDARY`` marks punctuation and other breaks."""
    sylls: list[str] = []
    for w in text.translate(_pinyin_table()).split():
        if w in _SYLLABLE_SET or w in PLACEHOLDER_NAMES:
            sylls.append(w)
        elif w.isascii() and w.isalpha():
            sylls.extend(_split_latin(w))
        else:
            sylls.append(BOUNDARY)
    return sylls


class TextAnalyzer:
    """The feature analyzer: jieba word n-grams, character n-grams and pinyin n-grams in one list.

    One analyzer (rather than a FeatureUnion of three vectorizers) keeps scoring to one pass over
    each message. Equal strings from different sources share a feature on purpose: typed pinyin
    "huan qian" meets the pinyin of 还钱, and the word 通讯录 meets the character trigram 通讯录.
    It is a plain class, not a closure, so the fitted pipeline pickles; the jieba tokenizer holds a
    lock and is rebuilt lazily in each process from ``user_words``.
    """

    def __init__(self, backend: str = "rjieba", user_words: tuple[str, ...] = (), word_ngram_max: int = 2,
                 char_ngram_range: tuple[int, int] = (1, 3), pinyin_ngram_range: tuple[int, int] = (2, 3)):
        self.backend = backend
        self.user_words = tuple(user_words)
        self.word_ngram_max = word_ngram_max
        self.char_ngram_range = tuple(char_ngram_range)
        self.pinyin_ngram_range = tuple(pinyin_ngram_range)

    def words(self, text: str) -> list[str]:
        return [t for t in _tokenizer(self.backend, self.user_words).cut(text) if _KEEP_TOKEN.search(t)]

    def __call__(self, text: str) -> list[str]:
        toks = self.words(text)
        grams = list(toks)
        for n in range(2, self.word_ngram_max + 1):
            grams.extend([" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1)])
        lo, hi = self.char_ngram_range
        for line in text.split("\n"):
            for n in range(lo, hi + 1):
                grams.extend([g for g in [line[i:i + n] for i in range(len(line) - n + 1)] if " " not in g])
        lo, hi = self.pinyin_ngram_range
        sylls = pinyin_syllables(text)
        for n in range(lo, hi + 1):
            grams.extend([" ".join(g) for g in zip(*(sylls[k:] for k in range(n)), strict=False) if BOUNDARY not in g])
        return grams

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """Every gram of ``text`` with the character span it covers (for evidence; slow path)."""
        out: list[tuple[str, int, int]] = []
        toks, pos = [], []
        i = 0
        for t in _tokenizer(self.backend, self.user_words).cut(text):
            if _KEEP_TOKEN.search(t):
                toks.append(t)
                pos.append((i, i + len(t)))
            i += len(t)
        for n in range(1, self.word_ngram_max + 1):
            for k in range(len(toks) - n + 1):
                out.append((" ".join(toks[k:k + n]), pos[k][0], pos[k + n - 1][1]))
        lo, hi = self.char_ngram_range
        for n in range(lo, hi + 1):
            for k in range(len(text) - n + 1):
                g = text[k:k + n]
                if " " not in g and "\n" not in g:
                    out.append((g, k, k + n))
        fast, char_of = _syllable_spans(text)
        lo, hi = self.pinyin_ngram_range
        for n in range(lo, hi + 1):
            for k in range(len(fast) - n + 1):
                g = fast[k:k + n]
                if BOUNDARY not in g:
                    out.append((" ".join(g), char_of[k][0], char_of[k + n - 1][1]))
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextAnalyzer) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, str(v)) for k, v in vars(self).items())))

    def __repr__(self) -> str:
        return (f"TextAnalyzer(backend={self.backend!r}, user_words=<{len(self.user_words)} words>, "
                f"word_ngram_max={self.word_ngram_max}, char_ngram_range={self.char_ngram_range}, "
                f"pinyin_ngram_range={self.pinyin_ngram_range})")


def _syllable_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """:func:`pinyin_syllables` with the character span of each syllable (slow path)."""
    table = _pinyin_table()
    sylls: list[str] = []
    spans: list[tuple[int, int]] = []
    run_start = -1

    def flush(end: int) -> None:
        if run_start < 0:
            return
        word = text[run_start:end]
        if word in _SYLLABLE_SET or word in PLACEHOLDER_NAMES:
            sylls.append(word)
            spans.append((run_start, end))
        elif word.isascii() and word.isalpha():
            k = run_start
            for part in _split_latin(word):
                sylls.append(part)
                spans.append((k, k + len(part)))
                k += len(part)
        else:
            sylls.append(BOUNDARY)
            spans.append((run_start, end))

    for k, ch in enumerate(text):
        mapped = table.get(ord(ch))
        if mapped is not None or ch.isspace():
            flush(k)
            run_start = -1
            if mapped is not None:
                sylls.append(mapped.strip())
                spans.append((k, k + 1))
        elif run_start < 0:
            run_start = k
    flush(len(text))
    return sylls, spans
