"""The rule data in bot/extract/rules: every example matches its rule; bad data is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.extract import Extractor
from bot.extract.patterns import DEFAULT_PATTERNS_DIR, inflect, load_patterns
from bot.models import DEVELOPMENT_TYPES
from bot.settings import TopicSettings

RULES = load_patterns().rules
EXAMPLES = [(rule.id, example) for rule in RULES for example in rule.examples]
# A topic that names the parties the examples mention, so actor checks can pass.
EXAMPLE_TOPIC = TopicSettings(
    name="examples",
    parties={"Israel": ("Netanyahu",), "Hamas": (), "Russia": ("Moscow",),
             "Ukraine": ("Kyiv",), "Iran": ("Tehran",)},
    mediators={"United States": ("US", "Washington", "Biden", "Burns", "Trump"), "Egypt": (),
               "Qatar": ()},
    venues=("Cairo", "Doha", "Geneva", "Istanbul", "Riyadh"),
)


def test_every_type_has_rules_with_examples() -> None:
    """Each development type has at least one rule, and every rule carries examples."""
    assert {rule.type for rule in RULES} == set(DEVELOPMENT_TYPES)
    assert all(rule.examples for rule in RULES)


@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "example"), EXAMPLES)
def test_rule_matches_its_examples(extractor: Extractor, rule_id: str, example: str) -> None:
    """The rule file's own examples match the rule."""
    doc = extractor.pipeline.nlp(example)
    extractor._topic_actors(EXAMPLE_TOPIC).annotate(doc)
    matched = {m.rule.id for m in extractor._matches(doc, frozenset(t.lower_ for t in doc))}
    assert rule_id in matched


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
