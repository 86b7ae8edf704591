"""Topic matching by keywords, parties, mediators, aliases and venues."""

from datetime import UTC, datetime

from bot.ingest.topics import TopicMatcher
from bot.models import Article
from bot.settings import TopicSettings

TALKS = TopicSettings(
    name="Gaza talks", keywords=("ceasefire", "hostage"),
    parties={"Hamas": ("Hamas delegation",)},
    mediators={"United States": ("US", "CIA director")}, venues=("Doha",),
)
NUCLEAR = TopicSettings(name="Iran nuclear talks", keywords=("enrichment",), venues=("Vienna",))
MATCHER = TopicMatcher({"talks": TALKS, "nuclear": NUCLEAR})


def article(title: str, summary: str = "", text: str = "") -> Article:
    return Article(id="x", url="", title=title, published=datetime.now(UTC), source="s",
                   summary=summary, text=text)


def test_a_keyword_in_the_title_matches_case_insensitively() -> None:
    """'CEASEFIRE' matches the keyword ceasefire."""
    assert MATCHER.topics_of(article("CEASEFIRE holds")) == ("talks",)


def test_party_names_aliases_and_venues_match_in_any_field() -> None:
    """A canonical party name, an alias or a venue in summary or text matches."""
    assert MATCHER.topics_of(article("x", summary="Hamas said no")) == ("talks",)
    assert MATCHER.topics_of(article("x", text="the cia director flew in")) == ("talks",)
    assert MATCHER.topics_of(article("Envoys meet in Doha")) == ("talks",)


def test_words_match_whole_only() -> None:
    """'hostages' does not match 'hostage'; 'Dohan' is not Doha."""
    assert MATCHER.topics_of(article("Dohan hostages")) == ()


def test_capitalised_acronyms_match_only_in_capitals() -> None:
    """'US' matches the US, not the pronoun 'us'."""
    assert MATCHER.topics_of(article("Let us talk")) == ()
    assert MATCHER.topics_of(article("The US said")) == ("talks",)


def test_only_the_feeds_topics_are_considered() -> None:
    """With `among`, other topics are not matched even if mentioned."""
    both = article("Ceasefire talk in Vienna on enrichment")
    assert MATCHER.topics_of(both) == ("talks", "nuclear")
    assert MATCHER.topics_of(both, among=["nuclear"]) == ("nuclear",)


def test_an_unrelated_article_matches_nothing() -> None:
    """A sports story is stored but not queued for any topic."""
    assert MATCHER.topics_of(article("Local team wins the cup")) == ()


def test_topics_in_reads_title_summary_and_text_as_topics_of_does() -> None:
    """Matching the parts of an entry gives what matching the built article gives."""
    parts = ("Talks in Vienna", "No word on enrichment", "The CIA director flew in")
    assert MATCHER.topics_in(parts) == MATCHER.topics_of(article(*parts)) == ("talks", "nuclear")
    assert MATCHER.topics_in(parts, among=("nuclear",)) == ("nuclear",)
