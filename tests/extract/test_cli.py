"""`parley extract` and `parley eval`: the command-line contract and its error paths."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.extract.conftest import LABELLED, REPO_ROOT

pytestmark = pytest.mark.model

SEED = REPO_ROOT / "seeds" / "003_254ffbc15607c006.txt"
CONFIG = REPO_ROOT / "config" / "parley.yaml"
TOPICS = LABELLED / "topics.yaml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_extract_a_seed_article_prints_its_developments(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A plain-text article gives one JSON line with its developments."""
    code, out, _ = run(capsys, "extract", "--config", str(CONFIG), "--published", "2024-05-09",
                       str(SEED))
    assert code == 0
    [line] = out.splitlines()
    result = json.loads(line)
    assert result["id"] == SEED.stem
    found = {d["type"] for d in result["developments"]}
    assert {"delegation_departed", "no_breakthrough", "proposal_accepted"} <= found
    first = result["developments"][0]
    assert set(first) == {"type", "actors", "venue", "terms", "when", "evidence", "confidence",
                          "background"}


def test_extract_text_format_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    """--format text lists each development with actors, venue and evidence."""
    code, out, _ = run(capsys, "extract", "--config", str(CONFIG), "--format", "text",
                       "--published", "2024-05-09", str(SEED))
    assert code == 0
    assert "delegation_departed" in out and "in Cairo" in out and "evidence:" in out


def test_jsonl_lines_come_back_in_input_order(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """One output line per input line, same order, with the line's topic (read by the rules
    alone, so that the one-sentence articles' developments are known)."""
    config = tmp_path / "rules-only.yaml"
    config.write_text(TOPICS.read_text() + "\nextractor:\n  learned: false\n")
    lines = [
        {"id": "b", "topic": "ukraine", "published": "2025-05-16",
         "text": "Ukraine rejected the Russian ceasefire proposal in Istanbul."},
        {"id": "a", "topic": "talks", "published": "2024-05-09",
         "text": "Hamas accepted the truce proposal on Monday."},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    code, out, _ = run(capsys, "extract", "--config", str(config), str(source))
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["b", "a"]
    assert results[0]["developments"][0]["actors"] == ["Ukraine"]
    assert results[1]["developments"][0]["when"] == "2024-05-06"


def test_bad_lines_are_reported_and_the_rest_processed(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Invalid JSON and a missing `text` name their line numbers on stderr; exit code 1."""
    stdin = "\n".join([
        '{"id": "ok", "text": "Hamas accepted the truce proposal."}',
        '{"id": "broken", "text": ',
        '{"id": "no-text"}',
        '{"id": "bad-date", "text": "Hamas accepted the deal.", "published": "yesterday"}',
    ])
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code, out, err = run(capsys, "extract", "--config", str(CONFIG), "-")
    assert code == 1
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["ok"]
    assert "line 2: not valid JSON" in err
    assert "line 3: expected an object with a `text` string" in err
    assert "line 4: published: expected YYYY-MM-DD" in err


def test_unknown_topic_on_a_line_is_an_error_for_that_line(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A line naming a topic the config lacks fails alone."""
    monkeypatch.setattr("sys.stdin", io.StringIO(
        '{"id": "x", "topic": "nope", "text": "Talks resumed."}\n'
        '{"id": "y", "topic": "talks", "text": "Hamas accepted the truce proposal."}\n'))
    code, out, err = run(capsys, "extract", "--config", str(TOPICS))
    assert code == 1
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["y"]
    assert "line 1: unknown topic 'nope'" in err


def test_several_topics_without_a_choice_is_a_usage_error(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """With several topics and no --topic nor `topic` field, exit 2 with a clear message."""
    monkeypatch.setattr("sys.stdin", io.StringIO("Hamas accepted the truce proposal.\n"))
    code, _, err = run(capsys, "extract", "--config", str(TOPICS))
    assert code == 2
    assert "choose one with --topic" in err


def test_unknown_topic_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--topic naming no configured topic exits 2."""
    code, _, err = run(capsys, "extract", "--config", str(CONFIG), "--topic", "nope", str(SEED))
    assert code == 2
    assert "unknown topic 'nope'" in err


def test_missing_input_file_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unreadable input file exits 1 naming it."""
    code, _, err = run(capsys, "extract", "--config", str(CONFIG), "/nonexistent/article.txt")
    assert code == 1
    assert "/nonexistent/article.txt: cannot read input" in err


def test_eval_prints_precision_recall_and_false_alarms(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`parley eval` scores a gold file naming seed articles by id."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "003_254ffbc15607c006", "topic": "talks", "developments": [
        {"type": "delegation_departed", "actors": ["Israel", "Hamas", "United States"],
         "background": False}]}) + "\n")
    code, out, _ = run(capsys, "eval", str(gold), "--config", str(CONFIG))
    assert code == 0
    assert out.splitlines()[0] == "articles: 1"
    assert "type " in out and "actors " in out and "false alarms:" in out


def test_eval_rejects_a_malformed_gold_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A gold line without text and with an unknown id names the line."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "nope", "developments": []}\n')
    code, _, err = run(capsys, "eval", str(gold), "--config", str(CONFIG))
    assert code == 1
    assert "line 1:" in err and "'nope' is not a seed article" in err
