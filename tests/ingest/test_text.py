"""HTML reduced to text, and the content hash."""

from bot.ingest.text import content_hash, html_to_text

LONG = "Talks in Cairo ended without a breakthrough on Tuesday, officials said. " * 4


def test_tags_are_dropped_entities_decoded_and_paragraphs_kept() -> None:
    """Markup becomes readable text with paragraph breaks."""
    markup = "<p>Talks &amp; <b>truce</b>&nbsp;in Cairo.</p><p>Second<br/>line</p>"
    assert html_to_text(markup) == "Talks & truce in Cairo.\n\nSecond\nline"


def test_scripts_and_styles_are_not_text() -> None:
    """Script and style contents never leak into the text."""
    assert html_to_text("<style>p{}</style><p>News</p><script>track()</script>") == "News"


def test_plain_text_with_entities_is_unescaped() -> None:
    """A summary without tags is unescaped and tidied."""
    assert html_to_text("Hamas &#x27;accepts&#x27;   deal ") == "Hamas 'accepts' deal"


def test_a_reprint_with_other_spacing_and_punctuation_hashes_the_same() -> None:
    """Case, spacing and punctuation do not change the hash of a long body."""
    assert content_hash("Title A", LONG) == content_hash("Other title", LONG.upper() + " !!")


def test_short_bodies_are_told_apart_by_their_titles() -> None:
    """Two stories sharing a generic teaser are different articles."""
    assert content_hash("Story one", "Read more") != content_hash("Story two", "Read more")


def test_raw_html_with_tricky_markup_still_gives_clean_text() -> None:
    """Comments, CDATA, quoted '>' in attributes and inline scripts leave no markup behind."""
    markup = ('<div class="a>b"><!-- ad --><img alt="x > y" src="i.png">Envoys met'
              '<script type="text/javascript">if (a < b) { track(); }</script>'
              ' in <a href="/doha?x=1&amp;y=2">Doha</a><![CDATA[ today]]>.</div>')
    assert html_to_text(markup) == "Envoys met in Doha today."


def test_accents_and_curly_quotes_hash_alike_however_they_are_encoded() -> None:
    """Composed and decomposed accents, case and typographic quotes do not change the hash."""
    composed = "L’émissaire a rencontré le Hamas au Caire. " * 6
    decomposed = composed.replace("é", "e\u0301").upper().replace("’", "'")
    assert content_hash("a", composed) == content_hash("b", decomposed)


def test_odd_spaces_are_folded_and_lines_trimmed() -> None:
    """Tabs, no-break spaces and runs of spaces become one space; lines lose their edges."""
    assert html_to_text("  Talks\t\u00a0 resume \r\n\n\n\n  in   Doha\u2003\n") == \
        "Talks resume\n\nin Doha"
