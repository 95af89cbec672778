"""The seed articles' quantitative claims, each put to the model: the claim, where it is made, the question it
implies, what the model says, and the command that shows it (`crudeflow claims`; docs/claims.md is its output)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from crudeflow.dispatch.result import DispatchResult
from crudeflow.dispatch.solve import solve_dispatch
from crudeflow.fleet.coupling import cached_fleet_capacity_mtpa
from crudeflow.network import Network
from crudeflow.network.fiscal import state_take_fraction
from crudeflow.plan.evaluate import normal_year
from crudeflow.plan.options import read_options


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    source: str  # seed file name
    question: str
    command: str
    answer: Callable[[Models], tuple[float, str, str]]  # → value, unit, what the model says


class Models:
    """The dispatches and fleet runs the claims share, solved once each."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.options = read_options(network)
        self._cache: dict[object, DispatchResult] = {}

    def dispatch(self, year: int) -> DispatchResult:
        return self._cached(("dispatch", year), lambda: solve_dispatch(self.network, year=year))

    def portfolio(self, year: int, *ids: str) -> DispatchResult:
        """The year's dispatch with these options built, whatever their lead times."""
        return self._cached(("portfolio", year, ids),
                            lambda: normal_year(self.network, self.options, frozenset(ids), year))

    def fleet_total_mtpa(self, fleet: str) -> float:
        pairs = cached_fleet_capacity_mtpa(self.network.folder, fleet, (), (), 20, 0)
        return sum(mtpa for _, mtpa in pairs)

    def _cached(self, key: object, solve: Callable[[], DispatchResult]) -> DispatchResult:
        if key not in self._cache:
            self._cache[key] = solve()
        return self._cache[key]

    def entering_mtpa(self, result: DispatchResult, country: str) -> float:
        links = [lk for lk in self.network.entry_links(country) if lk in result.links.index]
        return float(result.links.loc[links, "flow_mtpa"].sum())


def _cpc(m: Models) -> tuple[float, str, str]:
    cpc = m.dispatch(2024).routes.loc["cpc"]
    share = float(cpc["share_of_exports_pct"])
    return share, "% of exports", (f"2024: CPC carries {share:.1f}% of exports, {cpc['volume_kbpd']:,.0f} kbpd: "
                                   f"both parts hold")


def _az_share_2026(m: Models) -> tuple[float, str, str]:
    base, quota = m.dispatch(2026), m.portfolio(2026, "btc-quota-4")
    share = [100 * m.entering_mtpa(r, "AZ") / r.exports_mtpa for r in (base, quota)]
    return share[1], "% of exports", (f"2026: {share[0]:.1f}% as contracted, {share[1]:.1f}% with a 4 Mt/yr BTC "
                                      "quota; the Caspian crossing (tankers, Aktau) holds it far below 25%")


def _az_4mt(m: Models) -> tuple[float, str, str]:
    volume = m.entering_mtpa(m.portfolio(2026, "btc-quota-4"), "AZ")
    return volume, "Mt/yr", f"2026 with a 4 Mt/yr quota: {volume:.2f} Mt/yr reaches Azerbaijan"


def _btc_7mt(m: Models) -> tuple[float, str, str]:
    r = m.portfolio(2027, "btc-quota-7", "caspian-tankers-6", "aktau-berths")
    btc = float(r.links.at["btc", "flow_mtpa"])
    outside = 100 * (1 - m.entering_mtpa(r, "RU") / r.exports_mtpa)
    return btc, "Mt/yr", (f"2027 with a 7 Mt/yr quota, six tankers and Aktau's berths rebuilt: {btc:.2f} Mt/yr in "
                          f"BTC; {outside:.1f}% of exports enter no Russian territory")


def _budget_600(m: Models) -> tuple[float, str, str]:
    base, built = m.dispatch(2027), m.portfolio(2027, "btc-quota-7", "caspian-tankers-6", "aktau-berths")
    share = state_take_fraction(m.network, 2027) or 0.0
    gained = share * (built.revenue_musd_per_yr - base.revenue_musd_per_yr)
    return gained, "MUSD/yr", (f"2027: the same options add {gained:,.0f} MUSD/yr of state take ({100 * share:.1f}% "
                               "of the added export revenue, fiscal.csv); the claim's own assumptions are not found")


def _tariff(m: Models) -> tuple[float, str, str]:
    links = m.network.links
    ratio = float(links.at["btc", "tariff_usd_per_t"] / links.at["cpc_kz", "tariff_usd_per_t"])
    return ratio, "× CPC", (f"the dataset's BTC tariff is {ratio:.1f}× CPC's because it is taken from this claim; the "
                            "other source found (facts E3) says 24 USD/t, below CPC's 38: not checked")


