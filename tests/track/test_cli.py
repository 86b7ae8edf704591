"""`parley status` and `parley timeline` from the command line, on the seed corpus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tracking_factories import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.model]


def parley(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "PARLEY_STORAGE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def test_status_on_the_seeds_is_stalled_with_both_seed_sources(tmp_path: Path) -> None:
    """The issue's acceptance: stalled; Hamas accepted, Israel rejected; both seed outlets."""
    result = parley(tmp_path, "status", "talks")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Gaza ceasefire and hostage talks: stalled")
    assert "Hamas accepted a six-week ceasefire proposal with 33 hostages" in out
    assert "Israel rejected" in out
    assert "Israel delegation left Cairo" in out and "Hamas delegation left Cairo" in out
    assert "The Times of Israel" in out and "Al-Monitor" in out


def test_an_unknown_topic_exits_2_with_the_known_ones(tmp_path: Path) -> None:
    """A typo: exit 2, the closest match on stderr."""
    result = parley(tmp_path, "status", "talk")
    assert result.returncode == 2
    assert "Did you mean `talks`?" in result.stderr


def test_timeline_draws_a_png(tmp_path: Path) -> None:
    """--png writes a PNG file."""
    png = tmp_path / "t.png"
    result = parley(tmp_path, "timeline", "talks", "5", "--png", str(png))
    assert result.returncode == 0, result.stderr
    assert png.read_bytes().startswith(b"\x89PNG")
