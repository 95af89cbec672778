"""The `crudeflow` command. Each subcommand lives beside its engine and registers itself here.

Usage and input errors print one line and exit 2; nothing is half-written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

from crudeflow.cli_common import UsageError
from crudeflow.errors import CrudeflowError

# Modules with `register(subparsers)`; each adds its subcommands with a `handler` default.
COMMAND_MODULES = (
    "crudeflow.network.cli",
    "crudeflow.dispatch.cli",
    "crudeflow.simulate.cli",
    "crudeflow.fleet.cli",
    "crudeflow.risk.cli",
    "crudeflow.report.cli",
)


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line and exit code 2 (argparse's own convention)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="crudeflow", description=__doc__.splitlines()[0] if __doc__ else None)
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module_name in COMMAND_MODULES:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # a command module not built yet
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UsageError as exc:
        args.command_parser.error(str(exc))
        raise  # not reached: error() exits
    except CrudeflowError as exc:
        print(f"crudeflow: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crudeflow: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`crudeflow ... | head`): stop quietly, and keep Python from complaining again
        # when it flushes stdout on exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
