"""The rule data in bot/extract/rules: every example gives what it says through the public
`Extractor.extract`, every counter-example gives nothing, and bad data is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.extract import Extractor
from bot.extract.patterns import DEFAULT_PATTERNS_DIR, Example, inflect, load_patterns
from bot.models import DEVELOPMENT_TYPES, Article, Development
from bot.settings import TopicSettings

RULES = load_patterns().rules
EXAMPLES = [pytest.param(example, id=f"{rule.id}: {example.text}")
            for rule in RULES for example in rule.examples]
COUNTER_EXAMPLES = [pytest.param(text, id=f"{rule.id}: {text}")
                    for rule in RULES for text in rule.counter_examples]
PUBLISHED = datetime(2024, 5, 9, tzinfo=UTC)
# A headline that reports nothing but puts the example in a story about talks, as an article's
# context does: a lone sentence without negotiation vocabulary is no candidate at all.
EXAMPLE_HEADLINE = "Truce negotiations"
# Each example is read as a one-sentence article of a topic that configures the actors the
# examples name and counts their names as its keywords.
EXAMPLE_TOPIC = TopicSettings(
    name="examples",
    keywords=("Israel", "Hamas", "Netanyahu", "Russia", "Moscow", "Ukraine", "Kyiv", "Iran",
              "Tehran", "Burns"),
    parties={"Israel": ("Netanyahu",), "Hamas": (), "Russia": ("Moscow",),
             "Ukraine": ("Kyiv",), "Iran": ("Tehran",)},
    mediators={"United States": ("US", "Washington", "Biden", "Burns", "Trump"), "Egypt": (),
               "Qatar": ()},
    venues=("Cairo", "Doha", "Geneva", "Istanbul", "Riyadh"),
)


def _extract(extractor: Extractor, text: str) -> list[Development]:
    article = Article(id="example", url="", title=EXAMPLE_HEADLINE, published=PUBLISHED,
                      source="rules", text=text)
    return extractor.extract(article, EXAMPLE_TOPIC)


def test_every_type_has_rules_with_examples() -> None:
    """Each development type has at least one rule, and every rule carries examples."""
    assert {rule.type for rule in RULES} == set(DEVELOPMENT_TYPES)
    assert all(rule.examples for rule in RULES)


def test_every_rule_example_gives_its_rule_type() -> None:
    """An example shows its rule at work: what it gives includes the rule's type."""
    assert [f"{rule.id}: {example.text}" for rule in RULES for example in rule.examples
            if rule.type not in {expected.type for expected in example.gives}] == []


@pytest.mark.model
@pytest.mark.parametrize("example", EXAMPLES)
def test_an_example_gives_exactly_what_it_says(extractor: Extractor, example: Example) -> None:
    """Type, actors and background of everything the extractor finds in the example."""
    found = {(d.type, frozenset(d.actors), d.background) for d in _extract(extractor,
                                                                           example.text)}
    expected = {(e.type, frozenset(e.actors), e.background) for e in example.gives}
    assert found == expected


@pytest.mark.model
@pytest.mark.parametrize("text", COUNTER_EXAMPLES)
def test_a_counter_example_gives_nothing(extractor: Extractor, text: str) -> None:
    """Near-misses of a rule's wording (negated, hypothetical, off-topic) give nothing."""
    assert _extract(extractor, text) == []


def test_yaml_words_like_no_and_on_stay_words() -> None:
    """`no`, `on`, `off` in rule lists are words, not YAML booleans."""
    rule = load_patterns().rule("without-breakthrough")
    assert "no" in rule.pattern[0]["LOWER"]["IN"]


def test_inflections_cover_regular_and_irregular_forms() -> None:
    """Forms used by the first pass include -ed, -ing, doubled consonants and irregulars."""
    assert {"rejected", "rejecting", "rejects"} <= inflect("reject")
    assert {"stopped", "stopping"} <= inflect("stop")
    assert "left" in load_patterns().lemma_of and load_patterns().lemma_of["left"] == "leave"


def _copy_patterns(tmp_path: Path) -> Path:
    folder = tmp_path / "patterns"
    (folder / "developments").mkdir(parents=True)
    for file in DEFAULT_PATTERNS_DIR.glob("*.yaml"):
        (folder / file.name).write_text(file.read_text())
    return folder


def test_unknown_type_is_a_config_error(tmp_path: Path) -> None:
    """A rule file naming an unknown type is refused with the file named."""
    folder = _copy_patterns(tmp_path)
    (folder / "developments" / "x.yaml").write_text("type: armistice_talks\nrules: []\n")
    with pytest.raises(ConfigError, match=r"x\.yaml: type"):
        load_patterns(folder)


def test_unknown_word_list_is_a_config_error(tmp_path: Path) -> None:
    """A `$name` that the lexicon lacks is refused, naming the rule."""
    folder = _copy_patterns(tmp_path)
    (folder / "developments" / "x.yaml").write_text(
        "type: release\nrules:\n  - id: r\n    pattern:\n      - {LEMMA: {IN: $nope}}\n")
    with pytest.raises(ConfigError, match=r"x\.yaml: rules\[0\]: unknown word list \$nope"):
        load_patterns(folder)


def test_missing_pattern_folder_is_a_config_error(tmp_path: Path) -> None:
    """A patterns folder without files is refused."""
    with pytest.raises(ConfigError, match="not found"):
        load_patterns(tmp_path)
