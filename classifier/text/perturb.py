"""Apply the tricks collectors use to dodge keyword filters to a labelled file (the labels stay).

Tricks (each applied to a random share of messages, with a fixed seed):

- ``homophone``: swap characters for others with the same toneless pinyin (还钱 -> 环前), chosen among
  the characters common in the corpus, using pypinyin's dictionary;
- ``pinyin``: write a word in pinyin (还钱 -> huanqian, 通讯录 -> tong xun lu);
- ``separator``: put spaces or symbols between the characters of a word (爆.通.讯.录);
- ``traditional``: convert to traditional characters (OpenCC s2t);
- ``emoji``: insert emoji between words or replace a word by one (死 -> 💀);
- ``fullwidth``: full-width Latin letters and digits;
- ``digits``: digits for sound-alike characters (死 -> 4, 去 -> 7).

``cuishou perturb IN.csv -o OUT.csv`` writes the perturbed copy; ``cuishou evaluate --perturbed``
scores the clean test split and its perturbed copy side by side.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

TRICKS = ("homophone", "pinyin", "separator", "traditional", "emoji", "fullwidth", "digits")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,4}")
_EMOJI_FOR = {"死": "💀", "刀": "🔪", "钱": "💰", "警察": "👮", "火": "🔥", "炸": "💣", "棺材": "⚰️", "狗": "🐶",
              "猪": "🐷", "屎": "💩", "哭": "😭", "笑": "😂"}
_EMOJI_FILL = ["😡", "🙂", "🤡", "💀", "🔪", "👉", "😤", "🙃", "‼️", "❗"]
_DIGIT_FOR = {"死": "4", "去": "7", "是": "4", "二": "2", "一": "1", "吧": "8", "就": "9", "无": "5", "我": "5"}
_SEPARATORS = [" ", ".", "*", "-", "_", "·", "/", "~", " . "]


@lru_cache(maxsize=1)
def _homophones(common_text: str = "") -> dict[str, list[str]]:
    """Character -> other characters with the same toneless pinyin that occur in ``common_text``."""
    from pypinyin import Style, lazy_pinyin

    chars = Counter(c for c in common_text if "\u4e00" <= c <= "\u9fff")
    common = [c for c, n in chars.most_common(2500)]
    by_sound: dict[str, list[str]] = {}
    for c in common:
        by_sound.setdefault(lazy_pinyin(c, style=Style.NORMAL)[0], []).append(c)
    return {c: [o for o in group if o != c] for group in by_sound.values() for c in group if len(group) > 1}


def _pinyin(word: str, spaced: bool) -> str:
    from pypinyin import Style, lazy_pinyin

    return (" " if spaced else "").join(lazy_pinyin(word, style=Style.NORMAL))


def _pick_span(text: str, rng: random.Random) -> re.Match[str] | None:
    spans = list(_CJK_RUN.finditer(text))
    return rng.choice(spans) if spans else None


def apply_trick(text: str, trick: str, rng: random.Random, homophones: dict[str, list[str]] | None = None) -> str:
    """One trick, applied to one or two places in the text."""
    if trick == "traditional":
        import opencc

        return opencc.OpenCC("s2t").convert(text)
    if trick == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)
    if trick == "digits":
        spots = [i for i, c in enumerate(text) if c in _DIGIT_FOR]
        chars = list(text)
        for i in rng.sample(spots, k=min(len(spots), rng.choice((1, 2)))):
            chars[i] = _DIGIT_FOR[chars[i]]
        return "".join(chars)
    out = text
    for _ in range(rng.choice((1, 2))):
        m = _pick_span(out, rng)
        if m is None:
            break
        a, b, word = m.start(), m.end(), m.group(0)
        if trick == "homophone" and homophones:
            chars = list(word)
            idx = [i for i, c in enumerate(chars) if c in homophones]
            for i in rng.sample(idx, k=min(len(idx), rng.choice((1, 2)))):
                chars[i] = rng.choice(homophones[chars[i]])
            new = "".join(chars)
        elif trick == "pinyin":
            new = _pinyin(word, spaced=rng.random() < 0.4)
        elif trick == "separator":
            sep = rng.choice(_SEPARATORS)
            new = sep.join(word)
        elif trick == "emoji":
            for key, emo in _EMOJI_FOR.items():
                if key in word:
                    new = word.replace(key, emo, 1)
                    break
            else:
                new = word + rng.choice(_EMOJI_FILL)
        else:
            raise ValueError(f"unknown trick {trick!r}; choose from {TRICKS}")
        out = out[:a] + new + out[b:]
    return out


def perturb_texts(texts: Iterable[str], seed: int = 0, tricks: tuple[str, ...] = TRICKS, rate: float = 1.0,
                  common_text: str = "") -> tuple[list[str], list[str]]:
    """Perturbed copies of ``texts`` (each with one random trick, with probability ``rate``) and the trick used."""
    rng = random.Random(seed)
    homophones = _homophones(common_text) if "homophone" in tricks else {}
    out, used = [], []
    for t in texts:
        if not isinstance(t, str) or rng.random() >= rate:
            out.append(t)
            used.append("")
            continue
        trick = rng.choice(tricks)
        out.append(apply_trick(t, trick, rng, homophones))
        used.append(trick)
    return out, used


def perturb_frame(df: pd.DataFrame, text_column: str = "text", seed: int = 0, rate: float = 1.0,
                  tricks: tuple[str, ...] = TRICKS, common_text: str | None = None) -> pd.DataFrame:
    """A copy of a labelled frame with perturbed text and a ``perturbation`` column naming the trick."""
    texts = df[text_column].tolist()
    new, used = perturb_texts(texts, seed, tricks, rate, common_text if common_text is not None else "".join(texts))
    out = df.copy()
    out[text_column] = new
    out["perturbation"] = used
    return out
