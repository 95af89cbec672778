"""Provenance tools: list every number with its source, and compare sources that quote one quantity.

`data check` brings each quote to a common unit (rates to Mt/yr through the grade's density, masses to
kt, prices to USD/t, shares to %) and flags quantities whose quotes disagree by more than a tolerance.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from crudeflow.errors import InputError
from crudeflow.network.network import Network
from crudeflow.tables import Provenance
from crudeflow.units import MASS_RATE_UNITS, MASS_UNITS_KT, VOLUME_RATE_UNITS, bbl_per_t, bbl_to_kt, to_mtpa

DISAGREE_PCT = 5.0  # spreads above this are reported as contradictions
PRICE_UNITS = ("USD/t", "USD/bbl")


def sources_table(network: Network, companions: Iterable[Provenance] = ()) -> pd.DataFrame:
    """One row per number in the dataset (and in its companion tables, such as the fleet and outage tables):
    table, row, field, value, unit, source ids, assumption."""
    titles = network.sources["title"].to_dict()
    rows = [
        {
            "table": p.table,
            "row": p.row_id,
            "field": p.field,
            "value": p.value,
            "unit": p.unit,
            "sources": "; ".join(p.source_ids),
            "source_titles": "; ".join(str(titles.get(s, "")) for s in p.source_ids),
            "assumption": p.assumption,
        }
        for p in [*network.provenance, *companions]
    ]
    return pd.DataFrame(rows)


def normalise_quote(quote: pd.Series, network: Network) -> tuple[float, str]:
    """A quote's value in its family's common unit, with that unit's name."""
    unit, value, grade = str(quote["unit"]), float(quote["value"]), str(quote["grade"])
    api = float(network.grades.at[grade, "api_gravity"]) if grade else None
    needs_grade = unit in VOLUME_RATE_UNITS or unit in ("bbl", "USD/bbl")
    if needs_grade and api is None:
        raise InputError(
            network.folder / "quotes.csv", f"unit {unit} needs a grade to convert", None, str(quote["id"]), "grade"
        )
    if unit in MASS_RATE_UNITS or unit in VOLUME_RATE_UNITS:
        return to_mtpa(value, unit, api), "Mt/yr"
    if unit in MASS_UNITS_KT:
        return value * MASS_UNITS_KT[unit], "kt"
    if unit == "bbl":
        assert api is not None
        return bbl_to_kt(value, api), "kt"
    if unit == "USD/t":
        return value, "USD/t"
    if unit == "USD/bbl":
        assert api is not None
        return value * bbl_per_t(api), "USD/t"
    if unit == "%":
        return value, "%"
    raise InputError(network.folder / "quotes.csv", "unknown unit", None, str(quote["id"]), "unit", unit)


def check_quotes(network: Network) -> pd.DataFrame:
    """Per quantity: the quotes in a common unit, their spread, and whether they agree."""
    quotes = network.quotes.copy()
    normal = [normalise_quote(q, network) for _, q in quotes.iterrows()]
    quotes["normalised"] = [v for v, _ in normal]
    quotes["common_unit"] = [u for _, u in normal]
    rows = []
    for quantity, group in quotes.groupby("quantity", sort=False):
        low, high = float(group["normalised"].min()), float(group["normalised"].max())
        spread = 100.0 * (high - low) / abs(high) if high else 0.0
        used = group[group["used"]]
        rows.append(
            {
                "quantity": quantity,
                "quotes": len(group),
                "low": low,
                "high": high,
                "unit": group["common_unit"].iloc[0],
                "spread_pct": spread,
                "verdict": "disagree" if spread > DISAGREE_PCT else "agree",
                "model_uses": ", ".join(f"{v:.4g} ({i})" for i, v in used["normalised"].items()) or "none",
                "as_quoted": "; ".join(f"{q['value']:g} {q['unit']} ({q['source']})" for _, q in group.iterrows()),
            }
        )
    return pd.DataFrame(rows).set_index("quantity")


def check_balances(network: Network) -> pd.DataFrame:
    """National output against the sum of field production, per year (Mt/yr)."""
    fields = network.production.groupby("year")["production_mtpa"].sum()
    national = network.years["production_mt"]
    frame = pd.DataFrame({"fields_mtpa": fields, "national_mtpa": national}).dropna()
    frame["gap_mtpa"] = (frame["national_mtpa"] - frame["fields_mtpa"]).round(6)
    return frame.rename_axis("year")
