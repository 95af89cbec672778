"""The annual dispatch is the one-day case of the one network LP (lp/formulation.py): on every year of the
built-in dataset it exports the same and shuts in the same as an undisturbed day of the daily case, within 0.1%,
and both cases are built by the same constraint families.

What made them look apart (68.60 against 68.52 Mt/yr on 2024, read off the court-halt baseline): the simulation
starts with nothing at sea, so its first two days lack the tanker cargoes still to arrive (9.9 kt/day): over a
92-day baseline that is 0.078 Mt/yr. A steady undisturbed day (after the longest delay) exports 68.6 Mt/yr, as
the dispatch does. Runs start at the normal stock levels the operator keeps; from them some years take weeks to
settle (2025: the start with nothing at sea; 2027: Kashagan's tank refilled at 0.5 kt/day while stranded oil
fills the tanks), so the steady day is day 40. Since contract minimums are hard in both cases (they were soft at
50 USD/t in the daily LP, which left the KMG–SOCAR BTC supply 1.392 Mt/yr short in 2023), every link carries the
same flow.
"""

from __future__ import annotations

import pytest

import crudeflow
from crudeflow.dispatch.solve import annual_lp
from crudeflow.lp.formulation import longest_delay_days
from crudeflow.lp.inputs import resolve_inputs
from crudeflow.risk.study import option_scenario
from crudeflow.simulate.engine import run_day_by_day
from crudeflow.simulate.operator import daily_lp
from crudeflow.simulate.timeline import build_horizon, scenario_inputs
from crudeflow.units import KT_PER_DAY_PER_MTPA

DATASET = crudeflow.load("kazakhstan")
NETWORK = DATASET.network
STEADY_DAY = 40  # after the longest tanker and rail delay and the first weeks from the normal stocks (see the test)


def families(keys: list[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """Row or column keys without their day: which (family, entity) pairs a case holds."""
    return {key[:-1] for key in keys}


@pytest.mark.parametrize("year", [int(y) for y in NETWORK.years.index])
def test_annual_dispatch_is_an_undisturbed_day(year: int) -> None:
    annual = DATASET.dispatch(year=year)
    # tanks start at their normal levels, where the operator keeps them (from empty it would hold oil back for
    # weeks to refill them)
    scenario = option_scenario(NETWORK, "base", year, STEADY_DAY + 1)
    inputs = scenario_inputs(NETWORK, scenario)
    assert longest_delay_days(inputs) < STEADY_DAY
    day = run_day_by_day(inputs, NETWORK, build_horizon(inputs, NETWORK, scenario, disrupted=False),
                         scenario.settings)
    exports_mtpa = float(day.export_kt.iloc[STEADY_DAY]) / KT_PER_DAY_PER_MTPA
    # oil with nowhere to go is shut in by the annual case; a day may still put some of it into tanks with room
    stored_kt = float(day.stock_kt.sum(axis=1).diff().iloc[STEADY_DAY]) if not day.stock_kt.empty else 0.0
    shut_in_mtpa = (float(day.shut_in_kt.iloc[STEADY_DAY].sum()) + stored_kt) / KT_PER_DAY_PER_MTPA
    assert exports_mtpa == pytest.approx(annual.exports_mtpa, rel=1e-3)
    # a tank may still drift by a few tonnes a day (Aktau port in 2024: 9.4 t/day toward the hard BTC minimum)
    assert shut_in_mtpa == pytest.approx(annual.shut_in_mtpa, rel=1e-3, abs=0.005)
    if stored_kt > 1e-6:
        return  # stranded oil still going into tanks reaches them by other links than the annual case uses
    daily_flow = day.link_flow_kt().iloc[STEADY_DAY] / KT_PER_DAY_PER_MTPA
    annual_flow = annual.flows_mtpa.sum(axis=1).reindex(daily_flow.index, fill_value=0.0)
    assert daily_flow.to_numpy() == pytest.approx(annual_flow.to_numpy(), rel=1e-3, abs=1e-6)


@pytest.mark.parametrize("year", [int(y) for y in NETWORK.years.index])
def test_the_annual_case_is_the_daily_case_without_storage_delays_or_ramps(year: int) -> None:
    inputs = resolve_inputs(NETWORK, year)
    annual = annual_lp(inputs)
    daily = daily_lp(inputs, NETWORK, 2, option_scenario(NETWORK, "base", year, 2).settings)
    assert annual.days == 1 and not annual.storage_cap_kt and not any(annual.delay_days.values())
    daily_rows = families(daily.lp.row_keys)
    annual_rows = families(annual.lp.row_keys)
    # the same families over the same entities, less the ones that link days or hold stock
    assert annual_rows == {key for key in daily_rows if key[0] not in ("storage", "ramp")}
    assert families(annual.lp.col_keys) == {key for key in families(daily.lp.col_keys) if key[0] != "stock"}
    assert {key[0] for key in daily_rows} >= {"balance", "capacity", "throughput", "intake", "storage", "ramp"}
