"""`crudeflow network` (the network as tables) and `crudeflow data sources|check` (provenance)."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from crudeflow.api import load as load_dataset
from crudeflow.cli.common import (
    add_dataset_option,
    add_output_options,
    check_csv_tables,
    emit_csv_tables,
    refuse_given,
    set_handler,
)
from crudeflow.network.network import load
from crudeflow.network.schema import TABLES
from crudeflow.output import emit, prose, render, to_jsonable
from crudeflow.tables import column_range

CHECK_TABLES = ("quotes", "balances")
NETWORK_TABLES = ("links", "nodes", "grades", "markets", "production", "contracts", "background_flows", "routes")


def register(subparsers: argparse._SubParsersAction) -> None:
    network = subparsers.add_parser("network", help="show the network's tables, or the schema of its files")
    add_dataset_option(network)
    network.add_argument("--table", choices=NETWORK_TABLES, default="links", help="which table (default: links)")
    network.add_argument("--schema", action="store_true", help="list every file's columns, units and meaning")
    add_output_options(network)
    set_handler(network, run_network)

    data = subparsers.add_parser("data", help="provenance: where every number comes from")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    sources = data_sub.add_parser("sources", help="list each figure of the dataset with its source")
    add_dataset_option(sources)
    sources.add_argument("--assumptions", action="store_true", help="only the figures that are assumptions")
    add_output_options(sources)
    set_handler(sources, run_sources)
    check = data_sub.add_parser("check", help="normalise units and report where sources contradict each other")
    add_dataset_option(check)
    check.add_argument("--table", choices=CHECK_TABLES, default=None,
                       help="with --csv: the one table to print (default: both, which need --out DIR)")
    add_output_options(check, several_tables=True)
    set_handler(check, run_check)


def schema_table() -> pd.DataFrame:
    rows = []
    for file_name, (model, _) in TABLES.items():
        for name, f in model.model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            rows.append(
                {
                    "file": file_name,
                    "column": name,
                    "unit": extra.get("unit", ""),
                    "range": column_range(model, name),
                    "required": f.is_required(),
                    "needs_source": bool(extra.get("sourced")),
                    "description": f.description,
                }
            )
    return pd.DataFrame(rows).set_index(["file", "column"])


def run_network(args: argparse.Namespace) -> int:
    if args.schema:
        # the schema is the same for every table and dataset
        refuse_given(args, ["--table", "--dataset"], "with --schema")
        emit(render(schema_table(), args.format, wide=args.wide), args.out)
        return 0
    net = load(args.dataset)
    frame = getattr(net, args.table)
    shown = frame.drop(columns=[c for c in frame.columns if c.endswith("_source")])
    if args.format == "text":  # the id already names a row: its long name goes last, the figures first
        shown = shown[[c for c in shown.columns if c != "name"] + [c for c in shown.columns if c == "name"]]
    emit(render(shown, args.format, wide=args.wide), args.out)
    return 0


def run_sources(args: argparse.Namespace) -> int:
    table = load_dataset(args.dataset).sources()
    if args.assumptions:
        table = table[table["assumption"] != ""]
    if args.format == "text":
        shown = table.assign(source=[s or "—" for s in table["sources"]])
        shown = shown[["table", "row", "field", "value", "unit", "source", "assumption"]]
        text = shown.to_string(index=False) + "\n" if args.wide else figure_lines(shown)
        text += f"\n{len(table)} figures; {int((table['assumption'] != '').sum())} rest on an assumption.\n"
        emit(text, args.out)
    else:
        emit(render(table.set_index(["table", "row", "field"]), args.format), args.out)
    return 0


def figure_lines(shown: pd.DataFrame) -> str:
    """One wrapped line a figure under its file: too much text per figure for a table in 120 columns."""
    lines = []
    for file_name, rows in shown.groupby("table", sort=False):
        lines.append(f"{file_name}:")
        for _, r in rows.iterrows():
            value = f"{r['value']:g}" if isinstance(r["value"], float) else str(r["value"])
            assumption = f" (assumption: {r['assumption']})" if r["assumption"] else ""
            figure = f"{r['row']} {r['field']} = {value} {r['unit']}; source {r['source']}{assumption}"
            lines.append(prose(figure, "  "))
    return "\n".join(lines) + "\n"


def run_check(args: argparse.Namespace) -> int:
    if args.format != "csv":
        refuse_given(args, ["--table"], "without --csv")
    check_csv_tables(args, 1 if args.table else len(CHECK_TABLES), "choose one with --table")
    checked = load_dataset(args.dataset).check()
    quotes, balances = checked["quotes"], checked["balances"]
    if args.format == "json":
        payload = {"quotes": to_jsonable(quotes), "balances": to_jsonable(balances)}
        emit(json.dumps(payload, indent=2) + "\n", args.out)
    elif args.format == "csv":
        tables = {"quotes": quotes, "balances": balances}
        emit_csv_tables({args.table: tables[args.table]} if args.table else tables, args.out)
    else:
        disagree = quotes[quotes["verdict"] == "disagree"]
        text = "Quotes of one quantity, in a common unit (spread = (high − low) / high):\n"
        text += render(quotes.drop(columns=["as_quoted"]), "text", "{:,.3g}", wide=args.wide) + "\n"
        text += f"{len(disagree)} of {len(quotes)} quantities disagree by more than 5%:\n"
        for quantity, row in disagree.iterrows():
            text += prose(f"- {quantity}: {row['as_quoted']}; the model uses {row['model_uses']}", "  ") + "\n"
        text += "\nField production against national output:\n" + render(balances, "text", wide=args.wide)
        emit(text, args.out)
    return 0
