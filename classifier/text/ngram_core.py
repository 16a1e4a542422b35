"""The scikit-learn-free core of the n-gram features: tokenizer, pinyin syllables, stable hashes.

Shared by ``features.NgramHasher`` (the training and reference path) and ``modeling.runtime`` (the
scoring path), which must not import scikit-learn: importing it costs about a second per process.
"""

from __future__ import annotations

import re
import threading
import zlib
from functools import lru_cache

import numpy as np

from ..config import RESOURCES_DIR
from .normalize import CJK, PLACEHOLDER_NAMES

USER_DICT_PATH = RESOURCES_DIR / "user_dict.txt"
BACKENDS = ("rjieba", "jieba")

_KEEP_TOKEN = re.compile(rf"[0-9a-z{CJK}\ue000-\uf8ff\U0001f000-\U0001faff\u2600-\u27bf]")
#: Joins the messages of a batch; normalization removes it from text, so it never occurs inside one.
DOC_SEP = "\x1e"


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
_SYLLABLES = ["zhuang", "shuang", "chuang", "zhang", "zheng", "zhong", "zhuai", "zhuan", "chang", "cheng", "chong", "chuai", "chuan", "shang", "sheng", "shuai", "shuan", "guang", "huang", "kuang", "liang", "niang", "qiang", "xiang", "jiang", "zhao", "zhen", "zhou", "zhua", "zhui", "zhun", "zhuo", "chao", "chen", "chou", "chua", "chui", "chun", "chuo", "shao", "shei", "shen", "shou", "shua", "shui", "shun", "shuo", "bang", "beng", "bian", "biao", "bing", "cang", "ceng", "cong", "cuan", "dang", "deng", "dian", "diao", "ding", "dong", "duan", "fang", "feng", "gang", "geng", "gong", "guai", "guan", "hang", "heng", "hong", "huai", "huan", "jian", "jiao", "jing", "jiong", "juan", "kang", "keng", "kong", "kuai", "kuan", "lang", "leng", "lian", "liao", "ling", "long", "luan", "mang", "meng", "mian", "miao", "ming", "nang", "neng", "nian", "niao", "ning", "nong", "nuan", "pang", "peng", "pian", "piao", "ping", "qian", "qiao", "qing", "qiong", "quan", "rang", "reng", "rong", "ruan", "sang", "seng", "song", "suan", "tang", "teng", "tian", "tiao", "ting", "tong", "tuan", "wang", "weng", "xian", "xiao", "xing", "xiong", "xuan", "yang", "ying", "yong", "yuan", "zang", "zeng", "zong", "zuan", "zhai", "zhan", "zhei", "zhe", "zhi", "zhu", "chai", "chan", "che", "chi", "chu", "shai", "shan", "she", "shi", "shu", "ai", "an", "ang", "ao", "ba", "bai", "ban", "bao", "bei", "ben", "bi", "bie", "bin", "bo", "bu", "ca", "cai", "can", "cao", "ce", "cen", "ci", "cou", "cu", "cui", "cun", "cuo", "da", "dai", "dan", "dao", "de", "dei", "den", "di", "die", "diu", "dou", "du", "dui", "dun", "duo", "e", "ei", "en", "er", "fa", "fan", "fei", "fen", "fo", "fou", "fu", "ga", "gai", "gan", "gao", "ge", "gei", "gen", "gou", "gu", "gua", "gui", "gun", "guo", "ha", "hai", "han", "hao", "he", "hei", "hen", "hou", "hu", "hua", "hui", "hun", "huo", "ji", "jia", "jie", "jin", "jiu", "ju", "jue", "jun", "ka", "kai", "kan", "kao", "ke", "ken", "kou", "ku", "kua", "kui", "kun", "kuo", "la", "lai", "lan", "lao", "le", "lei", "li", "lia", "lie", "lin", "liu", "lo", "lou", "lu", "lv", "lve", "lun", "luo", "ma", "mai", "man", "mao", "me", "mei", "men", "mi", "mie", "min", "miu", "mo", "mou", "mu", "na", "nai", "nan", "nao", "ne", "nei", "nen", "ni", "nie", "nin", "niu", "nou", "nu", "nv", "nve", "nuo", "o", "ou", "pa", "pai", "pan", "pao", "pei", "pen", "pi", "pie", "pin", "po", "pou", "pu", "qi", "qia", "qie", "qin", "qiu", "qu", "que", "qun", "ran", "rao", "re", "ren", "ri", "rou", "ru", "rui", "run", "ruo", "sa", "sai", "san", "sao", "se", "sen", "si", "sou", "su", "sui", "sun", "suo", "ta", "tai", "tan", "tao", "te", "tei", "ti", "tie", "tou", "tu", "tui", "tun", "tuo", "wa", "wai", "wan", "wei", "wen", "wo", "wu", "xi", "xia", "xie", "xin", "xiu", "xu", "xue", "xun", "ya", "yan", "yao", "ye", "yi", "yin", "yo", "you", "yu", "yue", "yun", "za", "zai", "zan", "zao", "ze", "zei", "zen", "zi", "zou", "zu", "zui", "zun", "zuo", "a"]
#: Stable syllable ids (1-based, in a fixed sorted order; 0 = no syllable, -1 = boundary).
SYLLABLE_IDS: dict[str, int] = {s: i + 1 for i, s in enumerate(sorted(set(_SYLLABLES)))}
SYLLABLE_NAMES: dict[int, str] = {v: k for k, v in SYLLABLE_IDS.items()}
_PLACEHOLDER_IDS = {ch: 1000 + i for i, ch in enumerate(sorted(PLACEHOLDER_NAMES))}
_LATIN_RUN = re.compile(r"[a-z]+")
BOUNDARY = "|"


