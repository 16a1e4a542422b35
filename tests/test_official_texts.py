"""Every quoted text equals a second copy of the official text, character by character (issue 13)."""

import json
import re
from pathlib import Path

import pytest

from classifier.legal.provisions import load_provisions

COPIES = json.loads((Path(__file__).parent / "data" / "official_texts.json").read_text(encoding="utf-8"))["copies"]


def _layout(text: str) -> str:
    """Formatting only: an ASCII space after the article number, blank lines between paragraphs."""
    text = re.sub(r"^(第[一二三四五六七八九十百千零]+条(?:之[一二三四五六七八九十]+)?) ", r"\1　", text)
    return "\n".join(line for line in text.split("\n") if line.strip())


def test_every_quoted_law_has_a_second_copy():
    quoted = {p.id for p in load_provisions().values() if p.kind != "guidance"}
    assert quoted == {c["id"] for c in COPIES}


@pytest.mark.parametrize("copy", COPIES, ids=[c["id"] for c in COPIES])
def test_quoted_text_equals_the_official_copy(copy):
    src = copy["source"]
    assert (src.get("repo") and src.get("path")) or src.get("url")
    expected = _layout(copy["text"])
    for fix in copy.get("known_copy_errors", []):
        assert fix["copy"] in expected and fix["note"]
        expected = expected.replace(fix["copy"], fix["official"])
    got = load_provisions()[copy["id"]].text
    assert got == expected, next((i, got[i:i + 10], expected[i:i + 10])
                                 for i in range(min(len(got), len(expected))) if got[i] != expected[i])


@pytest.mark.parametrize("pid", ["治安管理处罚法@2012:26", "治安管理处罚法@2012:42", "治安管理处罚法@2012:52"])
def test_the_three_half_width_colons_are_fixed(pid):
    text = load_provisions()[pid].text
    assert "罚款：" in text and ":" not in text
