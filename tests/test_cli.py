"""The `parley` command line: exit codes and messages for configuration problems."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def parley(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def test_config_check_says_ok_for_the_default_config() -> None:
    """`parley config check` on the shipped config prints ok and exits 0."""
    result = parley("config", "check")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "ok"


def test_config_check_reports_errors_with_exit_code_2_and_no_traceback(tmp_path: Path) -> None:
    """A bad config gives one line per problem on stderr, exit code 2, no traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("topics:\n  talks:\n    name: T\nfeeds:\n  - url: https://x.example/rss\n"
                   "    topics: [nope]\n", encoding="utf-8")
    result = parley("config", "check", "--config", str(bad))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"config error: {bad}: feeds[0].topics[0]: unknown topic 'nope'; expected one of ['talks']"
    )
    assert "Traceback" not in result.stderr


def test_parley_config_environment_variable_selects_the_file(tmp_path: Path) -> None:
    """PARLEY_CONFIG is honoured by the CLI when --config is absent."""
    bad = tmp_path / "other.yaml"
    bad.write_text("topics: {}\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "config", "check"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "PARLEY_CONFIG": str(bad)},
    )
    assert result.returncode == 2
    assert f"{bad}: topics:" in result.stderr
