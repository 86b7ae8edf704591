"""Text helpers for ingestion: HTML reduced to plain text, and the content hash of a body."""

from __future__ import annotations

import hashlib
import html
import re
import string
import unicodedata

# Markup is reduced with expressions, not an HTML parser: several times faster at thousands
# of entries a cycle, and enough for text (quoted attributes may hold ">"). Each expression
# runs only when the markup holds what it looks for: most feed fields are short and plain.
_BLOCK_TAGS = ("a(?:ddress|rticle|side)|b(?:lockquote|r)|d(?:[dlt]|iv)|f(?:igcaption|igure|ooter)|"
               "h(?:[1-6r]|eader)|li|main|nav|ol|p(?:re)?|section|t(?:able|r)|ul")
_ATTRIBUTES = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_SKIPPED = re.compile(r"<(script|style|noscript|template|svg|iframe|head)\b.*?</\1\s*>",
                      re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_PARAGRAPH = re.compile(rf"</?p\b{_ATTRIBUTES}>", re.IGNORECASE)
_BLOCK = re.compile(rf"</?(?:{_BLOCK_TAGS})\b{_ATTRIBUTES}>", re.IGNORECASE)
_TAG = re.compile(rf"</?[A-Za-z!?][^\s>/]*{_ATTRIBUTES}>")
# The spaces `tidy` folds into one " " (not every Unicode space: only these).
_OTHER_SPACES = "\t\r\f\v\u00a0"
_SPACE_RUN = re.compile(" {2,}")
_BLANK_LINES = re.compile(r"\n{3,}")
_NON_WORD = re.compile(r"[\W_]+")
# ASCII's non-word characters (`[\W_]`) to spaces: str.translate is far cheaper than `_NON_WORD`.
_ASCII_NON_WORD = str.maketrans(dict.fromkeys(
    (chr(c) for c in range(128) if chr(c) not in string.ascii_letters + string.digits), " "))
# Below this many normalised characters a body is too generic to identify a story alone.
_MIN_DISTINCT_BODY = 200


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, paragraphs kept."""
    if not markup:
        return ""
    if "<" in markup:
        if "<![" in markup:
            markup = _CDATA.sub(r"\1", markup)
        if "<!--" in markup:
            markup = _COMMENT.sub("", markup)
        markup = _SKIPPED.sub("", markup)
        markup = _TAG.sub("", _BLOCK.sub("\n", _PARAGRAPH.sub("\n\n", markup)))
    return tidy(html.unescape(markup))


def tidy(text: str) -> str:
    """Collapse runs of spaces, trim lines, keep at most one blank line between paragraphs."""
    for space in _OTHER_SPACES:
        text = text.replace(space, " ")
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if "\n" in text:
        text = "\n".join(line.strip() for line in text.split("\n"))
        if "\n\n\n" in text:
            text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def normalise(text: str) -> str:
    """Case, accents' composition, punctuation and spacing folded away, for comparison."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if folded.isascii():
        return " ".join(folded.translate(_ASCII_NON_WORD).split())
    return " ".join(_NON_WORD.sub(" ", folded).split())


def content_hash(title: str, body: str) -> str:
    """sha256 of the normalised body, so a reprint under another URL hashes the same.

    A short body ("Read more", a one-line teaser) could be shared by different stories, so
    the title is hashed with it.
    """
    normalised = normalise(body)
    if len(normalised) < _MIN_DISTINCT_BODY:
        normalised = f"{normalise(title)}\n{normalised}"
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
