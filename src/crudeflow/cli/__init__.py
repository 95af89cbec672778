"""The `crudeflow` command: the top layer. Each subcommand is a module of this package (network, dispatch,
simulate, fleet, risk, report, serve), a thin layer over the front door (crudeflow.api), and registers itself here.

Usage and input errors print one line and exit 2; nothing is half-written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module, metadata

from crudeflow.cli.common import UsageError
from crudeflow.cli.risk import ACTIONS, DEFAULT_ACTION
from crudeflow.errors import CrudeflowError, ctrl_c_as_raised

DESCRIPTION = """\
Export routes, disruptions and risk for a landlocked crude exporter (built-in: Kazakhstan), with every number
traceable to a source. It answers four questions:

  1. Where should each field's oil go, under capacity, tariff, quality and policy limits?   crudeflow dispatch
  2. When a route or terminal fails for N days, what reroutes, is stored, is shut in, is lost?  crudeflow simulate
  3. How much export is at risk over a year of random disruptions, and what buys it down?  crudeflow risk
  4. What does the trans-Caspian tanker fleet really carry, and where is its bottleneck?  crudeflow fleet
  5. Year by year to a horizon, what to build and when, at what cost against the loss it removes?  crudeflow plan

The same in a browser, on this machine and offline: crudeflow serve.

Results print as text, or as one JSON document (--json) or one CSV table (--csv) on standard output;
messages go to standard error. `crudeflow COMMAND --help` describes each command."""

# Modules with `register(subparsers)`; each adds its subcommands with a `handler` default.
COMMAND_MODULES = (
    "crudeflow.cli.network",
    "crudeflow.cli.dispatch",
    "crudeflow.cli.simulate",
    "crudeflow.cli.hindcast",
    "crudeflow.cli.fleet",
    "crudeflow.cli.risk",
    "crudeflow.cli.report",
    "crudeflow.cli.plan",
    "crudeflow.cli.claims",
    "crudeflow.cli.serve",
)


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line and exit code 2 (argparse's own convention)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


class _CommandParser(_Parser):
    """A subcommand's parser: it refuses what it does not know itself, so the message names the subcommand
    (`crudeflow risk params: error: unrecognized arguments: --samples 10`)."""

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def]
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


def installed_version() -> str:
    try:
        return metadata.version("crudeflow")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "(version unknown: not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="crudeflow", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"crudeflow {installed_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_CommandParser, title="commands",
                                       metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # a command module not built yet
            raise
        module.register(subparsers)
    return parser


def with_default_actions(argv: Sequence[str]) -> list[str]:
    """`crudeflow risk --samples 100` is `crudeflow risk run --samples 100`: risk's default action, kept from
    before `run`, `params` and `audit` were subcommands of their own."""
    argv = list(argv)
    if argv[:1] == ["risk"] and (len(argv) == 1 or argv[1] not in (*ACTIONS, "-h", "--help")):
        argv.insert(1, DEFAULT_ACTION)
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(with_default_actions(sys.argv[1:] if argv is None else argv))
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        with ctrl_c_as_raised():
            return handler(args)
    except UsageError as exc:  # found by the command: reported as argparse reports its own
        print(f"{args.command_parser.prog}: error: {exc}", file=sys.stderr)
        return 2
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
