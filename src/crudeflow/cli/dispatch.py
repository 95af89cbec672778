"""`crudeflow dispatch`: the annual allocation, its shadow prices, and the value of the contracts."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from crudeflow.api import load
from crudeflow.bounds import SHUT_IN_PENALTY
from crudeflow.cli.common import (
    SHARE,
    UsageError,
    add_dataset_option,
    add_output_options,
    add_year_option,
    check_csv_tables,
    emit_csv_tables,
    set_handler,
)
from crudeflow.dispatch.result import TABLES as SHOW
from crudeflow.dispatch.result import DispatchResult
from crudeflow.lp.inputs import DEFAULT_SHUT_IN_PENALTY_USD_PER_T
from crudeflow.network import Network
from crudeflow.output import emit, number, prose, render, to_jsonable
from crudeflow.units import mtpa_to_kt_per_day


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("dispatch", help="allocate a year's production to export routes (LP, HiGHS)")
    add_dataset_option(parser)
    add_year_option(parser, "baseline year")
    parser.add_argument(
        "--free",
        action="store_true",
        help="drop the contracts and report the value gap between the contracted allocation and the optimum",
    )
    parser.add_argument(
        "--max-share-via",
        nargs=2,
        action="append",
        metavar=("COUNTRY", "SHARE"),
        default=[],
        help=f"cap the share of exports entering COUNTRY (ISO code), e.g. --max-share-via RU 0.7; SHARE is {SHARE}",
    )
    parser.add_argument(
        "--min-share-via",
        nargs=2,
        action="append",
        metavar=("COUNTRY", "SHARE"),
        default=[],
        help="a floor on the share of exports entering COUNTRY, e.g. --min-share-via AZ 0.25 (a floor that cannot "
        "be met is explained: which limits stop it, the most that is reachable)",
    )
    parser.add_argument(
        "--shut-in-penalty",
        type=SHUT_IN_PENALTY,
        default=DEFAULT_SHUT_IN_PENALTY_USD_PER_T,
        metavar="USD_PER_T",
        help=f"cost of shutting in a tonne, beyond its lost netback: {SHUT_IN_PENALTY}",
    )
    parser.add_argument(
        "--output-variant", default=None, metavar="VARIANT",
        help="national output path from production_variants.csv (built-in: low, plan, high; default: production.csv)")
    parser.add_argument(
        "--show", choices=SHOW, action="append", help="tables to print (default: routes); repeat for several"
    )
    add_output_options(parser, units=True, several_tables=True)
    set_handler(parser, run)


def parse_shares(pairs: list[list[str]], flag: str = "--max-share-via") -> dict[str, float]:
    shares = {}
    for country, share in pairs:
        try:
            shares[country.upper()] = SHARE(share)
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"argument {flag} {country}: SHARE {exc}") from None
    return shares


def run(args: argparse.Namespace) -> int:
    shown_tables = list(dict.fromkeys(args.show or ["routes"]))
    check_csv_tables(args, len(shown_tables), "ask for one --show")
    dataset = load(args.dataset)
    options = {"max_share_via": parse_shares(args.max_share_via), "shut_in_penalty_usd_per_t": args.shut_in_penalty,
               "min_share_via": parse_shares(args.min_share_via, "--min-share-via"),
               "output_variant": args.output_variant}
    contracted = dataset.dispatch(args.year, **options)
    free = dataset.dispatch(args.year, free=True, **options) if args.free else None
    shown = free or contracted
    if args.format == "json":
        payload = shown.to_dict(shown_tables, args.units)
        if free is not None:
            payload["value_gap"] = value_gap(contracted, free)
        emit(json.dumps(to_jsonable(payload), indent=2) + "\n", args.out)
    elif args.format == "csv":
        emit_csv_tables(shown.tables(shown_tables, args.units), args.out)
    else:
        tables = shown.tables(shown_tables, args.units)
        emit(text_report(dataset.network, shown, tables, contracted if free is not None else None, args.wide),
             args.out)
    return 0


def value_gap(contracted: DispatchResult, free: DispatchResult) -> dict[str, float]:
    return {
        "contracted_objective_musd_per_yr": contracted.objective_musd_per_yr,
        "free_objective_musd_per_yr": free.objective_musd_per_yr,
        "gap_musd_per_yr": free.objective_musd_per_yr - contracted.objective_musd_per_yr,
    }


def text_report(
    net: Network,
    result: DispatchResult,
    tables: dict[str, pd.DataFrame],
    contracted: DispatchResult | None,
    wide: bool = False,
) -> str:
    s = result.summary()
    kind = "free of contracts" if contracted is not None else "with contracts"
    lines = [
        f"crudeflow dispatch: {net.name}, {s['year']}, {kind} — solve {s['status']} (HiGHS)",
        prose(
            f"exports {number(result.exports_mtpa)} Mt/yr "
            f"({number(mtpa_to_kt_per_day(result.exports_mtpa), ',.1f')} kt/d); "
            f"shut-in {number(result.shut_in_mtpa)} Mt/yr; netback {number(result.objective_musd_per_yr, ',.0f')} "
            f"MUSD/yr (revenue {number(result.revenue_musd_per_yr, ',.0f')} less tariffs "
            f"{number(result.tariffs_musd_per_yr, ',.0f')})"
        ),
        *(prose(f"why: {sentence}") for sentence in result.why),
        "",
    ]
    for name, table in tables.items():
        label = "destinations (Mt/yr, field × sink)" if name == "destinations" else name  # no unit in its columns
        lines += [f"{label}:", render(table, "text", wide=wide)]
    if contracted is not None:
        gap = value_gap(contracted, result)
        lines.append(
            prose(
                f"value gap: the optimum free of contracts earns {number(gap['gap_musd_per_yr'], ',.1f')} MUSD/yr "
                f"more than the contracted allocation ({number(gap['contracted_objective_musd_per_yr'], ',.0f')})."
            )
        )
    lines += [prose(f"note: {n}") for n in result.notes]
    lines.append(
        prose(
            "units: volume Mt/yr or kbpd (thousand barrels a day); tariff USD/t, summed along the route; shadow "
            "price USD/t: what one more Mt/yr of the limit would earn, in MUSD/yr per Mt/yr."
        )
    )
    return "\n".join(lines) + "\n"
