"""`crudeflow claims`: the seed articles' quantitative claims put to the model."""

from __future__ import annotations

import argparse

from crudeflow.api import load
from crudeflow.cli.common import add_dataset_option, add_output_options, set_handler
from crudeflow.output import emit, render
from crudeflow.plan.claims import claims_markdown


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("claims", help="the seed articles' claims: the question each implies and what "
                                                  "the model says, with the command that shows it")
    add_dataset_option(parser)
    add_output_options(parser)
    parser.add_argument("--markdown", dest="format", action="store_const", const="markdown",
                        help="the Markdown table docs/claims.md holds")
    set_handler(parser, run)


def run(args: argparse.Namespace) -> int:
    table = load(args.dataset).claims()
    if args.format == "markdown":
        emit(claims_markdown(table), args.out)
    elif args.format in ("json", "csv"):
        emit(render(table, args.format), args.out)
    else:
        emit(render(table[["claim_id", "model_value", "unit", "model_says"]], "text", wide=args.wide), args.out)
    return 0
