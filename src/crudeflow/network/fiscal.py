"""The state's take on crude as rules (fiscal.csv), not a flat share: mineral extraction tax (MET) as a share of
value by the field's annual output, export customs duty in USD/t by Brent, rent tax on exports as a share of value
by Brent; each rule names the fields it applies to (production-sharing fields are exempted from some, as the
sources say or as labelled there). A band holds values above `band_from` up to and including `band_to`."""

from __future__ import annotations

import math

import pandas as pd

from crudeflow.network.network import Network
from crudeflow.tables import split_list


def take_usd_per_t(rules: pd.DataFrame, field: str, output_mt: float, brent_usd_per_bbl: float,
                   value_usd_per_t: float) -> float:
    """USD per tonne the state takes of oil from `field` worth `value_usd_per_t`."""
    total = 0.0
    for _, rule in rules.iterrows():
        fields = split_list(str(rule["fields"] or ""))
        if fields and field not in fields:
            continue
        measure = output_mt if rule["band_on"] == "output_mt" else brent_usd_per_bbl
        top = math.inf if pd.isna(rule["band_to"]) else float(rule["band_to"])
        if not float(rule["band_from"]) < measure <= top:
            continue
        rate = float(rule["rate"])
        total += rate / 100.0 * value_usd_per_t if rule["rate_unit"] == "pct_of_value" else rate
    return total


def state_take_fraction(network: Network, year: int) -> float | None:
    """The state's take as a share of the value of the year's output at Brent (fields weighted by output); None
    where the dataset has no fiscal rules."""
    if network.fiscal.empty:
        return None
    brent = float(network.year_row(year)["brent_usd_per_bbl"])
    output = network.production_mtpa(year)
    grades = network.nodes.loc[output.index, "grade"]
    take = value = 0.0
    for field, mt in output.items():
        per_t = brent * network.bbl_per_t(str(grades[field]))
        take += mt * take_usd_per_t(network.fiscal, str(field), float(mt), brent, per_t)
        value += mt * per_t
    return take / value if value > 0 else None