@lru_cache(maxsize=1)
def _syllable_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    # compiled on first use: a 400-way alternation costs ~20 ms, which a single message rarely needs
    alternation = "|".join(sorted(SYLLABLE_IDS, key=len, reverse=True))
    return re.compile(f"(?:{alternation})+"), re.compile(alternation)


def _split_latin(word: str) -> list[str]:
    """Split typed pinyin ("tongxunlu") into syllables when the whole word parses; else keep it."""
    if word in SYLLABLE_IDS:
        return [word]
    run, syllable = _syllable_patterns() if len(word) > 3 else (None, None)
    if run is not None and run.fullmatch(word):
        parts = syllable.findall(word)
        if "".join(parts) == word:
            return parts
    return [word]


SYLLABLE_TABLE_PATH = RESOURCES_DIR / "pinyin_syllables.npy"


def build_syllable_table() -> np.ndarray:
    """Code point (BMP) -> syllable id from pypinyin's dictionary; 0 for spaces and Latin letters
    (handled per run), -1 for everything without a reading.

    Shipped precomputed (``resources/pinyin_syllables.npy``) because importing pypinyin's
    dictionary costs ~56 MB per process; a test checks the file equals a fresh build.
    """
    from pypinyin import Style
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style import convert

    table = np.full(0x10000, -1, dtype=np.int16)
    for cp, readings in pinyin_dict.items():
        if cp < 0x10000:
            syl = convert(readings.split(",")[0], Style.NORMAL, strict=False).replace("ü", "v")
            table[cp] = SYLLABLE_IDS.get(syl, -1)
    for ch, py in _OVERRIDES.items():
        table[ord(ch)] = SYLLABLE_IDS[py]
    for d, py in _DIGITS.items():
        table[ord(d)] = SYLLABLE_IDS[py]
    for ch, i in _PLACEHOLDER_IDS.items():
        table[ord(ch)] = i
    for cp in range(ord("a"), ord("z") + 1):
        table[cp] = 0
    for ch in " \t\u3000":
        table[ord(ch)] = 0
    return table


@lru_cache(maxsize=1)
def _syllable_table() -> np.ndarray:
    return np.load(SYLLABLE_TABLE_PATH).astype(np.int64)


def _word_id(word: str) -> int:
    return 2000 + zlib.crc32(word.encode("utf-8"))


def pinyin_syllables(text: str) -> list[str]:
    """Toneless pinyin of normalized text (for people and tests); ``BOUNDARY`` marks breaks."""
    ids, _ = _syllables([text])
    return [SYLLABLE_NAMES.get(i, BOUNDARY if i < 0 else f"#{i}") for i in ids.tolist()]


def _syllables(docs: list[str], big: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Syllable ids and their character positions in the joined batch string."""
    big = DOC_SEP.join(docs) if big is None else big
    cp = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    table = _syllable_table()
    syl = np.where(cp < 0x10000, table[np.minimum(cp, 0xFFFF)], -1)
    for m in _LATIN_RUN.finditer(big):
        k = m.start()
        parts = _split_latin(m.group(0))
        if len(parts) == 1 and parts[0] not in SYLLABLE_IDS:
            syl[k] = _word_id(parts[0])
        else:
            for j, part in enumerate(parts):
                syl[k + j] = SYLLABLE_IDS[part]
    keep = syl != 0
    return syl[keep], np.flatnonzero(keep)


# --- hashing ---------------------------------------------------------------------------------------

_P = np.uint64(1_000_003)
_DOMAIN = {"char": np.uint64(0x9E3779B97F4A7C15), "pinyin": np.uint64(0xC2B2AE3D27D4EB4F),
           "word": np.uint64(0x165667B19E3779F9)}


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: spreads a 64-bit value over all bits."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def _ngram_hashes(ids: np.ndarray, valid_break: np.ndarray, lo: int, hi: int, domain: str,
                  mask: int) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Buckets of every window of ``lo..hi`` consecutive ids containing no break; with window starts."""
    ids = ids.astype(np.uint64)
    brk = np.concatenate([[0], np.cumsum(valid_break, dtype=np.int64)])
    buckets, starts, sizes = [], [], []
    n = len(ids)
    for k in range(lo, hi + 1):
        if n < k:
            continue
        idx = np.arange(n - k + 1)
        ok = (brk[idx + k] - brk[idx]) == 0
        idx = idx[ok]
        h = ids[idx].copy()
        for j in range(1, k):
            h = h * _P + ids[idx + j]
        h = _mix(h ^ (_DOMAIN[domain] + np.uint64(k)))
        buckets.append((h & np.uint64(mask)).astype(np.int64))
        starts.append(idx)
        sizes.append(np.full(len(idx), k))
    return buckets, starts, sizes


class _WordIds(dict):
    """token -> stable id; 0 for tokens without letters, digits, CJK or emoji; -1 for the batch separator."""

    def __missing__(self, token: str) -> int:
        if token == DOC_SEP:
            value = -1
        elif not _KEEP_TOKEN.search(token):
            value = 0
        else:
            value = _word_id(token)
        if len(self) < 500_000:
            self[token] = value
        return value


_WORD_IDS = _WordIds()
