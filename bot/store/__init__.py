"""Persistence: the schema (`tables`) and its one SQL implementation (`sql`)."""

from bot.store.sql import FeedState, NewArticle, SqlStore

__all__ = ["FeedState", "NewArticle", "SqlStore"]
