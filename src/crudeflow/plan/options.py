"""The options a plan may commission (options.csv), what each changes as a scenario would, what it costs a
year, and the portfolios that can be formed of them."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from crudeflow.errors import CrudeflowError, InputError
from crudeflow.network import Network
from crudeflow.simulate.scenario import Scenario
from crudeflow.tables import split_list

# Exhaustive search visits every portfolio, so its optimality gap is zero; beyond this many portfolios a search
# with a stated gap (a MILP or a greedy search) is needed, which this module does not have: it refuses instead.
MAX_PORTFOLIOS = 1024
NONE = "none"  # the empty portfolio's name
PLAN_SOURCE = "assumption: an option of options.csv, applied by crudeflow plan"


@dataclass(frozen=True)
class PlanOption:
    id: str
    name: str
    changes: tuple[str, ...]
    excludes: frozenset[str]
    earliest_year: int
    lead_time_years: float
    capex_musd: float
    lifetime_years: float
    fixed_musd_per_yr: float
    variable_usd_per_t: float
    ship_or_pay_mtpa: float
    commitment_link: str

    def available_from(self, decision_year: int) -> int:
        """First year the option can carry oil when decided in `decision_year`."""
        return max(self.earliest_year, decision_year + math.ceil(self.lead_time_years))

    def capital_musd_per_yr(self, discount_rate: float) -> float:
        """Capex spread over the lifetime as an annuity: capex × capital recovery factor."""
        return self.capex_musd * capital_recovery_factor(discount_rate, self.lifetime_years)

    def links_changed(self) -> list[str]:
        return [item.split(":", 1)[1].split(".", 1)[0] for item in self.changes if item.startswith("link:")]


def capital_recovery_factor(rate: float, years: float) -> float:
    """r(1+r)^n / ((1+r)^n − 1): the yearly payment that repays 1 over n years at rate r (1/n at r = 0)."""
    if rate == 0:
        return 1.0 / years
    growth = (1.0 + rate) ** years
    return rate * growth / (growth - 1.0)


def read_options(network: Network, ids: list[str] | None = None) -> list[PlanOption]:
    """The dataset's options (all, or those named), each change checked against the network."""
    table = network.options
    if ids is not None:
        unknown = [i for i in ids if i not in table.index]
        if unknown:
            raise CrudeflowError(f"--options: unknown option {unknown[0]!r}; options.csv has {list(table.index)}")
        table = table.loc[ids]
    options = [_option(row) for _, row in table.iterrows()]
    for option in options:
        for item in option.changes:
            scenario_part(network, option, item)  # raises on a bad change
    return options


def _option(row: pd.Series) -> PlanOption:
    return PlanOption(
        id=str(row["id"]), name=str(row["name"]), changes=tuple(split_list(str(row["changes"]))),
        excludes=frozenset(split_list(str(row["excludes"] or ""))), earliest_year=int(row["earliest_year"]),
        lead_time_years=float(row["lead_time_years"]), capex_musd=float(row["capex_musd"]),
        lifetime_years=float(row["lifetime_years"]), fixed_musd_per_yr=float(row["fixed_musd_per_yr"]),
        variable_usd_per_t=float(row["variable_usd_per_t"]), ship_or_pay_mtpa=float(row["ship_or_pay_mtpa"]),
        commitment_link=str(row["commitment_link"] or ""))


def scenario_part(network: Network, option: PlanOption, item: str) -> tuple[str, dict[str, Any]]:
    """One change of options.csv as the scenario key it fills and the entry it adds there."""
    where = network.folder / "options.csv"
    kind, _, rest = item.partition(":")
    target, _, assignment = rest.partition(".")
    field, _, value_text = assignment.partition("=")
    source = f"{PLAN_SOURCE} ({option.id})"
    known = {"link": network.links.index, "node": network.nodes.index,
             "contract": pd.Index(network.contracts["id"].unique()),
             "background": pd.Index(network.background_flows["id"].unique())}
    if kind == "fleet" and target:
        return "fleet", {"name": target}
    if kind not in known or target not in known[kind]:
        raise InputError(where, "unknown change target (give link:, node:, contract: with a known id, or fleet:)",
                         row_id=option.id, field="changes", value=item)
    if kind == "link" and field == "open" and not value_text:
        return "assets", {"link": target, "open": True, "source": source}
    value = _number(where, option, item, value_text)
    if kind == "link" and field in ("capacity_mtpa", "add_capacity_mtpa"):
        return "assets", {"link": target, field: value, "source": source}
    if kind == "node" and field == "throughput_mtpa":
        return "nodes", {"node": target, "throughput_mtpa": value, "source": source}
    if kind == "background" and field == "volume_mtpa":
        return "background", {"flow": target, "volume_mtpa": value, "source": source}
    if kind == "contract" and field in ("min_mtpa", "max_mtpa"):
        return "contracts", {"contract": target, field: value, "source": source}
    raise InputError(where, "unknown change (see the Option schema: crudeflow network --schema)", row_id=option.id,
                     field="changes", value=item)


def _number(where: object, option: PlanOption, item: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise InputError(str(where), "the change needs a finite number >= 0 after '='", row_id=option.id,
                         field="changes", value=item)
    return value


def portfolio_name(portfolio: frozenset[str]) -> str:
    return "+".join(sorted(portfolio)) if portfolio else NONE


def portfolios(options: list[PlanOption]) -> list[frozenset[str]]:
    """Every subset of the options that combines no two that exclude each other, smallest first."""
    ids = [o.id for o in options]
    excludes = {o.id: o.excludes for o in options}
    found = []
    for size in range(len(ids) + 1):
        for combo in itertools.combinations(ids, size):
            chosen = frozenset(combo)
            if all(not (excludes[i] & chosen) for i in chosen):
                found.append(chosen)
                if len(found) > MAX_PORTFOLIOS:
                    raise CrudeflowError(
                        f"{len(ids)} options form more than {MAX_PORTFOLIOS} portfolios: the plan searches all of "
                        "them exactly (gap 0) and larger sets need a search with a stated gap, which crudeflow does "
                        "not have yet; name fewer with --options")
    return found


def portfolio_scenario(network: Network, options: list[PlanOption], portfolio: frozenset[str], year: int) -> Scenario:
    """The portfolio as a scenario over `year`: proposed links no chosen option opens are closed (building one is
    an option, never the base), then each chosen option's changes in order."""
    parts: dict[str, Any] = {"assets": [], "nodes": [], "contracts": [], "background": [], "fleet": None}
    opened = set()
    chosen = [o for o in options if o.id in portfolio]
    for option in chosen:
        for item in option.changes:
            key, entry = scenario_part(network, option, item)
            if key == "fleet":
                parts["fleet"] = entry
            else:
                parts[key].append(entry)
            if key == "assets" and entry.get("open"):
                opened.add(entry["link"])
    proposed = network.links.index[network.links["status"] == "proposed"]
    closed = [{"link": str(lk), "capacity_mtpa": 0.0,
               "source": "assumption: the plan's base builds nothing: a proposed link carries oil only as an option"}
              for lk in proposed if lk not in opened]
    parts["assets"] = closed + parts["assets"]
    return Scenario.model_validate({
        "name": portfolio_name(portfolio), "base_year": year,
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"}, **parts})
