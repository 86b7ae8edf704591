"""Fixtures shared by every test package: the store on each backend, the local feed server."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.store import SqlStore
from tests.servers.feed_server import FeedServer

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_FEEDS = REPO_ROOT / ".." / "shared" / "fixtures" / "feeds"
POSTGRES_URL_VARIABLE = "PARLEY_TEST_POSTGRES_URL"


def _postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


@pytest.fixture(params=[
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.postgres),
])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: a SQLite file, or a private schema on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'parley.db'}"
        return
    base = _postgres_url()
    if base is None:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")
    import sqlalchemy

    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
async def store(storage_url: str) -> AsyncIterator[SqlStore]:
    """An open, migrated store on each backend."""
    opened = await SqlStore.open(storage_url)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    """The local feed server, started on a free port."""
    async with FeedServer() as server:
        yield server


@pytest.fixture
def shared_feeds() -> Path:
    """The real publishers' feeds, read in place; skips when the folder is absent."""
    if not SHARED_FEEDS.is_dir():
        pytest.skip(f"real feed fixtures not found at {SHARED_FEEDS}")
    return SHARED_FEEDS
