"""Seed003's claim checked in the open: Kazakhstan 'intends to construct six new oil tankers for the
Caspian, each with an annual capacity of 700,000 tons'. What does one new tanker carry with the
dataset's inputs, alone and when six join the present fleet?
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from crudeflow.fleet.closed_form import HOURS_PER_YEAR, availability, cycle
from crudeflow.fleet.inputs import FleetInputs
from crudeflow.fleet.results import Estimate
from crudeflow.fleet.run import simulate_fleet
from crudeflow.units import KT_PER_MT

CLAIM_MTPA_PER_NEW_TANKER = 0.7
CLAIM_SOURCE = "seed003"
ALONE_FLEET, BASE_FLEET, EXPANDED_FLEET = "newbuild-1", "present", "caspian-tankers-6"


CLAIM_FLEETS = 3  # newbuild-1, present and caspian-tankers-6, each over the replications


def new_tanker_check(inputs: FleetInputs, *, replications: int = 20, years: int = 1, seed: int = 0,
                     progress: Callable[[int], object] | None = None) -> pd.DataFrame:
    """The claimed and the modelled Mt/yr of one new tanker, with the round voyage each implies.

    Fleets from fleets.csv: `newbuild-1` (one new tanker alone on its leg), `present` and
    `caspian-tankers-6`. The added-per-tanker row pairs replications with the same seed, so storms are
    common to both fleets.
    """
    alone_fleet = inputs.fleet(ALONE_FLEET)
    vessel = alone_fleet.vessels()[0]
    tanker = inputs.tankers[vessel.tanker]
    leg_id = next(leg.id for leg in inputs.legs_to(vessel.destination) if not vessel.load_ports
                  or leg.from_port in vessel.load_ports)
    round_voyage = cycle(inputs, vessel.tanker, leg_id)
    up = availability(tanker)
    claim_cycle_h = tanker.cargo_kt * HOURS_PER_YEAR * up / (CLAIM_MTPA_PER_NEW_TANKER * KT_PER_MT)

    def run(name: str) -> list[float]:
        result = simulate_fleet(inputs, inputs.fleet(name), replications=replications, years=years, seed=seed,
                                timeline=False, progress=progress)
        return [sum(r.delivered_kt.values()) / KT_PER_MT / years for r in result.replications]

    alone, base, expanded = run(ALONE_FLEET), run(BASE_FLEET), run(EXPANDED_FLEET)
    added = inputs.fleet(EXPANDED_FLEET).size - inputs.fleet(BASE_FLEET).size
    per_added = [(e - b) / added for e, b in zip(expanded, base, strict=True)]
    sailing_h = round_voyage.ballast_h + round_voyage.laden_h
    rows = [
        ("claimed per new tanker", Estimate.of([CLAIM_MTPA_PER_NEW_TANKER]), "Mt/yr", CLAIM_SOURCE),
        ("cargo of a new tanker", Estimate.of([tanker.cargo_kt]), "kt", f"{tanker.dwt_t:g} dwt x "
         f"{tanker.cargo_fraction:g} (tankers.csv '{vessel.tanker}')"),
        ("modelled round voyage", Estimate.of([round_voyage.total_h / 24.0]), "days",
         f"{leg_id}: {sailing_h:.0f} h at sea, "
         f"{round_voyage.load_formalities_h + round_voyage.discharge_formalities_h:.0f} h formalities, "
         f"{round_voyage.load_berth_h + round_voyage.discharge_berth_h:.0f} h at berth"),
        ("round voyage the claim implies", Estimate.of([claim_cycle_h / 24.0]), "days",
         f"same cargo and {100 * (1 - up):.1f}% of the year in maintenance"),
        ("one new tanker alone, closed form", Estimate.of([round_voyage.mtpa(up)]), "Mt/yr",
         "no weather, no waiting"),
        ("one new tanker alone, simulated", Estimate.of(alone), "Mt/yr", f"fleet {ALONE_FLEET}"),
        ("present fleet, simulated", Estimate.of(base), "Mt/yr", f"fleet {BASE_FLEET}"),
        (f"present + {added} new, simulated", Estimate.of(expanded), "Mt/yr", f"fleet {EXPANDED_FLEET}"),
        ("added per new tanker, simulated", Estimate.of(per_added), "Mt/yr",
         f"({EXPANDED_FLEET} - {BASE_FLEET}) / {added}, paired replications"),
    ]
    return pd.DataFrame(
        [{"quantity": q, "value": e.mean, "ci_low": e.ci_low, "ci_high": e.ci_high, "unit": unit, "how": how}
         for q, e, unit, how in rows]).set_index("quantity")


def claim_markdown(table: pd.DataFrame) -> str:
    """The check as a Markdown table; docs/fleet.md embeds it and a test keeps the two equal."""
    lines = ["| quantity | value | 95% interval | unit | how |", "|---|---:|---|---|---|"]
    for quantity, row in table.iterrows():
        interval = "" if math.isnan(row["ci_low"]) else f"{row['ci_low']:.3f} to {row['ci_high']:.3f}"
        lines.append(f"| {quantity} | {row['value']:.3f} | {interval} | {row['unit']} | {row['how']} |")
    return "\n".join(lines) + "\n"
