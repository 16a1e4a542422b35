import pytest

from classifier.labels import (
    PRECEDENCE,
    TAG_NAMES,
    TagError,
    format_tags,
    parse_tags,
    primary_label,
    validate_tags,
)


def test_five_tags_from_the_guide():
    assert set(TAG_NAMES) == {"not_collection", "lawful_reminder", "harassment", "threat", "third_party_contact"}
    assert PRECEDENCE == ("threat", "third_party_contact", "harassment", "lawful_reminder", "not_collection")


@pytest.mark.parametrize("tags, primary", [
    (["harassment", "threat"], "threat"),
    (["harassment", "third_party_contact"], "third_party_contact"),
    (["third_party_contact", "threat", "harassment"], "threat"),
    (["harassment"], "harassment"),
    (["lawful_reminder"], "lawful_reminder"),
    (["not_collection"], "not_collection"),
])
def test_primary_label_by_precedence(tags, primary):
    assert primary_label(tags) == primary


@pytest.mark.parametrize("tags", [
    ["not_collection", "harassment"], ["lawful_reminder", "threat"], ["lawful_reminder", "not_collection"],
    [], ["spam"],
])
def test_invalid_tag_sets_rejected(tags):
    with pytest.raises(TagError):
        validate_tags(tags)


def test_parse_and_format_round_trip():
    assert parse_tags("threat; harassment") == ("threat", "harassment")
    assert parse_tags("harassment,third_party_contact|threat") == ("threat", "third_party_contact", "harassment")
    assert format_tags(["harassment", "threat"]) == "threat;harassment"
