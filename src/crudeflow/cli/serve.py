"""`crudeflow serve`: the local web app (needs the `web` extra: pip install 'crudeflow[web]')."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from crudeflow.api import load
from crudeflow.bounds import WholeNumber
from crudeflow.cli.common import UsageError, add_dataset_option, set_handler

PORT = WholeNumber(0, 65535)  # 0: any free port (the address is printed)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="a local web app: the network, a disruption, the risk and the sources, in a browser",
        description="Serve the web app on this machine. It binds 127.0.0.1 (only this machine) unless --host says "
                    "otherwise; it needs no network and writes only into its output folder.")
    add_dataset_option(parser)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 opens the app to the network)")
    parser.add_argument("--port", type=PORT, default=8050, help=f"port, {PORT} (0: any free one; default 8050)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="an existing folder for the reports and scenarios the app writes (default: a new "
                             "temporary folder)")
    set_handler(parser, run)


def run(args: argparse.Namespace) -> int:
    try:
        from crudeflow.web.server import serve
    except ModuleNotFoundError as exc:
        if exc.name in ("dash", "flask", "werkzeug"):
            raise UsageError("the web app needs Dash: pip install 'crudeflow[web]'") from None
        raise
    if args.out is not None and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: not an existing folder")
    dataset = load(args.dataset)
    out = args.out if args.out is not None else Path(tempfile.mkdtemp(prefix="crudeflow-serve-"))
    return serve(dataset, out.resolve(), args.host, args.port)