def _tanker(m: Models) -> tuple[float, str, str]:
    per_tanker = (m.fleet_total_mtpa("caspian-tankers-6") - m.fleet_total_mtpa("present")) / 6
    return per_tanker, "Mt/yr per tanker", (f"the fleet model (weather, maintenance, ports) gives {per_tanker:.2f} "
                                            "Mt/yr per added tanker")


def _export_share_140(m: Models) -> tuple[float, str, str]:
    r = m.dispatch(2030)
    share = 100 * r.exports_mtpa / r.fields["production_mtpa"].sum()
    return share, "% of output", (f"2030 at 140 Mt: {share:.1f}% exported; {r.shut_in_mtpa:.1f} Mt/yr has nowhere "
                                  "to go, so the share is set by routes, not by demand")


def _btc_half(m: Models) -> tuple[float, str, str]:
    used = float(m.dispatch(2024).links.at["btc", "utilisation_pct"])
    return used, "% of capacity", f"2024: BTC runs at {used:.0f}% of its capacity: holds"


BUILT_2027 = "crudeflow plan --years 2027 --decision-year 2025 --options btc-quota-7,caspian-tankers-6,aktau-berths"
CLAIMS = (
    Claim("cpc-80pct", "CPC carries over 80% of Kazakh exports, more than 1 million bpd", "seed 004; seed 000",
          "What share and volume does CPC carry?", "crudeflow dispatch --year 2024 --units kbpd", _cpc),
    Claim("az-25pct-2026", "25% of exports via Azerbaijan in 2026", "seed 003",
          "Can a quarter of 2026 exports reach Azerbaijan?",
          "crudeflow plan --years 2026 --options btc-quota-4 --show portfolios --csv", _az_share_2026),
    Claim("az-4mt", "Exports through Azerbaijan to reach 4 Mt a year", "seed 003",
          "Can 4 Mt/yr reach Azerbaijan with a 4 Mt/yr quota?",
          "crudeflow plan --years 2026 --options btc-quota-4 --json", _az_4mt),
    Claim("btc-7mt-2027", "7 Mt/yr via BTC by 2027; ~10% of exports then bypass Russia", "seed 003",
          "With the quota and the Caspian options, how much reaches BTC and what share avoids Russia?",
          BUILT_2027, _btc_7mt),
    Claim("baku-600musd", "USD 600 million a year of extra budget revenue from transit via Baku", "seed 003",
          "What state take does the extra Baku volume bring?",
          BUILT_2027, _budget_600),
    Claim("btc-tariff-3x", "BTC's tariff is about three times CPC's per tonne", "seed 003",
          "Is BTC's tariff three times CPC's?", "crudeflow dispatch --year 2024 --show links", _tariff),
    Claim("tanker-0.7mt", "Six new Caspian tankers, each 700,000 t a year", "seed 003",
          "What does each added tanker carry?", "crudeflow fleet --fleet caspian-tankers-6 --replications 20", _tanker),
    Claim("export-70pct", "About 70% of output is exported (with output rising to 140 Mt by 2030)", "seed 003",
          "At 140 Mt, what share can be exported?", "crudeflow dispatch --year 2030", _export_share_140),
    Claim("btc-50pct", "BTC runs at about 50% of its capacity", "seed 003", "How full is BTC?",
          "crudeflow dispatch --year 2024 --show links", _btc_half),
)


def check_claims(network: Network) -> pd.DataFrame:
    models = Models(network)
    rows = []
    for claim in CLAIMS:
        value, unit, says = claim.answer(models)
        rows.append({"claim_id": claim.id, "claim": claim.claim, "source": claim.source, "question": claim.question,
                     "model_value": round(value, 2), "unit": unit, "model_says": says, "command": claim.command})
    return pd.DataFrame(rows)


def claims_markdown(table: pd.DataFrame) -> str:
    """The table as docs/claims.md holds it."""
    head = ["# The seeds' claims, checked", "",
            "Produced by `crudeflow claims --markdown` (the test suite checks this file against it).", "",
            "| claim | source | question | the model says | command |", "|---|---|---|---|---|"]
    rows = [f"| {r['claim']} | {r['source']} | {r['question']} | {r['model_says']} | `{r['command']}` |"
            for _, r in table.iterrows()]
    return "\n".join(head + rows) + "\n"
