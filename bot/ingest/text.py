"""Text helpers for ingestion: HTML reduced to plain text, and the content hash of a body."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

# Markup is reduced with expressions, not an HTML parser: several times faster at thousands
# of entries a cycle, and enough for text (quoted attributes may hold ">").
_BLOCK_TAGS = ("address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|"
               "h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|tr|ul")
_ATTRIBUTES = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_SKIPPED = re.compile(r"<(script|style|noscript|template|svg|iframe|head)\b.*?</\1\s*>",
                      re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_PARAGRAPH = re.compile(rf"</?p\b{_ATTRIBUTES}>", re.IGNORECASE)
_BLOCK = re.compile(rf"</?(?:{_BLOCK_TAGS})\b{_ATTRIBUTES}>", re.IGNORECASE)
_TAG = re.compile(rf"</?[A-Za-z!?][^\s>/]*{_ATTRIBUTES}>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_NON_WORD = re.compile(r"[\W_]+")
# Below this many normalised characters a body is too generic to identify a story alone.
_MIN_DISTINCT_BODY = 200


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, paragraphs kept."""
    if not markup:
        return ""
    if "<" in markup:
        markup = _SKIPPED.sub("", _COMMENT.sub("", _CDATA.sub(r"\1", markup)))
        markup = _TAG.sub("", _BLOCK.sub("\n", _PARAGRAPH.sub("\n\n", markup)))
    return tidy(html.unescape(markup))


def tidy(text: str) -> str:
    """Collapse runs of spaces, trim lines, keep at most one blank line between paragraphs."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def normalise(text: str) -> str:
    """Case, accents' composition, punctuation and spacing folded away, for comparison."""
    folded = unicodedata.normalize("NFKC", text).casefold()
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
