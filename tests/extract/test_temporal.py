"""`when` resolution against the published date, and background recaps."""

from __future__ import annotations

from datetime import date

import pytest

from bot.extract import Extractor
from bot.settings import TopicSettings
from tests.extract.conftest import article, one

pytestmark = pytest.mark.model

# The fixture articles are published on Thursday 2024-05-09.


@pytest.mark.parametrize(("phrase", "expected"), [
    ("on Tuesday", date(2024, 5, 7)),
    ("late on Wednesday", date(2024, 5, 8)),
    ("Monday", date(2024, 5, 6)),
    ("on Thursday", date(2024, 5, 9)),
    ("yesterday", date(2024, 5, 8)),
    ("on May 2", date(2024, 5, 2)),
])
def test_weekdays_and_dates_resolve_to_the_latest_such_day(
        extractor: Extractor, gaza: TopicSettings, phrase: str, expected: date) -> None:
    """A past event's day is the latest such day on or before publication."""
    found = extractor.extract(article(f"Hamas rejected the ceasefire proposal {phrase}."), gaza)
    assert one(found, "proposal_rejected").when == expected


def test_future_weekday_resolves_forward(extractor: Extractor, gaza: TopicSettings) -> None:
    """"will meet on Sunday" is the coming Sunday."""
    found = extractor.extract(article(
        "Israeli and Egyptian officials will meet on Sunday to discuss the truce."), gaza)
    assert one(found, "talks_held").when == date(2024, 5, 12)


def test_undated_current_event_gets_the_article_date(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """With no time expression, `when` is the published date."""
    found = extractor.extract(article("Hamas rejected the ceasefire proposal."), gaza)
    assert one(found, "proposal_rejected").when == date(2024, 5, 9)


@pytest.mark.parametrize("sentence", [
    "Hamas released 105 hostages during a week-long truce last November.",
    "A previous deal saw 105 hostages released by Hamas.",
    "Hamas released 105 hostages in November 2023 under the truce.",
    "Hamas released 110 hostages two months ago under the truce deal.",
])
def test_recaps_are_background(extractor: Extractor, gaza: TopicSettings, sentence: str) -> None:
    """Earlier events are returned with background=True."""
    release = one(extractor.extract(article(sentence), gaza), "release")
    assert release.background


def test_backshifted_report_of_a_current_event_is_not_background(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """Past perfect in reported speech ("said Moscow had put forward") is still news."""
    found = extractor.extract(article(
        "Ukraine's delegation said Moscow had put forward new demands at the talks."), ukraine)
    assert not one(found, "proposal_presented").background


def test_this_weeks_event_is_not_background(extractor: Extractor, gaza: TopicSettings) -> None:
    """An event dated within the last days is current."""
    found = extractor.extract(article("Hamas released three hostages on Monday."), gaza)
    assert not one(found, "release").background
