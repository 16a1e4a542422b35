"""The five tags of the labelling guide (docs/LABELS.md), their names, and the tag-set rules.

This is the only module that spells the tags out. Everything else imports them from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NOT_COLLECTION = "not_collection"
LAWFUL_REMINDER = "lawful_reminder"
HARASSMENT = "harassment"
THREAT = "threat"
THIRD_PARTY_CONTACT = "third_party_contact"


@dataclass(frozen=True)
class Tag:
    name: str
    zh: str
    en: str
    unlawful: bool
    color: str  # for charts, labels and bars
    highlight: str  # background of highlighted evidence
    verdict_zh: str  # the primary label in plain words
    verdict_en: str


#: Tags in the order used for score columns and model outputs.
TAGS: tuple[Tag, ...] = (
    Tag(NOT_COLLECTION, "非催收", "not collection", False, "#7f8c8d", "#d5dbdb",
        "这条消息看起来不是催收消息。", "This does not look like a debt-collection message."),
    Tag(LAWFUL_REMINDER, "合规提醒", "lawful reminder", False, "#27ae60", "#abebc6",
        "这条消息看起来是合规的还款提醒。", "This looks like a lawful repayment reminder."),
    Tag(HARASSMENT, "骚扰/侮辱", "harassment", True, "#8e44ad", "#d7bde2",
        "这条消息含有侮辱或骚扰：例如辱骂、诅咒、深夜或轰炸式联系。",
        "This message insults or harasses: abuse, curses, night-time or bombardment contact."),
    Tag(THREAT, "威胁/恐吓", "threat", True, "#c0392b", "#f5b7b1",
        "这条消息含有威胁或恐吓：例如虚构法律后果、冒充公检法、威胁人身安全或扬言曝光。",
        "This message threatens or intimidates: invented legal consequences, posing as police or courts, "
        "threats to safety or to expose you."),
    Tag(THIRD_PARTY_CONTACT, "联系第三方/爆通讯录", "third-party contact", True, "#d35400", "#f8c471",
        "这条消息把债务告诉或扬言告诉他人：例如联系家人、同事、单位，或“爆通讯录”。",
        "This message tells, or threatens to tell, other people about the debt: family, colleagues, employer, "
        "the contact list."),
)

TAG_NAMES: tuple[str, ...] = tuple(t.name for t in TAGS)
UNLAWFUL_TAGS: tuple[str, ...] = tuple(t.name for t in TAGS if t.unlawful)
#: Tags that must stand alone in a tag set.
EXCLUSIVE_TAGS: tuple[str, ...] = (NOT_COLLECTION, LAWFUL_REMINDER)
#: Most serious first: the primary label is the first of these present in a tag set.
PRECEDENCE: tuple[str, ...] = (
    THREAT,
    THIRD_PARTY_CONTACT,
    HARASSMENT,
    LAWFUL_REMINDER,
    NOT_COLLECTION,
)
TAG_BY_NAME: dict[str, Tag] = {t.name: t for t in TAGS}
#: Separator of tags in CSV cells ("threat;third_party_contact").
TAG_SEPARATOR = ";"


class TagError(ValueError):
    """A tag set that the labelling guide does not allow."""


def tags_for_display() -> dict:
    """Everything a page needs to show tags (web page, review page), as JSON-ready data."""
    from dataclasses import asdict

    return {"tags": [asdict(t) for t in TAGS], "precedence": list(PRECEDENCE), "exclusive": list(EXCLUSIVE_TAGS)}


def validate_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Check a tag set against the guide's rules; return it sorted by precedence."""
    tag_set = set(tags)
    if not tag_set:
        raise TagError("no tags")
    unknown = tag_set - set(TAG_NAMES)
    if unknown:
        raise TagError(f"unknown tag(s): {', '.join(sorted(unknown))}; allowed: {', '.join(TAG_NAMES)}")
    for tag in EXCLUSIVE_TAGS:
        if tag in tag_set and len(tag_set) > 1:
            raise TagError(f"{tag} must stand alone, got {', '.join(sorted(tag_set))}")
    return tuple(t for t in PRECEDENCE if t in tag_set)


def add_tag(tags: Iterable[str], tag: str) -> tuple[str, ...]:
    """A valid tag set with ``tag`` added: an unlawful tag replaces ``not_collection`` / ``lawful_reminder``
    (they stand alone), so a reminder that also tells others about the debt is third-party contact only."""
    current = set(tags) | {tag}
    if len(current) > 1:
        current -= set(EXCLUSIVE_TAGS) - {tag}
    return validate_tags(current)


def primary_label(tags: Iterable[str]) -> str:
    """The most serious tag of a valid tag set."""
    return validate_tags(tags)[0]


def parse_tags(cell: str) -> tuple[str, ...]:
    """Parse a tag cell such as ``"threat;third_party_contact"`` (also accepts ``,`` ``|`` and spaces)."""
    parts = [p.strip() for p in cell.replace(",", ";").replace("|", ";").replace(" ", ";").split(";")]
    return validate_tags(p for p in parts if p)


def format_tags(tags: Iterable[str]) -> str:
    return TAG_SEPARATOR.join(validate_tags(tags))
