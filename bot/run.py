"""Subcommands of this area (filled in by its issue)."""

import argparse


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """No subcommands yet."""
