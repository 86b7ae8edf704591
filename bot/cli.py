"""The `parley` command line: argument parsing and exit codes, nothing else.

Each area of the core contributes its subcommands through an `add_commands(subparsers)`
function in its own `cli` module; a subcommand's handler takes the parsed arguments and
returns an exit code. Library code raises; only this module decides how a process exits:
0 ok, 1 partial failure, 2 configuration or usage error.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from bot.errors import ConfigError, ParleyError
from bot.settings import LoadedConfig, load_settings

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2

# Modules that contribute subcommands, in the order `parley --help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "adapters.run",
    "bot.ingest.cli",
    "bot.extract.cli",
    "bot.track.cli",
)

Handler = Callable[[argparse.Namespace], int]


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """The `--config FILE` option every subcommand that reads the config takes."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="YAML config (default: $PARLEY_CONFIG or config/parley.yaml)",
    )


def load_config(args: argparse.Namespace, *, serving: bool = False) -> LoadedConfig:
    """Load the config named by `--config` and set the log level. `serving` commands (those
    that run the chat adapters) log the config's warnings, such as adapters left out."""
    loaded = load_settings(getattr(args, "config", None))
    logging.getLogger().setLevel(loaded.settings.logging.level)
    if serving:
        for warning in loaded.warnings:
            logging.getLogger("parley").warning(warning)
    return loaded


def _config_check(args: argparse.Namespace) -> int:
    loaded = load_settings(args.config)
    for warning in loaded.warnings:
        print(f"warning: {warning}")
    print("ok")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parley", description="Follow negotiations in the news, in Slack and Discord."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_commands(subparsers)

    config = subparsers.add_parser("config", help="work with the YAML configuration")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser("check", help="validate the config; print the errors or 'ok'")
    add_config_option(check)
    check.set_defaults(handler=_config_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # APScheduler logs every job run at INFO; Parley logs what matters about each poll itself.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except ParleyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
