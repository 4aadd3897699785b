"""kexue-reader-cli: the command-line entry point that dispatches to reader.commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each subcommand lives in reader/commands/<module>.py and provides
# `HELP: str`, `add_arguments(parser)` and `run(args) -> int`.
COMMANDS: dict[str, str] = {
    "parse": "reader.commands.parse",
    "search": "reader.commands.search",
    "check-render": "reader.commands.check_render",
    "keys": "reader.commands.keys",
}


class _UsageErrorParser(argparse.ArgumentParser):
    """argparse already exits with 2 on usage errors; this keeps the message on stderr only."""


def build_parser() -> argparse.ArgumentParser:
    parser = _UsageErrorParser(
        prog="kexue-reader-cli",
        description="Read, search and check an offline copy of 科学空间 (kexue.fm).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        command_parser = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command_parser)
        command_parser.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (0 ok, 1 some input unreadable, 2 usage)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args))
    except BrokenPipeError:
        # `kexue-reader-cli parse ... | head` must not end with a traceback.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
